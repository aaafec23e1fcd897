/** Structured JSON logs; secrets never logged (known secret keys and token-looking values are masked). */

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

const SECRET_KEY = /token|secret|password|authorization|api[_-]?key|signature/i;
const SECRET_VALUE = /\b(xox[abpr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|air_(gw|rel)_[A-Za-z0-9_-]+|sk-[A-Za-z0-9_-]{8,})/g;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_VALUE, '[redacted]');
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: string = 'info', write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  const min = LEVELS[(level as LogLevel) in LEVELS ? (level as LogLevel) : 'info'];
  const log = (lvl: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    const f = fields ? (redact(fields) as Record<string, unknown>) : {};
    write(JSON.stringify({ ts: new Date().toISOString(), level: lvl, msg: redact(msg), ...f }));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
