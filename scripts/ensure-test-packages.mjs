#!/usr/bin/env node
// Before `npm test`: the browser tests drive Debian's Chromium through playwright-core (no browser
// download). On a fresh machine where we are root with apt-get, install it; otherwise say how.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = (() => {
  try {
    execSync('command -v apt-get', { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
})();
if (root && hasApt) {
  process.stderr.write('Chromium is missing: installing Debian\'s chromium for the browser tests (apt-get)...\n');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null', {
    stdio: 'inherit',
    shell: '/bin/sh',
  });
  process.exit(existsSync(path) ? 0 : 1);
}
process.stderr.write(`The browser tests need Chromium at ${path}: install it (sudo apt-get install chromium) or set CHROMIUM_PATH.\n`);
process.exit(1);
