/**
 * The pinned-model rule (contract: "Pinned models"). A model id is pinned when it ends in a
 * date (`-2025-04-14`, `-20250414`) or carries an explicit version (`name@v3`, `name:v3`).
 * Anything else (`gpt-4o`, `gpt-4o-latest`, `o3-mini`) floats: the provider may change it.
 */

const MONTH = '(0[1-9]|1[0-2])';
const DAY = '(0[1-9]|[12][0-9]|3[01])';
const DATED = new RegExp(`^.+-(\\d{4}-${MONTH}-${DAY}|\\d{4}${MONTH}${DAY})$`);
const VERSIONED = /^[^@:]+[@:]v\d+(\.\d+)*$/;

export function isPinnedModel(id: string): boolean {
  return DATED.test(id) || VERSIONED.test(id);
}
