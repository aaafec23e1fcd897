/**
 * Card -> semantic HTML for the web console. Everything taken from the card is escaped; the
 * only markup is ours. Buttons carry their command in `data-command` for the console's script.
 */
import type { Card, CardAction, CardBlock } from '../../core/card.ts';
import { diffLines } from './text.ts';

export interface HtmlOptions {
  /** Plain text shown instead of the buttons once the decision is made. */
  done?: string;
}

export function escapeHtml(text: string): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function renderHtml(card: Card, opts: HtmlOptions = {}): string {
  const tone = card.tone ?? 'info';
  const attrs = [`class="card card-${escapeHtml(card.kind)} tone-${escapeHtml(tone)}"`];
  if (card.ref?.releaseId) attrs.push(`data-release="${escapeHtml(card.ref.releaseId)}"`);
  if (card.ref?.workflow) attrs.push(`data-workflow="${escapeHtml(card.ref.workflow)}"`);
  if (card.ref?.team) attrs.push(`data-team="${escapeHtml(card.ref.team)}"`);
  const parts = [`<article ${attrs.join(' ')}>`, `<h3>${inlineHtml(card.title)}</h3>`];
  for (const block of card.blocks) parts.push(blockHtml(block));
  if (opts.done !== undefined) parts.push(`<p class="done">${escapeHtml(opts.done)}</p>`);
  else {
    const actions = (card.actions ?? []).filter((a) => a.submit === undefined);
    if (actions.length > 0) parts.push(`<div class="actions">${actions.map(buttonHtml).join('')}</div>`);
  }
  parts.push('</article>');
  return parts.join('\n');
}

function blockHtml(block: CardBlock): string {
  switch (block.type) {
    case 'text':
      return `<p>${inlineHtml(block.text)}</p>`;
    case 'fields':
      return `<dl class="fields">${block.fields
        .map((f) => `<div><dt>${inlineHtml(f.label)}</dt><dd>${inlineHtml(f.value)}</dd></div>`)
        .join('')}</dl>`;
    case 'table': {
      const emph = new Set(block.emphasis ?? []);
      const head = `<thead><tr>${block.columns.map((c) => `<th scope="col">${inlineHtml(c)}</th>`).join('')}</tr></thead>`;
      const rows = block.rows
        .map((row, i) => `<tr${emph.has(i) ? ' class="emph"' : ''}>${row.map((c) => `<td>${inlineHtml(c)}</td>`).join('')}</tr>`)
        .join('');
      return `<table>${head}<tbody>${rows}</tbody></table>`;
    }
    case 'diff':
      return diffHtml(block.label, block.before, block.after);
    case 'code':
      return `<pre><code>${escapeHtml(block.text)}</code></pre>`;
    case 'context':
      return `<p class="context">${inlineHtml(block.text)}${block.link ? ` · <a href="${escapeHtml(block.link.path)}">${escapeHtml(block.link.label)}</a>` : ''}</p>`;
    case 'divider':
      return '<hr>';
    case 'choice':
      return `<div class="actions choice" role="group" aria-label="${escapeHtml(block.label)}">${block.options
        .map((o, i) => buttonHtml({ id: `${block.id}-${i}`, label: o.label, command: o.command, ...(o.style ? { style: o.style } : {}) }))
        .join('')}</div>`;
  }
}

function diffHtml(label: string, before: string, after: string): string {
  const name = `<span class="diff-label">${inlineHtml(label)}</span>`;
  if (!before.includes('\n') && !after.includes('\n')) {
    return `<div class="diff">${name}: <del>${escapeHtml(before)}</del> → <ins>${escapeHtml(after)}</ins></div>`;
  }
  const lines = diffLines(before, after).map((line) => {
    const text = escapeHtml(line.text);
    if (line.op === '-') return `<del>- ${text}</del>`;
    if (line.op === '+') return `<ins>+ ${text}</ins>`;
    return `  ${text}`;
  });
  return `<div class="diff">${name}<pre class="diff-lines">${lines.join('\n')}</pre></div>`;
}

function buttonHtml(action: CardAction): string {
  const classes = action.style ? ['btn', `btn-${escapeHtml(action.style)}`] : ['btn'];
  const attrs = [
    'type="button"',
    `class="${classes.join(' ')}"`,
    `data-action-id="${escapeHtml(action.id)}"`,
    `data-command="${escapeHtml(action.command)}"`,
  ];
  if (action.expect) attrs.push(`data-expect="${escapeHtml(action.expect)}"`);
  if (action.confirm) {
    attrs.push(
      `data-confirm="${escapeHtml(action.confirm.text)}"`,
      `data-confirm-title="${escapeHtml(action.confirm.title)}"`,
      `data-confirm-ok="${escapeHtml(action.confirm.confirm)}"`,
      `data-confirm-deny="${escapeHtml(action.confirm.deny)}"`,
    );
  }
  if (action.input) {
    attrs.push(
      `data-input="${escapeHtml(action.input.name)}"`,
      `data-input-label="${escapeHtml(action.input.label)}"`,
      `data-input-required="${action.input.required ? 'true' : 'false'}"`,
    );
  }
  return `<button ${attrs.join(' ')}>${escapeHtml(action.label)}</button>`;
}

/** The markdown subset, after escaping: `**b**` -> <strong>, `c` -> <code>, newlines -> <br>. */
function inlineHtml(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*([\s\S]+?)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\n/g, '<br>');
}
