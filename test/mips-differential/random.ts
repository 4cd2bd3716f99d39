// A small fixed-seed PRNG (the shared xorshift32 of test/fixed-seed-random.ts) so that generated
// programs never change unless the generator does; below() scales rather than takes a remainder.
import { Xorshift32 } from '../fixed-seed-random';

export class Random {
  private readonly source: Xorshift32;

  constructor(seed: number) {
    this.source = new Xorshift32(seed >>> 0 || 0x9e3779b9);
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    return this.source.next();
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 0x100000000) * n);
  }

  /** Integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }
}
