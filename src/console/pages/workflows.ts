/** Workflows: the status card, then each workflow's live config, weights and governance. */
import { execute } from '../../chat/executor.ts';
import { html, raw, type Markup } from '../html.ts';
import type { Page } from '../layout.ts';
import { actorOf, cardHtml, type PageContext } from './context.ts';

export async function workflowsPage(p: PageContext): Promise<Page> {
  const { ctx } = p;
  const overview = await execute(ctx, actorOf(p), { verb: 'status' });
  const sections: Markup[] = [];
  for (const name of Object.keys(ctx.config.workflows).sort()) {
    const detail = await execute(ctx, actorOf(p), { verb: 'status', workflow: name });
    const live = await ctx.store.workflows.get(name);
    const stored = live ? await ctx.store.configs.get(live.stableHash) : undefined;
    const cfg = stored?.config;
    sections.push(html`<section class="workflow" id="wf-${name}">
  <h2>${name}</h2>
  <div class="cards">${(await Promise.all(detail.cards.map(async (c) => (c.kind === 'release' || c.kind === 'rollout' ? cardWithLink(await cardHtml(p, c), c.ref?.releaseId) : cardHtml(p, c))))).map(raw)}</div>
  ${cfg
    ? html`<details class="live-config"><summary>Live config <code>${live!.stableHash}</code> · ${cfg.provider} · ${cfg.model}${stored!.promptFile ? html` · prompt ${stored!.promptFile}` : ''}</summary>
    <dl class="fields">
      <div><dt>Params</dt><dd><code>${JSON.stringify(cfg.params)}</code></dd></div>
      ${cfg.rag ? html`<div><dt>RAG</dt><dd><code>${JSON.stringify(cfg.rag)}</code></dd></div>` : ''}
      <div><dt>Tools</dt><dd>${cfg.tools?.length ? cfg.tools.map((t) => html`<code>${t.name}</code> (${t.effect}) `) : '—'}</dd></div>
      <div><dt>Guardrails</dt><dd><code>${JSON.stringify(cfg.guardrails ?? {})}</code></dd></div>
    </dl>
    <pre class="prompt">${cfg.prompt}</pre>
  </details>`
    : html`<p class="context">Not seeded yet.</p>`}
</section>`);
  }
  return {
    title: 'Workflows',
    nav: 'workflows',
    live: 'all',
    body: html`<h1>Workflows</h1>
${(await Promise.all(overview.cards.map((c) => cardHtml(p, c)))).map(raw)}
${sections}`,
  };
}

/** A release card with a link to its timeline page. */
export function cardWithLink(cardHtml: string, releaseId?: string): string {
  if (!releaseId) return cardHtml;
  return `<div class="release-card" data-release-card="${releaseId}">${cardHtml}<p class="more"><a href="/releases/${releaseId}">Timeline, gate and outputs of ${releaseId} →</a></p></div>`;
}
