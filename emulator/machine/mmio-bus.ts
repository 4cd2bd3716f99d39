// The MMIO bus: devices claim physical address ranges outside RAM. The CPU reaches it on the
// slow path of a load or store (and the block it runs in ends after a store, so that an interrupt
// a device raises is seen at the next instruction boundary).

export interface MmioDevice {
  readonly name: string;
  /** `offset` is relative to the device's base; `size` is 1, 2 or 4; returns the value zero-extended. */
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

interface Mapping {
  readonly base: number;
  readonly end: number; // exclusive
  readonly device: MmioDevice;
}

export class MmioBus {
  private mappings: Mapping[] = [];

  attach(base: number, size: number, device: MmioDevice): void {
    const end = base + size;
    if (!Number.isInteger(base) || !Number.isInteger(size) || base < 0 || size <= 0 || end > 0x100000000) {
      throw new Error(`device ${device.name}: bad MMIO range 0x${base.toString(16)}+0x${size.toString(16)}`);
    }
    for (const m of this.mappings) {
      if (base < m.end && m.base < end) throw new Error(`device ${device.name} at 0x${base.toString(16)} overlaps ${m.device.name} at 0x${m.base.toString(16)}`);
    }
    this.mappings.push({ base, end, device });
  }

  /** The device at a physical address (and the address relative to its base), or null. */
  find(address: number): { device: MmioDevice; offset: number } | null {
    for (const m of this.mappings) if (address >= m.base && address < m.end) return { device: m.device, offset: address - m.base };
    return null;
  }

  devices(): { base: number; size: number; device: MmioDevice }[] {
    return this.mappings.map((m) => ({ base: m.base, size: m.end - m.base, device: m.device }));
  }
}
