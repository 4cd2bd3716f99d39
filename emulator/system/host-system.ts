// A whole simulated host: the MIPS machine (RAM, console, timer), the graphics device, the host
// kernel (workloads/kernel/kernel.mipsel) and its boot image, run until the kernel powers off.
//
// Physical memory map (RAM 64 MiB; the kernel learns all of it from the boot-info block):
//   0x00000800  boot-info block (struct boot_info in workloads/kernel/kernel.h)
//   0x00001000  kernel image (linked at kseg0 0x80001000), then its heap up to 0x00800000
//   0x00800000  module area, 1 MiB: loaded driver modules (region "driver")
//   0x00900000  kernel command line
//   0x01000000  boot archive, up to 16 MiB: the RAM filesystem's files
//   0x02000000  user window, 28 MiB, seen by processes at kuseg 0x00400000 (region "app")
//   0x03c00000  VRAM, 4 MiB (the graphics device scans out of RAM)
//   0x1e000000  graphics device registers (4 KiB, vsync interrupt on line 2 = IP4);
//               console 0x1f000000, timer 0x1f000100
// Simulated clock: 100 MHz (cycles = instructions + idle cycles); vsync every 1,666,667 cycles
// (60 Hz, rounded up). Power-off: `sdbbp 0x4b0` with a0 = exit status, a1 = 1 after a kernel panic.
import { MipsMachine, CONSOLE_BASE, TIMER_BASE, GRAPHICS_BASE } from '../machine/machine';
import { parseElf, ElfError, EM_MIPS, ET_EXEC, ET_REL, PT_LOAD, symbolByName, type ElfFile } from '../machine/elf';
import { GraphicsDevice, GFX_REGS_SIZE, type DisplayedFrame } from '../machine/graphics-device';

export const RAM_SIZE = 64 * 1024 * 1024;
export const BOOT_INFO_PHYS = 0x800;
export const HEAP_LIMIT_PHYS = 0x00800000;
export const MODULE_PHYS = 0x00800000;
export const MODULE_SIZE = 0x00100000;
export const CMDLINE_PHYS = 0x00900000;
export const CMDLINE_MAX = 1024;
export const ARCHIVE_PHYS = 0x01000000;
export const ARCHIVE_MAX = 0x01000000;
export const USER_PHYS = 0x02000000;
export const USER_SIZE = 0x01c00000;
export const USER_VBASE = 0x00400000;
export const VRAM_PHYS = 0x03c00000;
export const VRAM_SIZE = 0x00400000;
export const GFX_REGS_PHYS = GRAPHICS_BASE;
export const CLOCK_HZ = 100_000_000;
export const CYCLES_PER_VSYNC = Math.ceil(CLOCK_HZ / 60);
export const HYPERCALL_SHUTDOWN = 0x4b0;
/** Interrupt line of the graphics device's vsync interrupt (Cause.IP4; the kernel polls and never enables it). */
export const GRAPHICS_LINE = 2;
const KSEG0 = 0x80000000;
const BOOT_INFO_MAGIC = 0x49424b55; // "UKBI"
const ARCHIVE_MAGIC = 0x52414b55; // "UKAR"
const ARCHIVE_ENTRY_SIZE = 64;
const ARCHIVE_NAME_MAX = 48;

/** A problem with what the system was given (kernel image, files, command line): a clear message. */
export class SystemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SystemError';
  }
}

export interface BootFile {
  /** Name in the RAM filesystem's root (no '/'), e.g. "player". */
  name: string;
  bytes: Uint8Array;
}

export interface HostSystemOptions {
  kernel: Uint8Array;
  kernelPath?: string;
  files: BootFile[];
  /** Kernel command line, e.g. "driver=/gfx_driver.o -- /player -b /video.y4m". */
  cmdline: string;
  /** false: no graphics device at all (gfx_device_base() returns NULL). */
  graphics?: boolean;
  /** ID register value of the graphics device (a wrong one makes the driver's probe fail). */
  graphicsId?: number;
  blockCompiler?: boolean;
  /** Console bytes as they come (default: only collected). */
  onConsole?: (bytes: Uint8Array) => void;
  /** BOOT_UKCF_* bits for the boot-info block: which translators the caller attaches (default none). */
  ukcf?: number;
  /** Count the kernel's instructions per function too (HostRunResult.kernelFunctions); counts stay exact. */
  kernelProfile?: boolean;
}

/** boot_info.ukcf bit: the user-space translator answers the UKCF_USER_* hypercalls (workloads/kernel/kernel.h). */
export const BOOT_UKCF_USER = 1;

export interface RegionCounts {
  kernel: number;
  driver: number;
  app: number;
  other: number;
}

export interface HostRunResult {
  /** Exit status the kernel powered off with. */
  status: number;
  panicked: boolean;
  console: string;
  displayed: DisplayedFrame[];
  counts: RegionCounts;
  /** Every region's count by name (the four above plus those translators add, e.g. ukcf-app, ukcf-dispatch). */
  regions: Record<string, number>;
  instructions: number;
  cycles: number;
  graphicsRegisterReads: number;
  graphicsRegisterWrites: number;
  /** With kernelProfile: the kernel's instructions per function (code after a label up to the next), summing to counts.kernel. */
  kernelFunctions?: Record<string, number>;
}

const KERNEL_FUNCTION = 'kernel:';

export interface KernelExport {
  name: string;
  address: number;
  argCount: number;
}

export class HostSystem {
  readonly machine: MipsMachine;
  readonly graphics: GraphicsDevice | null;
  readonly kernelElf: ElfFile;
  private readonly consoleBytes: number[] = [];
  private shutdown: { status: number; panicked: boolean } | null = null;
  private failure: string | null = null;
  private readonly breakpointHandlers = new Map<number, () => void>();
  /** The breakpoint arrival last handled: (pc, instruction count). */
  private handledPc = -1;
  private handledAt = -1;
  private readonly ukcfFlags: number;

  constructor(options: HostSystemOptions) {
    const kernelPath = options.kernelPath ?? 'kernel';
    this.ukcfFlags = options.ukcf ?? 0;
    this.kernelElf = parseElf(options.kernel, kernelPath, { machines: [EM_MIPS], userBottom: KSEG0, userTop: KSEG0 + HEAP_LIMIT_PHYS });
    if (this.kernelElf.type !== ET_EXEC) throw new SystemError(`${kernelPath}: not an executable kernel image`);
    this.machine = new MipsMachine({ ramSize: RAM_SIZE, blockCompiler: options.blockCompiler ?? true });
    const m = this.machine;
    if (options.graphics === false) {
      this.graphics = null;
    } else {
      const gfx: GraphicsDevice = new GraphicsDevice(
        {
          ram: m.ram, vramBase: VRAM_PHYS, vramSize: VRAM_SIZE, cyclesPerFrame: CYCLES_PER_VSYNC, idValue: options.graphicsId,
          setInterrupt: (on) => m.cpu.setInterruptLine(GRAPHICS_LINE, on),
        },
        { now: () => m.cpu.cycles, schedule: (at, handler) => m.schedule(gfx, at, handler) },
      );
      this.graphics = gfx;
      gfx.start();
      m.attach(GFX_REGS_PHYS, GFX_REGS_SIZE, gfx);
    }
    const onConsole = options.onConsole;
    m.console.onOutput = (b) => {
      this.consoleBytes.push(b);
      onConsole?.(Uint8Array.of(b));
    };
    m.hypercalls.set(HYPERCALL_SHUTDOWN, (cpu) => {
      this.shutdown = { status: cpu.regs[4] | 0, panicked: cpu.regs[5] !== 0 };
      cpu.requestStop('shutdown');
    });
    this.loadKernel(kernelPath);
    const archive = buildArchive(options.files);
    m.loadPhysical(ARCHIVE_PHYS, archive);
    const cmd = Buffer.from(options.cmdline + '\0', 'latin1');
    if (cmd.length > CMDLINE_MAX) throw new SystemError(`kernel command line longer than ${CMDLINE_MAX - 1} bytes`);
    m.loadPhysical(CMDLINE_PHYS, cmd);
    m.loadPhysical(BOOT_INFO_PHYS, this.bootInfo(archive.length));
    const text = this.kernelElf.sections.find((s) => s.name === '.text');
    if (!text) throw new SystemError(`${kernelPath}: no .text section`);
    if (options.kernelProfile === true) {
      // One region per function/label of .text (each up to the next symbol), named kernel:NAME.
      const starts = new Map<number, string>();
      for (const sym of this.kernelElf.symbols) {
        if ((sym.type === 0 || sym.type === 2) && sym.name !== '' && !sym.name.startsWith('$') && sym.value >= text.addr && sym.value < text.addr + text.size && !starts.has(sym.value)) starts.set(sym.value, sym.name);
      }
      if (!starts.has(text.addr)) starts.set(text.addr, '(start of .text)');
      const sorted = [...starts.keys()].sort((a, b) => a - b);
      sorted.forEach((a, i) => m.cpu.regions.add(KERNEL_FUNCTION + starts.get(a), a, i + 1 < sorted.length ? sorted[i + 1] : text.addr + text.size));
    } else m.cpu.regions.add('kernel', text.addr, text.addr + text.size);
    m.cpu.regions.add('driver', KSEG0 + MODULE_PHYS, KSEG0 + MODULE_PHYS + MODULE_SIZE);
    m.cpu.regions.add('app', USER_VBASE, USER_VBASE + USER_SIZE);
    m.cpu.pc = this.kernelElf.entry;
  }

  private loadKernel(path: string): void {
    for (const seg of this.kernelElf.loadSegments) {
      if (seg.type !== PT_LOAD) continue;
      const phys = seg.vaddr - KSEG0;
      if (seg.vaddr < KSEG0 + 0x1000 || phys + seg.memsz > HEAP_LIMIT_PHYS) {
        throw new SystemError(`${path}: segment at 0x${seg.vaddr.toString(16)} is outside the kernel's area (kseg0 0x80001000-0x${(KSEG0 + HEAP_LIMIT_PHYS).toString(16)})`);
      }
      this.machine.loadPhysical(phys, this.kernelElf.bytes.subarray(seg.offset, seg.offset + seg.filesz));
      this.machine.loadPhysical(phys + seg.filesz, new Uint8Array(seg.memsz - seg.filesz));
    }
  }

  private bootInfo(archiveSize: number): Uint8Array {
    const words = [
      BOOT_INFO_MAGIC, 1, RAM_SIZE, HEAP_LIMIT_PHYS, MODULE_PHYS, MODULE_SIZE, ARCHIVE_PHYS, archiveSize,
      USER_PHYS, USER_SIZE, USER_VBASE, CMDLINE_PHYS, this.graphics ? GFX_REGS_PHYS : 0, TIMER_BASE, CONSOLE_BASE, CLOCK_HZ,
      this.ukcfFlags,
    ];
    const b = new Uint8Array(words.length * 4);
    const v = new DataView(b.buffer);
    words.forEach((w, i) => v.setUint32(4 * i, w >>> 0, true));
    return b;
  }

  /**
   * Ends the run: run() throws SystemError(message) as soon as the CPU stops (a hypercall or
   * breakpoint handler calls this when the simulated system cannot go on correctly, e.g. an
   * instruction the translator cannot translate yet). The first message wins.
   */
  abort(message: string): void {
    if (this.failure === null) this.failure = message;
    this.machine.cpu.requestStop('aborted');
  }

  /**
   * Calls `handler` each time the CPU is about to execute `pc` (a virtual address of the current
   * mapping); costs no instruction. Exact: also when a run resumes right at `pc`.
   */
  onBreakpoint(pc: number, handler: () => void): void {
    this.breakpointHandlers.set(pc >>> 0, handler);
    this.machine.cpu.addBreakpoint(pc >>> 0);
  }

  offBreakpoint(pc: number): void {
    if (this.breakpointHandlers.delete(pc >>> 0)) this.machine.cpu.removeBreakpoint(pc >>> 0);
  }

  /** Runs the handler of a breakpoint at the current pc unless it already ran for this arrival. */
  private breakpointArrival(): void {
    const cpu = this.machine.cpu;
    const pc = cpu.pc >>> 0;
    const handler = this.breakpointHandlers.get(pc);
    if (handler === undefined || (this.handledPc === pc && this.handledAt === cpu.instructionCount)) return;
    this.handledPc = pc;
    this.handledAt = cpu.instructionCount;
    handler();
  }

  /** For a caller running the CPU itself (the debugger's session): the onBreakpoint handler of `pc`, if any. */
  breakpointHandler(pc: number): (() => void) | undefined {
    return this.breakpointHandlers.get(pc >>> 0);
  }

  /** For a caller running the CPU itself: the power-off (status, panic) once the kernel has powered off, else null. */
  get powerOff(): { status: number; panicked: boolean } | null {
    return this.shutdown;
  }

  /** For a caller running the CPU itself: the message of abort(), once a handler has aborted the run, else null. */
  get abortMessage(): string | null {
    return this.failure;
  }

  /** Kernel virtual address of a symbol of the kernel image (functions and labels), or a SystemError. */
  kernelSymbol(name: string): number {
    const s = symbolByName(this.kernelElf, name);
    if (!s) throw new SystemError(`kernel image has no symbol '${name}'`);
    return s.value >>> 0;
  }

  /**
   * Runs until the kernel powers off. Throws SystemError when it hangs, or exceeds the instruction
   * budget or `maxSeconds` of simulated time (sleeping costs no instructions, so both are needed).
   */
  run(maxInstructions = 20_000_000_000, maxSeconds = 3600): HostRunResult {
    const cpu = this.machine.cpu;
    let timeUp = false;
    const limit = { name: 'simulated time limit', read: () => 0, write: () => undefined };
    this.machine.schedule(limit, Math.floor(maxSeconds * CLOCK_HZ), () => {
      timeUp = true;
      cpu.requestStop('simulated time limit');
    });
    while (this.shutdown === null) {
      if (timeUp) throw new SystemError(`simulated time limit of ${maxSeconds} s reached at pc 0x${(cpu.pc >>> 0).toString(16)} (console so far:\n${this.console()})`);
      const left = maxInstructions - cpu.instructionCount;
      if (left <= 0) throw new SystemError(`instruction budget of ${maxInstructions} exhausted at pc 0x${(cpu.pc >>> 0).toString(16)} (console so far:\n${this.console()})`);
      // run() does not stop at a breakpoint on the pc it starts from: a handler there runs now.
      if (this.breakpointHandlers.size !== 0) {
        this.breakpointArrival();
        if (this.failure !== null) throw new SystemError(this.failure);
      }
      const stop = cpu.run(Math.min(left, 50_000_000));
      if (this.failure !== null) throw new SystemError(this.failure);
      if (stop.kind === 'breakpoint') {
        this.breakpointArrival();
        if (this.failure !== null) throw new SystemError(this.failure);
        continue;
      }
      if (stop.kind === 'idle') throw new SystemError(`the machine went idle with nothing to wake it (pc 0x${(cpu.pc >>> 0).toString(16)})`);
      if (stop.kind === 'exception') throw new SystemError(`unexpected ${stop.name} exception reported to the host at pc 0x${stop.pc.toString(16)}`);
    }
    this.machine.schedule(limit, Infinity, () => undefined);
    const report = cpu.regions.report();
    let kernelFunctions: Record<string, number> | undefined;
    if (Object.keys(report).some((name) => name.startsWith(KERNEL_FUNCTION))) {
      kernelFunctions = {};
      let kernel = 0;
      for (const [name, n] of Object.entries(report)) {
        if (!name.startsWith(KERNEL_FUNCTION)) continue;
        delete report[name];
        kernel += n;
        if (n > 0) kernelFunctions[name.slice(KERNEL_FUNCTION.length)] = n;
      }
      report.kernel = kernel;
    }
    const counts: RegionCounts = { kernel: report.kernel ?? 0, driver: report.driver ?? 0, app: report.app ?? 0, other: report.other ?? 0 };
    return {
      status: this.shutdown.status,
      panicked: this.shutdown.panicked,
      console: this.console(),
      displayed: this.graphics ? [...this.graphics.displayed] : [],
      counts,
      regions: report,
      instructions: cpu.instructionCount,
      cycles: cpu.cycles,
      graphicsRegisterReads: this.graphics?.registerReads ?? 0,
      graphicsRegisterWrites: this.graphics?.registerWrites ?? 0,
      ...(kernelFunctions !== undefined ? { kernelFunctions } : {}),
    };
  }

  console(): string {
    return Buffer.from(this.consoleBytes).toString('latin1');
  }

  /** The kernel's export table as it is in simulated memory (symbols kernel_exports / kernel_export_count). */
  exports(): KernelExport[] {
    const table = symbolByName(this.kernelElf, 'kernel_exports');
    const count = symbolByName(this.kernelElf, 'kernel_export_count');
    if (!table || !count) throw new SystemError('kernel image has no export table (kernel_exports / kernel_export_count)');
    const ram = this.machine.ram.bytes;
    const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
    const word = (va: number) => view.getUint32(va - KSEG0, true);
    const n = word(count.value);
    const out: KernelExport[] = [];
    for (let i = 0; i < n; i++) {
      const e = table.value + 12 * i;
      let at = word(e) - KSEG0;
      let name = '';
      while (ram[at] !== 0) name += String.fromCharCode(ram[at++]);
      out.push({ name, address: word(e + 4), argCount: word(e + 8) });
    }
    return out;
  }
}

/** The boot archive: "UKAR", count, then 64-byte entries {name[48], offset, size, 0, 0}, then 16-aligned data. */
export function buildArchive(files: BootFile[]): Uint8Array {
  let at = 8 + ARCHIVE_ENTRY_SIZE * files.length;
  const placed = files.map((f) => {
    const name = Buffer.from(f.name, 'latin1');
    if (name.length === 0 || name.length >= ARCHIVE_NAME_MAX || f.name.includes('/') || name.includes(0)) {
      throw new SystemError(`boot file name '${f.name}' must be 1-${ARCHIVE_NAME_MAX - 1} characters without '/'`);
    }
    at = (at + 15) & ~15;
    const offset = at;
    at += f.bytes.length;
    return { name, offset, bytes: f.bytes };
  });
  if (at > ARCHIVE_MAX) throw new SystemError(`boot files take ${at} bytes; the boot archive holds at most ${ARCHIVE_MAX}`);
  const out = new Uint8Array(at);
  const v = new DataView(out.buffer);
  v.setUint32(0, ARCHIVE_MAGIC, true);
  v.setUint32(4, files.length, true);
  placed.forEach((p, i) => {
    const e = 8 + ARCHIVE_ENTRY_SIZE * i;
    out.set(p.name, e);
    v.setUint32(e + ARCHIVE_NAME_MAX, p.offset, true);
    v.setUint32(e + ARCHIVE_NAME_MAX + 4, p.bytes.length, true);
    out.set(p.bytes, p.offset);
  });
  return out;
}

export { ElfError, ET_REL };
