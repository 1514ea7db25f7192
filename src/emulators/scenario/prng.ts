/**
 * A small seeded PRNG (mulberry32) and the distributions the scenario engine draws from.
 * The engine MUST take every random number from here (never `Math.random`), so a scenario
 * with the same seed replays identically.
 */
export class Prng {
  private _state: number;

  constructor(seed: number) {
    // Mix the seed so that 0, 1, 2 ... give unrelated streams.
    this._state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this._state = (this._state + 0x6d2b79f5) >>> 0;
    let t = this._state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Exponential with the given mean (inter-arrival times of a Poisson process). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Lognormal with the given median and shape sigma: median · e^(sigma·Z). */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** `n` random lowercase hex digits. */
  hex(n: number): string {
    let out = '';
    while (out.length < n) out += Math.floor(this.next() * 0x10000).toString(16).padStart(4, '0');
    return out.slice(0, n);
  }

  /** A random RFC 4122 v4-shaped UUID. */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** An independent child stream (so adding a job does not shift another job's draws). */
  fork(salt: number): Prng {
    return new Prng((Math.floor(this.next() * 0xffffffff) ^ Math.imul(salt + 1, 0x27d4eb2d)) >>> 0);
  }
}

/** FNV-1a hash of a string, for deriving per-name seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
