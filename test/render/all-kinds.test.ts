import { describe, expect, it } from 'vitest';
import { renderAdaptiveCard } from '../../src/chat/render/adaptive.ts';
import { renderBlockKit } from '../../src/chat/render/blockkit.ts';
import { renderHtml } from '../../src/chat/render/html.ts';
import { renderText } from '../../src/chat/render/text.ts';
import type { Card } from '../../src/core/card.ts';
import { KINDS, TONES, releaseCard } from './release-card.ts';

describe('every kind and tone renders on every surface', () => {
  for (const kind of KINDS) {
    for (const tone of TONES) {
      it(`${kind} / ${tone ?? 'no tone'}`, () => {
        const full: Card = { ...releaseCard(), kind, tone, title: `${kind} card` };
        const empty: Card = { kind, tone, title: `${kind} card`, blocks: [] };
        for (const card of [full, empty]) {
          expect(renderText(card)).toContain(`${kind} card`);
          expect(renderText(card, { color: true, width: 40 })).toContain(`${kind} card`);
          expect(renderBlockKit(card).text).toBe(`${kind} card`);
          expect(renderBlockKit(card, { done: 'done' }).blocks.length).toBeGreaterThan(1);
          expect(renderAdaptiveCard(card).body[0]).toMatchObject({ text: `${kind} card` });
          expect(renderHtml(card)).toContain(`class="card card-${kind} tone-${tone ?? 'info'}"`);
        }
      });
    }
  }
});
