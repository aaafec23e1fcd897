import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml } from '../../src/chat/render/html.ts';
import type { Card } from '../../src/core/card.ts';
import { releaseCard } from './release-card.ts';

const XSS = `<img src=x onerror=alert(1)>"' onmouseover="alert(2)&`;

describe('HTML', () => {
  it('renders a semantic article', () => {
    const html = renderHtml(releaseCard());
    expect(html.startsWith('<article class="card card-release tone-danger" data-release="REL-3"')).toBe(true);
    expect(html).toContain('<h3>REL-3 support-triage: gate <strong>failed</strong></h3>');
    expect(html).toContain('<dt>Model</dt><dd><code>gpt-4.1-mini-2025-04-14</code></dd>');
    expect(html.match(/<tr class="emph">/g)).toHaveLength(2);
    expect(html).toContain('<tr class="emph"><td>minPassRate</td>');
    expect(html).toContain('<del>gpt-4.1-2025-04-14</del> → <ins>gpt-4.1-mini-2025-04-14</ins>');
    expect(html).toContain('<del>- Classify the ticket.</del>');
    expect(html).toContain('<pre><code>{\n  &quot;temperature&quot;: 0\n}</code></pre>');
    expect(html).toContain('<p class="context">Requested by eli');
    expect(html).toContain('<button type="button" class="btn btn-primary" data-action-id="approve" data-command="approve REL-3">Approve</button>');
    expect(html).toMatch(/<button [^>]*data-command="reject REL-3"[^>]*data-input="reason" data-input-label="Why reject\?" data-input-required="true">Reject<\/button>/);
    expect(html).toMatch(/<button [^>]*data-command="rollback REL-3" data-confirm="The candidate gets 0% of traffic\."/);
  });

  it('replaces the buttons with the outcome once done', () => {
    const html = renderHtml(releaseCard(), { done: 'Approved by <dana>' });
    expect(html).not.toContain('<button');
    expect(html).toContain('<p class="done">Approved by &lt;dana&gt;</p>');
  });

  it('escapes an XSS payload in every text slot', () => {
    const card: Card = {
      kind: 'release',
      title: XSS,
      tone: 'info',
      ref: { releaseId: XSS, workflow: XSS, team: XSS },
      blocks: [
        { type: 'text', text: XSS },
        { type: 'fields', fields: [{ label: XSS, value: XSS }] },
        { type: 'table', columns: [XSS], rows: [[XSS]], emphasis: [0] },
        { type: 'diff', label: XSS, before: XSS, after: XSS + 'x' },
        { type: 'diff', label: XSS, before: `${XSS}\n${XSS}`, after: `${XSS}\nnew ${XSS}` },
        { type: 'code', text: XSS },
        { type: 'context', text: XSS },
      ],
      actions: [
        {
          id: XSS,
          label: XSS,
          command: XSS,
          style: 'danger',
          confirm: { title: XSS, text: XSS, confirm: XSS, deny: XSS },
          input: { name: 'reason', label: XSS, required: false },
        },
      ],
    };
    const html = renderHtml(card);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/" onmouseover/);
    expect(html).not.toMatch(/' onmouseover/);
    const escaped = escapeHtml(XSS);
    expect(escaped).toBe('&lt;img src=x onerror=alert(1)&gt;&quot;&#39; onmouseover=&quot;alert(2)&amp;');
    // 3 ref attributes, title, text, field ×2, table ×2, diffs 3 + 4, code, context, action ×8
    expect(html.split(escaped).length - 1).toBe(26);
    // the only tags are our own
    const tags = new Set([...html.matchAll(/<\/?([a-z0-9]+)/gi)].map((m) => m[1]));
    for (const tag of tags) {
      expect(['article', 'h3', 'p', 'dl', 'div', 'dt', 'dd', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'del', 'ins', 'pre', 'code', 'button', 'br', 'hr', 'strong']).toContain(tag);
    }
  });
});
