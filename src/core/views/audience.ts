/**
 * Who may click what. A card's state-changing buttons (approve, promote, vote, …) are marked with
 * the people the permission rules let use them; a card shown to one person keeps only the buttons
 * they may use, and a card everybody in a channel sees says who may click each. Pure.
 */
import type { LoadedConfig } from '../../config/types.ts';
import type { Card, CardAction, CardBlock } from '../card.ts';
import { RELEASE_VERBS, type Verb } from '../command.ts';
import { checkPermission, type PermissionSubject } from '../permissions.ts';

/** Verbs whose buttons are only for some people (the rest any reader may click: Next page). */
const GUARDED = new Set<string>([...RELEASE_VERBS, 'vote']);

function clickers(config: LoadedConfig, command: string, subject: PermissionSubject): string[] | undefined {
  // The verb is the first word (a button's command may still lack its reason: Override asks for it).
  const verb = command.trim().split(/\s+/)[0]!.toLowerCase();
  if (!GUARDED.has(verb)) return undefined;
  return Object.values(config.people)
    .filter((person) => checkPermission(config, person, verb as Verb, subject) === null)
    .map((person) => person.name);
}

/** The card with `mayClick` on each guarded button and choice (`subject`: the release it is about). */
export function withClickers(config: LoadedConfig, card: Card, subject: PermissionSubject): Card {
  const actions = card.actions?.map((a): CardAction => {
    const who = clickers(config, a.command, subject);
    return who ? { ...a, mayClick: who } : a;
  });
  const blocks = card.blocks.map((b): CardBlock => {
    if (b.type !== 'choice') return b;
    const sets = b.options.map((o) => clickers(config, o.command, subject)).filter((x): x is string[] => x !== undefined);
    if (sets.length === 0) return b;
    const all = sets.reduce((acc, s) => acc.filter((n) => s.includes(n)));
    return { ...b, mayClick: all };
  });
  return { ...card, blocks, ...(actions ? { actions } : {}) };
}

const may = (who: string[] | undefined, name: string | undefined): boolean => who === undefined || (name !== undefined && who.includes(name));

/** The card as `person` sees it alone (an ephemeral answer, the console, the CLI): only the buttons they may use. */
export function cardForPerson(card: Card, person: string | undefined): Card {
  const blocks = card.blocks.filter((b) => b.type !== 'choice' || may(b.mayClick, person));
  const choices = blocks.some((b) => b.type === 'choice');
  const actions = card.actions?.filter((a) => may(a.mayClick, person) && (a.submit === undefined || choices));
  const paging = blocks.length === card.blocks.length ? card.paging : reindexed(card, blocks);
  return { ...card, blocks, ...(actions ? { actions } : {}), ...(paging ? { paging } : { paging: undefined }) };
}

/** Paging groups after some blocks were taken out (`kept` is `card.blocks` filtered). */
function reindexed(card: Card, kept: CardBlock[]): Card['paging'] {
  const p = card.paging;
  if (!p?.groups) return p;
  const index = new Map<CardBlock, number>();
  kept.forEach((b, i) => index.set(b, i));
  const at = (i: number): number => {
    for (let j = i; j < card.blocks.length; j++) {
      const k = index.get(card.blocks[j]!);
      if (k !== undefined) return k;
    }
    return kept.length;
  };
  return { ...p, groups: p.groups.map(([a, b]) => [at(a), at(b)] as [number, number]) };
}

const names = (who: string[]): string => (who.length === 0 ? 'nobody' : who.length <= 6 ? who.join(', ') : `${who.slice(0, 6).join(', ')} and ${who.length - 6} more`);

/**
 * The card as a channel sees it (everyone the same message): every button stays, and a context
 * line says who may click which ("Approve, Reject: dana, sam · Override: ops").
 */
export function cardForChannel(card: Card): Card {
  const groups = new Map<string, { labels: string[]; who: string[] }>();
  for (const a of card.actions ?? []) {
    if (!a.mayClick || a.submit) continue;
    const key = [...a.mayClick].sort().join(',');
    const g = groups.get(key) ?? { labels: [], who: a.mayClick };
    g.labels.push(a.label);
    groups.set(key, g);
  }
  if (groups.size === 0) return card;
  const text = `May click: ${[...groups.values()].map((g) => `${g.labels.join(', ')} — ${names(g.who)}`).join(' · ')}`;
  return { ...card, blocks: [...card.blocks, { type: 'context', text }] };
}
