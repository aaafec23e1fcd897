import { describe, expect, it } from 'vitest';
import { formatProblems, loadConfig } from '../../src/config/load.ts';

describe('examples/ai-release.yaml (what npm start runs)', () => {
  it('passes config check with no problems, with or without the upstream variables', () => {
    for (const env of [{}, { OPENAI_BASE_URL: 'https://api.openai.com/v1', OPENAI_API_KEY: 'sk-test' }]) {
      const result = loadConfig('examples/ai-release.yaml', env);
      expect(result.ok ? '' : formatProblems(result.problems)).toBe('');
    }
  });
});
