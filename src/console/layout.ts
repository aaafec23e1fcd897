/** The console's page shell (nav bar, command box, results) and the sign-in page. */
import type { ConsoleSession } from './sessions.ts';
import { html, type Markup } from './html.ts';

export type NavKey = 'workflows' | 'releases' | 'canary' | 'spend' | 'receipts' | 'audit';

export interface Page {
  title: string;
  /** The tab it belongs to (none: a page of no tab, e.g. not found). */
  nav?: NavKey;
  body: Markup;
  /**
   * Which live updates refresh the page's main part: `all` (any event), `release:REL-n`,
   * `workflow:<name>`, or none (static pages such as a receipt).
   */
  live?: string;
}

const NAV: { key: NavKey; href: string; label: string }[] = [
  { key: 'workflows', href: '/workflows', label: 'Workflows' },
  { key: 'releases', href: '/releases', label: 'Releases' },
  { key: 'canary', href: '/canary', label: 'Canary' },
  { key: 'spend', href: '/spend', label: 'Spend' },
  { key: 'receipts', href: '/receipts', label: 'Receipts' },
  { key: 'audit', href: '/audit', label: 'Audit' },
];

export function shell(page: Page, s: ConsoleSession, placeholder: string): Markup {
  const roles = s.person.roles.length ? ` (${s.person.roles.join(', ')})` : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${s.csrf}">
<title>${page.title} · ai-release</title>
<link rel="stylesheet" href="/console/app.css">
<script src="/console/app.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">ai-release</a>
  <nav>${NAV.map((n) => html`<a href="${n.href}"${n.key === page.nav ? html` aria-current="page"` : ''}>${n.label}</a>`)}</nav>
  <form class="signout" method="post" action="/console/signout">
    <span class="who" data-person="${s.person.name}">${s.person.name}${roles}</span>
    <input type="hidden" name="csrf" value="${s.csrf}">
    <button type="submit" class="btn btn-quiet">Sign out</button>
  </form>
</header>
<section class="command">
  <form id="command-form" autocomplete="off">
    <label for="command-input">Command</label>
    <input id="command-input" name="command" type="text" spellcheck="false" placeholder="${placeholder}">
    <button type="submit" class="btn btn-primary">Run</button>
  </form>
  <div id="results" aria-live="polite"></div>
</section>
<main id="main" data-live="${page.live ?? ''}">
${page.body}
</main>
<footer class="foot"><span id="live-state" class="live-state">live updates: connecting…</span></footer>
</body>
</html>
`;
}

export function signInPage(opts: { message?: string; next?: string }): Markup {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · ai-release</title>
<link rel="stylesheet" href="/console/app.css">
</head>
<body class="signin-body">
<main class="signin">
  <h1>ai-release console</h1>
  <p>Sign in with your personal token (scope <code>releases</code>). Everything you do here acts as you, with your permissions — the same as in Slack, Teams or the CLI.</p>
  ${opts.message ? html`<p class="flash tone-danger" role="alert">${opts.message}</p>` : ''}
  <form method="post" action="/console/signin">
    <label for="token">Personal token</label>
    <input id="token" name="token" type="password" autocomplete="off" required placeholder="air_rel_…">
    <input type="hidden" name="next" value="${opts.next ?? '/'}">
    <button type="submit" class="btn btn-primary">Sign in</button>
  </form>
  <p class="context">No token yet? <code>npx ai-release token create --name me --scopes releases --person &lt;name from the config&gt;</code></p>
</main>
</body>
</html>
`;
}
