/** Audit: the hash-chained log, newest first, with the chain's verification state. */
import { roundForDisplay, truncate } from '../../core/views/format.ts';
import { html } from '../html.ts';
import type { Page } from '../layout.ts';
import { auditPage } from '../queries.ts';
import { readableWorkflows, stamp, type PageContext } from './context.ts';

const PAGE_SIZE = 100;

function detail(data: string): string {
  try {
    const d = JSON.parse(data) as Record<string, unknown>;
    return Object.entries(d)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(roundForDisplay(v))}`)
      .join(' ');
  } catch {
    return data;
  }
}

export async function auditLogPage(p: PageContext): Promise<Page> {
  const { ctx, url } = p;
  const v = await ctx.store.audit.verify();
  const readable = readableWorkflows(p).map((w) => w.name);
  const wfParam = url.searchParams.get('workflow') ?? '';
  const workflow = readable.includes(wfParam) ? wfParam : '';
  const relParam = /^REL-(\d+)$/i.exec(url.searchParams.get('release') ?? '');
  const beforeSeq = Number(url.searchParams.get('before')) || undefined;
  // Events of no workflow (tokens, people) are for admins.
  const admin = p.session.person.roles.includes('admin');
  const page = await auditPage(ctx.store, {
    workflows: workflow ? [workflow] : readable,
    global: admin && !workflow,
    releaseId: relParam ? Number(relParam[1]) : undefined,
    beforeSeq,
    limit: PAGE_SIZE,
  });
  const q = (extra: Record<string, string>) =>
    `/audit?${new URLSearchParams({ ...(workflow ? { workflow } : {}), ...(relParam ? { release: `REL-${relParam[1]}` } : {}), ...extra }).toString()}`;
  return {
    title: 'Audit',
    nav: 'audit',
    live: 'all',
    body: html`<h1>Audit log</h1>
${v.ok
  ? html`<p class="verification tone-success" id="verification">✓ chain intact, head <code title="${v.head}">${v.head.slice(0, 16)}…</code> · ${v.count} events</p>`
  : html`<p class="verification tone-danger" id="verification">✗ chain BROKEN at event ${v.badSeq}: ${v.message}</p>`}
<form class="filters" method="get" action="/audit">
  <label>Workflow <select name="workflow"><option value="">all I may read</option>${readable.map((w) => html`<option value="${w}"${w === workflow ? html` selected` : ''}>${w}</option>`)}</select></label>
  <label>Release <input name="release" size="8" placeholder="REL-1" value="${relParam ? `REL-${relParam[1]}` : ''}"></label>
  <button class="btn" type="submit">Filter</button>
</form>
${page.rows.length === 0
  ? html`<p class="empty">${readable.length ? 'No audit events here.' : 'The audit log is for team members, leaders, approvers, finance and admins.'}</p>`
  : html`<table class="list audit">
<thead><tr><th class="num">#</th><th>when</th><th>who</th><th>what</th><th>workflow</th><th>release</th><th>detail</th><th>hash</th></tr></thead>
<tbody>${page.rows.map(
      (e) => html`<tr data-seq="${e.seq}"${!v.ok && e.seq === v.badSeq ? html` class="emph"` : ''}><td class="num">${e.seq}</td><td>${stamp(e.ts, p.tz)}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.workflow ?? '—'}</td><td>${e.release_id ? html`<a href="/releases/REL-${e.release_id}">REL-${e.release_id}</a>` : '—'}</td><td class="detail">${truncate(detail(e.data), 140)}</td><td><code title="${e.hash}">${e.hash.slice(0, 10)}</code></td></tr>`,
    )}</tbody></table>`}
<nav class="pager">${beforeSeq ? html`<a href="${q({})}">← newest</a>` : ''}${page.nextBefore ? html`<a rel="next" href="${q({ before: String(page.nextBefore) })}">older →</a>` : ''}</nav>`,
  };
}
