// Where the host kernel puts a driver object's sections (workloads/kernel/module.c, module_load):
// allocated PROGBITS/NOBITS sections in section order, each at its alignment, from the module
// cursor. A native mipsel driver: all of them from the first module address. An i386 driver (the
// kernel-space translator's data array): code sections first from a page boundary, then the others
// from the next page. The debugger needs it to turn the driver's symbols into run-time addresses
// (host addresses for a native driver, guest eips for a translated one: the same numbers).

import type { ElfFile } from '../machine/elf';

const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;
const SHT_PROGBITS = 1;
const SHT_NOBITS = 8;
const PAGE = 4096;

export interface DriverLayout {
  /** Load address of each section by index (0: not loaded). */
  sectionAddress: number[];
  base: number;
  end: number;
  /** i386: the code pages [textStart, textEnd). */
  textStart: number;
  textEnd: number;
}

export function driverLayout(elf: ElfFile, moduleCursor: number, translated: boolean): DriverLayout {
  const sectionAddress = elf.sections.map(() => 0);
  let cursor = moduleCursor >>> 0;
  const place = (which: 'code' | 'data' | 'all'): void => {
    for (const sh of elf.sections) {
      if (!(sh.flags & SHF_ALLOC) || (sh.type !== SHT_PROGBITS && sh.type !== SHT_NOBITS)) continue;
      const code = (sh.flags & SHF_EXECINSTR) !== 0;
      if (which !== 'all' && code !== (which === 'code')) continue;
      const align = sh.addralign > 0 ? sh.addralign : 1;
      const at = Math.ceil(cursor / align) * align;
      sectionAddress[sh.index] = at >>> 0;
      cursor = at + sh.size;
    }
  };
  const pageAlign = (): void => {
    cursor = Math.ceil(cursor / PAGE) * PAGE;
  };
  if (translated) {
    pageAlign();
    const textStart = cursor;
    place('code');
    const textEnd = cursor;
    pageAlign();
    place('data');
    return { sectionAddress, base: textStart, end: cursor, textStart, textEnd };
  }
  const base = cursor;
  place('all');
  return { sectionAddress, base, end: cursor, textStart: 0, textEnd: 0 };
}

/** Run-time address of a defined symbol of the driver, or undefined. */
export function driverSymbolAddress(elf: ElfFile, layout: DriverLayout, name: string): number | undefined {
  for (const s of elf.symbols) {
    if (s.name !== name || s.sectionIndex <= 0 || s.sectionIndex >= layout.sectionAddress.length) continue;
    const at = layout.sectionAddress[s.sectionIndex];
    if (at !== 0) return (at + s.value) >>> 0;
  }
  return undefined;
}

/** The driver symbol containing a run-time address, as "name" or "name+off". */
export function driverSymbolAt(elf: ElfFile, layout: DriverLayout, address: number): string | undefined {
  let best: { name: string; at: number } | undefined;
  for (const s of elf.symbols) {
    if (s.name === '' || s.sectionIndex <= 0 || s.sectionIndex >= layout.sectionAddress.length || (s.type !== 2 && s.type !== 0)) continue;
    const base = layout.sectionAddress[s.sectionIndex];
    if (base === 0) continue;
    const at = (base + s.value) >>> 0;
    if (at > address || (s.size > 0 && address >= at + s.size)) continue;
    if (s.type !== 2) continue; // functions only
    if (best === undefined || at > best.at) best = { name: s.name, at };
  }
  if (best === undefined) return undefined;
  return best.at === address ? best.name : `${best.name}+${address - best.at}`;
}
