/**
 * Fitting a Card into a surface's size budget, without a silent cut. A card that is too big shows
 * the first items of its list that fit and a "Next page" action carrying the cursor of the first
 * item left out; long texts are shortened at line or word boundaries, each saying how much is
 * left out; as a last resort trailing parts are left out. Whatever was cut, one note at the end
 * says what and links to the console page that has it all. Pure: the surface supplies `fits`.
 */
import type { Card, CardAction, CardBlock, CardPaging } from '../../core/card.ts';

export interface FitOptions {
  /**
   * Offer a "Next page" action for items left out (default). Off where a click cannot show a page
   * (the App Home tab): the note names the command instead.
   */
  nextPage?: boolean;
}

export const NEXT_PAGE_ID = 'next-page';
/** The id of the note a fitted card ends with. */
export const CUT_NOTE_MARK = '✂';

/** Caps on each text, tried in turn until the card fits (Infinity: texts as they are). */
const CAPS = [Infinity, 2000, 1000, 500, 250, 120, 60];
/** A page shows at least this many items when it can, shortening texts to get there. */
const MIN_PAGE = 3;

interface TextCuts {
  texts: number;
  chars: number;
}

interface ItemCut {
  shown: number;
  paging: CardPaging;
}

/** The card as it fits (`fits` says whether a card is within the surface's budget). */
export function fitCard(card: Card, fits: (c: Card) => boolean, opts: FitOptions = {}): Card {
  if (fits(card)) return card;
  const paging = validPaging(card);
  let best: { card: Card; shown: number } | undefined;
  for (const cap of CAPS) {
    const capped = capTexts(card, cap);
    const all = noted(capped.card, card, capped.cuts, undefined, opts);
    if (fits(all)) return all;
    if (!paging) continue;
    const n = paging.cursors.length;
    const page = (k: number) => noted(pageOf(capped.card, paging, k), card, capped.cuts, { shown: k, paging }, opts);
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(page(mid))) lo = mid;
      else hi = mid - 1;
    }
    if (lo >= 1 && (!best || lo > best.shown)) best = { card: page(lo), shown: lo };
    if (lo >= Math.min(n - 1, MIN_PAGE)) return best!.card;
  }
  const start = best?.card ?? (paging ? noted(pageOf(capTexts(card, 60).card, paging, 1), card, capTexts(card, 60).cuts, { shown: 1, paging }, opts) : lastResort(card, opts));
  return leaveOutParts(start, card, fits, opts);
}

function lastResort(card: Card, opts: FitOptions): Card {
  const capped = capTexts(card, CAPS[CAPS.length - 1]!);
  return noted(capped.card, card, capped.cuts, undefined, opts);
}

/** Trailing parts left out, one at a time, until the card fits (the note counts them). */
function leaveOutParts(start: Card, original: Card, fits: (c: Card) => boolean, opts: FitOptions): Card {
  let c = start;
  let dropped = 0;
  while (!fits(c)) {
    const body = c.blocks.filter((b) => !isNote(b));
    if (body.length === 0) return c;
    dropped++;
    const note = c.blocks.find(isNote);
    const kept = body.slice(0, -1);
    const text = `${dropped} more part${dropped === 1 ? '' : 's'} of this card left out`;
    const merged: CardBlock = note && note.type === 'context' ? { ...note, text: `${note.text.replace(/ · \d+ more parts? of this card left out/, '')} · ${text}` } : noteBlock([text], original);
    c = { ...c, blocks: [...kept, merged] };
  }
  void opts;
  return c;
}

function isNote(b: CardBlock): boolean {
  return b.type === 'context' && b.text.startsWith(CUT_NOTE_MARK);
}

/** The card's paging when it matches its blocks (else the card has no pageable list). */
function validPaging(card: Card): CardPaging | undefined {
  const p = card.paging;
  if (!p || p.cursors.length < 2) return undefined;
  const n = p.cursors.length;
  if (p.tables) {
    const ok = p.tables.length > 0 && p.tables.every((i) => {
      const b = card.blocks[i];
      return b?.type === 'table' && b.rows.length === n;
    });
    return ok ? p : undefined;
  }
  if (p.groups) {
    const g = p.groups;
    const ok = g.length === n && g.every(([a, b], i) => a < b && b <= card.blocks.length && (i === 0 || g[i - 1]![1] === a));
    return ok ? p : undefined;
  }
  return undefined;
}

/** The first `k` items of the list. */
function pageOf(card: Card, p: CardPaging, k: number): Card {
  if (p.tables) {
    const tables = new Set(p.tables);
    return {
      ...card,
      blocks: card.blocks.map((b, i) =>
        tables.has(i) && b.type === 'table' ? { ...b, rows: b.rows.slice(0, k), ...(b.emphasis ? { emphasis: b.emphasis.filter((r) => r < k) } : {}) } : b,
      ),
    };
  }
  const g = p.groups!;
  const from = g[k]![0];
  const to = g[g.length - 1]![1];
  return { ...card, blocks: [...card.blocks.slice(0, from), ...card.blocks.slice(to)] };
}

/** The command that shows the items from the `k`-th on. */
export function nextPageCommand(p: CardPaging, k: number): string {
  const limit = p.limit !== undefined ? ` --limit ${p.limit - k}` : '';
  return `${p.command}${limit} --from ${p.cursors[k]}`;
}

/** The card with its cut note (and "Next page" action) when anything was cut. */
function noted(card: Card, original: Card, cuts: TextCuts, items: ItemCut | undefined, opts: FitOptions): Card {
  const parts: string[] = [];
  let actions = card.actions;
  if (items && items.shown < items.paging.cursors.length) {
    const p = items.paging;
    const offset = p.offset ?? 0;
    const total = p.total ?? offset + p.cursors.length;
    const next = nextPageCommand(p, items.shown);
    const more = opts.nextPage === false ? `\`${next}\` shows the next` : '**Next page** shows the next';
    parts.push(`Showing ${p.noun} ${fmt(offset + 1)}–${fmt(offset + items.shown)} of ${fmt(total)} · ${more}`);
    if (opts.nextPage !== false) {
      const action: CardAction = { id: NEXT_PAGE_ID, label: 'Next page', command: next };
      actions = [...(card.actions ?? []).filter((a) => a.id !== NEXT_PAGE_ID), action];
    }
  }
  if (cuts.texts > 0) parts.push(`${fmt(cuts.texts)} long text${cuts.texts === 1 ? '' : 's'} shortened (${fmt(cuts.chars)} characters left out)`);
  if (parts.length === 0) return card;
  return { ...card, blocks: [...card.blocks, noteBlock(parts, original)], ...(actions ? { actions } : {}) };
}

function noteBlock(parts: string[], original: Card): CardBlock {
  return {
    type: 'context',
    text: `${CUT_NOTE_MARK} ${parts.join(' · ')}`,
    ...(original.console ? { link: { label: 'everything in the console', path: original.console } } : {}),
  };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

// ---- shortening texts ----

/** Every text of the card at most `cap` characters (titles and table cells shorter still). */
export function capTexts(card: Card, cap: number): { card: Card; cuts: TextCuts } {
  const cuts: TextCuts = { texts: 0, chars: 0 };
  if (cap === Infinity) return { card, cuts };
  const say = (t: string, max: number) => shorten(t, max, cuts, false);
  const plain = (t: string, max: number) => shorten(t, max, cuts, true);
  const blocks = card.blocks.map((b): CardBlock => {
    switch (b.type) {
      case 'text':
      case 'code':
        return { ...b, text: say(b.text, cap) };
      case 'context':
        return isNote(b) ? b : { ...b, text: say(b.text, cap) };
      case 'fields':
        return { ...b, fields: b.fields.map((f) => ({ label: plain(f.label, Math.min(cap, 200)), value: say(f.value, cap) })) };
      case 'table':
        return { ...b, columns: b.columns.map((c) => plain(c, Math.min(cap, 60))), rows: b.rows.map((r) => r.map((c) => plain(c, Math.min(cap, 100)))) };
      case 'diff':
        return { ...b, label: plain(b.label, Math.min(cap, 200)), before: say(b.before, cap), after: say(b.after, cap) };
      case 'choice':
        return { ...b, label: plain(b.label, Math.min(cap, 200)), options: b.options.map((o) => ({ ...o, label: plain(o.label, 70) })) };
      case 'divider':
        return b;
    }
  });
  // Buttons keep to the shortest limits of any surface (Slack: 75 characters, 30 in a dialog's buttons).
  const actions = card.actions?.map((a) => ({
    ...a,
    label: plain(a.label, 70),
    ...(a.confirm
      ? { confirm: { title: plain(a.confirm.title, 90), text: plain(a.confirm.text, 280), confirm: plain(a.confirm.confirm, 28), deny: plain(a.confirm.deny, 28) } }
      : {}),
  }));
  return { card: { ...card, title: plain(card.title, Math.min(cap, 140)), blocks, ...(actions ? { actions } : {}) }, cuts };
}

const maxLines = (cap: number): number => Math.max(3, Math.floor(cap / 25));

/**
 * `text` in at most `max` characters: cut at a line end ("… N more lines") or a word end
 * ("… (N more characters)"; plain: "…"), never inside a surrogate pair, with `**` and `` ` ``
 * still paired.
 */
export function shorten(text: string, max: number, cuts: TextCuts, plain: boolean): string {
  const lines = text.split('\n');
  if (text.length <= max && lines.length <= maxLines(max)) return text;
  const room = Math.max(1, max - (plain ? 1 : 28));
  let kept = '';
  let n = 0;
  if (!plain) {
    for (const line of lines) {
      const next = n === 0 ? line : `${kept}\n${line}`;
      if (n >= maxLines(max) || next.length > room) break;
      kept = next;
      n++;
    }
  }
  let suffix: string;
  if (n > 0) {
    const left = lines.length - n;
    suffix = `\n… ${fmt(left)} more line${left === 1 ? '' : 's'}`;
  } else {
    kept = cutWords(plain ? text.replace(/\s*\n\s*/g, ' ') : lines[0]!, room);
    suffix = plain ? '…' : `… (${fmt(text.length - kept.length)} more characters)`;
  }
  cuts.texts++;
  cuts.chars += text.length - kept.length;
  return balanced(kept) + suffix;
}

function cutWords(text: string, room: number): string {
  let cut = text.slice(0, room);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const space = cut.lastIndexOf(' ');
  if (cut.length < text.length && space > room * 0.7) cut = cut.slice(0, space);
  return cut.trimEnd();
}

/** Removes a `**` or `` ` `` left open by a cut, so the markdown subset stays well formed. */
function balanced(text: string): string {
  let out = text;
  if ((out.match(/\*\*/g)?.length ?? 0) % 2 === 1) {
    const i = out.lastIndexOf('**');
    out = out.slice(0, i) + out.slice(i + 2);
  }
  if ((out.match(/`/g)?.length ?? 0) % 2 === 1) {
    const i = out.lastIndexOf('`');
    out = out.slice(0, i) + out.slice(i + 1);
  }
  return out;
}
