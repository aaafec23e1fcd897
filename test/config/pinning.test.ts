import { describe, expect, it } from 'vitest';
import { isPinnedModel } from '../../src/core/pinning.ts';

describe('isPinnedModel', () => {
  it.each([
    ['gpt-4.1-2025-04-14', true],
    ['gpt-4.1-mini-2025-04-14', true],
    ['claude-3-5-sonnet-20241022', true],
    ['llama@v3', true],
    ['mistral:v2', true],
    ['gemini@v1.5', true],
    ['gpt-4o', false],
    ['gpt-4o-latest', false],
    ['o3-mini', false],
    ['llama3:8b', false],
    ['model-2025-13-01', false],
    ['2025-04-14', false],
    ['gpt-4.1-2025-04-14-preview', false],
  ])('%s pinned: %s', (id, pinned) => {
    expect(isPinnedModel(id)).toBe(pinned);
  });
});
