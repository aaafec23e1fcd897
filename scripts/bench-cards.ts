/**
 * `npm run bench:cards`: the chat payloads of the worst cases — long receipt, audit, spend and
 * status lists, a 60-workflow digest, a 20-pair human review, a multi-card ephemeral, the App
 * Home tab — as each card would be unbounded and as Slack and Teams get it (fitted to the budget:
 * Slack 45 blocks and 11,000 characters of text, 95 blocks in a view; Teams 28,000 UTF-16 code
 * units of JSON). Prints one table.
 */
import { renderAdaptiveCard } from '../src/chat/render/adaptive.ts';
import { renderBlockKitCards } from '../src/chat/render/blockkit.ts';
import { SLACK_MESSAGE, SLACK_VIEW, TEAMS_CARD_UTF16, slackTextLength, teamsCardLength, type SlackBudget } from '../src/chat/render/budget.ts';
import type { Card } from '../src/core/card.ts';
import { resultCard } from '../src/core/views/common.ts';
import { digestCard } from '../src/core/views/digest.ts';
import { auditCard, receiptsCard } from '../src/core/views/lists.ts';
import { releaseCard } from '../src/core/views/release.ts';
import { reviewCard } from '../src/core/views/review.ts';
import { spendCard } from '../src/core/views/spend.ts';
import { statusCard } from '../src/core/views/status.ts';
import { auditLines, digestSample, fixedInput, receiptLines, releaseViewSample, reviewPairs, spendLines, statusSample } from './bench/card-samples.ts';

const UNBOUNDED: SlackBudget = { blocks: Number.MAX_SAFE_INTEGER, text: Number.MAX_SAFE_INTEGER };

interface Row {
  name: string;
  cards: Card[];
  view?: boolean;
}

const rows: Row[] = [];
for (const n of [50, 100, 1000]) {
  const i = fixedInput(n, 400);
  rows.push({ name: `receipts, ${n} rows`, cards: [receiptsCard('support-triage', receiptLines(i), i.now, { limit: n })] });
  rows.push({ name: `audit, ${n} events`, cards: [auditCard('support-triage', auditLines(i), { ok: true, text: 'chain verified' }, i.now, { limit: n })] });
  rows.push({ name: `spend, ${n} workflows`, cards: [spendCard({ label: 'all teams', command: 'spend --days 7' }, 7, spendLines(i), { totalUsd: 1234.5, evalUsd: 12.3 })] });
  rows.push({ name: `status, ${n} workflows`, cards: [statusCard(statusSample(i), false, { offset: 0, total: n })] });
}
{
  const i = fixedInput(60, 300);
  rows.push({ name: 'digest, 60 workflows', cards: [digestCard(digestSample(i))] });
}
{
  const i = fixedInput(20, 600);
  rows.push({ name: 'review, 20 pairs', cards: [reviewCard({ releaseKey: 'REL-3', workflow: 'support-triage', team: 'support', requester: 'eli', required: true, pairs: reviewPairs(i) })] });
  rows.push({ name: 'ephemeral: result + release card', cards: [resultCard('REL-3 approved', 'dana approved REL-3: canary at 5%'), releaseCard(releaseViewSample(i))] });
}
{
  const i = fixedInput(100, 300);
  const home = [statusCard(statusSample(i), false, { offset: 0, total: 100 }), spendCard({ label: 'all teams', command: 'spend --days 1' }, 1, spendLines(i), { totalUsd: 1, evalUsd: 1 })];
  rows.push({ name: 'App Home: status + spend, 100 workflows', cards: home.map((c) => ({ ...c, actions: undefined })), view: true });
}

const fmt = (n: number) => n.toLocaleString('en-US');
const table: string[][] = [['payload', 'unbounded: Slack blocks / text', 'Teams JSON', 'Slack: blocks / text', 'Teams JSON', 'within budget']];
for (const r of rows) {
  const budget = r.view ? SLACK_VIEW : SLACK_MESSAGE;
  const raw = renderBlockKitCards(r.cards, { budget: UNBOUNDED });
  const slack = renderBlockKitCards(r.cards, { budget, nextPage: !r.view });
  const rawTeams = r.view ? 0 : Math.max(...r.cards.map((c) => teamsCardLength(renderAdaptiveCard(c, { budget: Number.MAX_SAFE_INTEGER }))));
  const teams = r.view ? 0 : Math.max(...r.cards.map((c) => teamsCardLength(renderAdaptiveCard(c))));
  const ok = slack.blocks.length <= budget.blocks && slackTextLength(slack.blocks) <= budget.text && teams <= TEAMS_CARD_UTF16;
  table.push([
    r.name,
    `${fmt(raw.blocks.length)} / ${fmt(slackTextLength(raw.blocks))}`,
    r.view ? '—' : fmt(rawTeams),
    `${fmt(slack.blocks.length)} / ${fmt(slackTextLength(slack.blocks))}`,
    r.view ? '—' : fmt(teams),
    ok ? 'yes' : 'NO',
  ]);
}
const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
for (const [k, r] of table.entries()) {
  process.stdout.write(`${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}\n`);
  if (k === 0) process.stdout.write(`${widths.map((w) => '─'.repeat(w)).join('  ')}\n`);
}
process.stdout.write(`\nBudgets: Slack ${fmt(SLACK_MESSAGE.blocks)} blocks and ${fmt(SLACK_MESSAGE.text)} characters per message (${SLACK_VIEW.blocks} blocks in a view); Teams ${fmt(TEAMS_CARD_UTF16)} UTF-16 code units of card JSON.\n`);
