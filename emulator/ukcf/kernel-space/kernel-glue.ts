// The kernel-space translator's glue, generated as MIPS code into the area's first pages: the
// jump monitor (lookup of every control transfer of translated driver code), the shell entries
// (o32 call from the native kernel → x86 cdecl frame → translated driver), the kernel-call glue
// (cdecl arguments on the guest stack → o32 → native function → eax → back into the driver), and
// the return to the kernel (sentinel reached, or the driver refused). Register use in translated
// code is the translation core's (mips-back-end.ts): s0..s7 = eax..edi, a0..a3/v1 lazy flags,
// v0 = next guest eip, gp = lookup table, s8 = materialized flags; t0..t9 scratch.

import { GPR, MipsAssembler } from '../../mips/encoder';
import { emitFlagsGlue, guestRegister } from '../mips-back-end';
import { EFAULT, HEADER, LOOKUP_ENTRIES, RECORD, RECORD_BYTES, RecordKind, SHELL_RECORD_LIMIT } from './kernel-area';

/** The kernel translator's hypercall codes (`sdbbp code`, 0x10–0x1f by the contract). */
export const enum KernelHypercall {
  /** Kernel: a0 = struct ukcf_driver * (module.c); v0 = 0 or -errno. */
  Load = 0x10,
  /** Kernel: a0 = x86 function, a1 = argument count; v0 = shell address or 0. */
  Shell = 0x11,
  /** Monitor: v0 = target not in the lookup table (ra = after the exit's jal when from a block). */
  Miss = 0x12,
  /** Direct exit stub of a block: v0 = target (the translation core's CHAIN, renumbered). */
  Chain = 0x13,
  /** A block ends at an instruction the core does not translate: v0 = its eip. */
  Untranslated = 0x14,
  /** A shell found the context stack full (nesting too deep). */
  TooDeep = 0x15,
  /** Trap placed at the next guest instruction boundary of a block whose code was just rewritten. */
  Resume = 0x16,
}

/** Addresses of the glue's entry points (all absolute). */
export interface KernelGlue {
  /** Jump monitor: v0 = target; table hit → jr, miss → hypercall. */
  readonly monitor: number;
  readonly materializeFlags: number;
  /** Shell entry for n = 0..6 o32 arguments (t8 = x86 function, t9 = shell index). */
  readonly shellEntry: readonly number[];
  /** Kernel call for n = 0..6 cdecl arguments (t8 = native function, t9 = export index). */
  readonly kernelCall: readonly number[];
  /** In each kernel call: the native call (jalr) and the instruction after it (back from the kernel). */
  readonly nativeCall: readonly number[];
  readonly backFromKernel: readonly number[];
  /** Guest "return address" a shell puts in its cdecl frame; reaching it returns eax to the kernel. */
  readonly sentinel: number;
  /** Pops the innermost shell record and returns v0 to the kernel. */
  readonly returnToKernel: number;
  /** Same with v0 = -EFAULT (the driver was refused). */
  readonly faultReturn: number;
  readonly end: number;
}

export interface GlueLayout {
  readonly base: number;
  readonly header: number;
  readonly records: number;
  readonly table: number;
}

const { zero, v0, v1, a0, a1, a2, a3, t0, t1, t2, t3, t4, t5, t6, t8, t9, gp, sp, s8, ra } = GPR;
const FLAG_REGS = [a0, a1, a2, a3, v1];
const ARG_REGS = [a0, a1, a2, a3];
const ESP = guestRegister(4);
export const MAX_ARGS = 6;

/** Writes the glue at layout.base; returns its entry points. */
export function emitKernelGlue(asm: MipsAssembler, layout: GlueLayout): KernelGlue {
  const sentinelLabel = asm.newLabel('sentinel');
  const returnLabel = asm.newLabel('return-to-kernel');

  // Jump monitor: the lookup table holds only checked targets (driver blocks, export stubs, the sentinel).
  const monitor = asm.address;
  const miss = asm.newLabel('miss');
  asm.andi(t0, v0, LOOKUP_ENTRIES - 1);
  asm.sll(t0, t0, 3);
  asm.addu(t0, t0, gp);
  asm.lw(t1, 0, t0);
  asm.bne(t1, v0, miss);
  asm.lw(t2, 4, t0);
  asm.jr(t2);
  asm.nop();
  asm.bind(miss);
  asm.sdbbp(KernelHypercall.Miss);

  const materializeFlags = emitFlagsGlue(asm);

  // Return to the kernel: pop the shell record, restore the kernel's registers, return v0.
  const faultReturn = asm.address;
  asm.li(v0, EFAULT);
  asm.bind(returnLabel);
  const returnToKernel = asm.addressOfLabel(returnLabel);
  asm.li32(t1, layout.header);
  asm.lw(t3, HEADER.top, t1);
  asm.addiu(t3, t3, -RECORD_BYTES);
  asm.sw(t3, HEADER.top, t1);
  for (let i = 0; i < 8; i++) asm.lw(guestRegister(i), RECORD.regs + 4 * i, t3);
  asm.lw(s8, RECORD.s8, t3);
  asm.lw(gp, RECORD.gp, t3);
  asm.lw(sp, RECORD.sp, t3);
  asm.lw(ra, RECORD.ra, t3);
  asm.jr(ra);
  asm.nop();
  // The sentinel: the driver function returned; eax is the result.
  asm.bind(sentinelLabel);
  const sentinel = asm.addressOfLabel(sentinelLabel);
  asm.b(returnLabel);
  asm.move(v0, guestRegister(0));

  // Shell entries: o32 arguments (a0..a3, then 16(sp), 20(sp)) → cdecl frame below the kernel's sp.
  const refusedEntry = asm.newLabel('refused-entry');
  const tooDeep = asm.newLabel('too-deep');
  const shellEntry: number[] = [];
  for (let n = 0; n <= MAX_ARGS; n++) {
    shellEntry.push(asm.address);
    asm.li32(t1, layout.header);
    asm.lw(t2, HEADER.faulted, t1);
    asm.bne(t2, zero, refusedEntry);
    asm.lw(t3, HEADER.top, t1);
    asm.li32(t2, layout.records + SHELL_RECORD_LIMIT * RECORD_BYTES);
    asm.sltu(t2, t3, t2);
    asm.beq(t2, zero, tooDeep);
    asm.addiu(t4, t3, RECORD_BYTES);
    asm.sw(t4, HEADER.top, t1);
    asm.lw(t5, HEADER.shellEntries, t1);
    asm.addiu(t5, t5, 1);
    asm.sw(t5, HEADER.shellEntries, t1);
    asm.li(t5, RecordKind.Shell);
    asm.sw(t5, RECORD.kind, t3);
    asm.sw(t8, RECORD.target, t3);
    asm.sw(t9, RECORD.index, t3);
    for (let i = 0; i < 8; i++) asm.sw(guestRegister(i), RECORD.regs + 4 * i, t3);
    asm.sw(s8, RECORD.s8, t3);
    asm.sw(gp, RECORD.gp, t3);
    asm.sw(sp, RECORD.sp, t3);
    asm.sw(ra, RECORD.ra, t3);
    // esp + 4 (the first argument) 16-byte aligned, the whole frame below the kernel's sp.
    asm.addiu(ESP, sp, -(4 * n + 16));
    asm.li(t5, -16);
    asm.and(ESP, ESP, t5);
    asm.addiu(ESP, ESP, -4);
    asm.la(t5, sentinelLabel);
    asm.sw(t5, 0, ESP);
    asm.sw(t5, RECORD.resume, t3);
    for (let i = 0; i < n; i++) {
      if (i < 4) asm.sw(ARG_REGS[i], 4 + 4 * i, ESP);
      else {
        asm.lw(t5, 16 + 4 * (i - 4), sp);
        asm.sw(t5, 4 + 4 * i, ESP);
      }
    }
    asm.sw(ESP, RECORD.esp, t3);
    // The translation context of a fresh call: lookup table, flags all clear (EAGER, AUX = 0).
    asm.li32(gp, layout.table);
    asm.move(FLAG_REGS[0], zero);
    asm.move(v1, zero);
    asm.move(v0, t8);
    asm.j(monitor);
    asm.move(s8, zero); // DF clear on entry to a C function (cdecl); s8 still holds the kernel's until here
  }
  asm.bind(refusedEntry);
  asm.jr(ra);
  asm.li(v0, EFAULT);
  asm.bind(tooDeep);
  asm.sdbbp(KernelHypercall.TooDeep);
  asm.jr(ra);
  asm.li(v0, EFAULT);

  // Kernel calls: the translated `call` pushed the return address; arguments follow it.
  const kernelCall: number[] = [];
  const nativeCall: number[] = [];
  const backFromKernel: number[] = [];
  for (let n = 0; n <= MAX_ARGS; n++) {
    kernelCall.push(asm.address);
    asm.li32(t1, layout.header);
    asm.lw(t3, HEADER.top, t1);
    asm.addiu(t4, t3, RECORD_BYTES);
    asm.sw(t4, HEADER.top, t1);
    asm.lw(t5, HEADER.kernelCalls, t1);
    asm.addiu(t5, t5, 1);
    asm.sw(t5, HEADER.kernelCalls, t1);
    asm.li(t5, RecordKind.KernelCall);
    asm.sw(t5, RECORD.kind, t3);
    asm.sw(t8, RECORD.target, t3);
    asm.sw(t9, RECORD.index, t3);
    asm.lw(t5, 0, ESP);
    asm.sw(t5, RECORD.resume, t3);
    asm.sw(ESP, RECORD.esp, t3);
    for (let i = 0; i < 8; i++) asm.sw(guestRegister(i), RECORD.regs + 4 * i, t3);
    for (let i = 0; i < 5; i++) asm.sw(FLAG_REGS[i], RECORD.flags + 4 * i, t3);
    asm.sw(s8, RECORD.s8, t3); // DF/NT/AC/ID: for readers of the saved context (o32 preserves s8 itself)
    asm.sw(sp, RECORD.sp, t3);
    // o32: 16 bytes of argument home area (+ the 5th and 6th argument) below the guest's frame.
    asm.addiu(t5, ESP, -40);
    asm.li(t6, -8);
    asm.and(sp, t5, t6);
    for (let i = 0; i < n; i++) {
      if (i < 4) asm.lw(ARG_REGS[i], 4 + 4 * i, ESP);
      else {
        asm.lw(t5, 4 + 4 * i, ESP);
        asm.sw(t5, 16 + 4 * (i - 4), sp);
      }
    }
    nativeCall.push(asm.address);
    asm.jalr(t8);
    asm.nop();
    backFromKernel.push(asm.address);
    asm.li32(t1, layout.header);
    asm.lw(t3, HEADER.top, t1);
    asm.addiu(t3, t3, -RECORD_BYTES);
    asm.sw(t3, HEADER.top, t1);
    asm.move(guestRegister(0), v0);
    for (let i = 1; i < 8; i++) asm.lw(guestRegister(i), RECORD.regs + 4 * i, t3);
    for (let i = 0; i < 5; i++) asm.lw(FLAG_REGS[i], RECORD.flags + 4 * i, t3);
    asm.lw(sp, RECORD.sp, t3);
    asm.li32(gp, layout.table);
    // `ret` of the call: resume at the return address through the monitor.
    asm.lw(v0, RECORD.resume, t3);
    asm.j(monitor);
    asm.addiu(ESP, ESP, 4);
  }
  return {
    monitor, materializeFlags, shellEntry, kernelCall, nativeCall, backFromKernel,
    sentinel, returnToKernel, faultReturn, end: asm.address,
  };
}

/** A shell: `t8 = x86 function; t9 = index; j shellEntry[n]` (4 words). */
export function emitShell(asm: MipsAssembler, x86Function: number, index: number, entry: number): void {
  asm.li32(t8, x86Function);
  asm.j(entry);
  asm.ori(t9, zero, index);
}

/** An export stub: `t8 = native function; t9 = export index; j kernelCall[n]` (4 words). */
export function emitExportStub(asm: MipsAssembler, native: number, index: number, entry: number): void {
  asm.li32(t8, native);
  asm.j(entry);
  asm.ori(t9, zero, index);
}
