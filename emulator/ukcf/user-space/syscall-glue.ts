// The syscall glue: MIPS code, generated from syscall-table.ts, that turns a guest `int 0x80` into
// host o32 system calls. Entered (by `j`) from a translated block with the i386 registers pinned in
// s0..s7 and v0 = the guest eip after the int; leaves by `j dispatch` with v0 restored and eax (s0)
// = the result or -errno in i386 numbering. It keeps a0..a3, v1 (the lazy flags), gp and s1..s7.
//
// Guest memory the glue reads or writes itself (structures it converts) is accessed at host pcs
// listed in `faultFixups`: a fault there continues at the fixup (which answers -EFAULT), the way a
// kernel's exception table works, so a bad guest pointer gives -EFAULT as on i386 Linux. Before
// copying a structure out, the glue touches its first and last byte, so a fault never leaves a
// partly written structure (the Linux layer writes all or nothing).

import type { SyscallName } from '../../linux/abi';
import { MIPS_O32_ABI } from '../../linux/mips-o32-abi';
import { GPR, MipsAssembler, type MipsLabel } from '../../mips/encoder';
import { I386_CONSTANTS } from './abi-constants';
import { BitPermutation, o32ErrnoToI386, SIGNALS, ValueMap } from './abi-conversions';
import { glueEntries, SET_THREAD_AREA, type CallConversion, type Conversion, type HostArgument, type StructCopy, type WordSource } from './syscall-table';

export interface SyscallGlueLayout {
  /** Host address of the runtime's dispatch glue (entered with v0 = next guest eip). */
  readonly dispatch: number;
  /** The context block: word 0 = guest %gs base (set by set_thread_area); the TLS entries at CONTEXT_TLS_*. */
  readonly contextBase: number;
  /** Writable glue state: the sa_restorer table (GLUE_DATA_BYTES). */
  readonly dataBase: number;
  /**
   * The translator's own area in the guest's address space, if any: a guest pointer into it is
   * -EFAULT (nothing is mapped there on i386 Linux) instead of a glue access that would corrupt it.
   */
  readonly translatorArea?: { readonly start: number; readonly end: number };
}

export interface EmittedSyscallGlue {
  /** Where translated code jumps for `int 0x80`. */
  readonly entry: number;
  /** First address after the glue (code and its tables). */
  readonly end: number;
  /** Host pc ranges [start, end) that access guest memory, and where a fault there continues. */
  readonly faultFixups: readonly { readonly start: number; readonly end: number; readonly fixup: number }[];
  /** The glue's one way out (`j dispatch`): eax (s0) holds the guest's result there, guest memory its effects. */
  readonly returnJump: number;
}

/**
 * The TLS descriptors set_thread_area hands out (GDT entries 12..14, as a 64-bit kernel running
 * 32-bit code), kept in the context block's glue bytes so that translated code can load a segment
 * register from them: the base of entry e is the word at contextBase + CONTEXT_TLS_BASES + 4 * (e - 12),
 * valid when bit (e - 12) of the word at contextBase + CONTEXT_TLS_USED is set.
 */
export const CONTEXT_TLS_BASES = 64;
export const CONTEXT_TLS_USED = 76;
export const TLS_FIRST_ENTRY = 12;
export const TLS_ENTRIES = 3;
/** Glue state at dataBase: sa_restorer per signal 0..64. */
export const RESTORERS = 0;
export const GLUE_DATA_BYTES = RESTORERS + 65 * 4;

// Host stack frame of the glue (sp = the runtime's host stack top on entry).
/** Bytes of host stack the glue takes below the host stack top (its frame: saved registers, arguments, scratch). */
export const GLUE_FRAME_BYTES = 320;
const FRAME = GLUE_FRAME_BYTES;
const ARG5 = 16, ARG6 = 20, SAVE_V0 = 24, SAVE_A0 = 28, SAVE_V1 = 44, RESULT = 48, RESTORER = 52;
const SCRATCH_IN = 64, SCRATCH_OUT = 192, SCRATCH_BYTES = 128;

const EFAULT = I386_CONSTANTS.errno.EFAULT;
const EINVAL = I386_CONSTANTS.errno.EINVAL;
const ESRCH = I386_CONSTANTS.errno.ESRCH;

/** Guest argument registers: ebx ecx edx esi edi ebp. */
const GUEST_ARGUMENT = [GPR.s3, GPR.s1, GPR.s2, GPR.s6, GPR.s7, GPR.s5];
const EAX = GPR.s0;
const HOST_ARGUMENT = [GPR.a0, GPR.a1, GPR.a2, GPR.a3];
const { t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, v0, a3, sp, zero } = GPR;

class GlueEmitter {
  readonly fixups: { start: number; end: number; label: MipsLabel }[] = [];
  readonly byteTables: { label: MipsLabel; bytes: number[] }[] = [];
  readonly exit: MipsLabel;
  readonly errno: MipsLabel;
  readonly efault: MipsLabel;
  readonly plain: MipsLabel;
  readonly result: MipsLabel;

  constructor(readonly asm: MipsAssembler, readonly layout: SyscallGlueLayout) {
    this.exit = asm.newLabel('syscall_exit');
    this.errno = asm.newLabel('syscall_errno');
    this.efault = asm.newLabel('syscall_efault');
    this.plain = asm.newLabel('syscall_plain');
    this.result = asm.newLabel('syscall_result');
  }

  /** [p, p + bytes) overlapping the translator's area → `fixup` (as a fault there would). */
  rejectArea(p: number, bytes: number, fixup: MipsLabel): void {
    const area = this.layout.translatorArea;
    if (area === undefined) return;
    const asm = this.asm;
    const outside = asm.newLabel();
    asm.li(t6, area.end);
    asm.sltu(t7, p, t6);
    asm.beq(t7, zero, outside); // p >= end
    asm.addiu(t6, p, bytes);
    asm.li(t7, area.start);
    asm.sltu(t7, t7, t6);
    asm.bne(t7, zero, fixup); // p + bytes > start
    asm.nop();
    asm.bind(outside);
  }

  /** Emits guest-memory accesses whose faults continue at `fixup`. */
  guarded(fixup: MipsLabel, emit: () => void): void {
    const start = this.asm.address;
    emit();
    this.fixups.push({ start, end: this.asm.address, label: fixup });
  }

  /** A table of bytes placed after the code; returns its label. */
  table(bytes: number[]): MipsLabel {
    const label = this.asm.newLabel();
    this.byteTables.push({ label, bytes });
    return label;
  }

  /** dst ← conversion(src); dst, src distinct from t8/t9 (used here). */
  convert(dst: number, src: number, c: Conversion): void {
    const asm = this.asm;
    if (c instanceof BitPermutation) {
      if (c.moves.length === 0) {
        if (dst !== src) asm.move(dst, src);
        return;
      }
      asm.li(t9, c.identityMask | 0);
      asm.and(t8, src, t9);
      for (const [f, t] of c.moves) {
        asm.ext(t9, src, f, 1);
        asm.ins(t8, t9, t, 1);
      }
      asm.move(dst, t8);
      return;
    }
    this.convertValue(dst, src, c);
  }

  private convertValue(dst: number, src: number, c: ValueMap): void {
    const asm = this.asm;
    const done = asm.newLabel();
    const outside = asm.newLabel();
    const domain = c.domain;
    const tableable = Array.isArray(domain) && domain[1] < 256 && c.pairs.every(([f, t]) => f >= domain[0] && f <= domain[1] && t >= 0 && t < 256);
    if (tableable && Array.isArray(domain) && domain[0] === 0) {
      const bytes: number[] = [];
      for (let x = 0; x <= domain[1]; x++) bytes.push(c.apply(x));
      const table = this.table(bytes);
      asm.sltiu(t9, src, domain[1] + 1);
      asm.beq(t9, zero, outside);
      asm.nop();
      asm.la(t9, table);
      asm.addu(t9, t9, src);
      asm.lbu(t8, 0, t9);
      asm.b(done);
      asm.move(dst, t8);
      asm.bind(outside);
      asm.li(dst, c.outside);
      asm.bind(done);
      return;
    }
    // A compare chain for sparse maps (fcntl commands, ioctl requests).
    const hits: [MipsLabel, number][] = [];
    asm.move(t8, src);
    for (const [f, t] of c.pairs) {
      const hit = asm.newLabel();
      hits.push([hit, t]);
      asm.li(t9, f);
      asm.beq(t8, t9, hit);
      asm.nop();
    }
    if (domain === 'none') asm.li(dst, c.outside);
    else if (domain === null) asm.move(dst, t8);
    else {
      asm.sltiu(t9, t8, domain[0]);
      asm.bne(t9, zero, outside);
      asm.li(t9, domain[1]);
      asm.sltu(t9, t9, t8);
      asm.bne(t9, zero, outside);
      asm.nop();
      asm.move(dst, t8);
    }
    asm.b(done);
    asm.nop();
    asm.bind(outside);
    asm.li(dst, c.outside);
    asm.b(done);
    asm.nop();
    for (const [hit, t] of hits) {
      asm.bind(hit);
      asm.b(done);
      asm.li(dst, t);
    }
    asm.bind(done);
  }

  /** Unaligned-safe guest word load / store (x86 structures need not be aligned). */
  loadGuest(dst: number, offset: number, base: number): void {
    this.asm.lwr(dst, offset, base);
    this.asm.lwl(dst, offset + 3, base);
  }

  storeGuest(value: number, offset: number, base: number): void {
    this.asm.swr(value, offset, base);
    this.asm.swl(value, offset + 3, base);
  }

  /** One host argument (index 0..5) from its description. */
  hostArgument(index: number, a: HostArgument, call: CallConversion | null): void {
    const asm = this.asm;
    const target = index < 4 ? HOST_ARGUMENT[index] : t0;
    if (typeof a === 'number') {
      const when = call?.argumentWhen;
      if (when !== undefined && when.index === index) {
        const skip = asm.newLabel();
        const done = asm.newLabel();
        asm.li(t1, when.equals);
        asm.bne(GUEST_ARGUMENT[when.guest], t1, skip);
        asm.nop();
        this.convert(target, GUEST_ARGUMENT[a], when.convert);
        asm.b(done);
        asm.nop();
        asm.bind(skip);
        asm.move(target, GUEST_ARGUMENT[a]);
        asm.bind(done);
      } else asm.move(target, GUEST_ARGUMENT[a]);
    } else if ('guest' in a) this.convert(target, GUEST_ARGUMENT[a.guest], a.convert);
    else if ('constant' in a) asm.li(target, a.constant);
    else if ('scratch' in a) {
      asm.addiu(target, sp, a.scratch === 'in' ? SCRATCH_IN : SCRATCH_OUT);
      if (a.nullWith !== undefined) asm.movz(target, zero, GUEST_ARGUMENT[a.nullWith]);
    } else asm.lw(target, SCRATCH_IN + a.inWord * 4, sp);
    if (index === 4) asm.sw(t0, ARG5, sp);
    if (index === 5) asm.sw(t0, ARG6, sp);
  }

  /** Guest structure → scratch 'in'. */
  copyIn(copy: StructCopy, restorer: boolean): void {
    const asm = this.asm;
    const skip = asm.newLabel();
    const p = GUEST_ARGUMENT[copy.guest];
    if (copy.nullable) {
      asm.beq(p, zero, skip);
      asm.nop();
    }
    if (copy.layout.words.length * 4 > SCRATCH_BYTES) throw new Error(`syscall glue: ${copy.layout.name} does not fit the scratch area`);
    this.rejectArea(p, Math.max(copy.layout.words.length * 4, restorer ? 12 : 0), this.efault);
    this.guarded(this.efault, () => {
      copy.layout.words.forEach((w, i) => {
        this.wordFromGuest(t0, w, p);
        asm.sw(t0, SCRATCH_IN + i * 4, sp);
      });
      if (restorer) {
        this.loadGuest(t0, 8, p);
        asm.sw(t0, RESTORER, sp);
      }
    });
    asm.bind(skip);
  }

  private wordFromGuest(dst: number, w: WordSource, p: number): void {
    if (w === 'zero') this.asm.move(dst, zero);
    else if (w === 'restorer' || 'clampFrom' in w) throw new Error('syscall glue: restorer/clamp words are copy-out only');
    else {
      this.loadGuest(w.convert === undefined ? dst : t1, w.from, p);
      if (w.convert !== undefined) this.convert(dst, t1, w.convert);
    }
  }

  /** Scratch 'out' → guest structure, all or nothing; a fault continues at `fixup`. */
  copyOut(copy: StructCopy, fixup: MipsLabel): void {
    const asm = this.asm;
    const skip = asm.newLabel();
    const p = GUEST_ARGUMENT[copy.guest];
    if (copy.nullable) {
      asm.beq(p, zero, skip);
      asm.nop();
    }
    const bytes = copy.layout.words.length * 4;
    this.rejectArea(p, bytes, fixup);
    this.guarded(fixup, () => {
      // Touch the first and last byte first: no partial structure if the second page is bad.
      asm.lbu(t0, 0, p);
      asm.sb(t0, 0, p);
      asm.lbu(t0, bytes - 1, p);
      asm.sb(t0, bytes - 1, p);
      copy.layout.words.forEach((w, i) => {
        if (w === 'zero') this.storeGuest(zero, i * 4, p);
        else if (w === 'restorer') {
          asm.li(t1, this.layout.dataBase + RESTORERS);
          asm.sll(t2, GUEST_ARGUMENT[0], 2);
          asm.addu(t1, t1, t2);
          asm.lw(t0, 0, t1);
          this.storeGuest(t0, i * 4, p);
        } else if ('clampFrom' in w) {
          asm.lw(t0, SCRATCH_OUT + w.clampFrom, sp);
          asm.lw(t1, SCRATCH_OUT + w.clampFrom + 4, sp);
          asm.li(t2, -1);
          asm.movn(t0, t2, t1);
          this.storeGuest(t0, i * 4, p);
        } else {
          asm.lw(t1, SCRATCH_OUT + w.from, sp);
          if (w.convert !== undefined) this.convert(t1, t1, w.convert);
          this.storeGuest(t1, i * 4, p);
        }
      });
    });
    asm.bind(skip);
  }

  /** The handler of one converted call. */
  call(c: CallConversion, hostNumber: number, undoNumber: number): void {
    const asm = this.asm;
    if (c.copyIn !== undefined) this.copyIn(c.copyIn, c.restorer === true);
    c.args.forEach((a, i) => this.hostArgument(i, a, c));
    asm.li(v0, hostNumber);
    asm.syscall();
    asm.bne(a3, zero, this.errno);
    asm.nop();
    asm.sw(v0, RESULT, sp);
    if (c.copyOut !== undefined) {
      let fixup = this.efault;
      let undo: MipsLabel | null = null;
      if (c.undo !== undefined) fixup = undo = asm.newLabel();
      this.copyOut(c.copyOut, fixup);
      if (c.restorer === true) {
        const skip = asm.newLabel();
        asm.beq(GUEST_ARGUMENT[1], zero, skip);
        asm.nop();
        asm.lw(t0, RESTORER, sp);
        asm.li(t1, this.layout.dataBase + RESTORERS);
        asm.sll(t2, GUEST_ARGUMENT[0], 2);
        asm.addu(t1, t1, t2);
        asm.sw(t0, 0, t1);
        asm.bind(skip);
      }
      this.finish(c);
      if (undo !== null && c.undo !== undefined) {
        // The structure could not be written: undo the call (the Linux layer changes nothing then).
        asm.bind(undo);
        c.undo.args.forEach((a, i) => this.hostArgument(i, a, null));
        asm.li(v0, undoNumber);
        asm.syscall();
        asm.b(this.efault);
        asm.nop();
      }
      return;
    }
    this.finish(c);
  }

  /** After success: patches, result conversion, exit. */
  private finish(c: CallConversion): void {
    const asm = this.asm;
    if (c.patchOut !== undefined) {
      const p = GUEST_ARGUMENT[c.patchOut.guest];
      const patch = c.patchOut;
      this.rejectArea(p, patch.offset + patch.bytes.length, this.efault);
      this.guarded(this.efault, () => {
        patch.bytes.forEach((b, i) => {
          asm.li(t0, b);
          asm.sb(t0, patch.offset + i, p);
        });
      });
    }
    asm.lw(EAX, RESULT, sp);
    if (c.resultWhen !== undefined) {
      asm.li(t1, c.resultWhen.equals);
      asm.bne(GUEST_ARGUMENT[c.resultWhen.guest], t1, this.exit);
      asm.nop();
      this.convert(EAX, EAX, c.resultWhen.convert);
    }
    asm.b(this.exit);
    asm.nop();
  }

  /** set_thread_area(struct user_desc *): entry_number (-1: pick a free one), base_addr. */
  setThreadArea(): void {
    const asm = this.asm;
    const p = GUEST_ARGUMENT[0];
    const given = asm.newLabel(), search = asm.newLabel(), found = asm.newLabel(), commit = asm.newLabel(), einval = asm.newLabel();
    this.rejectArea(p, 8, this.efault);
    this.guarded(this.efault, () => {
      this.loadGuest(t0, 0, p); // entry_number
      this.loadGuest(t1, 4, p); // base_addr
    });
    asm.li(t9, this.layout.contextBase);
    asm.lw(t3, CONTEXT_TLS_USED, t9);
    asm.li(t2, -1);
    asm.bne(t0, t2, given);
    asm.li(t4, 0);
    asm.bind(search);
    asm.srlv(t5, t3, t4);
    asm.andi(t5, t5, 1);
    asm.beq(t5, zero, found);
    asm.nop();
    asm.addiu(t4, t4, 1);
    asm.sltiu(t5, t4, TLS_ENTRIES);
    asm.bne(t5, zero, search);
    asm.nop();
    asm.b(this.exit);
    asm.li(EAX, -ESRCH);
    asm.bind(found);
    asm.addiu(t0, t4, TLS_FIRST_ENTRY);
    this.guarded(this.efault, () => this.storeGuest(t0, 0, p));
    asm.b(commit);
    asm.nop();
    asm.bind(given);
    asm.addiu(t4, t0, -TLS_FIRST_ENTRY);
    asm.sltiu(t5, t4, TLS_ENTRIES);
    asm.beq(t5, zero, einval);
    asm.nop();
    asm.bind(commit);
    asm.li(t5, 1);
    asm.sllv(t5, t5, t4);
    asm.or(t3, t3, t5);
    asm.sw(t3, CONTEXT_TLS_USED, t9);
    asm.sll(t5, t4, 2);
    asm.addu(t5, t5, t9);
    asm.sw(t1, CONTEXT_TLS_BASES, t5);
    asm.sw(t1, 0, t9); // the %gs base translated code uses
    asm.b(this.exit);
    asm.move(EAX, zero);
    asm.bind(einval);
    asm.b(this.exit);
    asm.li(EAX, -EINVAL);
  }

  /** Entry, dispatch on eax, the shared tails. */
  common(jumpTable: MipsLabel, tableSize: number, unknown: MipsLabel): void {
    const asm = this.asm;
    asm.addiu(sp, sp, -FRAME);
    asm.sw(v0, SAVE_V0, sp);
    for (let i = 0; i < 4; i++) asm.sw(HOST_ARGUMENT[i], SAVE_A0 + i * 4, sp);
    asm.sw(GPR.v1, SAVE_V1, sp);
    asm.sltiu(t0, EAX, tableSize);
    asm.beq(t0, zero, unknown);
    asm.sll(t1, EAX, 2);
    asm.la(t2, jumpTable);
    asm.addu(t1, t1, t2);
    asm.lw(t1, 0, t1);
    asm.jr(t1);
    asm.nop();
    // A call whose only change is its number (v0 set by the caller): all six arguments as they are.
    asm.bind(this.plain);
    for (let i = 0; i < 6; i++) this.hostArgument(i, i, null);
    asm.syscall();
    asm.bind(this.result);
    asm.bne(a3, zero, this.errno);
    asm.nop();
    asm.b(this.exit);
    asm.move(EAX, v0);
    // o32 errno (positive in v0) → -errno in i386 numbering.
    const map = o32ErrnoToI386();
    const size = 169;
    const bytes: number[] = [];
    for (let e = 0; e < size; e++) bytes.push(map.get(e) ?? e);
    const errnoTable = this.table(bytes);
    const big = asm.newLabel();
    asm.bind(this.errno);
    asm.sltiu(t0, v0, size);
    asm.beq(t0, zero, big);
    asm.nop();
    asm.la(t1, errnoTable);
    asm.addu(t1, t1, v0);
    asm.lbu(t0, 0, t1);
    asm.b(this.exit);
    asm.subu(EAX, zero, t0);
    asm.bind(big);
    for (const [o32, i386] of map) {
      if (o32 < size) continue;
      const next = asm.newLabel();
      asm.li(t0, o32);
      asm.bne(v0, t0, next);
      asm.nop();
      asm.li(v0, i386);
      asm.bind(next);
    }
    asm.b(this.exit);
    asm.subu(EAX, zero, v0);
    asm.bind(this.efault);
    asm.li(EAX, -EFAULT);
    asm.bind(this.exit);
    asm.lw(v0, SAVE_V0, sp);
    for (let i = 0; i < 4; i++) asm.lw(HOST_ARGUMENT[i], SAVE_A0 + i * 4, sp);
    asm.lw(GPR.v1, SAVE_V1, sp);
    this.returnJump = asm.address;
    asm.j(this.layout.dispatch);
    asm.addiu(sp, sp, FRAME);
  }

  returnJump = -1;
}

/**
 * Emits the syscall glue at the assembler's current address. Every i386 call the Linux layer
 * knows gets a handler (syscall-table.ts); any other number is passed on unchanged, which the o32
 * kernel answers with ENOSYS (o32 numbers start at 4000; a guest number from 4000 up gets bit 31 set).
 */
export function emitSyscallGlue(asm: MipsAssembler, layout: SyscallGlueLayout): EmittedSyscallGlue {
  const entry = asm.address;
  const e = new GlueEmitter(asm, layout);
  const entries = glueEntries();
  const tableSize = Math.max(...entries.map((x) => x.i386)) + 1;
  const jumpTable = asm.newLabel('syscall_table');
  const unknown = asm.newLabel('syscall_unknown');
  e.common(jumpTable, tableSize, unknown);
  // Unknown numbers go on unchanged (i386 numbers are below 4000, never o32 calls); a guest number
  // that would be an o32 call gets bit 31 set, which no kernel has (and stays distinct for its note).
  asm.bind(unknown);
  asm.sltiu(t0, EAX, 4000);
  asm.bne(t0, zero, e.plain);
  asm.move(v0, EAX);
  asm.lui(t0, 0x8000);
  asm.b(e.plain);
  asm.or(v0, EAX, t0);
  const handlers = new Map<number, MipsLabel>();
  for (const x of entries) {
    const label = asm.here();
    handlers.set(x.i386, label);
    if (x.conversion === null) {
      asm.b(e.plain);
      asm.li(v0, x.hostNumber);
    } else if (x.conversion === SET_THREAD_AREA) e.setThreadArea();
    else {
      const undo = x.conversion.undo === undefined ? -1 : numberOf(x.conversion.undo.host);
      e.call(x.conversion, x.hostNumber, undo);
    }
  }
  // Data after the code: the jump table, then the byte tables.
  asm.bind(jumpTable);
  for (let nr = 0; nr < tableSize; nr++) asm.word(asm.addressOfLabel(handlers.get(nr) ?? unknown));
  for (const t of e.byteTables) {
    asm.bind(t.label);
    for (let i = 0; i < t.bytes.length; i += 4) {
      let w = 0;
      for (let j = 0; j < 4 && i + j < t.bytes.length; j++) w |= (t.bytes[i + j] & 0xff) << (8 * j);
      asm.word(w >>> 0);
    }
  }
  const faultFixups = e.fixups.map((f) => ({ start: f.start, end: f.end, fixup: asm.addressOfLabel(f.label) }));
  return { entry, end: asm.address, faultFixups, returnJump: e.returnJump };
}

function numberOf(name: SyscallName): number {
  const n = MIPS_O32_ABI.syscallNumbers[name];
  if (n === undefined) throw new Error(`syscall glue: no o32 number for ${name}`);
  return n;
}

/** The signal map, for the host side that reports a guest killed by a signal (o32 → i386 numbers). */
export const HOST_SIGNAL_TO_GUEST = SIGNALS.inverse();
