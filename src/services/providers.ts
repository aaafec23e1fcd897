/** Where each provider's calls go: its baseUrl, or the built-in mock LLM when unset. */
import type { LoadedConfig } from '../config/types.ts';
import type { UpstreamTarget } from '../gateway/upstream.ts';

export class ProviderTargets {
  private cache = new Map<string, UpstreamTarget>();

  constructor(
    private config: () => LoadedConfig,
    private mockUrl: string | null,
  ) {}

  /** Stable objects per provider (the upstream client caches per target object). */
  get(provider: string): UpstreamTarget | null {
    const hit = this.cache.get(provider);
    if (hit) return hit;
    const p = this.config().providers[provider];
    if (!p) return null;
    const baseUrl = p.baseUrl ?? this.mockUrl;
    if (!baseUrl) return null;
    const t: UpstreamTarget = { baseUrl, ...(p.apiKey ? { apiKey: p.apiKey } : {}) };
    this.cache.set(provider, t);
    return t;
  }

  /** After a config reload. */
  reset(): void {
    this.cache.clear();
  }

  /** Providers served by the built-in mock LLM. */
  mocked(): string[] {
    return Object.values(this.config().providers)
      .filter((p) => !p.baseUrl)
      .map((p) => p.name);
  }

  needsMock(): boolean {
    return this.mocked().length > 0;
  }
}
