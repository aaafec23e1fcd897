/**
 * Runs a simulation's rows in child processes (`node --import tsx <script> --row i`), `jobs` at a
 * time. Each row is seeded on its own, so the tables do not depend on how rows are spread.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** In a child: `--row i` given, run that row, print its JSON result, and return true. */
export function serveRow<T>(args: string[], rows: (index: number) => () => T): boolean {
  const i = args.indexOf('--row');
  if (i < 0) return false;
  const index = Number(args[i + 1]);
  process.stdout.write(JSON.stringify(rows(index)()));
  return true;
}

export async function runRows<T>(file: URL, count: number, jobs: number, args: string[]): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const one = (index: number) =>
    new Promise<T>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(file), ...args, '--row', String(index)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(text) as T) : reject(new Error(`row ${index} exited with ${code}`))));
    });
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= count) return;
      out[index] = await one(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, count)) }, worker));
  return out;
}
