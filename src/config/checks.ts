/**
 * The cross-reference and policy rules `config check` enforces beyond the schema (contract:
 * "Configuration file"). Each rule adds problems; none stops the others.
 */
import { isPinnedModel } from '../core/pinning.ts';
import { SLUG } from './schema.ts';
import type { PathSegment, ProblemList } from './problem.ts';
import type { Authority, Caps, Person, ToolDef } from './types.ts';

/** Names defined in the file, even where an entry itself has problems. */
export interface KnownNames {
  people: Set<string>;
  teams: Set<string>;
  pricing: Set<string>;
  providers: Set<string>;
}

export function checkSlug(kind: 'workflow' | 'team', name: string, at: PathSegment[], problems: ProblemList): void {
  if (!SLUG.test(name)) {
    problems.add(at, `${kind} name "${name}" must be a lowercase slug: a-z, 0-9 and -, starting with a letter or digit`);
  }
}

export function checkPeopleKnown(names: unknown[] | undefined, at: PathSegment[], known: KnownNames, problems: ProblemList): void {
  names?.forEach((name, i) => {
    if (typeof name === 'string' && !known.people.has(name)) problems.add([...at, i], `"${name}" is not defined in people`);
  });
}

export function checkPeople(people: Record<string, Person>, problems: ProblemList): void {
  if (!Object.values(people).some((p) => p.roles.includes('finance'))) {
    problems.add(['people'], 'no person has the finance role; one is needed to approve releases whose gate says needs_cost_approval');
  }
  for (const [field, label] of [['slack', 'Slack'], ['teams', 'Teams']] as const) {
    const owner = new Map<string, string>();
    for (const [name, person] of Object.entries(people)) {
      const id = person[field];
      if (id === undefined) continue;
      const first = owner.get(id);
      if (first !== undefined) problems.add(['people', name, field], `${label} id ${id} is also used by ${first}`);
      else owner.set(id, name);
    }
  }
}

/** Pinned, priced, and served by a defined provider. */
export function checkModel(
  use: { provider?: string; model?: string; allowFloating: boolean; floatingHint: string },
  at: PathSegment[],
  known: KnownNames,
  problems: ProblemList,
): void {
  if (use.provider !== undefined && !known.providers.has(use.provider)) {
    problems.add([...at, 'provider'], `provider "${use.provider}" is not defined in providers`);
  }
  if (use.model === undefined) return;
  if (!use.allowFloating && !isPinnedModel(use.model)) {
    problems.add(
      [...at, 'model'],
      `model "${use.model}" is not pinned: use an id ending in a date (-2025-04-14 or -20250414) or a version (name@v3, name:v3)${use.floatingHint}`,
    );
  }
  if (!known.pricing.has(use.model)) problems.add([...at, 'model'], `model "${use.model}" has no price in pricing`);
}

export function checkApprovers(approvers: string[], minApprovals: number, at: PathSegment[], problems: ProblemList): void {
  const seen = new Set<string>();
  approvers.forEach((name, i) => {
    if (seen.has(name)) problems.add([...at, 'approvers', i], `"${name}" is listed twice`);
    seen.add(name);
  });
  const needed = minApprovals + 1;
  if (seen.size < needed) {
    problems.add(
      [...at, 'approvers'],
      `needs at least ${needed} approvers (minApprovals ${minApprovals} + 1, so a requesting approver leaves enough), has ${seen.size}`,
    );
  }
}

export function checkStages(stages: number[], at: PathSegment[], problems: ProblemList): void {
  stages.forEach((stage, i) => {
    if (stage < 1 || stage > 100) problems.add([...at, i], `stage ${stage} is outside 1..100`);
    else if (i > 0 && stage <= stages[i - 1]) problems.add([...at, i], `stage ${stage} must be above the stage before it (${stages[i - 1]})`);
  });
  const last = stages[stages.length - 1];
  if (last !== 100) problems.add(at, `must end at 100 (ends at ${last})`);
}

export function checkTools(
  authority: Authority | undefined,
  tools: ToolDef[] | undefined,
  allowedTools: string[] | undefined,
  at: PathSegment[],
  problems: ProblemList,
): void {
  const names = new Map<string, number>();
  tools?.forEach((tool, i) => {
    const first = names.get(tool.name);
    if (first !== undefined) problems.add([...at, 'tools', i, 'name'], `tool "${tool.name}" is defined twice (also tools[${first}])`);
    else names.set(tool.name, i);
    if (tool.effect === 'write' && (authority === 'read-only' || authority === 'draft')) {
      problems.add(
        [...at, 'tools', i, 'effect'],
        `tool "${tool.name}" writes, which a ${authority} workflow may not do; use execute-with-approval or execute-with-caps`,
      );
    }
  });
  if (tools === undefined) return;
  allowedTools?.forEach((name, i) => {
    if (!names.has(name)) problems.add([...at, 'guardrails', 'allowedTools', i], `tool "${name}" is not defined in config.tools`);
  });
}

export function checkCaps(authority: Authority | undefined, caps: Caps | undefined, at: PathSegment[], problems: ProblemList): void {
  if (authority !== 'execute-with-caps' || caps === undefined) return;
  const missing = (['perRunUsd', 'dailyUsd', 'callsPerDay'] as const).filter((k) => caps[k] === undefined);
  if (missing.length > 0) {
    problems.add([...at, 'caps'], `execute-with-caps needs ${missing.map((k) => `caps.${k}`).join(', ')}`);
  }
}
