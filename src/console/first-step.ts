/**
 * The first release a new user is offered (the tour's last step, the console's command box): with
 * the example configuration, a step whose gate on the built-in mock LLM holds on quality and asks
 * for a cost approval (exit 4), so there is something to approve. A test runs its gate.
 */
import type { LoadedConfig } from '../config/types.ts';

export const FIRST_STEP = {
  workflow: 'sales-email',
  model: 'gpt-4.1-2025-04-14',
  reason: 'fewer forbidden claims',
  /** A member of the workflow's team, who may request it. */
  requester: 'jordan',
  /** An approver of the workflow who is not the requester. */
  approver: 'sam',
  /** A finance person other than the requester: the cost approval. */
  finance: 'dana',
} as const;

export const firstStepCommand = (): string => `request ${FIRST_STEP.workflow} --model ${FIRST_STEP.model} --reason "${FIRST_STEP.reason}"`;

/** Whether `config` is one where the first step makes sense (the example's workflow, model and people). */
export function firstStepFits(config: LoadedConfig): boolean {
  const wf = config.workflows[FIRST_STEP.workflow];
  return !!wf && wf.config.model !== FIRST_STEP.model && FIRST_STEP.model in config.pricing && [FIRST_STEP.requester, FIRST_STEP.approver, FIRST_STEP.finance].every((p) => p in config.people);
}

/** The command box's placeholder: the first step when it fits the configuration, else the verbs. */
export function commandPlaceholder(config: LoadedConfig): string {
  const ask = firstStepFits(config) ? firstStepCommand() : 'request <workflow> --model <model> --reason "…"';
  return `${ask}  ·  status  ·  help`;
}
