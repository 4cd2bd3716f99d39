// Starting a static Linux executable, as execve does for either ABI: map the PT_LOAD segments
// with their protections (bss zeroed), map the stack, write argc/argv/envp/auxv and the
// strings they point to, set the program break after the highest segment. Everything is
// deterministic: fixed stack top, no randomization, AT_RANDOM from a fixed-seed generator.
import { PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, type PagedMemory } from '../machine/paged-memory';
import { ElfError, PF_R, PF_W, PF_X, PT_PHDR, type ElfFile } from '../machine/elf';
import type { LinuxAbi } from './abi';
import { GROUP_ID, LinuxProcess, USER_ID, type LinuxProcessOptions } from './process';

export const AT_NULL = 0;
export const AT_PHDR = 3;
export const AT_PHENT = 4;
export const AT_PHNUM = 5;
export const AT_PAGESZ = 6;
export const AT_BASE = 7;
export const AT_FLAGS = 8;
export const AT_ENTRY = 9;
export const AT_UID = 11;
export const AT_EUID = 12;
export const AT_GID = 13;
export const AT_EGID = 14;
export const AT_PLATFORM = 15;
export const AT_HWCAP = 16;
export const AT_CLKTCK = 17;
export const AT_SECURE = 23;
export const AT_RANDOM = 25;
export const AT_HWCAP2 = 26;
export const AT_EXECFN = 31;

/** The environment a program gets unless the caller gives one: fixed, not the host's. */
// TZ is a POSIX rule, not a zone file name, so local time never depends on the host's /etc/localtime.
export const DEFAULT_ENVIRONMENT: readonly string[] = ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/', 'LANG=C', 'TZ=UTC0'];

export interface LoadedImage {
  /** First address after the highest segment, page-aligned: the initial program break. */
  brkStart: number;
  /** Where the program headers are in guest memory (AT_PHDR). */
  phdrAddress: number;
}

function protectionOf(flags: number): number {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/** Maps an executable's PT_LOAD segments. Pages shared by two segments get both protections. */
export function loadImage(elf: ElfFile, memory: PagedMemory): LoadedImage {
  const pageProtection = new Map<number, number>();
  let end = 0;
  for (const p of elf.loadSegments) {
    if (p.memsz === 0) continue;
    for (let pn = p.vaddr >>> PAGE_SHIFT; pn <= (p.vaddr + p.memsz - 1) >>> PAGE_SHIFT; pn++) {
      pageProtection.set(pn, (pageProtection.get(pn) ?? 0) | protectionOf(p.flags));
    }
    end = Math.max(end, p.vaddr + p.memsz);
  }
  for (const [pn, prot] of pageProtection) memory.map(pn << PAGE_SHIFT >>> 0, PAGE_SIZE, prot);
  for (const p of elf.loadSegments) {
    if (p.filesz > 0) memory.poke(p.vaddr, elf.bytes.subarray(p.offset, p.offset + p.filesz));
  }
  const phdr = elf.programHeaders.find((p) => p.type === PT_PHDR);
  let phdrAddress = phdr ? phdr.vaddr : 0;
  if (!phdr) {
    const size = elf.programHeaders.length * elf.phentsize;
    const holder = elf.loadSegments.find((p) => elf.phoff >= p.offset && elf.phoff + size <= p.offset + p.filesz);
    if (holder) phdrAddress = holder.vaddr + (elf.phoff - holder.offset);
  }
  return { brkStart: (end + PAGE_MASK) & ~PAGE_MASK, phdrAddress };
}

export interface InitialStackInput {
  abi: LinuxAbi;
  memory: PagedMemory;
  elf: ElfFile;
  phdrAddress: number;
  argv: string[];
  envp: readonly string[];
  /** 16 bytes for AT_RANDOM. */
  randomBytes: Uint8Array;
}

/** Maps the stack and writes the process's initial stack; returns the initial stack pointer (at argc). */
export function buildInitialStack(input: InitialStackInput): number {
  const { abi, memory, elf } = input;
  const bottom = abi.stackTop - abi.stackSize;
  if (!memory.isFree(bottom, abi.stackSize)) {
    throw new ElfError(elf.file, `a segment overlaps the stack area [0x${bottom.toString(16)}, 0x${abi.stackTop.toString(16)})`);
  }
  memory.map(bottom, abi.stackSize, PROT_READ | PROT_WRITE);
  let sp = abi.stackTop - 16; // a zero guard word at the very top, as Linux leaves
  const pushBytes = (bytes: Uint8Array): number => {
    sp -= bytes.length;
    memory.writeBytes(sp, bytes);
    return sp;
  };
  const pushString = (s: string) => pushBytes(Buffer.from(s + '\0', 'utf8'));
  const execfn = pushString(input.argv[0] ?? '');
  const envAddresses = input.envp.map(pushString);
  const argAddresses = input.argv.map(pushString);
  const platform = abi.platform !== null ? pushString(abi.platform) : 0;
  sp &= ~15;
  const random = pushBytes(input.randomBytes.subarray(0, 16));
  const auxv: [number, number][] = [
    [AT_HWCAP, abi.hwcap], [AT_PAGESZ, PAGE_SIZE], [AT_CLKTCK, 100], [AT_PHDR, input.phdrAddress],
    [AT_PHENT, elf.phentsize], [AT_PHNUM, elf.programHeaders.length], [AT_BASE, 0], [AT_FLAGS, 0],
    [AT_ENTRY, elf.entry], [AT_UID, USER_ID], [AT_EUID, USER_ID], [AT_GID, GROUP_ID], [AT_EGID, GROUP_ID],
    [AT_SECURE, 0], [AT_RANDOM, random],
  ];
  if (abi.name === 'i386') auxv.push([AT_HWCAP2, 0]);
  auxv.push([AT_EXECFN, execfn]);
  if (platform !== 0) auxv.push([AT_PLATFORM, platform]);
  auxv.push([AT_NULL, 0]);
  const words: number[] = [input.argv.length, ...argAddresses, 0, ...envAddresses, 0];
  for (const [k, v] of auxv) words.push(k, v);
  sp -= words.length * 4;
  sp &= ~15;
  const table = new Uint8Array(words.length * 4);
  const view = new DataView(table.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  memory.writeBytes(sp, table);
  return sp >>> 0;
}

export interface StartOptions extends Omit<LinuxProcessOptions, 'abi' | 'memory' | 'brkStart' | 'executable'> {
  abi: LinuxAbi;
  elf: ElfFile;
  memory: PagedMemory;
  /** argv[0] first. */
  argv: string[];
  envp?: readonly string[];
}

export interface StartedProgram {
  process: LinuxProcess;
  entry: number;
  stackPointer: number;
  image: LoadedImage;
}

/** execve for a static executable: image, stack, and the Linux process state, ready to run at `entry`. */
export function startProgram(options: StartOptions): StartedProgram {
  const { abi, elf, memory } = options;
  if (elf.machine !== abi.elfMachine) {
    throw new ElfError(elf.file, `wrong machine for the ${abi.name} ABI (e_machine ${elf.machine}, expected ${abi.elfMachine})`);
  }
  const image = loadImage(elf, memory);
  const process = new LinuxProcess({ ...options, abi, memory, executable: elf.file, brkStart: image.brkStart });
  const stackPointer = buildInitialStack({
    abi, memory, elf, phdrAddress: image.phdrAddress, argv: options.argv, envp: options.envp ?? DEFAULT_ENVIRONMENT,
    randomBytes: process.random.bytes(16),
  });
  return { process, entry: elf.entry, stackPointer, image };
}
