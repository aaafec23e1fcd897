/** Receipts: production (or eval) calls of the workflows the person may read, paged, and one receipt in full. */
import { num, usd } from '../../core/views/format.ts';
import type { ReceiptRow } from '../../store/repos/receipts.ts';
import { html } from '../html.ts';
import type { Page } from '../layout.ts';
import { decodeCursor, encodeCursor, receiptPage } from '../queries.ts';
import { readableWorkflows, stamp, type PageContext } from './context.ts';

const PAGE_SIZE = 50;

function flags(r: ReceiptRow): string {
  return [
    r.needs_approval && r.approved !== 1 ? 'needs approval' : '',
    r.escalated ? 'escalated' : '',
    r.reported ? 'reported' : '',
    r.overridden ? 'overridden' : '',
    r.edited ? 'edited' : '',
    r.csat !== null ? `csat ${r.csat}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

export async function receiptsPage(p: PageContext): Promise<Page> {
  const { ctx, url } = p;
  const readable = readableWorkflows(p).map((w) => w.name);
  const wfParam = url.searchParams.get('workflow') ?? '';
  const workflow = readable.includes(wfParam) ? wfParam : '';
  const purpose = url.searchParams.get('purpose') === 'eval' ? 'eval' : 'production';
  const before = decodeCursor(url.searchParams.get('before'));
  const page = await receiptPage(ctx.store, { workflows: workflow ? [workflow] : readable, purpose, limit: PAGE_SIZE, before });
  const q = (extra: Record<string, string>) => `/receipts?${new URLSearchParams({ ...(workflow ? { workflow } : {}), purpose, ...extra }).toString()}`;
  return {
    title: 'Receipts',
    nav: 'receipts',
    body: html`<h1>Receipts</h1>
${wfParam && !workflow ? html`<p class="flash tone-warning">You may not read the receipts of "${wfParam}" (or it is not a workflow); showing every workflow you may read.</p>` : ''}
<form class="filters" method="get" action="/receipts">
  <label>Workflow <select name="workflow"><option value="">all I may read</option>${readable.map((w) => html`<option value="${w}"${w === workflow ? html` selected` : ''}>${w}</option>`)}</select></label>
  <label>Purpose <select name="purpose"><option value="production">production</option><option value="eval"${purpose === 'eval' ? html` selected` : ''}>eval</option></select></label>
  <button class="btn" type="submit">Filter</button>
</form>
${readable.length === 0 ? html`<p class="empty">Receipts are for team members, leaders, approvers, finance and admins.</p>` : ''}
${page.rows.length === 0 && readable.length
  ? html`<p class="empty">No ${purpose} receipts${before ? ' before this point' : ' yet'}.</p>`
  : page.rows.length
    ? html`<table class="list receipts">
<thead><tr><th>receipt</th><th>when</th><th>workflow</th><th>release</th><th>variant</th><th>model</th><th>status</th><th class="num">tokens</th><th class="num">cost</th><th class="num">latency</th><th>flags</th></tr></thead>
<tbody>${page.rows.map(
        (r) => html`<tr${r.status !== 'ok' ? html` class="emph"` : ''}><td><a href="/receipts/${r.id}"><code>${r.id}</code></a></td><td>${stamp(r.ts, p.tz)}</td><td>${r.workflow}</td><td>${r.release_id ? html`<a href="/releases/REL-${r.release_id}">REL-${r.release_id}</a>` : '—'}</td><td>${r.variant ?? '—'}</td><td>${r.model_served ?? r.model_requested ?? '—'}</td><td>${r.status}${r.error_type ? ` (${r.error_type})` : ''}</td><td class="num">${num(r.input_tokens + r.output_tokens)}</td><td class="num">${usd(r.cost_usd)}</td><td class="num">${r.latency_ms === null ? '—' : `${num(r.latency_ms)} ms`}</td><td>${flags(r) || '—'}</td></tr>`,
      )}</tbody></table>`
    : ''}
<nav class="pager">${before ? html`<a href="${q({})}">← newest</a>` : ''}${page.next ? html`<a rel="next" href="${q({ before: encodeCursor(page.next) })}">older →</a>` : ''}</nav>`,
  };
}

export async function receiptPageOf(p: PageContext, id: string): Promise<Page | null> {
  const r = await p.ctx.store.receipts.get(id);
  const readable = readableWorkflows(p).map((w) => w.name);
  if (!r || !readable.includes(r.workflow)) return null;
  const json = (s: string | null) => {
    if (!s) return '—';
    try {
      return JSON.stringify(JSON.parse(s), null, 2);
    } catch {
      return s;
    }
  };
  const fields: [string, string][] = [
    ['when', stamp(r.ts, p.tz)],
    ['purpose', r.purpose],
    ['workflow', r.workflow],
    ['team', r.team ?? '—'],
    ['release', r.release_id ? `REL-${r.release_id}` : '—'],
    ['variant', r.variant ?? '—'],
    ['config', r.config_hash ?? '—'],
    ['provider', r.provider ?? '—'],
    ['model requested', r.model_requested ?? '—'],
    ['model served', r.model_served ?? '—'],
    ['system fingerprint', r.system_fingerprint ?? '—'],
    ['unit hash', r.unit_hash ?? '—'],
    ['tokens', `${num(r.input_tokens)} in (${num(r.cached_tokens)} cached) · ${num(r.output_tokens)} out · ${num(r.reasoning_tokens)} reasoning`],
    ['cost', `${usd(r.cost_usd)} (prices ${r.price_version ?? '—'})`],
    ['latency', r.latency_ms === null ? '—' : `${num(r.latency_ms)} ms`],
    ['status', `${r.status}${r.error_type ? ` (${r.error_type})` : ''}`],
    ['feedback', flags(r) || '—'],
  ];
  return {
    title: `Receipt ${r.id}`,
    nav: 'receipts',
    body: html`<h1>Receipt <code>${r.id}</code></h1>
<p><a href="/receipts?workflow=${r.workflow}">← receipts of ${r.workflow}</a></p>
<dl class="fields wide">${fields.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
<h2>Output</h2><pre class="output">${r.output ?? (p.ctx.config.workflows[r.workflow]?.retention === 'none' ? '(not kept: retention none)' : '—')}</pre>
<h2>Tool calls</h2><pre>${json(r.tool_calls)}</pre>
<h2>Sources</h2><pre>${json(r.sources)}</pre>`,
  };
}
