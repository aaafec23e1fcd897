/**
 * Issue 5 / contract gate rules: human-review pairs are posted in the release message's thread
 * with 👍/👎 buttons; a team member's or approver's click records a vote; the requester's click
 * is refused (ephemeral, naming the rule) and changes nothing.
 */
import { expect, it } from 'vitest';
import { slackSettled } from '../../src/chat/slack/plugin.ts';
import { blockActionBody, postSigned, startFakeSlack, type FakeSlack, type StoredMessage, useFastSlack } from '../helpers/fake-slack.ts';
import { api, startTestServer, type TestServer } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

const SECRET = 'review-secret';
let fake: FakeSlack;
let ts: TestServer;
useFastSlack(() => [ts, fake]);

let n = 0;
function click(user: string, m: StoredMessage, button: any) {
  const id = `c${++n}`;
  const body = blockActionBody({ user, button, channel: 'C0SUPPORT', messageTs: m.ts, triggerId: `t-${id}`, actionTs: `1764061300.${String(n).padStart(6, '0')}`, responseUrl: fake.responseUrl(id) });
  return { id, send: () => postSigned(ts.url, SECRET, body) };
}

it('a review pair is voted through its button by an approver; the requester is refused', async () => {
  fake = await startFakeSlack();
  const cfg = writeMiniConfig({ humanReviewRequired: true });
  ts = await startTestServer({ settings: { configPath: cfg.file }, env: { SLACK_BOT_TOKEN: 'xoxb-r', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl } });
  const req = await api(ts.url, 'POST', '/v1/releases', await ts.token('eli'), { workflow: 'alpha', prompt: 'alpha-v2' });
  expect(req.status).toBe(201);
  const key: string = req.json.id ?? req.json.key;
  const main = await fake.waitFor(() => fake.messagesIn('C0SUPPORT').find((m) => !m.thread_ts && m.text.includes(key)), 'the release message', 10_000);
  const review = await fake.waitFor(
    () => fake.messagesIn('C0SUPPORT').find((m) => m.thread_ts === main.ts && m.blocks.some((b) => b.type === 'actions' && b.elements.some((e: any) => /👍/.test(e.text?.text ?? '')))),
    'the review pairs in the thread',
    20_000,
  );
  const buttons = review.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements);
  const up = buttons.find((b: any) => /👍 1/.test(b.text.text));
  expect(up).toBeTruthy();
  expect(buttons.some((b: any) => /👎 1/.test(b.text.text))).toBe(true);
  const id = Number(key.slice(4));
  const votes = async () => {
    const r = (await ts.store.releases.get(id))!;
    return (await ts.store.review.tally(id, r.gateRuns)).voted;
  };

  const byRequester = click('U0ELI', review, up);
  expect((await byRequester.send()).status).toBe(200);
  const refusal = await fake.waitFor(() => fake.responsesTo(byRequester.id)[0], 'the refusal');
  expect(refusal.body.response_type).toBe('ephemeral');
  expect(JSON.stringify(refusal.body)).toMatch(/rule: \w+/);
  expect(await votes()).toBe(0);

  const bySam = click('U0SAM', review, up);
  expect((await bySam.send()).status).toBe(200);
  await fake.waitFor(async () => (await votes()) === 1, 'the vote');
  await slackSettled();
  const r = (await ts.store.releases.get(id))!;
  expect(await ts.store.review.tally(id, r.gateRuns)).toMatchObject({ voted: 1, candidateBetter: 1, candidateWorse: 0 });
  const votedBy = (await ts.store.audit.list({ releaseId: id })).filter((e) => e.action === 'review_vote');
  expect(votedBy.map((e) => [e.actor, e.data.choice])).toEqual([['sam', 'candidate']]);
  expect(['awaiting_approval', 'gate_failed']).toContain(r.state);
}, 40_000);
