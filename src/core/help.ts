/**
 * What each verb of the one command grammar looks like, says and does: the usage line a usage
 * error carries, and the text `help` and `help <verb>` answer with.
 */
import { VERBS, type Verb } from './command.ts';

interface VerbHelp {
  usage: string;
  summary: string;
  example: string;
}

const HELP: Record<Verb, VerbHelp> = {
  help: {
    usage: 'help [command]',
    summary: 'list the commands, or explain one',
    example: 'help request',
  },
  status: {
    usage: 'status [workflow] [--from WORKFLOW]',
    summary: 'live configs, traffic weights, open releases and the governance checklist',
    example: 'status support-triage',
  },
  request: {
    usage: 'request <workflow> [--model M] [--prompt NAME] [--param k=v]... [--reason TEXT]',
    summary: 'request a release: a candidate config with another model, prompt or parameters',
    example: 'request support-triage --model gpt-4.1-mini-2025-04-14 --param temperature=0.2 --reason "cheaper model"',
  },
  evals: {
    usage: 'evals <workflow|release>',
    summary: "run or re-run the release's eval gate against the live baseline (never from cache)",
    example: 'evals REL-12',
  },
  approve: {
    usage: 'approve <release>',
    summary: 'approve a release that passed its gate (approvers only, never the requester)',
    example: 'approve REL-12',
  },
  reject: {
    usage: 'reject <release> [--reason TEXT]',
    summary: 'reject a release awaiting approval',
    example: 'reject REL-12 --reason "too slow on long tickets"',
  },
  promote: {
    usage: 'promote <release|workflow>',
    summary: 'move a rollout to its next stage (canary → ramp → full)',
    example: 'promote support-triage',
  },
  rollback: {
    usage: 'rollback <release|workflow> [--reason TEXT]',
    summary: 'send all traffic back to the stable config, also after completion',
    example: 'rollback REL-12 --reason "escalations up"',
  },
  pause: {
    usage: 'pause <release>',
    summary: 'pause a rollout: the candidate gets no traffic until resumed',
    example: 'pause REL-12',
  },
  resume: {
    usage: 'resume <release>',
    summary: 'resume a paused rollout at the stage it had',
    example: 'resume REL-12',
  },
  cancel: {
    usage: 'cancel <release>',
    summary: 'withdraw a release before any traffic (the requester or an admin)',
    example: 'cancel REL-12',
  },
  override: {
    usage: 'override <release> --reason TEXT',
    summary: 'admins: let a release whose gate failed go on to approval (a reason is required)',
    example: 'override REL-12 --reason "critic flaky on 2 cases, checked by hand"',
  },
  ack: {
    usage: 'ack <release>',
    summary: "acknowledge a release's open alert",
    example: 'ack REL-12',
  },
  vote: {
    usage: 'vote <release> <pair-number> <candidate|baseline|tie>',
    summary: 'human review: say which output of a sampled pair was better (up = candidate, down = baseline)',
    example: 'vote REL-12 3 candidate',
  },
  review: {
    usage: 'review <release> [--from PAIR]',
    summary: "a release's human-review pairs (baseline and candidate answers side by side) with their vote buttons",
    example: 'review REL-12',
  },
  spend: {
    usage: 'spend [--team T | --workflow W] [--days N] [--from WORKFLOW]',
    summary: 'production spend by team or workflow (eval spend shown apart)',
    example: 'spend --team support --days 7',
  },
  receipts: {
    usage: 'receipts <workflow> [--limit N] [--from RECEIPT]',
    summary: "a workflow's latest run receipts",
    example: 'receipts support-triage --limit 20',
  },
  audit: {
    usage: 'audit <workflow|release> [--limit N] [--from EVENT]',
    summary: 'the audit events of a workflow or release',
    example: 'audit REL-12 --limit 50',
  },
};

/** The verb's usage line, e.g. `pause <release>`. */
export function usage(verb: Verb): string {
  return HELP[verb].usage;
}

/** The verb's example command; it parses. */
export function example(verb: Verb): string {
  return HELP[verb].example;
}

/** The one-line list of verbs a failure without a known verb carries as its usage. */
export function verbList(): string {
  return `commands: ${VERBS.join(', ')} ("help <command>" explains one)`;
}

function isVerb(word: string): word is Verb {
  return (VERBS as readonly string[]).includes(word);
}

function overview(): string {
  const width = Math.max(...VERBS.map((v) => v.length));
  const lines = VERBS.map((v) => `  ${v.padEnd(width)}  ${HELP[v].summary}`);
  return [
    'ai-release commands (release ids look like REL-12; a workflow name stands for its open release):',
    ...lines,
    'Type "help <command>" for its usage and an example.',
  ].join('\n');
}

/**
 * `help`: every verb with a one-line description. `help <verb>`: its usage, description and an
 * example. An unknown verb: says so, then lists the verbs.
 */
export function helpText(verb?: string): string {
  const word = (verb ?? '').trim().toLowerCase();
  if (word === '') return overview();
  if (!isVerb(word)) return `unknown command ${JSON.stringify(verb!.trim())}\n${overview()}`;
  const h = HELP[word];
  return [`usage: ${h.usage}`, capitalise(h.summary) + '.', `example: ${h.example}`].join('\n');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
