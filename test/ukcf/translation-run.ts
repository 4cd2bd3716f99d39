// Runs an i386 Linux program translated (UkcfRuntime; SYSCALL stops served by the reference Linux
// layer of an X86Process over the same memory) for test measurement. Every instruction runs as MIPS
// code: a stop at an instruction the translator does not translate ends the run (`untranslated`).
// A guest fault of translated code must be reproduced by the reference interpreter from the same
// state with the same message (it proves the fault eip, state and report precise); the process then
// ends like the interpreter's.

import { readElfFile } from '../../emulator/machine/elf';
import { X86Process } from '../../emulator/usermode/x86-process';
import { LF_A, LF_AUX, LF_B, LF_DF, LF_KIND, LF_OTHER, LF_RES } from '../../emulator/x86/lazy-flags';
import { CONTEXT_BASE, standaloneEnvironment, UkcfRuntime } from '../../emulator/ukcf/translated-process';
import { CONTEXT_TLS_BASES, CONTEXT_TLS_USED } from '../../emulator/ukcf/user-space/syscall-glue';
import { MipsCpu } from '../../emulator/mips/cpu';
import { MATERIALIZED_FLAGS } from '../../emulator/ukcf/mips-back-end';

export interface TranslatedRun {
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  /** The instruction the translated run stopped at, untranslated (the run ends there; must not happen). */
  readonly untranslated?: { eip: number; mnemonic: string; reason: string };
  /** Translated faults the interpreter did not reproduce from the same state with the same message (must stay empty). */
  readonly imprecise: string[];
  readonly message: string;
  readonly hostInstructions: number;
  /** Exact host instruction counts per region (translated code, exits, dispatch, flags glue...). */
  readonly regions: Record<string, number>;
  readonly guestInstructionsTranslated: number;
}

const DF = 0x400, OTHER = 0x4000 | 0x40000 | 0x200000;
const SET_THREAD_AREA = 243, TLS_FIRST_ENTRY = 12, TLS_ENTRIES = 3;
/** Where the back end keeps the data segment selectors (mips-back-end CONTEXT_SELECTORS, XOR the initial ones). */
const CONTEXT_SELECTORS = 16;
const INITIAL_SELECTORS = [0x2b, 0x23, 0x2b, 0x2b, 0, 0];

/** The translated state into the interpreter (registers, flags, segment registers) at `eip`. */
function toInterpreter(rt: UkcfRuntime, p: X86Process, eip: number): void {
  const cpu = p.cpu;
  cpu.regs.set(rt.guestRegisters());
  const lf = rt.lazyFlags();
  const s8 = rt.cpu.regs[MATERIALIZED_FLAGS];
  for (const i of [LF_KIND, LF_RES, LF_A, LF_B, LF_AUX]) cpu.lazyFlags[i] = lf[i];
  cpu.lazyFlags[LF_DF] = s8 & DF ? 1 : 0;
  cpu.lazyFlags[LF_OTHER] = s8 & OTHER;
  for (const s of [0, 2, 3, 4, 5]) cpu.segmentSelectors[s] = p.memory.read16(CONTEXT_BASE + CONTEXT_SELECTORS + 2 * s) ^ INITIAL_SELECTORS[s];
  cpu.segmentBases[5] = p.memory.read32(CONTEXT_BASE);
  cpu.segmentBases[4] = p.memory.read32(CONTEXT_BASE + 4);
  cpu.eip = eip >>> 0;
}

/** set_thread_area as USER's syscall glue records it: the entry's base in the context block's TLS table. */
function recordThreadArea(p: X86Process, desc: number): void {
  const entry = p.memory.read32(desc);
  if (entry < TLS_FIRST_ENTRY || entry >= TLS_FIRST_ENTRY + TLS_ENTRIES) return;
  p.memory.write32(CONTEXT_BASE + CONTEXT_TLS_BASES + 4 * (entry - TLS_FIRST_ENTRY), p.memory.read32(desc + 4));
  p.memory.write32(CONTEXT_BASE + CONTEXT_TLS_USED, p.memory.read32(CONTEXT_BASE + CONTEXT_TLS_USED) | (1 << (entry - TLS_FIRST_ENTRY)));
}

export function runTranslated(path: string, argv: string[] = [path], maxHostInstructions = 2_000_000_000): TranslatedRun {
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
  for (let r = 0; r < 8; r++) rt.setGuestRegister(r, p.cpu.regs[r]);
  rt.setEip(p.cpu.eip);
  const imprecise: string[] = [];
  let untranslated: TranslatedRun['untranslated'];
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
      if (r[0] === SET_THREAD_AREA && result === 0) recordThreadArea(p, r[3]);
      rt.setGuestRegister(0, result);
      continue;
    }
    if (stop.kind === 'untranslated') {
      untranslated = { eip: stop.eip, mnemonic: stop.mnemonic, reason: stop.reason };
      message = stop.message;
      break;
    }
    if (stop.kind === 'fault' && stop.fault !== 'internal') {
      toInterpreter(rt, p, stop.eip);
      const ran = p.run(1);
      if (ran.kind !== 'exited' || ran.exitCode !== 128 + stop.signal || ran.message !== stop.message) {
        imprecise.push(`${stop.message}: the interpreter from the same state gave ${JSON.stringify(ran)}`);
      }
      exitCode = 128 + stop.signal;
      message = stop.message;
      break;
    }
    message = `unexpected stop ${JSON.stringify(stop)}`;
    break;
  }
  return {
    exitCode, stdout: Buffer.concat(chunks), imprecise, message, ...(untranslated !== undefined ? { untranslated } : {}),
    hostInstructions: rt.cpu.instructionCount, regions: rt.regionCounts(), guestInstructionsTranslated: rt.guestInstructionsTranslated,
  };
}
