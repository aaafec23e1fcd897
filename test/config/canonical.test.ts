import { describe, expect, it } from 'vitest';
import { canonicalJson, configHash, priceVersion } from '../../src/core/canonical.ts';
import type { ReleaseConfig } from '../../src/config/types.ts';

const cfg: ReleaseConfig = {
  provider: 'openai',
  model: 'gpt-4.1-2025-04-14',
  prompt: 'You triage tickets for {{company}}.',
  params: { temperature: 0, max_tokens: 400 },
  rag: { sources: ['kb/support'], chunkSize: 800 },
  tools: [{ name: 'lookup_order', effect: 'read', parameters: { type: 'object', properties: { id: { type: 'string' } } } }],
  guardrails: { allowedTools: ['lookup_order'], maxOutputTokens: 400 },
  allowFloating: false,
};

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null }, e: undefined })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
  });
});

describe('configHash', () => {
  it('is cfg_ and 12 hex digits', () => {
    expect(configHash(cfg)).toMatch(/^cfg_[0-9a-f]{12}$/);
  });

  it('does not change when keys are written in another order', () => {
    const reordered: ReleaseConfig = {
      allowFloating: false,
      guardrails: { maxOutputTokens: 400, allowedTools: ['lookup_order'] },
      tools: [{ parameters: { properties: { id: { type: 'string' } }, type: 'object' }, effect: 'read', name: 'lookup_order' }],
      rag: { chunkSize: 800, sources: ['kb/support'] },
      params: { max_tokens: 400, temperature: 0 },
      prompt: 'You triage tickets for {{company}}.',
      model: 'gpt-4.1-2025-04-14',
      provider: 'openai',
    };
    expect(configHash(reordered)).toBe(configHash(cfg));
  });

  it('changes with one character of the prompt, the model or allowFloating', () => {
    expect(configHash({ ...cfg, prompt: 'You triage tickets for {{company}}!' })).not.toBe(configHash(cfg));
    expect(configHash({ ...cfg, model: 'gpt-4.1-2025-04-15' })).not.toBe(configHash(cfg));
    expect(configHash({ ...cfg, allowFloating: true })).not.toBe(configHash(cfg));
  });
});

describe('priceVersion', () => {
  it('depends on the prices, not on their order', () => {
    const a = { m1: { input: 1, cachedInput: 1, output: 2 }, m2: { input: 3, cachedInput: 1, output: 4 } };
    const b = { m2: { output: 4, cachedInput: 1, input: 3 }, m1: { input: 1, cachedInput: 1, output: 2 } };
    expect(priceVersion(a)).toMatch(/^[0-9a-f]{12}$/);
    expect(priceVersion(b)).toBe(priceVersion(a));
    expect(priceVersion({ ...a, m1: { input: 1, cachedInput: 1, output: 2.5 } })).not.toBe(priceVersion(a));
  });
});
