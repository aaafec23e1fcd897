import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/types.ts';
import { criticFor } from '../../src/evals/setup.ts';

describe('the critic client and provider keys', () => {
  const seen: (string | null)[] = [];
  let srv: http.Server;
  let base: string;
  beforeAll(async () => {
    srv = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? null);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'c',
            object: 'chat.completion',
            created: 1,
            model: 'judge-2025-01-01',
            choices: [{ index: 0, message: { role: 'assistant', content: '{"pass":true,"score":1,"reason":"ok"}' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
          }),
        );
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => srv.close(() => r())));

  const config = {
    evalDefaults: { concurrency: 1, timeoutMs: 5000, critic: { provider: 'judge', model: 'judge-2025-01-01' } },
    pricing: { 'judge-2025-01-01': { input: 1, cachedInput: 1, output: 1 } },
  } as unknown as LoadedConfig;

  it('sends no Authorization header when the provider has no key, and the Bearer key when it has one', async () => {
    await criticFor(config, () => ({ baseUrl: base }))!.grade('polite', 'Hello', {});
    await criticFor(config, () => ({ baseUrl: base, apiKey: 'sk-judge' }))!.grade('polite', 'Hello', {});
    expect(seen).toEqual([null, 'Bearer sk-judge']);
  });
});
