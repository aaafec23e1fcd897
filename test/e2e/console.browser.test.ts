/**
 * The web console in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * sign in, request a release from the command box, watch the gate verdict arrive (the gate runner
 * against the built-in mock LLM), approve as another person, see the card change without a
 * reload, roll back through the confirm dialog, find the audit entry; a refused click shows why.
 *
 * Screenshots go to test-artifacts/ (gitignored); with UPDATE_DOCS_SCREENSHOTS=1 the release and
 * spend pages are also written to docs/console-release.png and docs/console-spend.png, after a
 * week of simulated production traffic so the spend charts have a history.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/harness.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = resolve('test-artifacts');
const DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1';
const DAY = 86_400_000;

let server: TestServer;
let browser: Browser;
/** The server's clock runs in real time, shifted by `offset` (to lay down past days of traffic). */
let offset = 0;

/** Waits until one element of `loc` shows `text` (vitest's expect has no browser matchers). */
async function see(loc: Locator, text: string, timeout = 10_000): Promise<void> {
  try {
    await loc.filter({ hasText: text }).first().waitFor({ state: 'visible', timeout });
  } catch {
    const shown = await loc.allInnerTexts().catch(() => []);
    throw new Error(`expected to see "${text}" within ${timeout} ms; found: ${JSON.stringify(shown).slice(0, 800)}`);
  }
}

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not installed at ${CHROMIUM}. Install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH; the console's browser tests do not skip.`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // playwright gives every launch a fresh temporary profile (user data dir) and removes it on close.
  });
}

async function signedIn(person: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await see(page.locator('h1'), 'ai-release console');
  await page.fill('#token', await server.token(person));
  await page.click('main.signin button[type="submit"]');
  await page.waitForSelector(`header .who[data-person="${person}"]`);
  return { context, page };
}

async function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  const path = join(ARTIFACTS, `console-${name}.png`);
  await page.screenshot({ path, fullPage: opts.fullPage ?? true });
  return path;
}

/** Production calls through the gateway, `n` of them, 8 at a time; resolves once their receipts are stored. */
async function traffic(gatewayToken: string, n: number, unitPrefix: string): Promise<void> {
  const before = await server.store.receipts.count('production');
  const tickets = ['My order arrived late', 'I was charged twice', 'How do I reset my password?', 'The app crashes on login', 'Please cancel my subscription'];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const res = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayToken}`, 'content-type': 'application/json', 'x-ai-release-unit': `${unitPrefix}-${i}` },
        body: JSON.stringify({ model: 'support-triage', messages: [{ role: 'user', content: `Customer tier: pro\nTicket: ${tickets[i % tickets.length]} (#${i})` }], ai_release: { vars: { company: 'Northwind' } } }),
      });
      await res.text();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await expect
    .poll(() => server.store.receipts.count('production'), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(before + n);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launch();
  server = await startTestServer({ now: () => Date.now() + offset });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('web console in Chromium', () => {
  it('requests, gates, approves, goes live, refuses, rolls back and audits — as the signed-in people', async () => {
    const gw = await server.gatewayToken('support');
    if (DOCS) {
      // A week of production traffic on the stable config, one day at a time.
      for (let d = 7; d >= 1; d--) {
        offset = -d * DAY;
        await traffic(gw, 10 + ((d * 7) % 9), `hist-${d}`);
      }
      offset = 0;
    }

    const eli = await signedIn('eli');
    await see(eli.page.locator('main h1'), 'Workflows');
    await shot(eli.page, 'workflows');

    // Request a release from the command box: its card appears.
    await eli.page.fill('#command-input', 'request support-triage --param temperature=0.2 --reason "warmer summaries"');
    await eli.page.click('#command-form button[type="submit"]');
    const requested = eli.page.locator('#results article.card[data-release="REL-1"]').first();
    await see(requested, 'REL-1 requested');

    // The release page: the gate runner judges the candidate; the verdict arrives by SSE.
    await eli.page.goto(`${server.url}/releases/REL-1`);
    await eli.page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await eli.page.waitForSelector('#verdict .outcome-pass', { timeout: 120_000 });
    await see(eli.page.locator('#main article.card h3'), 'awaiting approval');
    await see(eli.page.locator('#main article.card table').first(), 'pass rate');

    // The eval outputs are collapsed: one line per case run, failing and disagreeing ones first,
    // the runs that pass in both variants folded into one; a click opens a case side by side.
    const cases = eli.page.locator('#outputs details.case');
    await cases.first().waitFor({ state: 'attached' });
    expect(await eli.page.locator('#outputs details[open]').count()).toBe(0);
    const summaries = await eli.page.locator('#outputs > .cases > details.case > summary').allInnerTexts();
    for (const line of summaries) expect(line, 'listed before the passing ones').toMatch(/✗ fail/);
    const passing = eli.page.locator('#outputs details#passing');
    if ((await passing.count()) > 0) {
      expect(await passing.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      expect(await passing.locator('details.case > summary').first().innerText()).not.toMatch(/✗/);
    }
    const height = await eli.page.evaluate(() => document.documentElement.scrollHeight);
    expect(height, 'the release page is not a wall of outputs').toBeLessThan(4000);
    const first = cases.first();
    await first.locator('summary').click();
    await first.locator('td.output pre').first().waitFor({ state: 'visible' });

    // eli (the requester, a team member but not an approver) has no Approve button; typing it is refused with the rule.
    expect(await eli.page.locator('#main article.card button[data-action-id="approve"]').count()).toBe(0);
    await eli.page.fill('#command-input', 'approve REL-1');
    await eli.page.click('#command-form button[type="submit"]');
    await see(eli.page.locator('#results .result-refused'), 'approve on support-triage is for its approvers (dana, sam)');
    await see(eli.page.locator('#results .result-refused'), 'rule: approver');
    expect((await server.store.releases.get(1))!.state).toBe('awaiting_approval');

    // Dana (an approver) approves in another browser; eli's page changes without a reload, and
    // dana's page shows the release's card once (the answer does not repeat the card on the page).
    const dana = await signedIn('dana');
    await dana.page.goto(`${server.url}/releases/REL-1`);
    await dana.page.click('#main article.card button[data-action-id="approve"]');
    await see(dana.page.locator('#results .result-ok').first(), 'REL-1');
    await see(eli.page.locator('#main article.card h3'), 'canary', 15_000);
    await see(dana.page.locator('#main article.card h3'), 'canary', 15_000);
    expect(await dana.page.locator('article.card-release[data-release="REL-1"], article.card-rollout[data-release="REL-1"]').count()).toBe(1);
    expect(await eli.page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);

    // Canary traffic through the gateway; the canary page charts it.
    await traffic(gw, 120, 'canary');
    await eli.page.goto(`${server.url}/canary?release=REL-1`);
    await eli.page.locator('svg.chart path.series[data-series="stable"]').first().waitFor({ state: 'attached' });
    await shot(eli.page, 'canary');

    await eli.page.goto(`${server.url}/releases/REL-1`);
    await eli.page.waitForSelector('#verdict');
    await shot(eli.page, 'release', { fullPage: false });
    if (DOCS) {
      // Tall enough to show the card, the variant summary and the first side-by-side outputs.
      await eli.page.setViewportSize({ width: 1280, height: 1750 });
      await eli.page.screenshot({ path: resolve('docs/console-release.png'), fullPage: false });
      await eli.page.setViewportSize({ width: 1280, height: 900 });
    }

    await eli.page.goto(`${server.url}/spend`);
    // Budget lines: each daily chart draws its cap (or names it when far above), each month bar its budget.
    await eli.page.locator('svg.chart .threshold, svg.chart .threshold-off-scale').first().waitFor({ state: 'attached' });
    await eli.page.locator('svg.chart line.limit').first().waitFor({ state: 'attached' });
    await shot(eli.page, 'spend');
    if (DOCS) await eli.page.screenshot({ path: resolve('docs/console-spend.png'), fullPage: false });

    // Rollback: the confirm dialog is accepted; the card turns to rolled back.
    await eli.page.goto(`${server.url}/releases/REL-1`);
    const dialogs: string[] = [];
    eli.page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await eli.page.click('#main article.card button[data-action-id="rollback"]');
    await see(eli.page.locator('#main article.card h3'), 'rolled back', 15_000);
    expect(dialogs[0]).toContain('Roll back REL-1?');

    // The audit page shows the rollback by eli and an intact chain.
    await eli.page.goto(`${server.url}/audit`);
    await see(eli.page.locator('#verification'), 'chain intact');
    const row = eli.page.locator('table.audit tbody tr', { hasText: 'release_rolled_back' }).first();
    await see(row, 'eli');
    await see(row, 'REL-1');
    await shot(eli.page, 'audit');

    await eli.page.goto(`${server.url}/receipts?workflow=support-triage`);
    await eli.page.locator('table.receipts tbody tr').first().waitFor({ state: 'visible' });
    await shot(eli.page, 'receipts');

    await dana.context.close();
    await eli.context.close();
  }, 300_000);
});
