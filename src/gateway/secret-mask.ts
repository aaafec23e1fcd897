/**
 * Masking the provider key in what an upstream sends back, as bytes: a streamed answer arrives
 * in chunks cut at arbitrary places, so a key split across two chunks is caught by holding back
 * the end of a chunk while it could still be the start of the key (almost always zero bytes).
 */
const EMPTY = Buffer.alloc(0);
export const REDACTED = Buffer.from('[redacted]');

/** `buf` with every occurrence of `secret` replaced by [redacted] (`buf` itself when none). */
export function maskBytes(buf: Buffer, secret: Buffer): Buffer {
  let at = buf.indexOf(secret);
  if (at < 0) return buf;
  const parts: Buffer[] = [];
  let from = 0;
  while (at >= 0) {
    parts.push(buf.subarray(from, at), REDACTED);
    from = at + secret.length;
    at = buf.indexOf(secret, from);
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

/** How many bytes at the end of `buf` are the start of `secret` (the longest such tail). */
function tailThatStarts(buf: Buffer, secret: Buffer): number {
  for (let k = Math.min(secret.length - 1, buf.length); k > 0; k--) {
    if (buf.compare(secret, 0, k, buf.length - k, buf.length) === 0) return k;
  }
  return 0;
}

export class StreamMask {
  private held: Buffer = EMPTY;

  constructor(private readonly secret: Buffer) {}

  /** The bytes that may go on now (possibly fewer than came in: the rest is held back). */
  push(chunk: Buffer): Buffer {
    const buf = maskBytes(this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk, this.secret);
    const keep = tailThatStarts(buf, this.secret);
    this.held = keep > 0 ? Buffer.from(buf.subarray(buf.length - keep)) : EMPTY;
    return keep > 0 ? buf.subarray(0, buf.length - keep) : buf;
  }

  /** Whatever was held back, at the end of the stream (it was not the key after all). */
  end(): Buffer {
    const rest = this.held;
    this.held = EMPTY;
    return rest;
  }
}
