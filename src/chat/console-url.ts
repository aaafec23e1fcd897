/**
 * `PUBLIC_URL`: the address people reach this server at (e.g. https://ai-release.example.com).
 * Chat cards cut to fit link to the console page that has everything; without it they name the
 * page's path. A value that is not an http(s) URL stops the start.
 */
import { StartupError } from '../app.ts';

export function consoleUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.PUBLIC_URL?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StartupError(`PUBLIC_URL "${raw}" must be an http(s) URL, e.g. https://ai-release.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new StartupError(`PUBLIC_URL "${raw}" must be an http(s) URL, e.g. https://ai-release.example.com`);
  if (url.search || url.hash || url.username || url.password) throw new StartupError(`PUBLIC_URL "${raw}" must be a plain base URL (no query, fragment or credentials)`);
  return url.toString().replace(/\/+$/, '');
}
