import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblems, loadConfig } from '../../src/config/load.ts';
import type { LoadResult, LoadedConfig } from '../../src/config/types.ts';
import { configHash } from '../../src/core/canonical.ts';
import { minimalConfig, minimalFiles, removeConfigDirs, writeConfigDir } from './config-dir.ts';

afterAll(removeConfigDirs);

const fixtures = join('test', 'config', 'fixtures');
const goodFile = join(fixtures, 'good', 'ai-release.yaml');
const badFile = join(fixtures, 'bad', 'ai-release.yaml');

function loaded(result: LoadResult): LoadedConfig {
  if (!result.ok) throw new Error(`expected no problems, got:\n${formatProblems(result.problems)}`);
  return result.config;
}

function problemLines(result: LoadResult): string[] {
  if (result.ok) throw new Error('expected problems, the config loaded');
  return formatProblems(result.problems).split('\n');
}

describe('loadConfig on a good file', () => {
  const cfg = loaded(loadConfig(goodFile, { OPENAI_API_KEY: 'sk-test' }));
  const triage = cfg.workflows['support-triage'];
  const refunds = cfg.workflows['refunds'];

  it('resolves pricing with cachedInput defaulting to input, and a price version', () => {
    expect(cfg.pricing['gpt-4.1-2025-04-14']).toEqual({ input: 2, cachedInput: 0.5, output: 8 });
    expect(cfg.pricing['gpt-4.1-mini-2025-04-14']).toEqual({ input: 0.4, cachedInput: 0.4, output: 1.6 });
    expect(cfg.priceVersion).toMatch(/^[0-9a-f]{12}$/);
  });

  it('fills evalDefaults, people, teams defaults', () => {
    expect(cfg.evalDefaults).toEqual({ concurrency: 8, timeoutMs: 30000, critic: { provider: 'openai', model: 'gpt-4.1-2025-04-14' } });
    expect(cfg.people.sam).toEqual({ name: 'sam', slack: 'U0SAM', roles: [] });
    expect(cfg.people.dana.roles).toEqual(['finance']);
    expect(cfg.teams['finance-ops']).toEqual({ name: 'finance-ops', members: [], leaders: [], budget: {}, channels: {} });
    expect(cfg.teams.support.channels).toEqual({ slack: 'C0SUPPORT', teams: '19:support@thread.tacv2' });
    expect(cfg.file).toBe(join(process.cwd(), goodFile));
    expect(cfg.dir).toBe(join(process.cwd(), fixtures, 'good'));
  });

  it('inlines the prompt content and keeps its name inside prompts/', () => {
    expect(triage.config.prompt).toBe('You triage support tickets for {{company}}. Answer in JSON with category and escalate.\n');
    expect(triage.promptFile).toBe('support-triage.md');
    expect(triage.config.params).toEqual({ temperature: 0, max_tokens: 400 });
    expect(triage.config.rag).toEqual({ sources: ['kb/support'], chunkSize: 800 });
    expect(triage.config.allowFloating).toBe(false);
    expect(refunds.config).toMatchObject({ params: {}, rag: null, guardrails: {}, allowFloating: true, model: 'gpt-4o' });
    expect(configHash(triage.config)).toMatch(/^cfg_[0-9a-f]{12}$/);
  });

  it('defaults minApprovals by authority, retention, gate and rollout fields', () => {
    expect(triage.minApprovals).toBe(1);
    expect(refunds.minApprovals).toBe(2);
    expect(triage.retention).toBe('hash');
    expect(refunds.retention).toBe('full');
    expect(triage.gate).toEqual({
      minPassRate: 0.95, maxPassRateDrop: 0, maxCostPerRunIncrease: 0.1,
      maxTokensPerRunIncrease: 0.25, maxLatencyP95Ms: 4000, maxEscalationRateIncrease: 0.02,
    });
    expect(refunds.gate.maxLatencyP95Ms).toBe(10000);
    expect(triage.rollout).toEqual({ stages: [10, 100], minBakeMinutes: 60, minSamples: 200, autoRollback: true, autoPromote: false, criticalExtras: [] });
    expect(refunds.rollout).toEqual({ stages: [5, 25, 100], minBakeMinutes: 60, minSamples: 200, autoRollback: false, autoPromote: false, criticalExtras: [] });
    expect(refunds.caps).toEqual({ perRunUsd: 0.02, dailyUsd: 5, callsPerDay: 1000 });
  });

  it('loads the eval suites with their defaults', () => {
    expect(triage.evals).toMatchObject({ file: 'evals/support-triage.yaml', repeats: 3, humanReview: { sample: 5, required: true }, escalation: { path: 'escalate' } });
    expect(triage.evals.cases).toHaveLength(20);
    expect(triage.evals.cases[0]).toEqual({
      id: 'ticket-01',
      vars: { company: 'Acme', ticket: 'Ticket number 1' },
      input: 'Ticket: {{ticket}}',
      threshold: 1,
      assert: [
        { type: 'equals', path: 'category', value: 'billing' },
        { type: 'not-contains', values: ['guarantee', 'lawsuit'], weight: 2 },
      ],
    });
    expect(refunds.evals).toMatchObject({ repeats: 1, humanReview: { sample: 0, required: false }, escalation: { regex: '[Hh]uman' } });
    expect(refunds.evals.cases[3]).toMatchObject({ id: 'refund-04', vars: {}, threshold: 0.5, messages: [{ role: 'user', content: 'Refund order 4?' }] });
  });
});

describe('loadConfig on a file with many problems', () => {
  it('reports every problem with its file and path', () => {
    const evals = join(fixtures, 'bad', 'evals');
    const f = badFile;
    const expected = [
      `${f}:workflows.payouts.config.params.user: uses \${PAYOUT_USER}, which is not set in the environment`,
      `${f}:pricing["cheap@v1"].input: must not be negative`,
      `${f}:evalDefaults.critic.provider: provider "anthropic" is not defined in providers`,
      `${f}:evalDefaults.critic.model: model "gpt-4o" is not pinned: use an id ending in a date (-2025-04-14 or -20250414) or a version (name@v3, name:v3)`,
      `${f}:evalDefaults.critic.model: model "gpt-4o" has no price in pricing`,
      `${f}:people: no person has the finance role; one is needed to approve releases whose gate says needs_cost_approval`,
      `${f}:people.sam.slack: Slack id U0DANA is also used by dana`,
      `${f}:teams.Support_Team: team name "Support_Team" must be a lowercase slug: a-z, 0-9 and -, starting with a letter or digit`,
      `${f}:teams.Support_Team.budget.dailyUsd: must not be negative`,
      `${f}:teams.Support_Team.members[0]: "eli" is not defined in people`,
      `${f}:workflows.Triage: workflow name "Triage" must be a lowercase slug: a-z, 0-9 and -, starting with a letter or digit`,
      `${f}:workflows.Triage.config.temprature: unknown key "temprature" (allowed: provider, model, prompt, params, rag, tools, guardrails, allowFloating)`,
      `${f}:workflows.Triage.team: team "support" is not defined in teams`,
      `${f}:workflows.Triage.approvers[1]: "bob" is not defined in people`,
      `${f}:workflows.Triage.rollout.stages[1]: stage 5 must be above the stage before it (10)`,
      `${f}:workflows.Triage.rollout.stages: must end at 100 (ends at 90)`,
      `${f}:workflows.Triage.config.model: model "gpt-4o" is not pinned: use an id ending in a date (-2025-04-14 or -20250414) or a version (name@v3, name:v3), or set config.allowFloating: true`,
      `${f}:workflows.Triage.config.model: model "gpt-4o" has no price in pricing`,
      `${f}:workflows.Triage.config.tools[0].effect: tool "refund" writes, which a draft workflow may not do; use execute-with-approval or execute-with-caps`,
      `${f}:workflows.Triage.config.guardrails.allowedTools[1]: tool "lookup" is not defined in config.tools`,
      `${f}:workflows.Triage.config.prompt: prompt file prompts/missing.md not found beside the config file`,
      `${f}:workflows.Triage.evals: eval suite file evals/missing.yaml not found beside the config file`,
      `${f}:workflows.payouts.caps.monthlyUsd: must not be negative`,
      `${f}:workflows.payouts.approvers: needs at least 3 approvers (minApprovals 2 + 1, so a requesting approver leaves enough), has 2`,
      `${f}:workflows.payouts.caps: execute-with-caps needs caps.perRunUsd, caps.callsPerDay`,
      `${f}:workflows.payouts.config.provider: provider "azure" is not defined in providers`,
      `${f}:workflows.digest.config.prompt: prompt "../secrets.md" must be a file inside the prompts/ folder beside the config file`,
      `${join(evals, 'payouts.yaml')}:cases: has 2 cases; a suite needs 20 to 50`,
      `${join(evals, 'payouts.yaml')}:cases[1].id: duplicate case id "first" (also cases[0])`,
      `${join(evals, 'payouts.yaml')}:cases[0].vars: missing variable "reason" used by prompts/payouts.md`,
      `${join(evals, 'payouts.yaml')}:cases[0].vars: missing variable "amount" used by its input`,
      `${join(evals, 'broken.yaml')}:repeats: must be at least 1 (got 0)`,
      `${join(evals, 'broken.yaml')}:escalation: needs either path or regex`,
      `${join(evals, 'broken.yaml')}:cases[0]: needs either input (rendered with the prompt) or messages, not both`,
      `${join(evals, 'broken.yaml')}:cases[0].assert[0]: unknown assertion type "contanis" (known: equals, contains, regex, json-schema, numeric, escalation, critic, each also with "not-")`,
      `${join(evals, 'broken.yaml')}:cases[1].assert[0]: not-contains: values must be a non-empty list of non-empty strings`,
      `${join(evals, 'broken.yaml')}:cases[1].assert[1]: regex: invalid regex /(/: Invalid regular expression: /(/: Unterminated group`,
      `${join(evals, 'broken.yaml')}:cases[1].assert[2]: numeric: give min and/or max, or value (with tolerance)`,
      `${join(evals, 'broken.yaml')}:cases[1].assert[3].caseInsenstive: unknown key "caseInsenstive" for contains (allowed: type, weight, value, values, mode, caseInsensitive)`,
    ];
    expect(problemLines(loadConfig(badFile, {})).sort()).toEqual(expected.sort());
  });
});

describe('${VAR} interpolation', () => {
  it('fills baseUrl from the environment and reads the API key from apiKeyEnv', () => {
    const cfg = loaded(loadConfig(goodFile, { OPENAI_BASE_URL: 'https://llm.example.com/v1', OPENAI_API_KEY: 'sk-1', LLM_HOST: 'gpu:8000' }));
    expect(cfg.providers.openai).toEqual({ name: 'openai', baseUrl: 'https://llm.example.com/v1', apiKeyEnv: 'OPENAI_API_KEY', apiKey: 'sk-1' });
    expect(cfg.providers.local).toEqual({ name: 'local', baseUrl: 'http://gpu:8000/v1' });
  });

  it('leaves baseUrl unset (the mock LLM) and sends no key when their variables are unset', () => {
    const cfg = loaded(loadConfig(goodFile, {}));
    expect(cfg.providers.openai).toEqual({ name: 'openai', apiKeyEnv: 'OPENAI_API_KEY' });
    expect(cfg.providers.local).toEqual({ name: 'local' });
  });

  it('treats an empty OPENAI_BASE_URL like an unset one', () => {
    const cfg = loaded(loadConfig(goodFile, { OPENAI_BASE_URL: '' }));
    expect(cfg.providers.openai.baseUrl).toBeUndefined();
  });

  it('reports an unset variable anywhere else with its name and path', () => {
    const dir = writeConfigDir(minimalFiles(minimalConfig({ channel: '${SUPPORT_CHANNEL}' })));
    const file = join(dir, 'ai-release.yaml');
    expect(problemLines(loadConfig(file, {}))).toEqual([
      `${file}:teams.support.channels.slack: uses \${SUPPORT_CHANNEL}, which is not set in the environment`,
    ]);
    expect(loaded(loadConfig(file, { SUPPORT_CHANNEL: 'C0FROMENV' })).teams.support.channels.slack).toBe('C0FROMENV');
  });

  it('keeps $${VAR} as a literal ${VAR}', () => {
    const dir = writeConfigDir(minimalFiles(minimalConfig({ channel: '$${NOT_A_VAR}' })));
    expect(loaded(loadConfig(join(dir, 'ai-release.yaml'), {})).teams.support.channels.slack).toBe('${NOT_A_VAR}');
  });
});

describe('files a user gets wrong', () => {
  it('reports a YAML syntax error with its line instead of throwing', () => {
    const dir = writeConfigDir({ 'ai-release.yaml': 'pricing:\n  m: { input: 1, output: 2 }\npeople:\n  dana: [unclosed\n' });
    const file = join(dir, 'ai-release.yaml');
    const lines = problemLines(loadConfig(file, {}));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: YAML syntax error at line [45], column \\d+: `));
  });

  it('reports a duplicate key as a syntax error', () => {
    const dir = writeConfigDir({ 'ai-release.yaml': 'pricing: {}\npricing: {}\n' });
    expect(problemLines(loadConfig(join(dir, 'ai-release.yaml'), {}))[0]).toMatch(/YAML syntax error at line 2, column 1: .*unique/);
  });

  it('reports a missing or empty config file', () => {
    expect(problemLines(loadConfig('/nonexistent/ai-release.yaml', {}))).toEqual(['/nonexistent/ai-release.yaml: config file not found']);
    const dir = writeConfigDir({ 'ai-release.yaml': '# nothing yet\n' });
    expect(problemLines(loadConfig(join(dir, 'ai-release.yaml'), {}))).toEqual([`${join(dir, 'ai-release.yaml')}: the config file is empty`]);
  });

  it('reports missing top-level sections', () => {
    const dir = writeConfigDir({ 'ai-release.yaml': 'pricing: {}\nprovider: {}\n' });
    const file = join(dir, 'ai-release.yaml');
    expect(problemLines(loadConfig(file, {})).sort()).toEqual(
      [
        `${file}:provider: unknown key "provider" (allowed: pricing, providers, evalDefaults, people, teams, workflows)`,
        `${file}:providers: is required`,
        `${file}:people: is required`,
        `${file}:teams: is required`,
        `${file}:workflows: is required`,
        `${file}:people: no person has the finance role; one is needed to approve releases whose gate says needs_cost_approval`,
      ].sort(),
    );
  });
});

describe('eval suite size', () => {
  it.each([
    [19, false],
    [20, true],
    [50, true],
    [51, false],
  ])('%i cases accepted: %s', (n, ok) => {
    const dir = writeConfigDir(minimalFiles(minimalConfig(), n));
    const result = loadConfig(join(dir, 'ai-release.yaml'), {});
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.problems).toEqual([{ file: join(dir, 'evals', 'triage.yaml'), path: 'cases', message: `has ${n} cases; a suite needs 20 to 50` }]);
  });
});

describe('floating models', () => {
  it('are refused unless the workflow config allows them', () => {
    const refused = writeConfigDir(minimalFiles(minimalConfig({ model: 'gpt-4o-latest' })));
    expect(problemLines(loadConfig(join(refused, 'ai-release.yaml'), {}))).toEqual([
      `${join(refused, 'ai-release.yaml')}:workflows.triage.config.model: model "gpt-4o-latest" is not pinned: use an id ending in a date (-2025-04-14 or -20250414) or a version (name@v3, name:v3), or set config.allowFloating: true`,
    ]);
    const allowed = writeConfigDir(
      minimalFiles(minimalConfig({ model: 'gpt-4o-latest' }).replace('prompt: prompts/triage.md', 'prompt: prompts/triage.md, allowFloating: true')),
    );
    expect(loaded(loadConfig(join(allowed, 'ai-release.yaml'), {})).workflows.triage.config.allowFloating).toBe(true);
  });
});
