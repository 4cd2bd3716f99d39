// The UKCF intermediate representation: one IR op per guest instruction with its operands resolved
// (registers, immediates, effective addresses), plus the block's terminator. Small on purpose: the
// back end maps each op to a short MIPS sequence; flag liveness is the only whole-block analysis.

/** x86 effective address base + index*scale + disp (base/index = guest register or -1). */
export interface IrAddress {
  readonly base: number;
  readonly index: number;
  readonly scale: 1 | 2 | 4 | 8;
  readonly disp: number;
}

/** A guest location: a register of `size` bytes (size 1: 0..3 = AL..BL, 4..7 = AH..BH) or memory. */
export type IrLocation =
  | { readonly kind: 'reg'; readonly reg: number; readonly size: 1 | 2 | 4 }
  | { readonly kind: 'mem'; readonly address: IrAddress; readonly size: 1 | 2 | 4 };

export type IrSource = IrLocation | { readonly kind: 'imm'; readonly value: number };

export type IrAluOp = 'add' | 'sub' | 'and' | 'or' | 'xor';

/** Lazy-flag kinds (the same numbering as x86/lazy-flags.ts: (op << 3) | size). */
export const enum FlagOp {
  Eager = 0,
  Add = 1,
  Sub = 3,
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
  /** Set by the liveness pass on flag producers: a later reader or the block exit can see the flags. */
  flagsLive?: boolean;
  /** Set on the block's last producer: its flags reach the block exit (KIND must be in its register). */
  flagsToExit?: boolean;
}

export type IrOp = OpBase &
  (
    | { readonly op: 'mov'; readonly dst: IrLocation; readonly src: IrSource }
    | { readonly op: 'movx'; readonly dst: number; readonly src: IrLocation; readonly signed: boolean }
    | { readonly op: 'lea'; readonly dst: number; readonly address: IrAddress }
    | { readonly op: 'alu'; readonly alu: IrAluOp; readonly dst: IrLocation; readonly src: IrSource; readonly writeBack: boolean }
    | { readonly op: 'unary'; readonly unary: 'inc' | 'dec' | 'neg' | 'not'; readonly dst: IrLocation }
    | { readonly op: 'shift'; readonly shift: 'shl' | 'shr' | 'sar'; readonly dst: IrLocation; readonly count: number }
    | { readonly op: 'imul'; readonly dst: number; readonly a: IrSource; readonly b: IrSource }
    | { readonly op: 'push'; readonly src: IrSource }
    | { readonly op: 'pop'; readonly dst: IrLocation }
    | { readonly op: 'setcc'; readonly cond: number; readonly dst: IrLocation }
    | { readonly op: 'cmov'; readonly cond: number; readonly dst: number; readonly src: IrLocation }
    | { readonly op: 'nop' }
  );

/** How the block ends. `count` guest instructions ran when any exit is taken. */
export type IrTerminator =
  | { readonly kind: 'jump'; readonly target: number; readonly eip: number }
  | { readonly kind: 'branch'; readonly cond: number; readonly taken: number; readonly fallthrough: number; readonly eip: number }
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

/** Does the op write the status flags? */
export function producesFlags(op: IrOp): boolean {
  switch (op.op) {
    case 'alu':
    case 'shift':
    case 'imul':
      return true;
    case 'unary':
      return op.unary !== 'not';
    default:
      return false;
  }
}

/** Does the op read flags (a condition, or inc/dec's preserved CF)? */
export function readsFlags(op: IrOp): boolean {
  return op.op === 'setcc' || op.op === 'cmov' || (op.op === 'unary' && (op.unary === 'inc' || op.unary === 'dec') && op.flagsLive === true);
}

/**
 * Backward flag liveness: a producer's flags are live when a reader or the block exit sees them
 * before another producer overwrites them. Exits are always readers (the next block may read).
 */
export function computeFlagLiveness(block: IrBlock): void {
  let live = true; // at the exit
  let last = true;
  for (let i = block.ops.length - 1; i >= 0; i--) {
    const op = block.ops[i];
    if (producesFlags(op)) {
      op.flagsLive = live;
      op.flagsToExit = last;
      last = false;
      live = false;
      // inc/dec keep CF: their own flags being live makes the previous producer's CF live.
      if (op.op === 'unary' && (op.unary === 'inc' || op.unary === 'dec') && op.flagsLive) live = true;
    }
    if (op.op === 'setcc' || op.op === 'cmov') live = true;
  }
}
