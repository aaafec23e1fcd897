/** ln(n!) for a non-negative integer n, from a table grown on demand (exact sums of logs). */
const table: number[] = [0];

export function logFactorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`logFactorial needs a non-negative integer, got ${n}`);
  for (let k = table.length; k <= n; k++) table.push(table[k - 1] + Math.log(k));
  return table[n];
}

/** ln C(n, k). */
export function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}
