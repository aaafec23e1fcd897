/** `--name N` of a benchmark's command line: taken out of `args`, `def` when absent; anything but a positive number exits 2. */
export function numberOption(args: string[], name: string, def: number): number {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const given = args.splice(i, 2)[1];
  const n = Number(given);
  if (given === undefined || !Number.isFinite(n) || n <= 0) {
    console.error(`${name} needs a positive number (got ${given ?? 'nothing'})`);
    process.exit(2);
  }
  return n;
}
