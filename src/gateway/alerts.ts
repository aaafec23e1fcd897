/**
 * The gateway's two alerts, raised inside a receipt batch's transaction: a budget crossing 80% or
 * 100% (once per budget period, `budget_alerts`), and drift — the provider reporting another
 * `model_served` or `system_fingerprint` for the same config (alert + `model_drift` audit event).
 */
import type { LoadedConfig } from '../config/types.ts';
import { noticeCard } from '../core/views/common.ts';
import type { ServedModel } from '../store/repos/alerts.ts';
import type { Tx } from '../store/store.ts';
import { emitAlert } from '../services/notify.ts';
import { usd, type BudgetCrossing } from './budget.ts';

/** Writes the alert unless this level was already raised for this budget period. */
export async function raiseBudgetAlert(t: Tx, config: LoadedConfig, c: BudgetCrossing, now: number): Promise<boolean> {
  if (!(await t.alerts.claimBudget(c.line.scope, c.line.period, c.level, now))) return false;
  const [kind, name] = c.line.scope.split(':') as [string, string];
  const span = c.line.period.startsWith('day') ? 'daily' : 'monthly';
  const when = new Date(c.line.resetsAt).toISOString();
  const title = c.level >= 100 ? `Budget reached: ${kind} ${name} ${span}` : `Budget at ${c.level}%: ${kind} ${name} ${span}`;
  const text =
    c.level >= 100
      ? `The ${kind} **${name}** ${span} budget (\`${c.line.rule}\` = ${usd(c.capUsd)}) is used up: ${usd(c.spentUsd)} spent. ` +
        `Calls that could pass it are refused (429 budget_exceeded) until it resets at ${when}.`
      : `The ${kind} **${name}** ${span} budget (\`${c.line.rule}\` = ${usd(c.capUsd)}) is ${Math.floor((c.spentUsd / c.capUsd) * 100)}% used: ` +
        `${usd(c.spentUsd)} spent. It resets at ${when}.`;
  const leaders = config.teams[c.team]?.leaders ?? [];
  await emitAlert(t, {
    workflow: c.workflow,
    condition: c.level >= 100 ? 'budget_100' : 'budget_80',
    card: noticeCard(title, text, c.level >= 100 ? 'danger' : 'warning', { workflow: c.workflow, team: c.team }),
    notify: leaders,
    now,
  });
  return true;
}

export interface ServedSeen {
  workflow: string;
  configHash: string;
  releaseId: number | null;
  model: string | null;
  fingerprint: string | null;
}

/**
 * Compares what the provider reported with what it reported before for the same config; on a
 * change, one drift alert and one audit event. `known` is the in-memory copy of `served_models`.
 */
export async function checkDrift(t: Tx, known: Map<string, ServedModel>, seen: ServedSeen, now: number): Promise<boolean> {
  const before = known.get(seen.configHash);
  // A field the provider did not report (null) is unknown, not a change.
  const after = { model: seen.model ?? before?.model ?? null, fingerprint: seen.fingerprint ?? before?.fingerprint ?? null };
  if (before && before.model === after.model && before.fingerprint === after.fingerprint) return false;
  known.set(seen.configHash, after);
  await t.servedModels.put(seen.configHash, after, now);
  if (!before) return false;
  const changes: string[] = [];
  if (before.model !== null && before.model !== after.model) changes.push(`model_served ${before.model} → ${after.model}`);
  if (before.fingerprint !== null && before.fingerprint !== after.fingerprint)
    changes.push(`system_fingerprint ${before.fingerprint} → ${after.fingerprint}`);
  if (changes.length === 0) return false;
  // Calls that belong to a release taking traffic: the alert goes in that release's thread.
  await emitAlert(t, {
    workflow: seen.workflow,
    releaseId: seen.releaseId,
    condition: 'drift',
    card: noticeCard(
      `Model drift on ${seen.workflow}`,
      `The provider changed the model behind config \`${seen.configHash}\` without a release: ${changes.join('; ')}. ` +
        'Answers may differ from what the gate measured; consider re-running its evals.',
      'warning',
      { workflow: seen.workflow },
    ),
    now,
  });
  await t.audit.append({
    ts: now,
    actor: 'gateway',
    action: 'model_drift',
    workflow: seen.workflow,
    releaseId: seen.releaseId,
    data: {
      config_hash: seen.configHash,
      before: { model_served: before.model, system_fingerprint: before.fingerprint },
      after: { model_served: after.model, system_fingerprint: after.fingerprint },
    },
  });
  return true;
}
