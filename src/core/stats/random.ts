/**
 * The bootstrap's random stream: xoshiro128** (Blackman & Vigna) seeded through SplitMix32, all in
 * 32-bit integer arithmetic so that a few lines of Python reproduce it bit for bit (the tests do).
 *
 *   splitmix32: state += 0x9e3779b9; z = state; z ^= z >>> 16; z *= 0x21f0aaad;
 *               z ^= z >>> 15; z *= 0x735a2d97; z ^= z >>> 15            (mod 2^32)
 *   seeding:    the four xoshiro words are four successive splitmix32 outputs from the seed
 *   row index:  floor(next() × n / 2^32), next() the 32-bit output, computed exactly
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let state = seed >>> 0;
    const split = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
  }

  /**
   * n draws of floor(next() × n / 2^32) counted into counts (n ≤ 2^21), the state in locals: the
   * same stream as next(), at about half its cost per draw.
   */
  fillCounts(counts: Uint8Array): void {
    const n = counts.length;
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let k = 0; k < n; k++) {
      const x = Math.imul(s1, 5);
      const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      counts[Math.floor((result * n) / 4294967296)]!++;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** The next 32-bit output, as an unsigned integer. */
  next(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }
}

/** Beyond this many rows next() × n no longer fits a double's 53 bits and is split in two. */
const EXACT_ROWS = 2 ** 21;

/**
 * One bootstrap resample as counts: n row indices drawn with replacement, counts[i] = how often
 * row i was drawn (the resample's multinomial weights, so no resampled copy is materialised).
 * Bytes keep the counts cache-resident: a count is at most n, and above 255 rows a count over 255
 * has probability below n / 256! (about 10^-500), so it never wraps in practice.
 */
export function drawCounts(random: Xoshiro128, counts: Uint8Array): void {
  const n = counts.length;
  counts.fill(0);
  if (n <= EXACT_ROWS) {
    random.fillCounts(counts);
    return;
  }
  for (let k = 0; k < n; k++) {
    const r = random.next();
    const high = (r >>> 16) * n;
    const low = Math.floor(((r & 0xffff) * n) / 65536);
    counts[Math.floor((high + low) / 65536)]!++;
  }
}
