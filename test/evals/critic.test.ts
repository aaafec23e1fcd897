import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCritic } from '../../src/evals/critic.ts';
import { scoreAssertion } from '../../src/evals/scorers/index.ts';

/** A tiny OpenAI-compatible server: answers the queued contents in order, records each request. */
let server: Server;
let baseURL = '';
let answers: string[] = [];
let requests: Record<string, any>[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push(JSON.parse(body));
      const content = answers.shift() ?? 'out of answers';
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: 0,
          model: 'critic-model-2025-04-14',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
          usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100, prompt_tokens_details: { cached_tokens: 400 } },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  answers = [];
  requests = [];
});

// (600 × 2 + 400 × 0.5 + 100 × 8) / 1M = 0.0022 USD per call
const price = { input: 2, cachedInput: 0.5, output: 8 };
const perCall = 0.0022;
const critic = () => createCritic({ client: new OpenAI({ baseURL, apiKey: 'test', maxRetries: 0 }), model: 'critic-model-2025-04-14', price });
const good = JSON.stringify({ pass: true, score: 0.9, reason: 'polite and makes no promises' });

describe('critic', () => {
  it('grades with one call: temperature 0, the critic system prompt, rubric and output, strict schema', async () => {
    answers = [good];
    const v = await critic().grade('Polite, no promises', 'Sorry about that, we are looking into it.', { ticket: 'charged twice' });
    expect(v.pass).toBe(true);
    expect(v.score).toBe(0.9);
    expect(v.reason).toBe('polite and makes no promises');
    expect(v.calls).toBe(1);
    expect(v.costUsd).toBeCloseTo(perCall, 10);

    const req = requests[0];
    expect(req.model).toBe('critic-model-2025-04-14');
    expect(req.temperature).toBe(0);
    expect(req.messages[0].role).toBe('system');
    expect(req.messages[0].content.startsWith('You are an evaluation critic.')).toBe(true);
    expect(req.messages[0].content).toContain('charged twice');
    expect(req.messages[1]).toEqual({ role: 'user', content: 'RUBRIC:\nPolite, no promises\n\nOUTPUT:\nSorry about that, we are looking into it.' });
    expect(req.response_format.type).toBe('json_schema');
    expect(req.response_format.json_schema.name).toBe('critic_verdict');
    expect(req.response_format.json_schema.strict).toBe(true);
    expect(req.response_format.json_schema.schema.required).toEqual(['pass', 'score', 'reason']);
    expect(req.response_format.json_schema.schema.additionalProperties).toBe(false);
  });

  it('asks again when the first answer is not JSON and counts both calls', async () => {
    answers = ['I think it passes.', good];
    const v = await critic().grade('Polite', 'Hello', {});
    expect(v).toMatchObject({ pass: true, calls: 2 });
    expect(v.costUsd).toBeCloseTo(2 * perCall, 10);
    expect(requests).toHaveLength(2);
  });

  it('an answer of the wrong shape counts as not parsing', async () => {
    answers = [JSON.stringify({ pass: 'yes', score: 1, reason: 'x' }), JSON.stringify({ verdict: true }), good];
    const v = await critic().grade('Polite', 'Hello', {});
    expect(v).toMatchObject({ pass: true, calls: 3 });
  });

  it('after three bad answers the critic assertion fails "did not parse", with all three calls paid', async () => {
    answers = ['nope', '{"pass": true', 'still nope', good];
    const r = await scoreAssertion({ type: 'critic', rubric: 'Polite' }, { output: 'Hello', vars: {}, escalation: {}, critic: critic() });
    expect(r.pass).toBe(false);
    expect(r.reason).toBe('critic answer did not parse');
    expect(r.costUsd).toBeCloseTo(3 * perCall, 10);
    expect(requests).toHaveLength(3);
  });

  it('a failing call is a failing verdict, not an exception', async () => {
    const dead = createCritic({ client: new OpenAI({ baseURL: 'http://127.0.0.1:9/v1', apiKey: 'test', maxRetries: 0 }), model: 'm', price });
    const v = await dead.grade('Polite', 'Hello', {});
    expect(v).toMatchObject({ pass: false, error: true, calls: 0, costUsd: 0 });
    expect(v.reason).toMatch(/^critic call failed: /);
  });
});
