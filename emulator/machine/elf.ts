// ELF32 little-endian files for the two machines of this emulator (EM_386 guest, EM_MIPS host):
// static executables (ET_EXEC: program headers, PT_LOAD segments, entry) and relocatable
// objects (ET_REL: sections, symbols, relocations — a driver is loaded from one). Every
// structural problem is an ElfError naming the file and what is wrong, never a RangeError.
import { readFileSync } from 'node:fs';

export const EM_386 = 3;
export const EM_MIPS = 8;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;

/** A malformed or unsupported ELF file. The message names the file and the problem. */
export class ElfError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ElfError';
  }
}

export interface ElfProgramHeader {
  index: number;
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number;
  align: number;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export interface ElfSymbol {
  index: number;
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  /** Section header index, or SHN_UNDEF / SHN_ABS / SHN_COMMON. */
  sectionIndex: number;
}

export interface ElfRelocation {
  offset: number;
  type: number;
  symbolIndex: number;
  /** Explicit addend (SHT_RELA); undefined for SHT_REL (the addend is in the target bytes). */
  addend?: number;
}

export interface ElfRelocationSection {
  /** The SHT_REL/SHT_RELA section itself. */
  section: ElfSection;
  /** Index of the section the relocations patch (sh_info). */
  targetSection: number;
  entries: ElfRelocation[];
}

export interface ElfFile {
  file: string;
  bytes: Uint8Array;
  type: number;
  machine: number;
  isa: 'x86' | 'mips';
  flags: number;
  entry: number;
  phoff: number;
  phentsize: number;
  programHeaders: ElfProgramHeader[];
  loadSegments: ElfProgramHeader[];
  sections: ElfSection[];
  symbols: ElfSymbol[];
  relocations: ElfRelocationSection[];
}

export interface ElfParseOptions {
  /** Machines accepted (default: both). */
  machines?: number[];
  /** User address space for ET_EXEC segments (default per machine: i386 below 0xc0000000, MIPS kuseg). */
  userBottom?: number;
  userTop?: number;
}

/** Default user address space of a machine's Linux process. */
export function userAddressSpace(machine: number): { bottom: number; top: number } {
  return machine === EM_MIPS ? { bottom: 0x1000, top: 0x80000000 } : { bottom: 0x1000, top: 0xc0000000 };
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

function machineName(m: number): string {
  const names: Record<number, string> = { 3: 'EM_386', 8: 'EM_MIPS', 62: 'EM_X86_64', 40: 'EM_ARM', 183: 'EM_AARCH64', 243: 'EM_RISCV', 20: 'EM_PPC' };
  return names[m] ?? `machine ${m}`;
}

/** Reads and parses an ELF file from the host filesystem. */
export function readElfFile(path: string, options: ElfParseOptions = {}): ElfFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ElfError(path, `cannot read: ${why}`);
  }
  return parseElf(bytes, path, options);
}

export function parseElf(bytes: Uint8Array, file: string, options: ElfParseOptions = {}): ElfFile {
  const fail = (problem: string): never => { throw new ElfError(file, problem); };
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail('not an ELF file (bad magic number)');
  }
  if (bytes.length < 16) fail(`truncated ELF header (${bytes.length} bytes)`);
  if (bytes[4] === 2) fail('64-bit ELF (ELFCLASS64); only 32-bit ELF files are supported');
  if (bytes[4] !== 1) fail(`invalid ELF class ${bytes[4]}`);
  if (bytes[5] === 2) fail('big-endian ELF (ELFDATA2MSB); only little-endian is supported');
  if (bytes[5] !== 1) fail(`invalid ELF data encoding ${bytes[5]}`);
  if (bytes[6] !== 1) fail(`unsupported ELF version ${bytes[6]}`);
  if (bytes.length < EHDR_SIZE) fail(`truncated ELF header (${bytes.length} of ${EHDR_SIZE} bytes)`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => v.getUint16(o, true);
  const u32 = (o: number) => v.getUint32(o, true);

  const type = u16(16);
  const machine = u16(18);
  const accepted = options.machines ?? [EM_386, EM_MIPS];
  if (!accepted.includes(machine)) {
    fail(`wrong machine ${machineName(machine)}; expected ${accepted.map(machineName).join(' or ')}`);
  }
  if (type === ET_DYN) fail('position-independent executable or shared object (ET_DYN); link with -static -no-pie');
  if (type !== ET_EXEC && type !== ET_REL) fail(`unsupported ELF type ${type} (expected ET_EXEC or ET_REL)`);
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const flags = u32(36);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  const shstrndx = u16(50);

  // Program headers.
  const programHeaders: ElfProgramHeader[] = [];
  if (phnum > 0) {
    if (phentsize !== PHDR_SIZE) fail(`program header entry size ${phentsize} (expected ${PHDR_SIZE})`);
    if (phoff + phnum * PHDR_SIZE > bytes.length) {
      fail(`truncated program headers: ${phnum} entries at offset ${phoff} run past the end of the file (${bytes.length} bytes)`);
    }
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * PHDR_SIZE;
      programHeaders.push({
        index: i, type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), paddr: u32(o + 12),
        filesz: u32(o + 16), memsz: u32(o + 20), flags: u32(o + 24), align: u32(o + 28),
      });
    }
  }

  // Section headers (optional in an executable, required in a relocatable object).
  const sections: ElfSection[] = [];
  const nameOffsets: number[] = [];
  if (shnum > 0 && shoff !== 0) {
    if (shentsize !== SHDR_SIZE) fail(`section header entry size ${shentsize} (expected ${SHDR_SIZE})`);
    if (shoff + shnum * SHDR_SIZE > bytes.length) {
      fail(`truncated section headers: ${shnum} entries at offset ${shoff} run past the end of the file (${bytes.length} bytes)`);
    }
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * SHDR_SIZE;
      const s: ElfSection = {
        index: i, name: '', type: u32(o + 4), flags: u32(o + 8), addr: u32(o + 12), offset: u32(o + 16),
        size: u32(o + 20), link: u32(o + 24), info: u32(o + 28), addralign: u32(o + 32), entsize: u32(o + 36),
      };
      if (s.type !== SHT_NOBITS && s.type !== SHT_NULL && s.offset + s.size > bytes.length) {
        fail(`section ${i}: data [${s.offset}, ${s.offset + s.size}) runs past the end of the file (${bytes.length} bytes)`);
      }
      sections.push(s);
      nameOffsets.push(u32(o));
    }
    const stringAt = (section: ElfSection, offset: number, what: string): string => {
      if (section.type !== SHT_STRTAB) fail(`${what}: section ${section.index} is not a string table`);
      if (offset >= section.size) fail(`${what}: name offset ${offset} outside string table section ${section.index}`);
      let end = section.offset + offset;
      const limit = section.offset + section.size;
      while (end < limit && bytes[end] !== 0) end++;
      return Buffer.from(bytes.subarray(section.offset + offset, end)).toString('latin1');
    };
    if (shstrndx !== 0) {
      if (shstrndx >= shnum) fail(`section name table index ${shstrndx} out of range (${shnum} sections)`);
      const names = sections[shstrndx];
      for (const s of sections) s.name = stringAt(names, nameOffsets[s.index], `section ${s.index} name`);
    }

    const symbols: ElfSymbol[] = [];
    const symtab = sections.find((s) => s.type === SHT_SYMTAB);
    if (symtab) {
      if (symtab.entsize !== 16) fail(`symbol table section ${symtab.index}: entry size ${symtab.entsize} (expected 16)`);
      if (symtab.link >= shnum) fail(`symbol table section ${symtab.index}: string table index ${symtab.link} out of range`);
      const strtab = sections[symtab.link];
      for (let i = 0; i < symtab.size / 16; i++) {
        const o = symtab.offset + i * 16;
        const info = bytes[o + 12];
        const nameOff = u32(o);
        symbols.push({
          index: i, name: nameOff === 0 ? '' : stringAt(strtab, nameOff, `symbol ${i} name`), value: u32(o + 4),
          size: u32(o + 8), type: info & 0xf, bind: info >> 4, sectionIndex: u16(o + 14),
        });
      }
    }
    const relocations: ElfRelocationSection[] = [];
    for (const s of sections) {
      if (s.type !== SHT_REL && s.type !== SHT_RELA) continue;
      const size = s.type === SHT_REL ? 8 : 12;
      if (s.entsize !== size) fail(`relocation section ${s.index} (${s.name}): entry size ${s.entsize} (expected ${size})`);
      if (s.info >= shnum) fail(`relocation section ${s.index} (${s.name}): target section ${s.info} out of range`);
      const entries: ElfRelocation[] = [];
      for (let i = 0; i < s.size / size; i++) {
        const o = s.offset + i * size;
        const info = u32(o + 4);
        const r: ElfRelocation = { offset: u32(o), type: info & 0xff, symbolIndex: info >>> 8 };
        if (s.type === SHT_RELA) r.addend = v.getInt32(o + 8, true);
        if (r.symbolIndex >= symbols.length) fail(`relocation section ${s.index} (${s.name}) entry ${i}: symbol ${r.symbolIndex} out of range`);
        entries.push(r);
      }
      relocations.push({ section: s, targetSection: s.info, entries });
    }
    return finish(symbols, relocations);
  }
  if (type === ET_REL) fail('relocatable object without section headers');
  return finish([], []);

  function finish(symbols: ElfSymbol[], relocations: ElfRelocationSection[]): ElfFile {
    const elf: ElfFile = {
      file, bytes, type, machine, isa: machine === EM_MIPS ? 'mips' : 'x86', flags, entry, phoff, phentsize,
      programHeaders, loadSegments: programHeaders.filter((p) => p.type === PT_LOAD), sections, symbols, relocations,
    };
    if (type === ET_EXEC) validateExecutable(elf, options);
    return elf;
  }
}

/** The checks a loader needs before mapping an ET_EXEC. */
function validateExecutable(elf: ElfFile, options: ElfParseOptions): void {
  const fail = (problem: string): never => { throw new ElfError(elf.file, problem); };
  const space = userAddressSpace(elf.machine);
  const bottom = options.userBottom ?? space.bottom;
  const top = options.userTop ?? space.top;
  if (elf.programHeaders.some((p) => p.type === PT_INTERP || p.type === PT_DYNAMIC)) {
    fail('dynamically linked executable (has PT_INTERP/PT_DYNAMIC); only static executables are supported');
  }
  if (elf.loadSegments.length === 0) fail('no PT_LOAD segment');
  for (const p of elf.loadSegments) {
    const what = `segment ${p.index} (PT_LOAD at ${hex(p.vaddr)})`;
    if (p.offset + p.filesz > elf.bytes.length) {
      fail(`${what}: file data [${p.offset}, ${p.offset + p.filesz}) runs past the end of the file (${elf.bytes.length} bytes)`);
    }
    if (p.filesz > p.memsz) fail(`${what}: file size ${p.filesz} exceeds memory size ${p.memsz}`);
    if (p.memsz === 0) continue;
    if (p.vaddr < bottom || p.vaddr + p.memsz > top) {
      fail(`${what}: [${hex(p.vaddr)}, ${hex(p.vaddr + p.memsz)}) is outside the user address space [${hex(bottom)}, ${hex(top)})`);
    }
    if (p.align > 1 && (p.vaddr - p.offset) % Math.min(p.align, 4096) !== 0) {
      fail(`${what}: address and file offset ${p.offset} are not congruent modulo the page size`);
    }
  }
  const sorted = elf.loadSegments.filter((p) => p.memsz > 0).sort((a, b) => a.vaddr - b.vaddr);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1], b = sorted[i];
    if (a.vaddr + a.memsz > b.vaddr) {
      fail(`segments ${a.index} [${hex(a.vaddr)}, ${hex(a.vaddr + a.memsz)}) and ${b.index} [${hex(b.vaddr)}, ${hex(b.vaddr + b.memsz)}) overlap`);
    }
  }
  const inExec = elf.loadSegments.some((p) => p.flags & PF_X && elf.entry >= p.vaddr && elf.entry < p.vaddr + p.memsz);
  if (!inExec) fail(`entry point ${hex(elf.entry)} is not inside an executable segment`);
}

/** The function or object symbol containing `address` (for the debugger), if any. */
export function symbolAt(elf: ElfFile, address: number): ElfSymbol | undefined {
  let best: ElfSymbol | undefined;
  for (const s of elf.symbols) {
    if ((s.type !== STT_FUNC && s.type !== STT_OBJECT && s.type !== STT_NOTYPE) || s.name === '' || s.sectionIndex === SHN_UNDEF) continue;
    if (s.sectionIndex === SHN_ABS) continue;
    const inside = s.size > 0 ? address >= s.value && address < s.value + s.size : address === s.value;
    if (inside && (!best || s.value > best.value)) best = s;
  }
  return best;
}

/** A defined symbol by name (global first). */
export function symbolByName(elf: ElfFile, name: string): ElfSymbol | undefined {
  let local: ElfSymbol | undefined;
  for (const s of elf.symbols) {
    if (s.name !== name || s.sectionIndex === SHN_UNDEF) continue;
    if (s.bind !== STB_LOCAL) return s;
    local ??= s;
  }
  return local;
}
