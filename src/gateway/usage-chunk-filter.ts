/**
 * The gateway always asks the upstream for `stream_options.include_usage` (receipts need the
 * usage), but a client that did not ask for it must not get the extra usage-only chunk
 * (`choices: []`): OpenAI does not send it then, and clients that read `choices[0]` break on it.
 * This filter forwards a stream event by event and drops exactly those chunks.
 */
import { StringDecoder } from 'node:string_decoder';

const EVENT_END = /\r?\n\r?\n/;

export class UsageChunkFilter {
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';

  /** Complete events of `chunk` (and of earlier carry) to forward; an incomplete tail waits. */
  push(chunk: Buffer): string {
    const text = this.carry + this.decoder.write(chunk);
    let out = '';
    let rest = text;
    for (let m = EVENT_END.exec(rest); m !== null; m = EVENT_END.exec(rest)) {
      const event = rest.slice(0, m.index);
      if (!isUsageOnly(event)) out += event + m[0];
      rest = rest.slice(m.index + m[0].length);
    }
    this.carry = rest;
    return out;
  }

  /** What is left when the stream ends. */
  end(): string {
    const rest = this.carry + this.decoder.end();
    this.carry = '';
    return rest.trim() === '' || isUsageOnly(rest) ? '' : rest;
  }
}

function isUsageOnly(event: string): boolean {
  if (!event.includes('"usage"')) return false;
  const data = event
    .split(/\r?\n/)
    .filter((l) => l.startsWith('data:'))
    .map((l) => (l.charCodeAt(5) === 32 ? l.slice(6) : l.slice(5)))
    .join('\n');
  try {
    const e = JSON.parse(data) as { choices?: unknown; usage?: unknown } | null;
    return e !== null && typeof e === 'object' && Array.isArray(e.choices) && e.choices.length === 0 && e.usage != null;
  } catch {
    return false;
  }
}
