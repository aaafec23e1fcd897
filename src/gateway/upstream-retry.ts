/**
 * When a failed upstream call may be tried again, how long to wait, and what the upstream said.
 * Retries happen only where nothing was billed: the connection failed before any response, or
 * the upstream answered 429/503 before streaming a body.
 */

/** Backoff base: retry n waits 50 ms × 2^(n−1), jittered into its upper half. */
export const BACKOFF_BASE_MS = 50;
/** A Retry-After longer than this is not waited for: the caller gets it back instead. */
export const MAX_HONOURED_RETRY_AFTER_SEC = 2;

/** Socket-level failures that happen before the upstream could have started any work. */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET', // "other side closed": typically a keep-alive socket the server just dropped
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function networkCode(err: unknown): string | undefined {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') {
      // undici wraps the socket's own error as `cause`; that one is more telling
      const cause = (err as { cause?: { code?: unknown } }).cause;
      if (code === 'UND_ERR_SOCKET' && cause && typeof cause.code === 'string') return cause.code;
      return code;
    }
    const cause = (err as { cause?: unknown }).cause;
    if (cause && cause !== err) return networkCode(cause);
  }
  return undefined;
}

export function isRetryableNetworkError(err: unknown): boolean {
  const code = networkCode(err);
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/** Jittered exponential backoff for retry number `retry` (1-based): in [d/2, d], d = 50·2^(retry−1). */
export function backoffMs(retry: number, random: () => number): number {
  const full = BACKOFF_BASE_MS * 2 ** (retry - 1);
  return full / 2 + (full / 2) * random();
}

/** Retry-After as seconds (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, (at - nowMs) / 1000);
}

/** The upstream's own error message: OpenAI's `{error:{message}}`, else the start of the body. */
export function upstreamMessage(bodyText: string): string {
  try {
    const parsed = JSON.parse(bodyText);
    const error = parsed?.error;
    if (typeof error?.message === 'string' && error.message) return error.message;
    if (typeof error === 'string' && error) return error;
    if (typeof parsed?.message === 'string' && parsed.message) return parsed.message;
  } catch {
    // not JSON: use the text itself
  }
  const text = bodyText.trim();
  if (text === '') return '(empty body)';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
