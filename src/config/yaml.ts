/** YAML text -> plain data; syntax errors become problems with their line and column. */
import { parseDocument } from 'yaml';
import type { ProblemList } from './problem.ts';

/** Returns undefined (after adding problems) when the text is not valid YAML. */
export function parseYaml(text: string, problems: ProblemList): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : 'YAML';
      problems.add([], `YAML syntax error at ${where}: ${firstLine(error.message)}`);
    }
    return undefined;
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
