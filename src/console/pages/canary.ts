/**
 * Canary: a release's production calls over time, per arm — error rate and latency p95 as SVG
 * line charts — and the canary job's latest judgement when one is stored.
 */
import { stageLabel } from '../../core/release.ts';
import { lineChart } from '../../core/views/charts.ts';
import { formatRuleValue } from '../../core/views/release.ts';
import { num, stateLabel } from '../../core/views/format.ts';
import { alphaText, detectableText } from '../../core/views/canary.ts';
import { html, raw } from '../html.ts';
import type { Page } from '../layout.ts';
import { canarySeries } from '../canary-series.ts';
import { canarySamples, canarySnapshot, releasesWithTraffic } from '../queries.ts';
import { readableWorkflows, stamp, when, type PageContext } from './context.ts';
import { releaseOf } from './release.ts';

function bucketLabel(ts: number, size: number, tz: string): string {
  const s = stamp(ts, tz);
  return size >= 86_400_000 ? s.slice(5, 10) : size >= 3_600_000 ? s.slice(5, 13) + 'h' : s.slice(11, 16);
}

/** ", the main test needs 80 more candidate calls" — per arm, only the arms short of minSamples. */
function callsNeededText(snap: { samplesNeeded: number; judgement: { callsNeeded?: { baseline: number; candidate: number } } }): string {
  const need = snap.judgement.callsNeeded;
  if (!need) return snap.samplesNeeded > 0 ? `, the main test needs up to ${num(snap.samplesNeeded)} more calls in an arm` : '';
  const parts = [need.candidate > 0 ? `${num(need.candidate)} more candidate calls` : '', need.baseline > 0 ? `${num(need.baseline)} more stable calls` : ''].filter(Boolean);
  return parts.length ? `, the main test needs ${parts.join(' and ')}` : '';
}

export async function canaryPage(p: PageContext): Promise<Page> {
  const { ctx, url } = p;
  const readable = readableWorkflows(p).map((w) => w.name);
  const choices = await releasesWithTraffic(ctx.store, readable);
  const asked = url.searchParams.get('release');
  const r = asked ? await releaseOf(p, asked) : choices[0] ? await releaseOf(p, `REL-${choices[0].id}`) : undefined;
  const picker = html`<form class="filters" method="get" action="/canary"><label>Release <select name="release">${choices.map(
    (c) => html`<option value="REL-${c.id}"${r && r.id === c.id ? html` selected` : ''}>REL-${c.id} · ${c.workflow} · ${stateLabel(c.state)}</option>`,
  )}</select></label><button class="btn" type="submit">Show</button></form>`;
  if (!r || !readable.includes(r.workflow)) {
    return {
      title: 'Canary',
      nav: 'canary',
      live: 'all',
      body: html`<h1>Canary</h1>${choices.length ? picker : ''}<p class="empty">${
        asked && r ? `Canary metrics of ${r.workflow} are for its team members, leaders, approvers, finance and admins.` : asked ? `No release ${asked}.` : 'No release has had traffic yet. Once a release is approved, its canary metrics appear here.'
      }</p>`,
    };
  }
  const wf = ctx.config.workflows[r.workflow];
  const series = canarySeries(await canarySamples(ctx.store, r.id));
  const fx = (x: number) => bucketLabel(x, series.bucketMs, p.tz);
  const per = series.bucketMs >= 86_400_000 ? 'day' : series.bucketMs >= 3_600_000 ? 'hour' : 'minute';
  const errors = lineChart({
    title: `Error rate per ${per}`,
    series: [
      { name: 'stable', tone: 'baseline', points: series.stable.map((b) => ({ x: b.start, y: b.errorRate })) },
      { name: 'candidate', tone: 'candidate', points: series.candidate.map((b) => ({ x: b.start, y: b.errorRate })) },
    ],
    formatX: fx,
    formatY: (y) => `${(y * 100).toFixed(y < 0.1 ? 1 : 0)}%`,
    minTop: 0.05,
    empty: 'No production calls of this release yet.',
  });
  const p95Limit = wf?.gate.maxLatencyP95Ms;
  const latency = lineChart({
    title: `Latency p95 per ${per}`,
    series: [
      { name: 'stable', tone: 'baseline', points: series.stable.map((b) => ({ x: b.start, y: b.latencyP95 })) },
      { name: 'candidate', tone: 'candidate', points: series.candidate.map((b) => ({ x: b.start, y: b.latencyP95 })) },
    ],
    thresholds: p95Limit ? [{ value: p95Limit, label: `gate limit p95 ${num(p95Limit)} ms` }] : [],
    formatX: fx,
    formatY: (y) => `${num(y)} ms`,
    empty: 'No production calls of this release yet.',
  });
  const calls = (xs: { n: number }[]) => xs.reduce((s, b) => s + b.n, 0);
  const snap = await canarySnapshot(ctx.store, r.id);
  const stage = wf && r.stageIndex >= 0 ? stageLabel(wf.rollout.stages, r.stageIndex) : stateLabel(r.state);
  return {
    title: `Canary · ${r.key}`,
    nav: 'canary',
    live: `release:${r.key}`,
    body: html`<h1>Canary · <a href="/releases/${r.key}">${r.key}</a> <span class="muted">· ${r.workflow} · ${stage}</span></h1>
${picker}
<p class="context">${num(calls(series.stable))} stable and ${num(calls(series.candidate))} candidate calls since traffic started ${when(p, r.trafficStartedAt)}.</p>
<div class="charts pair">${raw(errors)}${raw(latency)}</div>
<section class="judgement"><h2>Canary analysis</h2>${
      snap
        ? html`<p><strong>${snap.status}</strong> — ${snap.judgement.reason ?? ''} <span class="muted">(judged ${when(p, snap.judgedAt)}${callsNeededText(snap)})</span></p>
${detectableText(snap.judgement.detectable) ? html`<p class="detectable">${detectableText(snap.judgement.detectable)}</p>` : ''}
${alphaText(snap.judgement.alpha) ? html`<p class="context">${alphaText(snap.judgement.alpha)}</p>` : ''}
${snap.judgement.metrics?.length
  ? html`<table class="list"><thead><tr><th>metric</th><th>stable</th><th>candidate</th><th>test</th><th>class</th></tr></thead><tbody>${snap.judgement.metrics.map(
      (m) => html`<tr${m.classification === 'High' || m.classification === 'Low' ? html` class="emph"` : ''}><td>${m.name}</td><td class="num">${formatRuleValue(m.name, m.baseline)}</td><td class="num">${formatRuleValue(m.name, m.candidate)}</td><td>${m.test}</td><td>${m.classification}</td></tr>`,
    )}</tbody></table>`
  : ''}`
        : html`<p class="empty">No canary judgement stored yet (the canary job judges each stage once enough calls have arrived).</p>`
    }</section>`,
  };
}
