/** The first release offered to a new user fits the example configuration; elsewhere the placeholder is generic. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { commandPlaceholder, firstStepCommand, FIRST_STEP } from '../../src/console/first-step.ts';
import { checkPermission } from '../../src/core/permissions.ts';
import { EXAMPLE_CONFIG } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

describe('the first step', () => {
  it('with the example configuration: its request, by someone who may make it, approvable by its approver and finance', () => {
    const r = loadConfig(EXAMPLE_CONFIG, {});
    if (!r.ok) throw new Error('example config');
    const config = r.config;
    expect(commandPlaceholder(config)).toBe(`${firstStepCommand()}  ·  status  ·  help`);
    const wf = config.workflows[FIRST_STEP.workflow]!;
    const p = config.people;
    expect(checkPermission(config, p[FIRST_STEP.requester], 'request', { workflow: wf })).toBeNull();
    expect(checkPermission(config, p[FIRST_STEP.approver], 'approve', { workflow: wf, requester: FIRST_STEP.requester })).toBeNull();
    expect(p[FIRST_STEP.finance]!.roles).toContain('finance');
    expect(checkPermission(config, p[FIRST_STEP.finance], 'approve', { workflow: wf, requester: FIRST_STEP.requester, needsCostApproval: true })).toBeNull();
  });

  it('with another configuration: the verbs, no workflow that is not there', () => {
    const r = loadConfig(writeMiniConfig().file, {});
    if (!r.ok) throw new Error('mini config');
    expect(commandPlaceholder(r.config)).toBe('request <workflow> --model <model> --reason "…"  ·  status  ·  help');
  });
});
