/** A tagged template that escapes every interpolated value unless it is already markup. */
import { escapeHtml } from '../chat/render/html.ts';

export class Markup {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** Markup we built ourselves (SVG from core/views/charts, renderHtml output). */
export const raw = (html: string): Markup => new Markup(html);

function part(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Markup) return v.html;
  if (Array.isArray(v)) return v.map(part).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1]!;
  return new Markup(out);
}
