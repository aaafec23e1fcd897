import { describe, expect, it } from 'vitest';
import { VERBS, type Command, type ParseResult, type Verb } from '../../src/core/command.ts';
import {
  commandTarget,
  formatCommand,
  helpText,
  parseArgs,
  parseCommand,
  tokenize,
  usage,
} from '../../src/core/grammar.ts';
import { example } from '../../src/core/help.ts';
import { mulberry32 as prng } from '../../src/core/random.ts';

function ok(text: string): Command {
  const r = parseCommand(text);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got: ${r.message}`);
  return r.command;
}

function failure(text: string): Extract<ParseResult, { ok: false }> {
  const r = parseCommand(text);
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} to fail, got ${JSON.stringify(r.command)}`);
  return r;
}

describe('tokenize', () => {
  it('splits on any whitespace, including tabs, newlines and no-break spaces', () => {
    expect(tokenize(' a\tb\nc\u00a0d  ')).toEqual({ ok: true, tokens: ['a', 'b', 'c', 'd'] });
  });

  it('groups double and single quotes, also inside a word', () => {
    expect(tokenize(`a "b c" 'd e' --x="f g" --y='h i'`)).toEqual({
      ok: true,
      tokens: ['a', 'b c', 'd e', '--x=f g', '--y=h i'],
    });
  });

  it('groups the typographic quotes Slack, Teams and macOS substitute', () => {
    expect(tokenize('reject REL-3 --reason “too slow” ‘x y’')).toEqual({
      ok: true,
      tokens: ['reject', 'REL-3', '--reason', 'too slow', 'x y'],
    });
  });

  it('reads an apostrophe inside a word as a letter, not a quote', () => {
    expect(tokenize("don't it’s 'it’s fine'")).toEqual({ ok: true, tokens: ["don't", 'it’s', 'it’s fine'] });
  });

  it('escapes quotes and backslashes with a backslash inside double quotes only', () => {
    expect(tokenize(String.raw`"say \"hi\" \\ \n" C:\temp`)).toEqual({
      ok: true,
      tokens: [String.raw`say "hi" \ \n`, String.raw`C:\temp`],
    });
  });

  it('keeps an empty quoted word', () => {
    expect(tokenize(`a "" b`)).toEqual({ ok: true, tokens: ['a', '', 'b'] });
  });

  it('reports an unclosed quote', () => {
    expect(tokenize('reject REL-3 --reason "too slow')).toEqual({ ok: false, message: 'unclosed quote: "too slow' });
    expect(tokenize('a “b')).toEqual({ ok: false, message: 'unclosed quote: “b' });
  });
});

describe('parseCommand: each verb', () => {
  it('help, with and without a topic', () => {
    expect(ok('help')).toEqual({ verb: 'help' });
    expect(ok('help Request')).toEqual({ verb: 'help', topic: 'request' });
    expect(ok('')).toEqual({ verb: 'help' });
    expect(ok('   ')).toEqual({ verb: 'help' });
  });

  it('status', () => {
    expect(ok('status')).toEqual({ verb: 'status' });
    expect(ok('status support-triage')).toEqual({ verb: 'status', workflow: 'support-triage' });
  });

  it('request with every flag', () => {
    expect(
      ok('request support-triage --model gpt-4.1-mini-2025-04-14 --prompt triage-v2.md --param temperature=0.2 --param max_tokens=400 --param stream=false --param stop=null --param tone=friendly --reason "cheaper model"'),
    ).toEqual({
      verb: 'request',
      workflow: 'support-triage',
      model: 'gpt-4.1-mini-2025-04-14',
      prompt: 'triage-v2.md',
      params: { temperature: 0.2, max_tokens: 400, stream: false, stop: null, tone: 'friendly' },
      reason: 'cheaper model',
    });
    expect(ok('request support-triage')).toEqual({ verb: 'request', workflow: 'support-triage', params: {} });
  });

  it('types --param values: numbers, booleans, null, else strings', () => {
    const cmd = ok('request wf --param a=-3 --param b=.5 --param c=1e-3 --param d=TRUE --param e= --param f="x y" --param g.h=12345678901234567890 --param _i=0x10');
    expect(cmd).toMatchObject({
      params: { a: -3, b: 0.5, c: 0.001, d: true, e: '', f: 'x y', 'g.h': '12345678901234567890', _i: '0x10' },
    });
  });

  it.each([
    ['evals rel-4', { verb: 'evals', target: 'REL-4' }],
    ['evals support-triage', { verb: 'evals', target: 'support-triage' }],
    ['approve REL-12', { verb: 'approve', target: 'REL-12' }],
    ['reject REL-12', { verb: 'reject', target: 'REL-12' }],
    ['reject REL-12 --reason "too slow"', { verb: 'reject', target: 'REL-12', reason: 'too slow' }],
    ['promote support-triage', { verb: 'promote', target: 'support-triage' }],
    ['rollback REL-2 --reason "escalations up"', { verb: 'rollback', target: 'REL-2', reason: 'escalations up' }],
    ['rollback support-triage', { verb: 'rollback', target: 'support-triage' }],
    ['pause REL-2', { verb: 'pause', target: 'REL-2' }],
    ['resume REL-2', { verb: 'resume', target: 'REL-2' }],
    ['cancel REL-2', { verb: 'cancel', target: 'REL-2' }],
    ['override REL-2 --reason "critic flaky"', { verb: 'override', target: 'REL-2', reason: 'critic flaky' }],
    ['ack REL-2', { verb: 'ack', target: 'REL-2' }],
    ['vote REL-2 3 baseline', { verb: 'vote', target: 'REL-2', pair: 3, choice: 'baseline' }],
    ['vote REL-2 1 tie', { verb: 'vote', target: 'REL-2', pair: 1, choice: 'tie' }],
    ['vote REL-2 #4 UP', { verb: 'vote', target: 'REL-2', pair: 4, choice: 'candidate' }],
    ['vote support-triage 2 down', { verb: 'vote', target: 'support-triage', pair: 2, choice: 'baseline' }],
    ['spend', { verb: 'spend' }],
    ['spend --team support --days 7', { verb: 'spend', team: 'support', days: 7 }],
    ['spend --workflow support-triage --days 366', { verb: 'spend', workflow: 'support-triage', days: 366 }],
    ['receipts support-triage', { verb: 'receipts', workflow: 'support-triage' }],
    ['receipts support-triage --limit 1000', { verb: 'receipts', workflow: 'support-triage', limit: 1000 }],
    ['audit REL-9 --limit 1', { verb: 'audit', target: 'REL-9', limit: 1 }],
    ['audit support-triage', { verb: 'audit', target: 'support-triage' }],
  ])('%s', (text, expected) => {
    expect(ok(text)).toEqual(expected);
  });

  it('parses the example of every verb, as help shows it', () => {
    for (const verb of VERBS) expect(ok(example(verb)).verb).toBe(verb);
  });
});

describe('parseCommand: forgiving input', () => {
  it('takes verbs and flag names in any case', () => {
    expect(ok('APPROVE REL-1')).toEqual({ verb: 'approve', target: 'REL-1' });
    expect(ok('Reject rel-1 --REASON nope')).toEqual({ verb: 'reject', target: 'REL-1', reason: 'nope' });
  });

  it('normalises release ids to upper case without leading zeros', () => {
    expect(ok('approve rel-007')).toEqual({ verb: 'approve', target: 'REL-7' });
    expect(ok('approve Rel-0')).toEqual({ verb: 'approve', target: 'REL-0' });
  });

  it('strips a pasted /ai-release or ai-release word', () => {
    expect(ok('/ai-release approve REL-1')).toEqual({ verb: 'approve', target: 'REL-1' });
    expect(ok('ai-release status')).toEqual({ verb: 'status' });
    expect(ok('/AI-Release')).toEqual({ verb: 'help' });
  });

  it('takes --flag=value as well as --flag value, quoted either way', () => {
    expect(ok('receipts wf --limit=5')).toEqual({ verb: 'receipts', workflow: 'wf', limit: 5 });
    expect(ok('reject REL-1 --reason="too slow"')).toEqual({ verb: 'reject', target: 'REL-1', reason: 'too slow' });
    expect(ok('reject REL-1 “--reason=too slow”')).toEqual({ verb: 'reject', target: 'REL-1', reason: 'too slow' });
  });

  it('takes unquoted words after a last --reason as the reason', () => {
    expect(ok('reject REL-3 --reason too slow on long tickets')).toEqual({
      verb: 'reject',
      target: 'REL-3',
      reason: 'too slow on long tickets',
    });
    expect(ok('request wf --model m-2025-01-01 --reason cheaper and faster')).toMatchObject({ reason: 'cheaper and faster' });
    expect(ok("reject REL-3 --reason don’t ship, it's worse")).toMatchObject({ reason: "don’t ship, it's worse" });
  });

  it('keeps a quoted reason exactly, line breaks included', () => {
    expect(ok('override REL-1 --reason "line one\nline two"')).toMatchObject({ reason: 'line one\nline two' });
  });

  it('answers --help or -h after a verb with that verb\'s help', () => {
    expect(ok('request --help')).toEqual({ verb: 'help', topic: 'request' });
    expect(ok('approve REL-1 -h')).toEqual({ verb: 'help', topic: 'approve' });
    expect(ok('--help')).toEqual({ verb: 'help' });
  });
});

describe('parseCommand: usage errors', () => {
  it('names an unknown command and lists the commands', () => {
    const r = failure('foo bar');
    expect(r.message).toBe('unknown command "foo"');
    expect(r.verb).toBeUndefined();
    for (const verb of VERBS) expect(r.usage).toContain(verb);
  });

  it.each([
    ['request wf --modle gpt', 'request', 'unknown flag --modle for request'],
    ['approve REL-1 --reason ok', 'approve', 'unknown flag --reason for approve'],
    ['spend --limit 5', 'spend', 'unknown flag --limit for spend'],
    ['request wf --model a-1 --model b-2', 'request', 'repeated flag --model for request'],
    ['reject REL-1 --reason=a --reason b', 'reject', 'repeated flag --reason for reject'],
    ['spend --days 3 --days=4', 'spend', 'repeated flag --days for spend'],
    ['request wf --model', 'request', 'missing value for --model'],
    ['request wf --model --reason x', 'request', 'missing value for --model'],
    ['request wf --model=', 'request', 'missing value for --model'],
    ['reject REL-1 --reason', 'reject', 'missing value for --reason'],
    ['reject REL-1 --reason "  "', 'reject', 'missing value for --reason'],
    ['request wf --param', 'request', 'missing value for --param'],
    ['approve REL-1 REL-2', 'approve', 'unexpected argument "REL-2" for approve'],
    ['spend support', 'spend', 'unexpected argument "support" for spend'],
    ['status a b', 'status', 'unexpected argument "b" for status'],
    ['vote REL-1 2 tie now', 'vote', 'unexpected argument "now" for vote'],
    [
      'request wf --reason too slow --model m-1',
      'request',
      'unexpected argument "slow" for request (put a reason of several words in quotes)',
    ],
    ['approve', 'approve', 'missing <release> for approve'],
    ['request', 'request', 'missing <workflow> for request'],
    ['receipts --limit 3', 'receipts', 'missing <workflow> for receipts'],
    ['vote REL-1', 'vote', 'missing <pair-number> for vote'],
    ['vote REL-1 2', 'vote', 'missing <candidate|baseline|tie> for vote'],
    ['approve Support_Triage', 'approve', '"Support_Triage" is not a release id (REL-<n>) or a workflow name'],
    ['evals REL-x', 'evals', '"REL-x" is not a release id (REL-<n>) or a workflow name'],
    ['status Support', 'status', '"Support" is not a workflow name (lower-case letters, digits and dashes)'],
    ['request REL-3', 'request', '"REL-3" is a release id; request needs a workflow name'],
    ['receipts rel-3', 'receipts', '"rel-3" is a release id; receipts needs a workflow name'],
    ['spend --team "Sales Ops"', 'spend', '"Sales Ops" is not a team name (lower-case letters, digits and dashes)'],
    ['spend --workflow -x', 'spend', '"-x" is not a workflow name (lower-case letters, digits and dashes)'],
    ['spend --team a --workflow b', 'spend', '--team and --workflow cannot be used together: choose one'],
    ['spend --days 0', 'spend', '--days must be a whole number from 1 to 366, not "0"'],
    ['spend --days 367', 'spend', '--days must be a whole number from 1 to 366, not "367"'],
    ['spend --days 1.5', 'spend', '--days must be a whole number from 1 to 366, not "1.5"'],
    ['receipts wf --limit 0', 'receipts', '--limit must be a whole number from 1 to 1000, not "0"'],
    ['audit REL-1 --limit 1001', 'audit', '--limit must be a whole number from 1 to 1000, not "1001"'],
    ['audit REL-1 --limit ten', 'audit', '--limit must be a whole number from 1 to 1000, not "ten"'],
    ['override REL-1', 'override', 'override needs --reason TEXT: a reason is required'],
    ['vote REL-1 0 tie', 'vote', 'pair number must be a whole number from 1 to 1000, not "0"'],
    ['vote REL-1 2 better', 'vote', 'vote must be candidate, baseline or tie (or up/down), not "better"'],
    ['request wf --prompt ../secrets.md', 'request', '--prompt must be a file name in the prompts folder (no "/", "\\" or ".."), not "../secrets.md"'],
    ['request wf --prompt prompts/a.md', 'request', '--prompt must be a file name in the prompts folder (no "/", "\\" or ".."), not "prompts/a.md"'],
    ['request wf --prompt "a\\\\b.md"', 'request', '--prompt must be a file name in the prompts folder (no "/", "\\" or ".."), not "a\\\\b.md"'],
    ['request wf --prompt a..md', 'request', '--prompt must be a file name in the prompts folder (no "/", "\\" or ".."), not "a..md"'],
    ['request wf --model "gpt 4"', 'request', '--model must be a model id without spaces or quotes, not "gpt 4"'],
    ['request wf --param temperature', 'request', '--param needs key=value, not "temperature"'],
    ['request wf --param 1x=2', 'request', '--param key "1x" must start with a letter or _ and hold only letters, digits, _ and .'],
    ['request wf --param __proto__=2', 'request', '--param key "__proto__" must start with a letter or _ and hold only letters, digits, _ and .'],
    ['request wf --param a=1 --param a=2', 'request', '--param a given more than once'],
    ['reject REL-1 --reason "too slow', 'reject', 'unclosed quote: "too slow'],
  ])('%s', (text, verb, message) => {
    const r = failure(text);
    expect(r.message).toBe(message);
    expect(r.verb).toBe(verb);
    expect(r.usage).toBe(usage(verb as Verb));
  });

  it('shows control characters in a bad value escaped, and cuts long ones', () => {
    expect(failure('approve "a\u0007b"').message).toBe('"a\\u0007b" is not a release id (REL-<n>) or a workflow name');
    expect(failure(`approve ${'x'.repeat(100)}_`).message).toBe(`"${'x'.repeat(59)}…" is not a release id (REL-<n>) or a workflow name`);
  });

  it('reports an unclosed quote before a verb is known with the command list', () => {
    const r = failure('"approve');
    expect(r).toMatchObject({ ok: false, message: 'unclosed quote: "approve' });
    expect(r.usage).toContain('commands:');
  });
});

describe('parseArgs (the CLI argv)', () => {
  it('parses already-split words without re-splitting them', () => {
    expect(parseArgs(['reject', 'REL-3', '--reason', 'too "slow"'])).toEqual({
      ok: true,
      command: { verb: 'reject', target: 'REL-3', reason: 'too "slow"' },
    });
    expect(parseArgs(['reject', 'REL-3', '--reason', 'too', 'slow'])).toEqual({
      ok: true,
      command: { verb: 'reject', target: 'REL-3', reason: 'too slow' },
    });
    expect(parseArgs([])).toEqual({ ok: true, command: { verb: 'help' } });
    expect(parseArgs(['spend', '--days', '400'])).toMatchObject({ ok: false, message: '--days must be a whole number from 1 to 366, not "400"' });
  });
});

describe('usage and helpText', () => {
  it('gives each verb its usage line', () => {
    expect(usage('request')).toBe('request <workflow> [--model M] [--prompt NAME] [--param k=v]... [--reason TEXT]');
    expect(usage('override')).toBe('override <release> --reason TEXT');
    expect(usage('spend')).toBe('spend [--team T | --workflow W] [--days N] [--from WORKFLOW]');
  });

  it('lists every verb with a description', () => {
    const text = helpText();
    for (const verb of VERBS) expect(text).toMatch(new RegExp(`^  ${verb} +\\S`, 'm'));
    expect(helpText('')).toBe(text);
  });

  it('explains one verb with usage, description and example', () => {
    expect(helpText('Override')).toBe(
      'usage: override <release> --reason TEXT\n' +
        'Admins: let a release whose gate failed go on to approval (a reason is required).\n' +
        'example: override REL-12 --reason "critic flaky on 2 cases, checked by hand"',
    );
  });

  it('says a verb is unknown and lists the verbs', () => {
    const text = helpText('deploy');
    expect(text.split('\n')[0]).toBe('unknown command "deploy"');
    for (const verb of VERBS) expect(text).toContain(`  ${verb} `);
  });
});

describe('formatCommand and commandTarget', () => {
  it('writes the canonical text', () => {
    expect(formatCommand(ok('REJECT rel-3 --reason too slow'))).toBe('reject REL-3 --reason "too slow"');
    expect(formatCommand(ok('request wf --reason=x --param b=2 --model=m-1 --param a=true'))).toBe(
      'request wf --model m-1 --param b=2 --param a=true --reason x',
    );
    expect(formatCommand(ok('spend --days 7 --team support'))).toBe('spend --team support --days 7');
    expect(formatCommand(ok('vote rel-1 #2 up'))).toBe('vote REL-1 2 candidate');
  });

  it.each<Command>([
    { verb: 'reject', target: 'REL-1', reason: 'say "no" \\ twice' },
    { verb: 'reject', target: 'REL-1', reason: '“typographic” ‘quotes’ and it’s' },
    { verb: 'rollback', target: 'wf', reason: '--force was used' },
    { verb: 'rollback', target: 'wf', reason: '--force' },
    { verb: 'rollback', target: 'wf', reason: '--a=b c' },
    { verb: 'override', target: 'REL-1', reason: 'line one\nline two\ttab' },
    { verb: 'override', target: 'REL-1', reason: "'single' -h --help" },
    { verb: 'request', workflow: 'wf', params: { stop: 'end of text', q: "it's", e: '', n: -2.5, big: 1e21, tiny: 1e-7 } },
    { verb: 'request', workflow: 'wf', model: 'org/model@v3', prompt: 'a_b-c.v2.md', params: {}, reason: '—ünïcødé 漢字 🚀' },
    { verb: 'help', topic: 'x y' },
  ])('round-trips %j', (cmd) => {
    expect(parseCommand(formatCommand(cmd))).toEqual({ ok: true, command: cmd });
  });

  it('names the release or workflow a command acts on', () => {
    expect(commandTarget(ok('approve rel-3'))).toBe('REL-3');
    expect(commandTarget(ok('request wf'))).toBe('wf');
    expect(commandTarget(ok('status wf'))).toBe('wf');
    expect(commandTarget(ok('receipts wf'))).toBe('wf');
    expect(commandTarget(ok('vote wf 1 tie'))).toBe('wf');
    expect(commandTarget(ok('spend --workflow wf'))).toBe('wf');
    expect(commandTarget(ok('spend --team t'))).toBeUndefined();
    expect(commandTarget(ok('status'))).toBeUndefined();
    expect(commandTarget(ok('help approve'))).toBeUndefined();
  });
});

describe('fuzz', () => {

  const pieces = [
    ...VERBS,
    ...VERBS.map((v) => v.toUpperCase()),
    '/ai-release', 'ai-release', 'REL-1', 'rel-22', 'REL-007', 'REL-', 'support-triage', 'wf', 'Bad_Name',
    '--model', '--model=', '--model=gpt-4.1-2025-04-14', 'gpt-4.1-mini-2025-04-14', '--prompt', 'a.md', '../x',
    '--param', 'temperature=0.2', 'k=v', 'x=true', 'n=null', 'big=1e400', '=', '1x=2', '__proto__=1',
    '--reason', '--reason=', '--team', '--workflow', '--days', '--limit', '--help', '-h', '--', '-', '--x',
    '0', '1', '7', '366', '1001', '-3', '1.5', 'candidate', 'baseline', 'tie', 'up', 'down', '#2',
    '"', "'", '“', '”', '‘', '’', '\\', '\\"', '=', '"a b"', "'c d'", '“e f”', 'don’t',
    'é', '漢字', '🚀', '\u200b', '\u202e', '\u00a0', '\u0000', '\u0007', '\u001b[31m', '\n', '\t', '\r', '\ud800',
  ];

  function pick<T>(next: () => number, xs: readonly T[]): T {
    return xs[Math.floor(next() * xs.length)]!;
  }

  function soup(next: () => number, n: number): string {
    let text = '';
    for (let i = 0; i < n; i++) {
      const glue = next() < 0.85 ? ' ' : next() < 0.5 ? '' : '=';
      text += glue + pick(next, pieces);
    }
    return text;
  }

  /** A third random soup after a verb, a third a verb's example with pieces spliced in, a third a reason soup. */
  function randomText(next: () => number): string {
    const mode = next();
    if (mode < 1 / 3) return (next() < 0.8 ? pick(next, VERBS) : '') + soup(next, Math.floor(next() * 8));
    if (mode < 2 / 3) {
      const words = example(pick(next, VERBS)).split(' ');
      const at = Math.floor(next() * (words.length + 1));
      words.splice(at, 0, soup(next, Math.floor(next() * 2)).trimStart());
      return words.join(' ');
    }
    return `${pick(next, ['reject REL-1', 'rollback wf', 'override rel-2', 'request wf'])} --reason${soup(next, 1 + Math.floor(next() * 6))}`;
  }

  function checkResult(r: ParseResult, input: unknown): void {
    if (r.ok) {
      const text = formatCommand(r.command);
      expect(parseCommand(text), `round trip of ${JSON.stringify(input)} via ${JSON.stringify(text)}`).toEqual(r);
    } else {
      expect(typeof r.message).toBe('string');
      expect(r.message.length).toBeGreaterThan(0);
      expect(r.usage.length).toBeGreaterThan(0);
      if (r.verb) expect(r.usage).toBe(usage(r.verb));
    }
  }

  it('always returns a ParseResult for random text, and every ok result round-trips', () => {
    const next = prng(20250414);
    let oks = 0;
    for (let i = 0; i < 5000; i++) {
      const text = randomText(next);
      let r: ParseResult;
      expect(() => (r = parseCommand(text)), JSON.stringify(text)).not.toThrow();
      checkResult(r!, text);
      if (r!.ok) oks++;
    }
    expect(oks).toBeGreaterThan(1500);
  });

  it('always returns a ParseResult for random argv, and every ok result round-trips', () => {
    const next = prng(7);
    let oks = 0;
    for (let i = 0; i < 3000; i++) {
      const argv = randomText(next).split(' ');
      let r: ParseResult;
      expect(() => (r = parseArgs(argv)), JSON.stringify(argv)).not.toThrow();
      checkResult(r!, argv);
      if (r!.ok) oks++;
    }
    expect(oks).toBeGreaterThan(600);
  });
});
