/**
 * Long lists in chat, end to end through the real Bolt and botbuilder code: a list too long for
 * one message shows a page and a "Next page" button; clicking it (Slack block action, Teams
 * Action.Execute) really shows the next page, starting at the first item left out, until every
 * item has been shown once. On Teams, review votes are one choice per pair and one "Submit votes".
 */
import { afterEach, expect, it } from 'vitest';
import { slackTextLength } from '../../src/chat/render/budget.ts';
import { decodeActionValue } from '../../src/chat/render/action-payload.ts';
import { seedReceipts } from '../../scripts/seed-receipts.ts';
import { blockActionBody, postSigned, slashCommandBody, startFakeSlack, type FakeSlack, useFastSlack } from '../helpers/fake-slack.ts';
import { cardOf, cardText, invokeActivity, messageActivity, sendActivity, startFakeConnector, type FakeConnector } from '../helpers/fake-connector.ts';
import { api, startTestServer, type TestServer } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

const SECRET = 'paging-secret';
const DANA = { aad: '6f1c2d3e-0000-4000-8000-00000000da7a', name: 'Dana' };
let ts: TestServer | undefined;
let fake: FakeSlack | undefined;
let fc: FakeConnector | undefined;
useFastSlack(() => [ts, fake]);
afterEach(async () => {
  await fc?.close();
  fc = undefined;
});

const RECEIPT = /rcpt_[0-9A-Za-z_-]+/g;

/** The newest 300 production receipts of support-triage, after seeding plenty. */
async function seeded(t: TestServer): Promise<string[]> {
  const ctx = t.server.runtime.ctx;
  await seedReceipts(ctx.store, ctx.config, { count: 2400, days: 2, now: ctx.now(), tz: 'UTC' });
  const ids = (await ctx.store.receipts.list({ workflow: 'support-triage', limit: 300 })).map((r) => r.id);
  expect(ids).toHaveLength(300);
  return ids;
}

it('Slack: `receipts --limit 300` pages in ephemerals; each Next page click shows the next receipts until all 300 were shown once', async () => {
  fake = await startFakeSlack();
  ts = await startTestServer({ env: { SLACK_BOT_TOKEN: 'xoxb-p', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, PUBLIC_URL: 'https://air.example.com' } });
  const expected = await seeded(ts);
  const slash = slashCommandBody({ text: 'receipts support-triage --limit 300', user: 'U0DANA', triggerId: 'trig-p0', responseUrl: fake.responseUrl('p0') });
  expect((await postSigned(ts.url, SECRET, slash)).status).toBe(200);
  let answer = await fake.waitFor(() => fake!.responsesTo('p0')[0], 'the first page');
  const seen: string[] = [];
  for (let page = 1; ; page++) {
    const blocks = answer.body.blocks as any[];
    expect(blocks.length).toBeLessThanOrEqual(45);
    expect(slackTextLength(blocks)).toBeLessThanOrEqual(11_000);
    const next = blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e: any) => e.action_id === 'air:next-page');
    const text = blocks.filter((b) => b.type === 'section').map((b) => b.text?.text ?? '').join('\n');
    seen.push(...(text.match(RECEIPT) ?? []));
    if (!next) break;
    const note = JSON.stringify(blocks);
    expect(note).toContain('<https://air.example.com/receipts?workflow=support-triage|everything in the console>');
    const command = decodeActionValue(next.value)!.command;
    expect(command).toBe(`receipts support-triage --limit ${300 - seen.length} --from ${expected[seen.length]}`);
    const id = `p${page}`;
    const click = blockActionBody({ user: 'U0DANA', button: next, channel: 'C0SUPPORT', messageTs: '1764061200.000100', triggerId: `trig-${id}`, actionTs: `1764061201.00000${page}`, responseUrl: fake.responseUrl(id) });
    expect((await postSigned(ts.url, SECRET, click)).status).toBe(200);
    answer = await fake.waitFor(() => fake!.responsesTo(id)[0], `page ${page + 1}`);
    expect(page).toBeLessThan(30);
  }
  expect(seen).toEqual(expected);
}, 60_000);

it('Teams: the same list pages in place; Next page answers the click with the next receipts', async () => {
  fc = await startFakeConnector();
  ts = await startTestServer({ env: { TEAMS_LOCAL: 'true' } });
  const expected = await seeded(ts);
  const where = { kind: 'personal' as const, id: 'a:dana-1on1' };
  const ask = messageActivity(fc.serviceUrl, DANA, where, 'receipts support-triage --limit 300');
  expect((await sendActivity(ts.url, ask)).status).toBe(200);
  let card = cardOf(fc.callsOf('reply', where.id).find((c) => c.replyToId === ask.id)!);
  const seen: string[] = [];
  for (let page = 1; ; page++) {
    expect(JSON.stringify(card).length).toBeLessThanOrEqual(28_000);
    expect(card.actions.length).toBeLessThanOrEqual(5);
    const rows = card.body.filter((b: any) => b.type === 'Table').flatMap((t: any) => t.rows.slice(1));
    seen.push(...rows.map((r: any) => r.cells[0].items[0].text as string));
    const next = card.actions.find((a: any) => a.id === 'next-page');
    if (!next) break;
    expect(decodeActionValue(next.data.air)!.command).toBe(`receipts support-triage --limit ${300 - seen.length} --from ${expected[seen.length]}`);
    const clicked = await sendActivity(ts.url, invokeActivity(fc.serviceUrl, DANA, where, 'reply-1', next.data));
    expect(clicked.status).toBe(200);
    card = clicked.body.value;
    expect(page).toBeLessThan(30);
  }
  expect(seen).toEqual(expected);
}, 60_000);

it('Teams: review votes are one choice set per pair and one Submit votes; each pick is cast as the person who submitted', async () => {
  fc = await startFakeConnector();
  const cfg = writeMiniConfig({ humanReviewRequired: true });
  ts = await startTestServer({ settings: { configPath: cfg.file }, env: { TEAMS_LOCAL: 'true' } });
  const req = await api(ts.url, 'POST', '/v1/releases', await ts.token('eli'), { workflow: 'alpha', prompt: 'alpha-v2' });
  expect(req.status).toBe(201);
  const key: string = req.json.id ?? req.json.key;
  const id = Number(key.slice(4));
  const pairs = async () => {
    const r = (await ts!.store.releases.get(id))!;
    return (await ts!.store.review.listPairs(id, r.gateRuns)).length;
  };
  await expect.poll(pairs, { timeout: 20_000, interval: 20 }).toBeGreaterThan(0);
  const where = { kind: 'personal' as const, id: 'a:dana-review' };
  const ask = messageActivity(fc.serviceUrl, DANA, where, `review ${key}`);
  expect((await sendActivity(ts.url, ask)).status).toBe(200);
  const card = cardOf(fc.callsOf('reply', where.id).find((c) => c.replyToId === ask.id)!);
  const sets = card.body.filter((b: any) => b.type === 'Input.ChoiceSet');
  expect(sets).toHaveLength(2);
  expect(card.actions.map((a: any) => a.title)).toEqual(['Submit votes']);
  const pick = (set: any, label: RegExp) => set.choices.find((c: any) => label.test(c.title)).value;
  const data = { ...card.actions[0].data, [sets[0].id]: pick(sets[0], /candidate better/), [sets[1].id]: pick(sets[1], /baseline better/) };
  const submitted = await sendActivity(ts.url, invokeActivity(fc.serviceUrl, DANA, where, 'reply-r', data));
  expect(submitted.status).toBe(200);
  expect(cardText(submitted.body.value)).toMatch(/Votes: ✅ pair 1: candidate · ✅ pair 2: baseline/);
  const votes = (await ts.store.audit.list({ releaseId: id }, 'asc')).filter((e) => e.action === 'review_vote');
  expect(votes.map((e) => ({ pair: e.data.pair, person: e.actor, choice: e.data.choice }))).toEqual([
    { pair: 1, person: 'dana', choice: 'candidate' },
    { pair: 2, person: 'dana', choice: 'baseline' },
  ]);
}, 60_000);
