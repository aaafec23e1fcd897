/**
 * `npm run check:layers`: the project's own layer rules over the sources under src/, read with
 * the TypeScript compiler (string literals and imports, not text matching). Each rule looks at
 * one file and reports `file:line: what is wrong`; any finding exits 1.
 *
 * Rules today: SQL lives only under src/store/ (a string literal or template that is an SQL
 * statement), and so does the database driver (better-sqlite3, pg). Other layer rules (import
 * circles, core purity) are added to `RULES` the same way.
 *
 *   npx tsx scripts/check-layers.ts [ROOT]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export interface SourceFile {
  /** Relative to the root, with forward slashes (e.g. `src/chat/executor.ts`). */
  path: string;
  source: ts.SourceFile;
}

export interface Finding {
  file: string;
  line: number;
  message: string;
}

export interface Rule {
  name: string;
  check(file: SourceFile): Finding[];
}

const SOURCE_EXTENSIONS = /\.(ts|mts|cts|js|mjs|cjs)$/;
const inStore = (path: string): boolean => path.startsWith('src/store/');

/**
 * An SQL statement at the start of a string (uppercase keywords, as this code base writes SQL):
 * what `db.prepare`/`exec` would take. Prose ("Update the card", "select a model") does not match.
 */
const SQL_STATEMENT = new RegExp(
  [
    String.raw`SELECT\s+[\s\S]*?\bFROM\b`,
    String.raw`SELECT\s+(?:\d|COUNT\s*\(|\*)`,
    String.raw`INSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\s`,
    String.raw`UPDATE\s+\w+\s+SET\s`,
    String.raw`DELETE\s+FROM\s`,
    String.raw`(?:CREATE|DROP)\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\b`,
    String.raw`ALTER\s+TABLE\s`,
    String.raw`PRAGMA\s+\w+`,
    String.raw`WITH\s+(?:RECURSIVE\s+)?\w+\s+AS\s*\(`,
    String.raw`(?:BEGIN(?:\s+(?:IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION))?|COMMIT|ROLLBACK|SAVEPOINT\s+\w+)\s*;?\s*$`,
  ]
    .map((p) => `(?:${p})`)
    .join('|')
    .replace(/^/, String.raw`^[\s(]*(?:`) + ')',
);

/** The text of a string literal or template (a `${…}` counts as one word). */
function literalText(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => ` x ${s.literal.text}`).join('');
  return null;
}

function lineOf(file: SourceFile, node: ts.Node): number {
  return file.source.getLineAndCharacterOfPosition(node.getStart(file.source)).line + 1;
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((c) => walk(c, visit));
}

export const noSqlOutsideStore: Rule = {
  name: 'SQL only in src/store/',
  check(file) {
    if (inStore(file.path)) return [];
    const out: Finding[] = [];
    walk(file.source, (n) => {
      // A template's parts are visited as the whole template.
      if (ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) return;
      const text = literalText(n);
      if (text === null || !SQL_STATEMENT.test(text)) return;
      const shown = text.replace(/\s+/g, ' ').trim();
      out.push({
        file: file.path,
        line: lineOf(file, n),
        message: `SQL outside src/store/ ("${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}"): put it behind a repository in src/store/`,
      });
    });
    return out;
  },
};

const DRIVERS = new Set(['better-sqlite3', 'pg', 'pg-pool', 'postgres']);

export const noDriverOutsideStore: Rule = {
  name: 'database drivers only in src/store/',
  check(file) {
    if (inStore(file.path)) return [];
    const out: Finding[] = [];
    walk(file.source, (n) => {
      let spec: ts.Expression | undefined;
      if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier) spec = n.moduleSpecifier;
      else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) spec = n.moduleReference.expression;
      else if (ts.isCallExpression(n) && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require')))
        spec = n.arguments[0];
      if (!spec || !ts.isStringLiteralLike(spec) || !DRIVERS.has(spec.text)) return;
      out.push({ file: file.path, line: lineOf(file, n), message: `imports the database driver "${spec.text}" outside src/store/: go through the store` });
    });
    return out;
  },
};

/** Every layer rule, in the order they are reported. */
export const RULES: Rule[] = [noSqlOutsideStore, noDriverOutsideStore];

function sourcesUnder(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourcesUnder(root, rel));
    else if (SOURCE_EXTENSIONS.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

export function readSource(root: string, path: string): SourceFile {
  const text = readFileSync(join(root, path), 'utf8');
  return { path, source: ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true) };
}

/** Every finding of every rule over the sources under `root`/src. */
export function checkLayers(root: string, rules: Rule[] = RULES): { files: number; findings: Finding[] } {
  const files = sourcesUnder(root, 'src').sort();
  const findings: Finding[] = [];
  for (const path of files) {
    const file = readSource(root, path);
    for (const rule of rules) findings.push(...rule.check(file));
  }
  return { files: files.length, findings };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = process.argv[2] ?? process.cwd();
  const { files, findings } = checkLayers(root);
  for (const f of findings) process.stderr.write(`${f.file}:${f.line}: ${f.message}\n`);
  if (findings.length > 0) {
    process.stderr.write(`check:layers: ${findings.length} problem${findings.length > 1 ? 's' : ''} in ${relative(process.cwd(), root).split(sep).join('/') || '.'}\n`);
    process.exit(1);
  }
  process.stdout.write(`check:layers: ${RULES.length} rules over ${files} files under src/: ok\n`);
}
