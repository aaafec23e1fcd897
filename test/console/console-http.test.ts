/**
 * The web console over HTTP: sign-in, sessions, CSRF, commands as the signed-in person, live
 * updates, and the pages' content (mini config; the gate runner judges against the mock LLM).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';
import { tamperWith } from '../helpers/tamper.ts';

let t: TestServer;

interface Browser {
  cookie: string;
  csrf: string;
}

async function signIn(token: string): Promise<Browser> {
  const res = await fetch(`${t.url}/console/signin`, { method: 'POST', body: new URLSearchParams({ token, next: '/releases' }), redirect: 'manual' });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/releases');
  const setCookie = res.headers.get('set-cookie')!;
  const cookie = setCookie.split(';')[0]!;
  const page = await (await fetch(`${t.url}/`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
  return { cookie, csrf };
}

function run(b: Browser, command: string, extra: { reason?: string; headers?: Record<string, string> } = {}) {
  return fetch(`${t.url}/console/api/run`, {
    method: 'POST',
    headers: { cookie: b.cookie, 'x-csrf-token': b.csrf, 'content-type': 'application/json', ...extra.headers },
    body: JSON.stringify({ command, ...(extra.reason !== undefined ? { reason: extra.reason } : {}) }),
  });
}

const get = (b: Browser | null, path: string) => fetch(`${t.url}${path}`, { headers: b ? { cookie: b.cookie } : {}, redirect: 'manual' });
const stateOf = async (id: number) => (await t.store.releases.get(id))?.state;

async function settled(id: number): Promise<string> {
  await expect.poll(() => stateOf(id), { timeout: 25_000, interval: 100 }).not.toBe('evaluating');
  return (await stateOf(id))!;
}

beforeAll(async () => {
  t = await startTestServer({ settings: { configPath: writeMiniConfig().file } });
});
afterAll(async () => {
  await t?.close();
});

describe('console sign-in', () => {
  it('shows the sign-in form at / and sends pages, fragments, commands and the event stream elsewhere until signed in', async () => {
    const root = await get(null, '/');
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('name="token"');
    const page = await get(null, '/releases?workflow=alpha');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/?next=%2Freleases%3Fworkflow%3Dalpha');
    expect((await get(null, '/console/fragment/release/REL-1')).status).toBe(401);
    expect((await get(null, '/console/events')).status).toBe(401);
    const cmd = await fetch(`${t.url}/console/api/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"command":"status"}' });
    expect(cmd.status).toBe(401);
    expect((await cmd.json()).error.type).toBe('unauthorized');
  });

  it('refuses a bad token, a gateway token and a revoked one, setting no cookie', async () => {
    for (const [token, says] of [
      ['air_rel_not-a-real-token', 'unknown or revoked'],
      [await t.gatewayToken('support'), 'needs a personal token of scope releases'],
    ] as const) {
      const res = await fetch(`${t.url}/console/signin`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await res.text()).toContain(says);
    }
  });

  it('keeps the token out of the cookie (HttpOnly, SameSite=Strict) and ends the session on sign-out or when the token is revoked', async () => {
    const token = await t.token('eli');
    const res = await fetch(`${t.url}/console/signin`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(token);
    expect(setCookie).not.toContain(token.slice(8, 30));
    const cookie = setCookie.split(';')[0]!;
    const home = await (await fetch(`${t.url}/`, { headers: { cookie } })).text();
    expect(home).toContain('data-person="eli"');
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(home)![1]!;

    // Sign-out needs the session's CSRF token.
    const forged = await fetch(`${t.url}/console/signout`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ csrf: 'nope' }), redirect: 'manual' });
    expect(forged.status).toBe(403);
    expect((await get({ cookie, csrf }, '/workflows')).status).toBe(200);
    const out = await fetch(`${t.url}/console/signout`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ csrf }), redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await get({ cookie, csrf }, '/workflows')).status).toBe(302);

    // Revoking the token ends its sessions.
    const b = await signIn(token);
    expect((await get(b, '/workflows')).status).toBe(200);
    for (const tok of await t.store.tokens.list()) if (tok.person === 'eli' && tok.revokedAt === null) await t.store.tokens.revoke(tok.name, Date.now());
    expect((await get(b, '/workflows')).status).toBe(302);
  });
});

describe('console commands', () => {
  let eli: Browser;
  let dana: Browser;
  let releaseId: number;

  beforeAll(async () => {
    eli = await signIn(await t.token('eli'));
    dana = await signIn(await t.token('dana'));
  });

  it('refuses a command without the CSRF token, with a wrong one or from another origin, and changes nothing', async () => {
    const before = (await t.store.releases.list()).length;
    const missing = await fetch(`${t.url}/console/api/run`, { method: 'POST', headers: { cookie: dana.cookie, 'content-type': 'application/json' }, body: '{"command":"request alpha --param temperature=0.3"}' });
    expect(missing.status).toBe(403);
    expect((await missing.json()).error.rule).toBe('csrf');
    const wrong = await run({ ...dana, csrf: eli.csrf }, 'request alpha --param temperature=0.3');
    expect(wrong.status).toBe(403);
    const cross = await run(dana, 'request alpha --param temperature=0.3', { headers: { origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
    expect(await t.store.releases.list()).toHaveLength(before);
  });

  it('runs a request as the signed-in person and refuses their own approval with the four-eyes rule', async () => {
    const res = await run(dana, 'request alpha --model gpt-4.1-mini-2025-04-14 --reason "cheaper <b>model</b>"');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.ok).toBe(true);
    expect(body.html).toContain('requested');
    releaseId = Number(String(body.release).slice(4));
    const row = (await t.store.releases.get(releaseId))!;
    expect(row).toMatchObject({ requester: 'dana', source: 'console' });
    expect(await settled(releaseId)).toBe('awaiting_approval');

    const own = await run(dana, `approve REL-${releaseId}`);
    expect(own.status).toBe(403);
    const refusal = await own.json();
    expect(refusal.error.rule).toBe('four_eyes');
    expect(refusal.html).toContain('four-eyes: the requester may not approve their own release');
    expect(await stateOf(releaseId)).toBe('awaiting_approval');

    // The reason typed in was escaped on the release page.
    const page = await (await get(eli, `/releases/REL-${releaseId}`)).text();
    expect(page).toContain('cheaper &lt;b&gt;model&lt;/b&gt;');
    expect(page).not.toContain('<b>model</b>');
  });

  it('answers a malformed command with its usage, and a button reason is appended as --reason', async () => {
    const bad = await run(eli, 'approve');
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.exit_code).toBe(2);
    expect(body.html).toContain('approve');
    // Errors as every API answers them: type, message, code (= type), the field at fault.
    expect(body.error).toEqual({ type: 'invalid_request', message: 'missing <release> for approve', code: 'invalid_request', param: 'command' });
    // eli is a member of alpha's team but no approver: the reject refusal names the rule.
    const rej = await run(eli, `reject REL-${releaseId}`, { reason: 'not "now"' });
    expect(rej.status).toBe(403);
    const refused = await rej.json();
    expect(refused.error).toMatchObject({ type: 'forbidden', code: 'forbidden', rule: 'approver' });
    expect(refused.error.kind).toBeUndefined();
  });

  it('streams an event to the browser when another person changes the release through the API', async () => {
    const ac = new AbortController();
    const stream = await fetch(`${t.url}/console/events`, { headers: { cookie: eli.cookie }, signal: ac.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    await reader.read(); // the connected comment: the stream is attached
    const approved = await api(t.url, 'POST', `/v1/releases/REL-${releaseId}/approve`, await t.token('sam'));
    expect(approved.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (!text.includes(`"release":"REL-${releaseId}"`) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    ac.abort();
    expect(text).toContain('event: change');
    expect(text).toContain(`{"kind":"release_changed","release":"REL-${releaseId}","workflow":"alpha"}`);

    // The release card fragment the page re-fetches shows the new state.
    const frag = await get(eli, `/console/fragment/release/REL-${releaseId}`);
    expect(frag.status).toBe(200);
    expect(await frag.text()).toContain('canary');
  });
});

describe('console pages', () => {
  let ops: Browser;
  beforeAll(async () => {
    ops = await signIn(await t.token('ops'));
  });

  it('renders every page for a signed-in admin', async () => {
    for (const [path, says] of [
      ['/workflows', 'Live config'],
      ['/releases', 'REL-1'],
      ['/releases/REL-1', 'Eval outputs'],
      ['/canary', 'Canary'],
      ['/spend', '<svg'],
      ['/receipts?purpose=eval', 'receipts'],
      ['/audit', 'chain intact'],
    ] as const) {
      const res = await get(ops, path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text(), path).toContain(says);
    }
  });

  it('shows baseline and candidate outputs side by side and the release timeline', async () => {
    const page = await (await get(ops, '/releases/REL-1')).text();
    const r1 = (await t.store.releases.get(1))!;
    const row = (await t.store.evalResults.load(1, r1.gateRuns)).find((x) => x.variant === 'candidate')!;
    expect(page).toContain('table class="list side-by-side"');
    expect(page).toContain(row.caseId);
    expect(page).toMatch(/<ol class="timeline">[\s\S]*release requested[\s\S]*by dana/);
  });

  it('numbers eval repeats from 1 as the suite counts them; a page that is not there highlights no tab', async () => {
    const page = await (await get(ops, '/releases/REL-1')).text();
    expect(page).toContain('repeat 1');
    expect(page).not.toMatch(/repeat [02-9]/); // the mini suite runs each case once
    const missing = await get(ops, '/releases/REL-999');
    expect(missing.status).toBe(404);
    const html = await missing.text();
    expect(html).toContain('Not found');
    expect(html).not.toContain('aria-current');
  });

  it('offers in the command box a request for this configuration (the first step only where it fits)', async () => {
    const page = await (await get(ops, '/workflows')).text();
    expect(page).toContain('placeholder="request &lt;workflow&gt; --model &lt;model&gt; --reason &quot;…&quot;  ·  status  ·  help"');
  });

  it('reports a broken audit chain with the event where it breaks', async () => {
    tamperWith(t.settings.databasePath, "UPDATE audit SET actor = 'mallory' WHERE seq = 2");
    const page = await (await get(ops, '/audit')).text();
    expect(page).toContain('chain BROKEN at event 2');
  });

  it('serves its script and stylesheet from the same process', async () => {
    const js = await get(null, '/console/app.js');
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toContain('/console/api/run');
    expect((await get(null, '/console/app.css')).status).toBe(200);
  });
});
