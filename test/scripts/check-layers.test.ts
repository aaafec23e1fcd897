import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLayers } from '../../scripts/check-layers.ts';
import { tempDir } from '../helpers/harness.ts';

function tree(files: Record<string, string>): string {
  const root = tempDir('air-layers-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('check:layers', () => {
  it('names every SQL statement and driver import outside src/store/, by file and line', () => {
    const root = tree({
      'src/chat/posts.ts': [
        "import Database from 'better-sqlite3';",
        'export function postOf(db: Database.Database, id: number) {',
        "  return db.prepare('SELECT message_id FROM chat_posts WHERE release_id = ?').get(id);",
        '}',
        'export const bump = (t: string) =>',
        '  `UPDATE ${t} SET n = n + 1 WHERE id = ?`;',
        "export const lock = 'BEGIN IMMEDIATE';",
      ].join('\n'),
      'src/server/health.ts': "export const probe = async () => (await import('pg')).default;\nexport const ping = 'SELECT 1';\n",
      'src/store/repos/posts.ts': "import type Database from 'better-sqlite3';\nexport const q = 'SELECT * FROM chat_posts';\nexport type D = Database.Database;\n",
    });
    const { findings } = checkLayers(root);
    // Per file (in order), per rule: SQL first, then drivers.
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual([
      'src/chat/posts.ts:3',
      'src/chat/posts.ts:6',
      'src/chat/posts.ts:7',
      'src/chat/posts.ts:1',
      'src/server/health.ts:2',
      'src/server/health.ts:1',
    ]);
    expect(findings).toHaveLength(6);
    expect(findings.find((f) => f.line === 3 && f.file === 'src/chat/posts.ts')!.message).toContain('SQL outside src/store/ ("SELECT message_id FROM chat_posts WHERE release_id = ?")');
    expect(findings.find((f) => f.line === 1 && f.file === 'src/chat/posts.ts')!.message).toContain('"better-sqlite3"');
    expect(findings.find((f) => f.file === 'src/server/health.ts' && f.line === 1)!.message).toContain('"pg"');
  });

  it('leaves prose alone, however it starts', () => {
    const root = tree({
      'src/core/help.ts': [
        "export const a = 'Update the release card in place';",
        "export const b = 'select a model from the list';",
        "export const c = 'SELECTED by dana';",
        "export const d = `Create a token with: token create --name ${'x'}`;",
        "export const e = 'Begin here';",
      ].join('\n'),
    });
    expect(checkLayers(root).findings).toEqual([]);
  });

  it('finds nothing in this repository', () => {
    const { files, findings } = checkLayers(process.cwd());
    expect(files).toBeGreaterThan(100);
    expect(findings).toEqual([]);
  });
});
