/** `ai-release digest --dry-run`: prints every team's digest now, without posting anything. */
import { openApp, type Settings } from '../app.ts';
import { EXIT } from '../chat/executor.ts';
import { print, type CliIo } from '../cli/main.ts';
import { noticeCard, usageCard } from '../core/views/common.ts';
import { buildDigests } from './digest.ts';

export const DIGEST_USAGE = `usage: ai-release digest --dry-run

Prints every team's spend digest as it would go out now (nothing is posted or recorded).
Digests are posted by the server (npm start) on DIGEST_CRON (default "0 9 * * *") in TZ.`;

export async function digestCli(argv: string[], opts: { settings: Settings; io: CliIo; json: boolean }): Promise<number> {
  const { io, settings, json } = opts;
  const unknown = argv.filter((a) => a !== '--dry-run');
  if (unknown.length) {
    print(io, [usageCard(`digest: unknown argument ${unknown.map((a) => `"${a}"`).join(', ')}`, DIGEST_USAGE)], json, true);
    return EXIT.usage;
  }
  if (!argv.includes('--dry-run')) {
    print(io, [usageCard('digest: digests are posted by the server on DIGEST_CRON; use --dry-run to print them here', DIGEST_USAGE)], json, true);
    return EXIT.usage;
  }
  const app = await openApp(settings, { env: io.env });
  try {
    const digests = await buildDigests(app.ctx, app.ctx.now(), settings.tz);
    const cards = digests.length ? digests.map((d) => d.card) : [noticeCard('No digest', 'No team has a workflow: there is no digest to print.')];
    print(io, cards, json);
    return EXIT.ok;
  } finally {
    await app.close();
  }
}
