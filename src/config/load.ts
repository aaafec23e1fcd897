/**
 * The configuration loader (contract: "Configuration file"): reads the YAML file, interpolates
 * `${VAR}`, validates it with zod, resolves prompts and eval suites, and runs every rule of
 * `config check`. It returns all problems found, never only the first, and never throws for
 * anything a user can cause.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { z } from 'zod';
import { priceVersion } from '../core/canonical.ts';
import {
  checkApprovers,
  checkCaps,
  checkModel,
  checkPeople,
  checkPeopleKnown,
  checkSlug,
  checkStages,
  checkTools,
  type KnownNames,
} from './checks.ts';
import { interpolateTree } from './interpolate.ts';
import { formatPath, ProblemList, yamlErrorMap, type PathSegment } from './problem.ts';
import {
  evalDefaultsShape,
  fileShape,
  personSchema,
  priceSchema,
  providerSchema,
  releaseConfigShape,
  teamShape,
  workflowShape,
} from './schema.ts';
import { checkSuiteVariables, loadSuite } from './suite.ts';
import { parseYaml } from './yaml.ts';
import type {
  Caps,
  ConfigProblem,
  EvalDefaults,
  EvalSuite,
  LoadedConfig,
  LoadResult,
  Person,
  Price,
  ProviderConfig,
  ReleaseConfig,
  Team,
  Workflow,
} from './types.ts';

export { formatProblems } from './problem.ts';

type Shape = Record<string, z.ZodType>;
type Parsed<S extends Shape> = { [K in keyof S]?: z.output<S[K]> };

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseWith<T extends z.ZodType>(schema: T, raw: unknown, at: PathSegment[], problems: ProblemList): z.output<T> | undefined {
  const r = schema.safeParse(raw, { error: yamlErrorMap, reportInput: true });
  if (r.success) return r.data;
  problems.addZodIssues(at, r.error);
  return undefined;
}

/** Validates a mapping field by field, so one bad field does not hide the checks of the others. */
function parseShape<S extends Shape>(shape: S, raw: unknown, at: PathSegment[], problems: ProblemList): Parsed<S> | undefined {
  if (!isMapping(raw)) {
    problems.add(at, raw === undefined ? 'is required' : 'must be a mapping (key: value)');
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!(key in shape)) problems.add([...at, key], `unknown key "${key}" (allowed: ${Object.keys(shape).join(', ')})`);
  }
  const out: Parsed<S> = {};
  for (const key of Object.keys(shape) as (keyof S & string)[]) {
    const value = parseWith(shape[key], raw[key], [...at, key], problems);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function parseEntries<T>(
  raw: Record<string, unknown> | undefined,
  parse: (name: string, value: unknown) => T | undefined,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const parsed = parse(name, value);
    if (parsed !== undefined) out[name] = parsed;
  }
  return out;
}

/** A path in the config's folder that must stay inside `folder`; returns its path relative to that folder. */
function insideFolder(dir: string, folder: string, file: string): string | undefined {
  const rel = relative(resolve(dir, folder), resolve(dir, file));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

interface Context {
  file: string;
  dir: string;
  problems: ProblemList;
  known: KnownNames;
  /** Suites already loaded, by absolute path (a suite shared by workflows is checked once). */
  suites: Map<string, EvalSuite | undefined>;
  suiteProblems: ConfigProblem[];
  /** Whether `evalDefaults.critic` is set (a suite with `critic` assertions needs it). */
  hasCritic: boolean;
}

function loadPrompt(ctx: Context, prompt: string, at: PathSegment[]): { text: string; promptFile: string } | undefined {
  const promptFile = insideFolder(ctx.dir, 'prompts', prompt);
  if (promptFile === undefined) {
    ctx.problems.add(at, `prompt "${prompt}" must be a file inside the prompts/ folder beside the config file`);
    return undefined;
  }
  try {
    return { text: readFileSync(resolve(ctx.dir, prompt), 'utf8'), promptFile };
  } catch {
    ctx.problems.add(at, `prompt file ${prompt} not found beside the config file`);
    return undefined;
  }
}

function loadWorkflowSuite(ctx: Context, evals: string, at: PathSegment[]): { suite?: EvalSuite; displayFile: string } | undefined {
  const rel = insideFolder(ctx.dir, 'evals', evals);
  if (rel === undefined) {
    ctx.problems.add(at, `eval suite "${evals}" must be a file inside the evals/ folder beside the config file`);
    return undefined;
  }
  const abs = resolve(ctx.dir, evals);
  const displayFile = join(dirname(ctx.file), evals);
  if (!isFile(abs)) {
    ctx.problems.add(at, `eval suite file ${evals} not found beside the config file`);
    return undefined;
  }
  if (!ctx.suites.has(abs)) {
    const loaded = loadSuite(abs, displayFile, `evals/${rel}`);
    ctx.suites.set(abs, loaded.suite);
    ctx.suiteProblems.push(...loaded.problems);
  }
  return { suite: ctx.suites.get(abs), displayFile };
}

function loadWorkflow(ctx: Context, name: string, raw: unknown): Workflow | undefined {
  const at: PathSegment[] = ['workflows', name];
  const { problems, known } = ctx;
  checkSlug('workflow', name, at, problems);
  const wf = parseShape(workflowShape, raw, at, problems);
  if (wf === undefined) return undefined;
  const cfg = parseShape(releaseConfigShape, wf.config, [...at, 'config'], problems);

  if (wf.team !== undefined && !known.teams.has(wf.team)) problems.add([...at, 'team'], `team "${wf.team}" is not defined in teams`);
  checkPeopleKnown(wf.approvers, [...at, 'approvers'], known, problems);
  const minApprovals = wf.minApprovals ?? (wf.authority?.startsWith('execute-') ? 2 : 1);
  if (wf.approvers !== undefined) checkApprovers(wf.approvers, minApprovals, at, problems);
  if (wf.rollout !== undefined) checkStages(wf.rollout.stages, [...at, 'rollout', 'stages'], problems);
  // Which caps are missing is read from the file as written, even when another cap is invalid.
  const rawCaps = isMapping(raw) ? raw.caps : undefined;
  checkCaps(wf.authority, rawCaps === undefined ? {} : isMapping(rawCaps) ? (rawCaps as Caps) : undefined, at, problems);

  let prompt: { text: string; promptFile: string } | undefined;
  if (cfg !== undefined) {
    const allowFloating = cfg.allowFloating ?? false;
    const hint = allowFloating ? '' : ', or set config.allowFloating: true';
    checkModel({ provider: cfg.provider, model: cfg.model, allowFloating, floatingHint: hint }, [...at, 'config'], known, problems);
    checkTools(wf.authority, cfg.tools, cfg.guardrails?.allowedTools, [...at, 'config'], problems);
    if (cfg.prompt !== undefined) prompt = loadPrompt(ctx, cfg.prompt, [...at, 'config', 'prompt']);
  }
  const suite = wf.evals === undefined ? undefined : loadWorkflowSuite(ctx, wf.evals, [...at, 'evals']);
  if (suite?.suite !== undefined && !ctx.hasCritic) {
    const criticCases = suite.suite.cases.filter((c) => c.assert.some((a) => a.type === 'critic' || a.type === 'not-critic'));
    if (criticCases.length > 0) {
      problems.add(
        [...at, 'evals'],
        `eval suite ${wf.evals} has critic assertions (case ${criticCases[0].id}${criticCases.length > 1 ? ` and ${criticCases.length - 1} more` : ''}) but evalDefaults.critic is not set; add evalDefaults.critic: { provider, model }`,
      );
    }
  }
  if (suite?.suite !== undefined && prompt !== undefined) {
    ctx.suiteProblems.push(...checkSuiteVariables(suite.suite, prompt.text, `prompts/${prompt.promptFile}`, suite.displayFile));
  }

  if (cfg === undefined || prompt === undefined || suite?.suite === undefined) return undefined;
  const { team, authority, approvers, retention, gate, rollout, caps } = wf;
  const { provider, model, params, rag, tools, guardrails, allowFloating } = cfg;
  if (!team || !authority || !approvers || !retention || !gate || !rollout || !caps) return undefined;
  if (!provider || !model || !params || rag === undefined || !tools || !guardrails || allowFloating === undefined) return undefined;
  const config: ReleaseConfig = { provider, model, prompt: prompt.text, params, rag, tools, guardrails, allowFloating };
  return {
    name, team, authority, approvers, minApprovals, retention, config,
    promptFile: prompt.promptFile, evals: suite.suite, gate, rollout, caps,
  };
}

function readConfigFile(file: string, problems: ProblemList): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.add([], code === 'ENOENT' ? 'config file not found' : `cannot read the config file (${code ?? (e as Error).message})`);
    return undefined;
  }
  const doc = parseYaml(text, problems);
  if (problems.items.length > 0) return undefined;
  if (doc === null || doc === undefined) {
    problems.add([], 'the config file is empty');
    return undefined;
  }
  if (!isMapping(doc)) {
    problems.add([], 'the config file must be a mapping with pricing, providers, people, teams and workflows');
    return undefined;
  }
  return doc;
}

/** `${VAR}` from env; an unset variable is a problem, except in `providers.*.baseUrl` (-> mock LLM). */
function interpolate(doc: unknown, env: Record<string, string | undefined>, problems: ProblemList): { tree: unknown; unsetPaths: Set<string> } {
  const { value, unset } = interpolateTree(doc, env);
  const isBaseUrl = (path: PathSegment[]) => path.length === 3 && path[0] === 'providers' && path[2] === 'baseUrl';
  for (const { path, variable } of unset) {
    if (!isBaseUrl(path)) problems.add(path, `uses \${${variable}}, which is not set in the environment`);
  }
  const providers = isMapping(value) ? value.providers : undefined;
  if (isMapping(providers)) {
    for (const [name, provider] of Object.entries(providers)) {
      if (!isMapping(provider)) continue;
      const unsetHere = unset.some((u) => isBaseUrl(u.path) && u.path[1] === name);
      if (unsetHere || provider.baseUrl === '') delete provider.baseUrl;
    }
  }
  return { tree: value, unsetPaths: new Set(unset.filter((u) => !isBaseUrl(u.path)).map((u) => formatPath(u.path))) };
}

export function loadConfig(file: string, env: Record<string, string | undefined> = process.env): LoadResult {
  const problems = new ProblemList(file);
  const doc = readConfigFile(file, problems);
  if (doc === undefined) return { ok: false, problems: problems.items };
  const { tree, unsetPaths } = interpolate(doc, env, problems);
  const top = parseShape(fileShape, tree, [], problems) ?? {};

  const known: KnownNames = {
    people: new Set(Object.keys(top.people ?? {})),
    teams: new Set(Object.keys(top.teams ?? {})),
    pricing: new Set(Object.keys(top.pricing ?? {})),
    providers: new Set(Object.keys(top.providers ?? {})),
  };
  const dir = dirname(resolve(file));
  const rawDefaults = isMapping(tree) ? tree.evalDefaults : undefined;
  const hasCritic = isMapping(rawDefaults) && rawDefaults.critic !== undefined && rawDefaults.critic !== null;
  const ctx: Context = { file, dir, problems, known, suites: new Map(), suiteProblems: [], hasCritic };

  const pricing = parseEntries<Price>(top.pricing, (name, raw) => parseWith(priceSchema, raw, ['pricing', name], problems));
  const providers = parseEntries<ProviderConfig>(top.providers, (name, raw) => {
    const p = parseWith(providerSchema, raw, ['providers', name], problems);
    if (p === undefined) return undefined;
    const apiKey = p.apiKeyEnv === undefined ? undefined : env[p.apiKeyEnv] || undefined;
    return { name, ...(p.baseUrl !== undefined && { baseUrl: p.baseUrl }), ...(p.apiKeyEnv !== undefined && { apiKeyEnv: p.apiKeyEnv }), ...(apiKey !== undefined && { apiKey }) };
  });
  const defaults = parseShape(evalDefaultsShape, top.evalDefaults ?? {}, ['evalDefaults'], problems);
  if (defaults?.critic !== undefined) {
    checkModel({ ...defaults.critic, allowFloating: false, floatingHint: '' }, ['evalDefaults', 'critic'], known, problems);
  }
  const people = parseEntries<Person>(top.people, (name, raw) => {
    const p = parseWith(personSchema, raw ?? {}, ['people', name], problems);
    return p && { name, ...p };
  });
  checkPeople(people, problems);
  const teams = parseEntries<Team>(top.teams, (name, raw) => {
    checkSlug('team', name, ['teams', name], problems);
    const t = parseShape(teamShape, raw ?? {}, ['teams', name], problems);
    checkPeopleKnown(t?.members, ['teams', name, 'members'], known, problems);
    checkPeopleKnown(t?.leaders, ['teams', name, 'leaders'], known, problems);
    if (!t?.members || !t.leaders || !t.budget || !t.channels) return undefined;
    return { name, members: t.members, leaders: t.leaders, budget: t.budget, channels: t.channels };
  });
  const workflows = parseEntries<Workflow>(top.workflows, (name, raw) => loadWorkflow(ctx, name, raw));

  // A value whose variable is unset is reported once, for the variable, not again for its shape.
  const fromUnset = (p: ConfigProblem) => p.file === file && unsetPaths.has(p.path) && !p.message.startsWith('uses ${');
  const all = dedupe([...problems.items, ...ctx.suiteProblems]).filter((p) => !fromUnset(p));
  if (all.length > 0 || !defaults?.concurrency || !defaults.timeoutMs) return { ok: false, problems: all };
  const evalDefaults: EvalDefaults = {
    concurrency: defaults.concurrency,
    timeoutMs: defaults.timeoutMs,
    ...(defaults.critic !== undefined && { critic: defaults.critic }),
  };
  const config: LoadedConfig = {
    file: resolve(file), dir, pricing, priceVersion: priceVersion(pricing), providers, evalDefaults, people, teams, workflows,
  };
  return { ok: true, config };
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}\n${p.path}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
