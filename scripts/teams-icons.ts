/**
 * Draws the Teams app icons: `color.png` (192×192, the accent colour with three white rising
 * bars — a staged rollout) and `outline.png` (32×32, the same bars in white on transparent, as
 * Teams requires). Run: `npx tsx scripts/teams-icons.ts [outDir]` (default manifests/teams).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';

export const ACCENT = '#3B5BDB';

type Rgba = [number, number, number, number];

function hex(color: string): Rgba {
  const n = Number.parseInt(color.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 255];
}

/** The three bars (5%, 25%, 100% of traffic) as rectangles in a unit square. */
const BARS = [
  { x0: 0.16, x1: 0.34, top: 0.62 },
  { x0: 0.41, x1: 0.59, top: 0.42 },
  { x0: 0.66, x1: 0.84, top: 0.18 },
];
const BOTTOM = 0.84;

function draw(size: number, background: Rgba, bar: Rgba, inset: number): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Sample the pixel's centre in the unit square, shrunk by `inset` on every side.
      const u = ((x + 0.5) / size - inset) / (1 - 2 * inset);
      const v = ((y + 0.5) / size - inset) / (1 - 2 * inset);
      const onBar = BARS.some((b) => u >= b.x0 && u < b.x1 && v >= b.top && v < BOTTOM);
      const c = onBar ? bar : background;
      const i = (y * size + x) * 4;
      png.data[i] = c[0];
      png.data[i + 1] = c[1];
      png.data[i + 2] = c[2];
      png.data[i + 3] = c[3];
    }
  }
  return PNG.sync.write(png);
}

export function colorIcon(): Buffer {
  return draw(192, hex(ACCENT), [255, 255, 255, 255], 0.06);
}

/** White on transparent: Teams tints it; any other colour is refused at upload. */
export function outlineIcon(): Buffer {
  return draw(32, [0, 0, 0, 0], [255, 255, 255, 255], 0);
}

export function writeIcons(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'color.png'), join(dir, 'outline.png')];
  writeFileSync(files[0]!, colorIcon());
  writeFileSync(files[1]!, outlineIcon());
  return files;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = resolve(process.argv[2] ?? 'manifests/teams');
  for (const f of writeIcons(dir)) process.stdout.write(`wrote ${f}\n`);
}
