#!/usr/bin/env node
// Before `npm test` (and in .ci/run): the Debian packages the tests drive for real —
//   chromium (+ its emoji font)  the console's browser tests, through playwright-core (no download)
//   postgresql                   the throwaway PostgreSQL clusters of the store's tests (initdb, pg_ctl)
//   haproxy                      the load balancer in front of replicas
// When one is missing and we are root with apt-get, install it; otherwise print the exact command.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const postgresInstalled = () => {
  const root = '/usr/lib/postgresql';
  return existsSync(root) && readdirSync(root).some((v) => existsSync(`${root}/${v}/bin/initdb`) && existsSync(`${root}/${v}/bin/pg_ctl`));
};
const onPath = (cmd) => {
  try {
    execSync(`command -v ${cmd}`, { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
};

const needs = [
  { what: `Chromium (${chromium})`, packages: ['chromium', 'fonts-noto-color-emoji'], present: () => existsSync(chromium) },
  { what: 'the PostgreSQL server (/usr/lib/postgresql/<version>/bin)', packages: ['postgresql'], present: postgresInstalled },
  { what: 'HAProxy', packages: ['haproxy'], present: () => existsSync('/usr/sbin/haproxy') || onPath('haproxy') },
];
const missing = needs.filter((n) => !n.present());
if (!missing.length) process.exit(0);

const packages = missing.flatMap((n) => n.packages);
const what = missing.map((n) => n.what).join(', ');
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (root && onPath('apt-get')) {
  process.stderr.write(`The tests need ${what}: installing ${packages.join(' ')} (apt-get)...\n`);
  try {
    execSync(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages.join(' ')} >/dev/null`, {
      stdio: 'inherit',
      shell: '/bin/sh',
    });
  } catch {
    process.stderr.write(`apt-get could not install ${packages.join(' ')}: install them, then run the tests again.\n`);
    process.exit(1);
  }
  const still = missing.filter((n) => !n.present());
  if (!still.length) process.exit(0);
  process.stderr.write(`Still missing after apt-get: ${still.map((n) => n.what).join(', ')}.\n`);
  process.exit(1);
}
process.stderr.write(
  `The tests need ${what}. Install with:\n  sudo apt-get install -y ${packages.join(' ')}\n` +
    (missing.some((n) => n.packages.includes('chromium')) ? '(or point CHROMIUM_PATH at a Chromium binary)\n' : ''),
);
process.exit(1);
