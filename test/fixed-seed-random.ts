// The tests' deterministic random sources (mulberry32, and xorshift32 for the generators that
// were written with it): generated inputs are the same on every run and every machine.

/** Deterministic PRNG (mulberry32). */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** 0 <= result < n */
  below(n: number): number {
    return this.next() % n;
  }
  byte(): number {
    return this.next() & 0xff;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** The same generator as a plain function returning unsigned 32-bit values. */
export function prng(seed: number): () => number {
  const g = new Prng(seed);
  return () => g.next();
}

/** Deterministic PRNG (xorshift32); seed 0 means 1. */
export class Xorshift32 {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  /** 0 <= result < n */
  below(n: number): number {
    return this.next() % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}
