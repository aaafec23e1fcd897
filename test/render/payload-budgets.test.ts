/**
 * Every kind of card the views build, from random large inputs (lists up to 1,000 items, texts up
 * to 5,000 characters, unicode), rendered for Slack and Teams: each payload keeps to its budget
 * (Slack: 45 blocks and 11,000 characters of text; Teams: 28,000 UTF-16 code units of JSON and 5
 * actions), Slack's per-element limits hold, the Adaptive Cards SDK (3.0.6) parses and validates
 * the card with no issue, and every button is still reachable: shown, or on a later page that the
 * "Next page" action (with the cursor of the first item left out) leads to.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeActionValue } from '../../src/chat/render/action-payload.ts';
import { CHOICE_INPUT_PREFIX, renderAdaptiveCard, type AdaptiveElement } from '../../src/chat/render/adaptive.ts';
import { renderBlockKit, renderBlockKitCards, type SlackBlock } from '../../src/chat/render/blockkit.ts';
import { SLACK_MESSAGE, SLACK_VIEW, TEAMS_CARD_UTF16, TEAMS_MAX_ACTIONS, slackTextLength } from '../../src/chat/render/budget.ts';
import { NEXT_PAGE_ID } from '../../src/chat/render/fit.ts';
import type { Card, CardBlock } from '../../src/core/card.ts';
import { parseCommand } from '../../src/core/grammar.ts';
import { mulberry32 } from '../../src/core/random.ts';
import { resultCard } from '../../src/core/views/common.ts';
import { releaseCard } from '../../src/core/views/release.ts';
import { everyCard, randomInput, releaseViewSample } from '../../scripts/bench/card-samples.ts';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js');

/** What the Adaptive Cards SDK says about a card: parse warnings and validation failures. */
function adaptiveIssues(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const issues: string[] = [];
  for (let i = 0; i < context.eventCount; i++) issues.push(context.getEventAt(i).message);
  for (const e of parsed.validateProperties().validationEvents) issues.push(e.message);
  return issues;
}

function slackLimits(blocks: SlackBlock[]): void {
  for (const block of blocks as Any[]) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
    if (block.type === 'section') {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      if (block.fields) {
        expect(block.fields.length).toBeLessThanOrEqual(10);
        for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
      }
    }
    if (block.type === 'context') for (const e of block.elements) expect(e.text.length).toBeLessThanOrEqual(3000);
    if (block.type === 'actions') {
      expect(block.elements.length).toBeLessThanOrEqual(25);
      for (const b of block.elements) {
        expect(b.text.text.length).toBeLessThanOrEqual(75);
        expect(b.value.length).toBeLessThanOrEqual(2000);
        if (b.confirm) expect(b.confirm.confirm.text.length).toBeLessThanOrEqual(30);
      }
    }
  }
}

/** The commands of the card's buttons (choices included), by item of its list when it pages. */
function expectedCommands(card: Card): { fixed: string[]; perItem: string[][] } {
  const inGroup = new Map<number, number>();
  card.paging?.groups?.forEach(([a, b], item) => {
    for (let i = a; i < b; i++) inGroup.set(i, item);
  });
  const perItem: string[][] = (card.paging?.groups ?? []).map(() => []);
  const fixed = (card.actions ?? []).filter((a) => a.submit === undefined).map((a) => a.command);
  card.blocks.forEach((b: CardBlock, i) => {
    if (b.type !== 'choice') return;
    const item = inGroup.get(i);
    const commands = b.options.map((o) => o.command);
    if (item === undefined) fixed.push(...commands);
    else perItem[item]!.push(...commands);
  });
  return { fixed, perItem };
}

/** Every button of the card is on this page, or on a later one the Next page action leads to. */
function expectReachable(card: Card, shown: string[], next: string | undefined, where: string): void {
  const { fixed, perItem } = expectedCommands(card);
  for (const c of fixed) expect(shown, `${where}: button "${c}"`).toContain(c);
  const cursors = card.paging?.cursors ?? [];
  let firstLeftOut = cursors.length;
  if (next) {
    expect(parseCommand(next).ok, `${where}: ${next} parses`).toBe(true);
    const cursor = / --from (\S+)$/.exec(next)![1]!;
    firstLeftOut = cursors.indexOf(cursor);
    expect(firstLeftOut, `${where}: the next page starts at an item of the list`).toBeGreaterThan(0);
  }
  perItem.forEach((commands, item) => {
    if (item >= firstLeftOut) return;
    for (const c of commands) expect(shown, `${where}: button "${c}" of item ${item}`).toContain(c);
  });
}

function slackCommands(blocks: SlackBlock[]): string[] {
  return (blocks as Any[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements.map((e: Any) => decodeActionValue(e.value)!.command));
}

function slackNextPage(blocks: SlackBlock[]): string | undefined {
  const button = (blocks as Any[]).flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e: Any) => e.action_id === `air:${NEXT_PAGE_ID}`);
  return button ? decodeActionValue(button.value)!.command : undefined;
}

function teamsNextPage(card: { actions: AdaptiveElement[] }): string | undefined {
  const action = (card.actions as Any[]).find((a) => a.id === NEXT_PAGE_ID);
  return action ? decodeActionValue(action.data.air)!.command : undefined;
}

function teamsCommands(card: { body: AdaptiveElement[]; actions: AdaptiveElement[] }): string[] {
  const out: string[] = [];
  const walk = (x: Any): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (!x || typeof x !== 'object') return;
    if (typeof x.data?.air === 'string') out.push(decodeActionValue(x.data.air)!.command);
    if (x.type === 'Input.ChoiceSet' && String(x.id).startsWith(CHOICE_INPUT_PREFIX)) for (const c of x.choices) out.push(decodeActionValue(c.value)!.command);
    for (const v of Object.values(x)) if (v && typeof v === 'object') walk(v);
  };
  walk(card.body);
  walk(card.actions);
  return [...new Set(out)];
}

const SEEDS = Array.from({ length: 8 }, (_, i) => 1000 + i * 7919);

describe('chat payloads keep to their budgets at any size, and every button stays reachable', () => {
  for (const seed of SEEDS) {
    it(`every kind of card, seed ${seed}`, () => {
      const input = randomInput(mulberry32(seed), 1000, 5000);
      for (const { name, card } of everyCard(input)) {
        const where = `${name} (seed ${seed})`;
        const slack = renderBlockKit(card, { consoleUrl: 'https://ai-release.example.com' });
        expect(slack.blocks.length, `${where}: Slack blocks`).toBeLessThanOrEqual(SLACK_MESSAGE.blocks);
        expect(slackTextLength(slack.blocks), `${where}: Slack text`).toBeLessThanOrEqual(SLACK_MESSAGE.text);
        slackLimits(slack.blocks);
        expectReachable(card, slackCommands(slack.blocks), slackNextPage(slack.blocks), `${where} on Slack`);

        const teams = renderAdaptiveCard(card, { consoleUrl: 'https://ai-release.example.com' });
        expect(JSON.stringify(teams).length, `${where}: Teams card`).toBeLessThanOrEqual(TEAMS_CARD_UTF16);
        expect(teams.actions.length, `${where}: Teams actions`).toBeLessThanOrEqual(TEAMS_MAX_ACTIONS);
        expect(adaptiveIssues(teams), `${where}: Adaptive Cards SDK`).toEqual([]);
        expectReachable(card, teamsCommands(teams), teamsNextPage(teams), `${where} on Teams`);
      }
    }, 60_000);
  }

  it('several cards in one Slack message (an ephemeral answer) fit together and each keeps its buttons', () => {
    for (const seed of SEEDS.slice(0, 4)) {
      const input = randomInput(mulberry32(seed), 1000, 5000);
      const cards = [resultCard('REL-3 approved', input.text('result', 3000), { releaseId: 'REL-3' }), releaseCard(releaseViewSample(input)), releaseCard(releaseViewSample(input, 'canary'))];
      const msg = renderBlockKitCards(cards);
      expect(msg.blocks.length).toBeLessThanOrEqual(SLACK_MESSAGE.blocks);
      expect(slackTextLength(msg.blocks)).toBeLessThanOrEqual(SLACK_MESSAGE.text);
      slackLimits(msg.blocks);
      const shown = slackCommands(msg.blocks);
      for (const c of cards) for (const a of c.actions ?? []) expect(shown, `seed ${seed}: ${a.command}`).toContain(a.command);
    }
  });

  it('the App Home view keeps to 95 blocks; its pages are named by command instead of a button', () => {
    const input = randomInput(mulberry32(77), 1000, 5000);
    const cards = everyCard(input).filter((s) => s.name.startsWith('status') || s.name === 'spend').map((s) => ({ ...s.card, actions: undefined }));
    const home = renderBlockKitCards(cards, { budget: SLACK_VIEW, nextPage: false });
    expect(home.blocks.length).toBeLessThanOrEqual(SLACK_VIEW.blocks);
    expect(slackCommands(home.blocks).filter((c) => c.includes('--from'))).toEqual([]);
  });

  it('a list cut to a page offers the next page with the cursor of the first item left out', () => {
    const input = randomInput(mulberry32(5), 1000, 100);
    const card = everyCard({ ...input, items: () => 1000 }).find((s) => s.name === 'receipts')!.card;
    const slack = renderBlockKit(card);
    const command = slackNextPage(slack.blocks)!;
    const shown = (JSON.stringify(slack.blocks).match(/rcpt_\w+/g) ?? []).filter((id) => !command.includes(id));
    expect(command).toBe(`receipts ${card.ref!.workflow} --from ${card.paging!.cursors[new Set(shown).size]}`);
  });
});
