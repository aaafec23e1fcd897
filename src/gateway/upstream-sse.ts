/**
 * Reads a chat.completions SSE stream on the side while its bytes are forwarded verbatim:
 * collects usage (final chunk), model, system_fingerprint, the assembled text of choice 0 and
 * its tool calls. Robust to chunks split anywhere, including inside a UTF-8 character.
 */
import { StringDecoder } from 'node:string_decoder';
import { type Usage, usageFromOpenAI } from '../core/cost.ts';

export interface StreamedToolCall {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}

export class ChatStreamReader {
  usage: Usage | null = null;
  model: string | null = null;
  systemFingerprint: string | null = null;
  finishReason: string | null = null;
  /** Set when the stream carried an `error` event (some providers report failures mid-stream). */
  streamError: string | null = null;
  done = false;

  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  private data = '';
  private hasData = false;
  private readonly parts: string[] = [];
  private readonly tools: StreamedToolCall[] = [];

  /** Feed raw bytes as they arrive. */
  push(chunk: Buffer): void {
    const text = this.carry + this.decoder.write(chunk);
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl !== -1) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.line(text.slice(start, end));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.carry = start === 0 ? text : text.slice(start);
  }

  /** The stream ended: handle a last line without newline and an undispatched event. */
  end(): void {
    const rest = this.carry + this.decoder.end();
    this.carry = '';
    if (rest.length > 0) this.line(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
    this.dispatch();
  }

  get content(): string {
    return this.parts.join('');
  }

  get toolCalls(): StreamedToolCall[] {
    return this.tools.filter((t) => t !== undefined);
  }

  private line(line: string): void {
    if (line.length === 0) return this.dispatch();
    if (line.charCodeAt(0) === 58 /* ':' comment */) return;
    if (!line.startsWith('data:')) return; // event:, id:, retry: carry nothing we need
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
    this.data = this.hasData ? this.data + '\n' + value : value;
    this.hasData = true;
  }

  private dispatch(): void {
    if (!this.hasData) return;
    const data = this.data;
    this.data = '';
    this.hasData = false;
    if (data === '[DONE]') {
      this.done = true;
      return;
    }
    let event: any;
    try {
      event = JSON.parse(data);
    } catch {
      return; // not JSON: forwarded as is, nothing to collect
    }
    if (event === null || typeof event !== 'object') return;
    this.collect(event);
  }

  private collect(event: any): void {
    if (event.error) {
      this.streamError = typeof event.error.message === 'string' ? event.error.message : JSON.stringify(event.error);
      return;
    }
    if (typeof event.model === 'string' && event.model && this.model === null) this.model = event.model;
    if (typeof event.system_fingerprint === 'string' && event.system_fingerprint) {
      this.systemFingerprint = event.system_fingerprint;
    }
    if (event.usage) {
      const usage = usageFromOpenAI(event.usage);
      if (usage) this.usage = usage;
    }
    const choices = event.choices;
    if (!Array.isArray(choices)) return;
    for (const choice of choices) {
      if (!choice || (choice.index ?? 0) !== 0) continue;
      if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (!delta) continue;
      if (typeof delta.content === 'string' && delta.content.length > 0) this.parts.push(delta.content);
      if (Array.isArray(delta.tool_calls)) for (const tc of delta.tool_calls) this.toolDelta(tc);
    }
  }

  /** Tool calls arrive in pieces keyed by `index`: id and name first, then argument fragments. */
  private toolDelta(tc: any): void {
    if (!tc || typeof tc !== 'object') return;
    const index = typeof tc.index === 'number' ? tc.index : this.tools.length;
    let call = this.tools[index];
    if (!call) {
      call = { id: '', type: 'function', function: { name: '', arguments: '' } };
      this.tools[index] = call;
    }
    if (typeof tc.id === 'string' && tc.id) call.id = tc.id;
    if (typeof tc.type === 'string' && tc.type) call.type = tc.type;
    const fn = tc.function;
    if (fn) {
      if (typeof fn.name === 'string' && fn.name && !call.function.name) call.function.name = fn.name;
      if (typeof fn.arguments === 'string') call.function.arguments += fn.arguments;
    }
  }
}
