// MIPS encoder and disassembler speed: instructions emitted per second by MipsAssembler (a mix a
// translator emits: ALU, loads/stores, li, branches to labels with their delay slots) and words per
// second through disassembleWords (a real program's .text-like mix: the emitted code itself).
import { performance } from 'node:perf_hooks';
import { GPR, MipsAssembler } from '../emulator/mips/encoder';
import { disassembleWords } from '../emulator/mips/disassembler';

function emitBlock(asm: MipsAssembler, i: number): void {
  const top = asm.here();
  const out = asm.newLabel();
  asm.lw(GPR.t0, 8, GPR.s0);
  asm.addu(GPR.t1, GPR.t0, GPR.s1);
  asm.li(GPR.t2, 0x12345678 + i);
  asm.sltu(GPR.t3, GPR.t1, GPR.t2);
  asm.beqz(GPR.t3, out);
  asm.sw(GPR.t1, 12, GPR.s0);
  asm.andi(GPR.t4, GPR.t1, 0xff);
  asm.bne(GPR.t4, GPR.zero, top);
  asm.nop();
  asm.bind(out);
  asm.jr(GPR.ra);
  asm.sll(GPR.v0, GPR.t1, 2);
}

export async function run(): Promise<void> {
  for (let round = 1; round <= 3; round++) {
    const start = performance.now();
    const asm = new MipsAssembler(0x80100000);
    for (let i = 0; i < 50000; i++) emitBlock(asm, i);
    const code = asm.finish();
    const emitSeconds = (performance.now() - start) / 1000;
    const t = performance.now();
    const lines = disassembleWords(code.words, code.origin);
    const disSeconds = (performance.now() - t) / 1000;
    console.log(
      `  round ${round}: emitted ${code.words.length} words in ${emitSeconds.toFixed(3)} s = ${(code.words.length / emitSeconds / 1e6).toFixed(2)} M/s; ` +
        `disassembled ${lines.length} in ${disSeconds.toFixed(3)} s = ${(lines.length / disSeconds / 1e6).toFixed(2)} M/s`,
    );
  }
}

if (require.main === module) void run();
