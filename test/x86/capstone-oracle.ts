// Capstone (x86-32) as an independent oracle for the decoder. The npm binding's own
// detail reader uses Capstone 4 struct offsets and returns garbage with this Capstone 5
// build, so the operand details are read here straight from wasm memory, using the
// Capstone 5.0 layouts of cs_insn / cs_detail / cs_x86 / cs_x86_op (checked against
// known encodings in capstone.test.ts).

// eslint-disable-next-line @typescript-eslint/no-require-imports
const capstoneFactory = require('@alexaltea/capstone-js') as () => Promise<CapstoneModule>;

interface CapstoneModule {
  ARCH_X86: number;
  MODE_32: number;
  OPT_DETAIL: number;
  OPT_ON: number;
  OPT_SYNTAX: number;
  OPT_SYNTAX_ATT: number;
  getValue(pointer: number, type: string): number;
  _malloc(size: number): number;
  _free(pointer: number): void;
  writeArrayToMemory(bytes: ArrayLike<number>, pointer: number): void;
  /** Direct wasm exports (cheaper than ccall in a loop of 200,000 calls). */
  _cs_disasm(handle: number, code: number, size: number, address: bigint, count: number, insn: number): number;
  _cs_free(insn: number, count: number): void;
  UTF8ToString(pointer: number): string;
  Capstone: new (arch: number, mode: number) => CapstoneHandle;
}

interface CapstoneHandle {
  handle_ptr: number;
  option(option: number, value: number): void;
  reg_name(id: number): string;
  close(): void;
}

export type CapstoneOperand =
  | { kind: 'reg'; reg: string; size: number }
  | { kind: 'imm'; imm: bigint; size: number }
  | { kind: 'mem'; segment: string; base: string; index: string; scale: number; disp: bigint; size: number };

export interface CapstoneInstruction {
  size: number;
  mnemonic: string;
  opStr: string;
  prefixes: number[];
  operands: CapstoneOperand[];
}

// Capstone 5.0 struct offsets (wasm32).
const INSN_SIZE = 16; // uint16 size
const INSN_MNEMONIC = 42;
const INSN_OP_STR = 74;
const INSN_DETAIL = 236;
const DETAIL_X86 = 96;
const X86_PREFIX = 0;
const X86_OP_COUNT = 64;
const X86_OPERANDS = 72;
const X86_OPERAND_STRIDE = 48;
const OP_TYPE_REG = 1;
const OP_TYPE_IMM = 2;
const OP_TYPE_MEM = 3;

export class CapstoneX86 {
  private readonly handle: number;
  private readonly buffer: number;
  private readonly insnPtrPtr: number;
  private readonly regNames = new Map<number, string>();

  private constructor(
    private readonly cs: CapstoneModule,
    private readonly wrapper: CapstoneHandle,
  ) {
    this.handle = cs.getValue(wrapper.handle_ptr, 'i32');
    this.buffer = cs._malloc(32);
    this.insnPtrPtr = cs._malloc(4);
  }

  static async open(syntax: 'intel' | 'att' = 'intel'): Promise<CapstoneX86> {
    const cs = await capstoneFactory();
    const wrapper = new cs.Capstone(cs.ARCH_X86, cs.MODE_32);
    wrapper.option(cs.OPT_DETAIL, cs.OPT_ON);
    if (syntax === 'att') wrapper.option(cs.OPT_SYNTAX, cs.OPT_SYNTAX_ATT);
    return new CapstoneX86(cs, wrapper);
  }

  private reg(id: number): string {
    if (id === 0) return '';
    let name = this.regNames.get(id);
    if (name === undefined) {
      name = this.wrapper.reg_name(id);
      this.regNames.set(id, name);
    }
    return name;
  }

  /** Decodes the one instruction at the start of `bytes` (at most 15 are looked at), or null if Capstone rejects it. */
  decode(bytes: ArrayLike<number>, address: number): CapstoneInstruction | null {
    const cs = this.cs;
    const n = Math.min(bytes.length, 16);
    const window = Array.prototype.slice.call(bytes, 0, n) as number[];
    cs.writeArrayToMemory(window, this.buffer);
    const count = cs._cs_disasm(this.handle, this.buffer, n, BigInt(address), 1, this.insnPtrPtr);
    if (count === 0) return null;
    const insn = cs.getValue(this.insnPtrPtr, 'i32');
    try {
      const size = cs.getValue(insn + INSN_SIZE, 'i16') & 0xffff;
      const mnemonic = cs.UTF8ToString(insn + INSN_MNEMONIC);
      const opStr = cs.UTF8ToString(insn + INSN_OP_STR);
      const x86 = cs.getValue(insn + INSN_DETAIL, '*') + DETAIL_X86;
      const prefixes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const p = cs.getValue(x86 + X86_PREFIX + i, 'i8') & 0xff;
        if (p !== 0) prefixes.push(p);
      }
      const operands: CapstoneOperand[] = [];
      const opCount = cs.getValue(x86 + X86_OP_COUNT, 'i8') & 0xff;
      for (let i = 0; i < opCount; i++) {
        const op = x86 + X86_OPERANDS + i * X86_OPERAND_STRIDE;
        const type = cs.getValue(op, 'i32');
        const opSize = cs.getValue(op + 32, 'i8') & 0xff;
        if (type === OP_TYPE_REG) {
          operands.push({ kind: 'reg', reg: this.reg(cs.getValue(op + 8, 'i32')), size: opSize });
        } else if (type === OP_TYPE_IMM) {
          operands.push({ kind: 'imm', imm: BigInt(cs.getValue(op + 8, 'i64')), size: opSize });
        } else if (type === OP_TYPE_MEM) {
          operands.push({
            kind: 'mem',
            segment: this.reg(cs.getValue(op + 8, 'i32')),
            base: this.reg(cs.getValue(op + 12, 'i32')),
            index: this.reg(cs.getValue(op + 16, 'i32')),
            scale: cs.getValue(op + 20, 'i32'),
            disp: BigInt(cs.getValue(op + 24, 'i64')),
            size: opSize,
          });
        } else {
          throw new Error(`Capstone operand type ${type} unknown (${mnemonic} ${opStr})`);
        }
      }
      return { size, mnemonic, opStr, prefixes, operands };
    } finally {
      cs._cs_free(insn, 1);
    }
  }

  close(): void {
    this.cs._free(this.buffer);
    this.cs._free(this.insnPtrPtr);
    this.wrapper.close();
  }
}
