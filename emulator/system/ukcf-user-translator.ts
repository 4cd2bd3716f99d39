// The UKCF user-space translator attached to the whole system: for each i386 process the kernel
// starts (UKCF_USER_START), a translation runtime on the machine's own MIPS CPU, with its code
// cache, lookup table, context block and host stack laid out in the area the kernel reserved at
// the top of the process's window, guest code read through the window's RAM pages, hypercalls
// through MipsMachine.hypercalls, and the system-call glue that turns `int 0x80` into o32 calls
// to the host kernel.
//
// Area layout (top down): host stack 64 KiB | context block page | lookup table 64 KiB | code cache.
import type { MipsCpu } from '../mips/cpu';
import { GPR } from '../mips/encoder';
import { SystemError, type HostSystem } from './host-system';
import type { TranslatedEntry, UserProcessStart, UserTranslator } from './user-translator-port';
import { WindowCodeMemory } from './window-code-memory';
import type { GuestImage } from './reference-replay';

const HOST_STACK_BYTES = 64 * 1024;
const CONTEXT_BYTES = 4096;
const TABLE_BYTES = 64 * 1024;

export interface AreaLayout {
  cacheBase: number;
  cacheBytes: number;
  tableBase: number;
  contextBase: number;
  hostStackTop: number;
}

export function areaLayout(base: number, size: number): AreaLayout {
  const end = base + size;
  const contextBase = end - HOST_STACK_BYTES - CONTEXT_BYTES;
  const tableBase = contextBase - TABLE_BYTES;
  if (tableBase - base < 64 * 1024) throw new SystemError(`UKCF area of ${size} bytes is too small`);
  return { cacheBase: base, cacheBytes: tableBase - base, tableBase, contextBase, hostStackTop: end };
}

/** What the stats report about the user-space translation of one run. */
export interface UserTranslationReport {
  pid: number | null;
  exitStatus: number | null;
  layout: AreaLayout | null;
}

export class UkcfUserTranslator implements UserTranslator {
  private code: WindowCodeMemory | null = null;
  private started: UserProcessStart | null = null;
  private exitStatus: number | null = null;
  /** The guest's memory as the kernel built it (for the reference replay). */
  guestImage: GuestImage | null = null;
  private layout: AreaLayout | null = null;

  constructor(private readonly system: HostSystem) {}

  start(s: UserProcessStart, cpu: MipsCpu): TranslatedEntry {
    if (this.started !== null) throw new Error('one i386 process per run (the kernel runs one at a time)');
    this.started = s;
    const ram = this.system.machine.ram;
    this.code = new WindowCodeMemory(ram, s.vbase, s.windowPhys, s.vend - s.vbase);
    this.guestImage = { base: s.vbase, bytes: this.code.fetch(s.vbase, s.areaBase - s.vbase), entry: s.entry, esp: s.esp };
    this.layout = areaLayout(s.areaBase, s.areaSize);
    void cpu;
    void GPR;
    throw new Error('the translation runtime cannot run on a shared CPU yet');
  }

  exit(pid: number, status: number): void {
    if (this.started !== null && pid === this.started.pid) this.exitStatus = status;
  }

  guestEip(pc: number): number {
    void pc;
    return -1;
  }

  /** Stops the run if translated guest code was modified (see window-code-memory.ts). */
  verifyCode(): void {
    const page = this.code?.changedPage() ?? -1;
    if (page >= 0) this.system.abort(`guest code page 0x${(page * 4096).toString(16)} was modified after translation: self-modifying code is not supported in the system scheme yet`);
  }

  report(): UserTranslationReport {
    return { pid: this.started?.pid ?? null, exitStatus: this.exitStatus, layout: this.layout };
  }
}
