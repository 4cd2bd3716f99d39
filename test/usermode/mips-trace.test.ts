// Control flow and instruction counts against qemu-mipsel: qemu's per-instruction trace
// (-singlestep -d exec,nochain: one "Trace" line, with the pc, per instruction entered) must be
// the sequence of pcs the MIPS simulator executes, and the simulator's instructionCount (block
// compiler on) its length. Two documented differences are allowed for:
//   * qemu also logs the annulled delay slot of an untaken branch-likely, which the simulator
//     does not count (it never executes);
//   * the last instruction (exit system call or faulting instruction) ends the run uncounted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElfFile } from '../../emulator/machine/elf';
import { decodeForExecution } from '../../emulator/mips/decoder';
import { MipsClass } from '../../emulator/mips/table';
import { MipsProcess } from '../../emulator/usermode/mips-process';
import { runUserProgram } from '../../emulator/usermode/run-user-program';
import { REPO_ROOT, mipsPrograms, toolAvailable, type MipsProgram } from '../mips-differential/program-set';

const TRACED = ['branches', 'blocks', 'mixed', 'memory', 'self-modifying', 'syscall-conventions', 'fpu-moves', 'delay-slot-annulled', 'delay-slot-segv', 'trap-tgeu'];
const programs = mipsPrograms().programs.filter((p) => TRACED.includes(p.name));

function qemuTrace(program: MipsProgram, dir: string): number[] {
  const log = join(dir, `${program.name}.log`);
  spawnSync('qemu-mipsel', ['-cpu', program.qemuCpu, '-singlestep', '-d', 'exec,nochain', '-D', log, program.binary], {
    cwd: REPO_ROOT,
    env: Object.fromEntries(program.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
    maxBuffer: 64 << 20,
  });
  const pcs: number[] = [];
  for (const m of readFileSync(log, 'latin1').matchAll(/^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+\/([0-9a-f]+)\//gm)) pcs.push(parseInt(m[1], 16));
  return pcs;
}

/** The pcs the simulator executes, one instruction at a time (plus the final, uncounted one). */
function simulatorTrace(program: MipsProgram): number[] {
  const proc = new MipsProcess({
    elf: readElfFile(program.binary), argv: [program.binary], envp: program.env, cwd: REPO_ROOT,
    stdout: () => {}, stderr: () => {}, diagnostic: () => {}, blockCompiler: false, // one step at a time
  });
  const pcs: number[] = [];
  for (;;) {
    const pc = proc.cpu.pc >>> 0;
    const before = proc.cpu.instructionCount;
    const stop = proc.run(1);
    if (proc.cpu.instructionCount > before || stop.kind === 'exited') pcs.push(pc);
    if (stop.kind === 'exited') return pcs;
  }
}

/** qemu's trace without the annulled delay slots of untaken branch-likelies. */
function withoutAnnulledSlots(pcs: number[], word: (address: number) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < pcs.length; i++) {
    const previous = pcs[i - 1];
    if (i > 0 && i + 1 < pcs.length && previous + 4 === pcs[i] && pcs[i + 1] === pcs[i] + 4) {
      const branch = decodeForExecution(word(previous));
      if (branch && branch.spec.flags & MipsClass.LIKELY) continue; // untaken: the slot was skipped
    }
    out.push(pcs[i]);
  }
  return out;
}

const skip = toolAvailable('qemu-mipsel') ? false : 'qemu-mipsel is not installed';

for (const program of programs) {
  test(`${program.name}: executed pcs and instruction count equal qemu-mipsel's trace`, { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mips-trace-'));
    try {
      const elf = readElfFile(program.binary);
      const word = (address: number) => {
        const s = elf.loadSegments.find((p) => address >= p.vaddr && address + 4 <= p.vaddr + p.filesz);
        if (!s) return 0; // code written at run time (self-modifying): never a branch-likely here
        const o = s.offset + (address - s.vaddr);
        return (elf.bytes[o] | (elf.bytes[o + 1] << 8) | (elf.bytes[o + 2] << 16) | (elf.bytes[o + 3] << 24)) >>> 0;
      };
      const expected = withoutAnnulledSlots(qemuTrace(program, dir), word);
      const actual = simulatorTrace(program);
      const first = expected.findIndex((pc, i) => actual[i] !== pc);
      assert.equal(first, -1, `first divergence at step ${first}: qemu 0x${expected[first]?.toString(16)}, simulator 0x${actual[first]?.toString(16)}`);
      assert.equal(actual.length, expected.length);
      const run = runUserProgram({
        isa: 'mips', program: program.binary, env: program.env, cwd: REPO_ROOT, stdout: () => {}, stderr: () => {}, diagnostic: () => {},
      });
      assert.equal(run.instructions, expected.length - 1, 'block compiler instruction count');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
