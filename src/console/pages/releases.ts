/** Releases: every release, newest first, filtered by workflow and state. */
import { RELEASE_STATES, stageLabel } from '../../core/release.ts';
import { stateLabel } from '../../core/views/format.ts';
import { html } from '../html.ts';
import type { Page } from '../layout.ts';
import { when, type PageContext } from './context.ts';

export async function releasesPage(p: PageContext): Promise<Page> {
  const { ctx, url } = p;
  const wfParam = url.searchParams.get('workflow') || undefined;
  const stateParam = url.searchParams.get('state') || undefined;
  const workflow = wfParam && ctx.config.workflows[wfParam] ? wfParam : undefined;
  const state = stateParam && (stateParam === 'open' || (RELEASE_STATES as readonly string[]).includes(stateParam)) ? stateParam : undefined;
  const rows = await ctx.store.releases.list({ workflow, state, limit: 200 });
  return {
    title: 'Releases',
    nav: 'releases',
    live: 'all',
    body: html`<h1>Releases</h1>
<form class="filters" method="get" action="/releases">
  <label>Workflow <select name="workflow"><option value="">all</option>${Object.keys(ctx.config.workflows)
    .sort()
    .map((w) => html`<option value="${w}"${w === workflow ? html` selected` : ''}>${w}</option>`)}</select></label>
  <label>State <select name="state"><option value="">any</option><option value="open"${state === 'open' ? html` selected` : ''}>open</option>${RELEASE_STATES.map(
    (s) => html`<option value="${s}"${s === state ? html` selected` : ''}>${stateLabel(s)}</option>`,
  )}</select></label>
  <button class="btn" type="submit">Filter</button>
</form>
${rows.length === 0
  ? html`<p class="empty">No releases${workflow || state ? ' match' : ' yet'}. Request one with the command box: <code>request &lt;workflow&gt; --model …</code></p>`
  : html`<table class="list">
<thead><tr><th>release</th><th>workflow</th><th>state</th><th>gate</th><th>requested by</th><th>requested</th><th>updated</th></tr></thead>
<tbody>${rows.map((r) => {
      const wf = ctx.config.workflows[r.workflow];
      const st = (r.state === 'canary' || r.state === 'ramp') && wf ? stageLabel(wf.rollout.stages, r.stageIndex) : stateLabel(r.state);
      return html`<tr data-release="${r.key}"><td><a href="/releases/${r.key}">${r.key}</a></td><td>${r.workflow}</td><td><span class="state state-${r.state}">${st}</span></td><td>${r.gateOutcome ? stateLabel(r.gateOutcome) : '—'}</td><td>${r.requester} <span class="muted">via ${r.source}</span></td><td>${when(p, r.createdAt)}</td><td>${when(p, r.updatedAt)}</td></tr>`;
    })}</tbody></table>`}`,
  };
}
