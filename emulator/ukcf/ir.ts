// The UKCF intermediate representation: one IR op per guest instruction with its operands resolved
// (registers, immediates, effective addresses), plus the block's terminator. Small on purpose: the
// back end maps each op to a short MIPS sequence; flag liveness is the only whole-block analysis.

export type IrSize = 1 | 2 | 4;

/** x86 effective address base + index*scale + disp (base/index = guest register or -1), plus the
 * %fs/%gs segment base (segment 4/5; -1 = flat). */
export interface IrAddress {
  readonly base: number;
  readonly index: number;
  readonly scale: 1 | 2 | 4 | 8;
  readonly disp: number;
  readonly segment: number;
}

/** A guest location: a register of `size` bytes (size 1: 0..3 = AL..BL, 4..7 = AH..BH) or memory. */
export type IrLocation =
  | { readonly kind: 'reg'; readonly reg: number; readonly size: IrSize }
  | { readonly kind: 'mem'; readonly address: IrAddress; readonly size: IrSize };

export type IrSource = IrLocation | { readonly kind: 'imm'; readonly value: number };

export type IrAluOp = 'add' | 'sub' | 'and' | 'or' | 'xor' | 'adc' | 'sbb';
export type IrShiftOp = 'shl' | 'shr' | 'sar' | 'rol' | 'ror' | 'rcl' | 'rcr';
/** A shift count: an immediate already masked to 5 bits (1..31), or 'cl' (masked at run time). */
export type IrCount = number | 'cl';

/** Lazy-flag kinds (the same numbering as x86/lazy-flags.ts: (op << 3) | size). */
export const enum FlagOp {
  Eager = 0,
  Add = 1,
  Adc = 2,
  Sub = 3,
  Sbb = 4,
  Logic = 5,
  Inc = 6,
  Dec = 7,
  Shl = 8,
  Shr = 9,
  Sar = 10,
}

interface OpBase {
  /** Guest address of the instruction (precise faults, debugger maps). */
  readonly eip: number;
  readonly length: number;
  /** Set by the liveness pass on flag writers: a later reader or the block exit can see the flags. */
  flagsLive?: boolean;
}

export type IrOp = OpBase &
  (
    | { readonly op: 'mov'; readonly dst: IrLocation; readonly src: IrSource }
    | { readonly op: 'movx'; readonly dst: number; readonly size: 2 | 4; readonly src: IrLocation; readonly signed: boolean }
    | { readonly op: 'lea'; readonly dst: number; readonly size: 2 | 4; readonly address: IrAddress; readonly wrap16: boolean }
    | { readonly op: 'alu'; readonly alu: IrAluOp; readonly dst: IrLocation; readonly src: IrSource; readonly writeBack: boolean }
    | { readonly op: 'unary'; readonly unary: 'inc' | 'dec' | 'neg' | 'not'; readonly dst: IrLocation }
    | { readonly op: 'shift'; readonly shift: IrShiftOp; readonly dst: IrLocation; readonly count: IrCount }
    | { readonly op: 'shiftd'; readonly left: boolean; readonly dst: IrLocation; readonly src: number; readonly count: IrCount }
    | { readonly op: 'imul'; readonly dst: number; readonly size: 2 | 4; readonly a: IrSource; readonly b: IrSource }
    /** One-operand mul/imul/div/idiv on eAX (and eDX / AH). */
    | { readonly op: 'muldiv'; readonly muldiv: 'mul' | 'imul' | 'div' | 'idiv'; readonly src: IrLocation }
    | { readonly op: 'push'; readonly src: IrSource; readonly size: 2 | 4 }
    | { readonly op: 'pop'; readonly dst: IrLocation }
    | { readonly op: 'setcc'; readonly cond: number; readonly dst: IrLocation }
    | { readonly op: 'cmov'; readonly cond: number; readonly dst: number; readonly size: 2 | 4; readonly src: IrLocation }
    | { readonly op: 'xchg'; readonly a: IrLocation; readonly b: IrLocation }
    | { readonly op: 'xadd'; readonly dst: IrLocation; readonly src: number }
    | { readonly op: 'cmpxchg'; readonly dst: IrLocation; readonly src: number }
    | { readonly op: 'cmpxchg8b'; readonly address: IrAddress }
    | { readonly op: 'convert'; readonly convert: 'cbw' | 'cwde' | 'cwd' | 'cdq' }
    | { readonly op: 'bit'; readonly bit: 'bt' | 'bts' | 'btr' | 'btc'; readonly dst: IrLocation; readonly index: IrSource }
    | { readonly op: 'scan'; readonly reverse: boolean; readonly dst: number; readonly src: IrLocation }
    | { readonly op: 'bswap'; readonly reg: number; readonly size: 2 | 4 }
    | { readonly op: 'flag'; readonly flag: 'clc' | 'stc' | 'cmc' | 'cld' | 'std' | 'lahf' | 'sahf' }
    | { readonly op: 'pushf'; readonly size: 2 | 4 }
    | { readonly op: 'popf'; readonly size: 2 | 4 }
    /** String instruction; rep 0 none, 1 rep/repe, 2 repne; segment = fs/gs override of the source. */
    | { readonly op: 'string'; readonly string: 'movs' | 'cmps' | 'stos' | 'lods' | 'scas'; readonly size: IrSize; readonly rep: 0 | 1 | 2; readonly segment: number }
    | { readonly op: 'leave'; readonly size: 2 | 4 }
    /** enter: push ebp, copy `level - 1` display entries from below ebp, push the frame pointer (level > 0), ebp = it, esp -= frame. */
    | { readonly op: 'enter'; readonly size: 2 | 4; readonly frame: number; readonly level: number }
    | { readonly op: 'xlat'; readonly segment: number }
    | { readonly op: 'cpuid' }
    /**
     * mov/pop to a data segment register (es ss ds fs gs: 0, 2..5): the selector must name the null
     * descriptor (not for ss), the flat code/data descriptors or a TLS descriptor of the syscall glue,
     * else #GP; the selector (and the %fs/%gs base) go to the context block. `pop`: src is the stack
     * top and esp moves past it only when the load succeeded.
     */
    | { readonly op: 'loadSegment'; readonly segment: number; readonly src: IrLocation; readonly pop: 2 | 4 | 0 }
    /** mov r/m, sreg (a register gets the selector zero-extended to its size; memory 16 bits). */
    | { readonly op: 'readSegment'; readonly segment: number; readonly dst: IrLocation }
    /** push sreg: the selector zero-extended to `size`. */
    | { readonly op: 'pushSegment'; readonly segment: number; readonly size: 2 | 4 }
    /** daa das aaa aas (AL/AX from AF/CF), aam/aad with their base (aam 0: #DE). */
    | { readonly op: 'bcd'; readonly bcd: 'daa' | 'das' | 'aaa' | 'aas' | 'aam' | 'aad'; readonly base: number }
    /** EDX:EAX = the simulated time (the runtime's time-stamp hypercall). */
    | { readonly op: 'rdtsc' }
    /** into: the guest fault `int $0x4` when OF is set. */
    | { readonly op: 'into' }
    | { readonly op: 'pusha'; readonly size: 2 | 4 }
    | { readonly op: 'popa'; readonly size: 2 | 4 }
    | { readonly op: 'nop' }
  );

/** How the block ends. `count` guest instructions ran when any exit is taken. */
export type IrTerminator =
  | { readonly kind: 'jump'; readonly target: number; readonly eip: number }
  | { readonly kind: 'branch'; readonly cond: number; readonly taken: number; readonly fallthrough: number; readonly eip: number }
  /** loop/loope/loopne (decrement ecx, no flags written) and jecxz. */
  | { readonly kind: 'loop'; readonly loop: 'loop' | 'loope' | 'loopne' | 'jecxz'; readonly taken: number; readonly fallthrough: number; readonly eip: number }
  | { readonly kind: 'indirect'; readonly target: IrSource; readonly eip: number }
  | { readonly kind: 'call'; readonly target: number; readonly returnAddress: number; readonly eip: number }
  | { readonly kind: 'call-indirect'; readonly target: IrSource; readonly returnAddress: number; readonly eip: number }
  | { readonly kind: 'ret'; readonly popBytes: number; readonly eip: number }
  /** `int 0x80`: a guest system call; `next` is the eip after it. */
  | { readonly kind: 'syscall'; readonly next: number; readonly eip: number }
  /** The next instruction is not translated (yet): the block stops there with a report. */
  | { readonly kind: 'untranslated'; readonly eip: number; readonly mnemonic: string; readonly reason: string };

export interface IrBlock {
  readonly start: number;
  readonly ops: IrOp[];
  readonly terminator: IrTerminator;
  /** Guest instructions executed by one run of the block (ops + a branching terminator). */
  readonly guestCount: number;
  /** Guest bytes [start, end) the block was translated from (for invalidation). */
  readonly end: number;
}

/** Does the op write status flags (all or some of them)? */
export function writesFlags(op: IrOp): boolean {
  switch (op.op) {
    case 'alu': case 'shift': case 'shiftd': case 'imul': case 'xadd': case 'cmpxchg': case 'cmpxchg8b': case 'bit': case 'scan': case 'popf': case 'bcd':
      return true;
    case 'unary':
      return op.unary !== 'not';
    case 'muldiv':
      return op.muldiv === 'mul' || op.muldiv === 'imul';
    case 'flag':
      return op.flag === 'clc' || op.flag === 'stc' || op.flag === 'cmc' || op.flag === 'sahf';
    case 'string':
      return op.string === 'cmps' || op.string === 'scas';
    default:
      return false;
  }
}

/** Does the op's result (register/memory value) depend on the incoming flags? */
export function readsFlagsForValue(op: IrOp): boolean {
  switch (op.op) {
    case 'alu':
      return op.alu === 'adc' || op.alu === 'sbb';
    case 'setcc': case 'cmov': case 'pushf': case 'into':
      return true;
    case 'bcd':
      return op.bcd !== 'aam' && op.bcd !== 'aad';
    case 'flag':
      return op.flag === 'lahf';
    case 'shift':
      return op.shift === 'rcl' || op.shift === 'rcr';
    default:
      return false;
  }
}

/** Are some of the op's output flags the incoming ones (kept, or conditionally not written)? */
export function keepsSomeFlags(op: IrOp): boolean {
  switch (op.op) {
    case 'unary':
      return op.unary === 'inc' || op.unary === 'dec';
    case 'shift':
      return op.count === 'cl' || (op.shift !== 'shl' && op.shift !== 'shr' && op.shift !== 'sar');
    case 'shiftd':
      return op.count === 'cl';
    case 'bit': case 'scan': case 'cmpxchg8b':
      return true;
    case 'bcd':
      return op.bcd !== 'aam' && op.bcd !== 'aad'; // OF (daa das) or OF SF ZF PF (aaa aas) kept
    case 'flag':
      return op.flag === 'clc' || op.flag === 'stc' || op.flag === 'cmc' || op.flag === 'sahf';
    case 'string':
      return op.rep !== 0 && (op.string === 'cmps' || op.string === 'scas');
    default:
      return false;
  }
}

/**
 * Backward flag liveness: a writer's flags are live when a reader or the block exit sees them
 * before another writer overwrites them completely. Exits are always readers (the next block may read).
 */
export function computeFlagLiveness(block: IrBlock): void {
  let live = true; // at the exit
  for (let i = block.ops.length - 1; i >= 0; i--) {
    const op = block.ops[i];
    if (writesFlags(op)) {
      op.flagsLive = live;
      live = false;
      // Flags it keeps come from the previous writer: live when its own flags are.
      if (op.flagsLive && keepsSomeFlags(op)) live = true;
    }
    if (readsFlagsForValue(op)) live = true;
  }
}
