/** Wiring shared by the server's gate and `eval run`: the critic client of `evalDefaults.critic`. */
import OpenAI from 'openai';
import type { LoadedConfig } from '../config/types.ts';
import type { UpstreamTarget } from '../gateway/upstream.ts';
import { createCritic } from './critic.ts';
import type { CriticClient } from './scorers/index.ts';

/** The critic of `evalDefaults.critic` (an openai@6 client pointed at its provider), or undefined when none is configured. */
export function criticFor(config: LoadedConfig, target: (provider: string) => UpstreamTarget | null): CriticClient | undefined {
  const c = config.evalDefaults.critic;
  if (!c) return undefined;
  const t = target(c.provider);
  const price = config.pricing[c.model];
  if (!t || !price) return undefined;
  const client = new OpenAI({
    baseURL: t.baseUrl,
    // The SDK insists on a key; with no apiKeyEnv set, the Authorization header is removed (no key sent).
    apiKey: t.apiKey ?? 'unset',
    ...(t.apiKey ? {} : { defaultHeaders: { Authorization: null } }),
    timeout: config.evalDefaults.timeoutMs,
    maxRetries: 2,
  });
  return createCritic({ client, model: c.model, price });
}
