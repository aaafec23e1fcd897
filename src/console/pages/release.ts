/**
 * A release's page: its card (working buttons), the gate's variant summaries, the per-case
 * baseline/candidate outputs side by side, and its audit events as a timeline.
 */
import type { VariantSummary } from '../../core/gate.ts';
import { releaseCardOf } from '../../chat/executor.ts';
import { RELEASE_ID_RE } from '../../core/command.ts';
import { mayRead } from '../../core/permissions.ts';
import { num, pct, truncate, usd } from '../../core/views/format.ts';
import type { ReleaseRecord } from '../../store/repos/releases.ts';
import { html, raw, type Markup } from '../html.ts';
import type { Page } from '../layout.ts';
import { caseOutputs, type CaseOutputs, type EvalOutput } from '../queries.ts';
import { cardHtml, stamp, type PageContext } from './context.ts';
import { cardWithLink } from './workflows.ts';

export async function releaseOf(p: PageContext, id: string): Promise<ReleaseRecord | undefined> {
  const m = RELEASE_ID_RE.exec(id);
  return m ? p.ctx.store.releases.get(Number(m[1])) : undefined;
}

/** The release card alone (what live updates re-fetch). */
export async function releaseCardHtml(p: PageContext, r: ReleaseRecord): Promise<string> {
  return cardWithLink(await cardHtml(p, await releaseCardOf(p.ctx, r)), r.key);
}

type Summary = VariantSummary;

function summaryTable(v: { baseline?: Summary; candidate?: Summary; outcome?: string; summary?: string }): Markup {
  if (!v.baseline || !v.candidate) return html``;
  const rows: [string, (s: Summary) => string][] = [
    ['runs', (s) => num(s.runs)],
    ['passed', (s) => num(s.passed)],
    ['errors', (s) => num(s.errors)],
    ['pass rate', (s) => pct(s.passRate)],
    ['cost per run', (s) => usd(s.meanCostUsd)],
    ['tokens per run', (s) => num(s.meanTokens, 1)],
    ['latency p50', (s) => (s.latencyP50Ms === null ? '—' : `${num(s.latencyP50Ms)} ms`)],
    ['latency p95', (s) => (s.latencyP95Ms === null ? '—' : `${num(s.latencyP95Ms)} ms`)],
    ['escalation rate', (s) => pct(s.escalationRate)],
  ];
  return html`<table class="list summary"><thead><tr><th>per variant</th><th>baseline</th><th>candidate</th></tr></thead>
<tbody>${rows.map(([label, f]) => html`<tr><td>${label}</td><td class="num">${f(v.baseline!)}</td><td class="num">${f(v.candidate!)}</td></tr>`)}</tbody></table>`;
}

function outputCell(o: EvalOutput | undefined): Markup {
  if (!o) return html`<td class="output missing">—</td>`;
  const mark = o.passed ? html`<span class="pass">✓ pass</span>` : html`<span class="fail">✗ fail</span>`;
  const meta = `score ${num(o.score, 2)} · ${num(o.latencyMs)} ms · ${usd(o.costUsd)}${o.escalated ? ' · escalated' : ''}`;
  return html`<td class="output ${o.passed ? 'passed' : 'failed'}"><div class="meta">${mark} <span class="muted">${meta}</span></div>${o.error ? html`<p class="error-text">${o.error}</p>` : ''}<pre>${truncate(o.output ?? '', 4000)}</pre></td>`;
}

const mark = (o: EvalOutput | undefined): Markup => (!o ? html`<span class="muted">—</span>` : o.passed ? html`<span class="pass">✓ pass</span>` : html`<span class="fail">✗ fail</span>`);

/** One case run, collapsed: its id and both outcomes; opened, both answers side by side. */
function caseDetails(c: CaseOutputs): Markup {
  const differ = !!c.baseline?.passed !== !!c.candidate?.passed;
  return html`<details class="case${differ ? ' differ' : ''}" id="case-${c.caseId.replace(/[^A-Za-z0-9_-]/g, '_')}-${c.repeat}" data-case="${c.caseId}" data-repeat="${c.repeat}">
<summary><code>${c.caseId}</code> <span class="muted">repeat ${c.repeat}</span> · baseline ${mark(c.baseline)} · candidate ${mark(c.candidate)}</summary>
<table class="list side-by-side"><thead><tr><th>baseline</th><th>candidate</th></tr></thead><tbody><tr>${outputCell(c.baseline)}${outputCell(c.candidate)}</tr></tbody></table>
</details>`;
}

export async function releasePage(p: PageContext, r: ReleaseRecord): Promise<Page> {
  const { ctx } = p;
  const wf = ctx.config.workflows[r.workflow];
  const reader = mayRead(ctx.config, p.session.person, wf);
  const verdict = (r.verdict ?? null) as { outcome?: string; summary?: string; baseline?: Summary; candidate?: Summary } | null;
  let outputs: Markup = html``;
  if (!reader) outputs = html`<p class="context">Eval outputs and the audit trail are for ${r.workflow}'s team members, leaders, approvers, finance and admins.</p>`;
  else if (r.gateRuns > 0) {
    const all = await caseOutputs(ctx.store, r.id, r.gateRuns);
    const passed = (o?: EvalOutput) => !!o?.passed;
    const differ = all.filter((c) => passed(c.baseline) !== passed(c.candidate));
    const bothFail = all.filter((c) => !passed(c.baseline) && !passed(c.candidate));
    const bothPass = all.filter((c) => passed(c.baseline) && passed(c.candidate));
    outputs = html`<section class="outputs" id="outputs">
<h2>Eval outputs · gate run ${r.gateRuns}</h2>
${all.length === 0
  ? html`<p class="empty">${r.state === 'evaluating' ? 'The gate is running; outputs appear when it finishes.' : 'No eval outputs stored for this gate run.'}</p>`
  : html`<p class="context">${num(all.length)} case runs · ${num(differ.length)} where baseline and candidate disagree and ${num(bothFail.length)} where both fail, listed first · open a case to see both answers side by side</p>
<div class="cases">${[...differ, ...bothFail].map(caseDetails)}${
      bothPass.length
        ? html`<details class="passing" id="passing"><summary>${num(bothPass.length)} case run${bothPass.length === 1 ? '' : 's'} where both pass</summary><div class="cases">${bothPass.map(caseDetails)}</div></details>`
        : ''
    }</div>`}
</section>`;
  }
  const events = reader ? await ctx.store.audit.list({ releaseId: r.id }, 'asc') : [];
  const card = await cardHtml(p, await releaseCardOf(ctx, r));
  return {
    title: r.key,
    nav: 'releases',
    live: `release:${r.key}`,
    body: html`<h1>${r.key} <span class="muted">· ${r.workflow}</span></h1>
<div class="cards"><div class="release-card" data-release-card="${r.key}">${raw(card)}</div></div>
${verdict
  ? html`<section class="verdict" id="verdict"><h2>Gate verdict: <span class="outcome outcome-${verdict.outcome ?? ''}">${(verdict.outcome ?? '').replace(/_/g, ' ')}</span></h2>
${summaryTable(verdict)}<p class="context">The verdict's summary and its rule-by-rule table are on the card above (failing rules first).</p></section>`
  : html`<section class="verdict pending"><h2>Gate verdict</h2><p class="empty">${r.state === 'evaluating' ? '⏳ The eval gate is running against the live baseline…' : 'No verdict yet.'}</p></section>`}
${outputs}
${reader
  ? html`<section class="timeline-section"><h2>Timeline</h2><ol class="timeline">${events.map(
      (e) => html`<li data-seq="${e.seq}"><time>${stamp(e.ts, p.tz)}</time> <strong>${e.action.replace(/_/g, ' ')}</strong> by ${e.actor}${timelineDetail(e.data)}<span class="hash" title="${e.hash}">#${e.seq} · ${e.hash.slice(0, 10)}…</span></li>`,
    )}</ol></section>`
  : ''}`,
  };
}

function timelineDetail(data: Record<string, unknown>): Markup {
  const parts: string[] = [];
  if (typeof data.from === 'string' && typeof data.to === 'string') parts.push(`${data.from.replace(/_/g, ' ')} → ${data.to.replace(/_/g, ' ')}`);
  if (typeof data.stage === 'number') parts.push(`stage ${data.stage}%`);
  if (typeof data.reason === 'string' && data.reason) parts.push(`reason: ${data.reason}`);
  if (typeof data.outcome === 'string') parts.push(`outcome: ${data.outcome}`);
  if (typeof data.gate_run === 'number') parts.push(`gate run ${data.gate_run}`);
  return parts.length ? html` <span class="muted">— ${parts.join(' · ')}</span> ` : html` `;
}
