/**
 * The README stands alone: its links go to files of this repository, nothing else; it speaks the
 * user's words. The commands reference names every command as the grammar's usage says it; the
 * configuration reference names every variable `.env.example` lists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERBS } from '../src/core/command.ts';
import { parseCommand } from '../src/core/grammar.ts';
import { usage } from '../src/core/help.ts';

const read = (file: string) => readFileSync(file, 'utf8');

/** Markdown link and image targets: `[text](target)`, `![alt](target)`, `[text]: target`. */
function linkTargets(markdown: string): string[] {
  const inline = [...markdown.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
  const refs = [...markdown.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]!);
  return [...inline, ...refs];
}

describe('the README and docs stand alone', () => {
  for (const file of ['README.md', 'docs/commands.md', 'docs/configuration.md']) {
    it(`${file}: every link is a file of this repository`, () => {
      const text = read(file);
      for (const target of linkTargets(text)) {
        const path = target.split('#')[0]!;
        expect(target, `${file} links outside the repository`).not.toMatch(/^[a-z]+:/i);
        expect(normalize(join(dirname(file), path)).startsWith('..'), `${file}: ${target} leaves the repository`).toBe(false);
        expect(existsSync(join(dirname(file), path)), `${file}: ${target} does not exist`).toBe(true);
      }
      expect(text).not.toMatch(/\.\.\/shared|\/work\//);
      expect(text).not.toMatch(/\bcontract\b|\bthe issue\b/i);
    });
  }

  it('the README links both references', () => {
    expect(linkTargets(read('README.md'))).toEqual(expect.arrayContaining(['docs/commands.md', 'docs/configuration.md']));
  });

  it('docs/commands.md has every command, as its usage line says it; its examples parse', () => {
    const doc = read('docs/commands.md').replace(/\\\|/g, '|');
    for (const verb of VERBS) expect(doc, `docs/commands.md: ${verb}`).toContain(`\`${usage(verb)}\``);
    const examples = /Examples:\n\n```\n([\s\S]*?)```/.exec(doc)![1]!.trim().split('\n');
    for (const line of examples) expect(parseCommand(line).ok, line).toBe(true);
  });

  it('docs/configuration.md has every variable of .env.example', () => {
    const doc = read('docs/configuration.md');
    const vars = [...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!);
    expect(vars.length).toBeGreaterThan(10);
    for (const v of vars) expect(doc, `docs/configuration.md: ${v}`).toContain(`\`${v}\``);
  });
});
