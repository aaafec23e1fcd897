import { describe, expect, it } from 'vitest';
import { maskBytes, StreamMask } from '../../src/gateway/secret-mask.ts';

const KEY = Buffer.from('sk-live-abcabcabd');

describe('masking the provider key in answers', () => {
  it('replaces every occurrence in one buffer, and returns the same buffer when there is none', () => {
    const clean = Buffer.from('nothing to see');
    expect(maskBytes(clean, KEY)).toBe(clean);
    expect(maskBytes(Buffer.from(`a ${KEY} b ${KEY}${KEY}`), KEY).toString()).toBe('a [redacted] b [redacted][redacted]');
  });

  it('a stream cut at every possible pair of places gives what masking the whole would', () => {
    // Self-overlapping prefixes (abcabcabd) and near misses (sk-live-abcabcab!) are the hard cases.
    const text = `x sk-live-abcabcab! ${KEY} sk-live-abc${KEY}sk-li`;
    const want = maskBytes(Buffer.from(text), KEY).toString();
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j += 3) {
        const m = new StreamMask(KEY);
        const out = [text.slice(0, i), text.slice(i, j), text.slice(j)].map((p) => m.push(Buffer.from(p)).toString()).join('') + m.end().toString();
        expect(out, `cut at ${i}, ${j}`).toBe(want);
      }
    }
  });

  it('holds back nothing when a chunk cannot be the start of the key', () => {
    const m = new StreamMask(KEY);
    expect(m.push(Buffer.from('data: {"content":"hello"}\n\n')).toString()).toBe('data: {"content":"hello"}\n\n');
    expect(m.end().length).toBe(0);
  });
});
