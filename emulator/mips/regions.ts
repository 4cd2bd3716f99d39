// Attributes executed instructions to regions of code (kernel, driver, translated code, glue, ...).
// Regions are address ranges of the virtual PC. Counting is per block execution: a compiled block
// never spans two regions, so one addition per block keeps the counts exact.

export interface RegionSpan {
  readonly id: number;
  /** Unsigned bounds of the range (or of the gap between ranges) that contains the address. */
  readonly start: number;
  readonly end: number; // exclusive, up to 2^32
}

interface Range {
  start: number;
  end: number;
  id: number;
}

export class RegionMap {
  /** Region names by id; id 0 is every address no region claims. */
  readonly names: string[] = ['other'];
  /** Instructions executed per region id. */
  counts = new Float64Array(8);
  /** Changes whenever ranges change, so that compiled blocks made under older ranges are dropped. */
  version = 0;
  private ranges: Range[] = [];

  /** Adds [start, end) to the region `name` (created on first use); ranges may not overlap. Returns the id. */
  add(name: string, start: number, end: number): number {
    start >>>= 0;
    end = end === 0x100000000 ? end : end >>> 0;
    if (end <= start) throw new Error(`region ${name}: empty or reversed range 0x${start.toString(16)}-0x${end.toString(16)}`);
    for (const r of this.ranges) {
      if (start < r.end && r.start < end) throw new Error(`region ${name} 0x${start.toString(16)}-0x${end.toString(16)} overlaps ${this.names[r.id]}`);
    }
    let id = this.names.indexOf(name);
    if (id < 0) {
      id = this.names.length;
      this.names.push(name);
      if (id >= this.counts.length) {
        const grown = new Float64Array(this.counts.length * 2);
        grown.set(this.counts);
        this.counts = grown;
      }
    }
    this.ranges.push({ start, end, id });
    this.ranges.sort((a, b) => a.start - b.start);
    this.version++;
    return id;
  }

  clear(): void {
    this.ranges = [];
    this.names.length = 1;
    this.counts = new Float64Array(8);
    this.version++;
  }

  resetCounts(): void {
    this.counts.fill(0);
  }

  /** The region span containing an address. */
  lookup(address: number): RegionSpan {
    const a = address >>> 0;
    let start = 0;
    for (const r of this.ranges) {
      if (a < r.start) return { id: 0, start, end: r.start };
      if (a < r.end) return { id: r.id, start: r.start, end: r.end };
      start = r.end;
    }
    return { id: 0, start, end: 0x100000000 };
  }

  /** Counts by region name. */
  report(): Record<string, number> {
    const out: Record<string, number> = {};
    this.names.forEach((n, i) => (out[n] = this.counts[i]));
    return out;
  }
}
