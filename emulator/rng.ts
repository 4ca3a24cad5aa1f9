import { createHash } from 'node:crypto';

// Seeded PRNG (mulberry32): fault rates and latency samples must repeat run after run.
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic pseudo-random characters from a key: IDs look like AWS's but repeat across runs. */
export function hashChars(key: string, length: number, alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'): string {
  let out = '';
  let round = 0;
  while (out.length < length) {
    const digest = createHash('sha256').update(`${key}#${round++}`).digest();
    for (const byte of digest) {
      if (out.length >= length) break;
      out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}
