// Runs an i386 Linux program translated (UkcfRuntime, SYSCALL stop serviced by the reference Linux
// layer) for test measurement. An instruction the translator does not translate yet is executed by the
// reference interpreter on the same memory and state (a *fallback*, recorded with its stdout offset so
// that the test can tell which cases ran fully translated); everything else runs as MIPS code.
// A guest fault of translated code must be reproduced by the interpreter from the same state (it
// proves the fault eip and state precise); the process then ends like the interpreter's.

import { readElfFile } from '../../emulator/machine/elf';
import { X86Process } from '../../emulator/usermode/x86-process';
import { LF_A, LF_AUX, LF_B, LF_DF, LF_KIND, LF_OTHER, LF_RES } from '../../emulator/x86/lazy-flags';
import { CONTEXT_BASE, standaloneEnvironment, UkcfRuntime } from '../../emulator/ukcf/translated-process';
import { MipsCpu } from '../../emulator/mips/cpu';
import { MATERIALIZED_FLAGS } from '../../emulator/ukcf/mips-back-end';

export interface Fallback {
  readonly eip: number;
  readonly mnemonic: string;
}

export interface HybridRun {
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  readonly fallbacks: Fallback[];
  /** Translated faults the interpreter did not reproduce from the same state (must stay empty). */
  readonly imprecise: string[];
  readonly message: string;
  readonly hostInstructions: number;
  /** Exact host instruction counts per region (translated code, exits, dispatch, flags glue...). */
  readonly regions: Record<string, number>;
  readonly guestInstructionsTranslated: number;
}

const DF = 0x400, OTHER = 0x4000 | 0x40000 | 0x200000;

function toInterpreter(rt: UkcfRuntime, p: X86Process, eip: number): void {
  const cpu = p.cpu;
  cpu.regs.set(rt.guestRegisters());
  const lf = rt.lazyFlags();
  const s8 = rt.cpu.regs[MATERIALIZED_FLAGS];
  for (const i of [LF_KIND, LF_RES, LF_A, LF_B, LF_AUX]) cpu.lazyFlags[i] = lf[i];
  cpu.lazyFlags[LF_DF] = s8 & DF ? 1 : 0;
  cpu.lazyFlags[LF_OTHER] = s8 & OTHER;
  cpu.eip = eip >>> 0;
}

function toTranslated(p: X86Process, rt: UkcfRuntime): void {
  const cpu = p.cpu;
  for (let r = 0; r < 8; r++) rt.setGuestRegister(r, cpu.regs[r]);
  const regs = rt.cpu.regs;
  const lf = cpu.lazyFlags;
  regs[4] = lf[LF_KIND]; // a0..a3, v1: the lazy state in the interpreter's own encoding
  regs[5] = lf[LF_RES];
  regs[6] = lf[LF_A];
  regs[7] = lf[LF_B];
  regs[3] = lf[LF_AUX];
  regs[MATERIALIZED_FLAGS] = (lf[LF_DF] ? DF : 0) | lf[LF_OTHER];
  rt.setEip(cpu.eip);
  syncSegmentBases(p);
}

/** The context block's %gs/%fs bases follow the interpreter's (set_thread_area runs in TypeScript here). */
function syncSegmentBases(p: X86Process): void {
  p.memory.write32(CONTEXT_BASE, p.cpu.segmentBases[5]);
  p.memory.write32(CONTEXT_BASE + 4, p.cpu.segmentBases[4]);
}

export function runHybrid(path: string, argv: string[] = [path], maxHostInstructions = 2_000_000_000): HybridRun {
  const chunks: Uint8Array[] = [];
  const p = new X86Process({
    elf: readElfFile(path), argv,
    stdout: (b) => chunks.push(b.slice()),
    stderr: () => undefined,
  });
  // Each case's code runs about once: the MIPS interpreter alone beats compiling every block to JS.
  const standalone = standaloneEnvironment(p.memory);
  const cpu = new MipsCpu(p.memory, { exceptionsToHost: true, blockCompiler: false });
  cpu.onHypercall = standalone.cpu.onHypercall;
  const rt = new UkcfRuntime({ ...standalone, cpu }, {});
  toTranslated(p, rt);
  const fallbacks: Fallback[] = [];
  const imprecise: string[] = [];
  let exitCode = -1;
  let message = '';
  for (;;) {
    if (rt.cpu.instructionCount > maxHostInstructions) {
      message = 'host instruction limit';
      break;
    }
    const stop = rt.run(50_000_000);
    if (stop.kind === 'limit') continue;
    if (stop.kind === 'syscall') {
      const r = rt.guestRegisters();
      const result = p.linux.syscall(r[0], [r[3], r[1], r[2], r[6], r[7], r[5]]);
      if (p.linux.exit) {
        exitCode = p.linux.exit.code;
        message = p.linux.exit.message ?? '';
        break;
      }
      rt.setGuestRegister(0, result);
      syncSegmentBases(p);
      continue;
    }
    if (stop.kind === 'untranslated' || stop.kind === 'fault') {
      const eip = stop.eip;
      toInterpreter(rt, p, eip);
      const ran = p.run(1);
      if (stop.kind === 'fault') {
        if (ran.kind !== 'exited' || ran.exitCode !== 128 + stop.signal) imprecise.push(`${stop.message}: the interpreter ran on (${JSON.stringify(ran)})`);
        exitCode = ran.kind === 'exited' ? ran.exitCode : 128 + stop.signal;
        message = stop.message;
        break;
      }
      fallbacks.push({ eip, mnemonic: stop.mnemonic });
      if (ran.kind === 'exited') {
        exitCode = ran.exitCode;
        message = ran.message ?? '';
        break;
      }
      toTranslated(p, rt);
      continue;
    }
    message = `unexpected stop ${JSON.stringify(stop)}`;
    break;
  }
  return {
    exitCode, stdout: Buffer.concat(chunks), fallbacks, imprecise, message,
    hostInstructions: rt.cpu.instructionCount, regions: rt.regionCounts(), guestInstructionsTranslated: rt.guestInstructionsTranslated,
  };
}
