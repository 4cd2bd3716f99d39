// MipsProcess / runUserProgram({ isa: 'mips' }) beyond the differential programs' stdout and
// exit status: the interpreter-only engine against the same qemu-mipsel expectations, the
// messages of abnormal ends, the instruction budget, determinism, and bad input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElfFile } from '../../emulator/machine/elf';
import { MipsProcess } from '../../emulator/usermode/mips-process';
import { BUDGET_EXIT_CODE, UserProgramError, runUserProgram, type UserProgramResult } from '../../emulator/usermode/run-user-program';
import { REPO_ROOT, mipsPrograms, readExpectation, type MipsProgram } from '../mips-differential/program-set';
import { describeStateDifference } from '../mips-differential/state-dump';

const { programs } = mipsPrograms();
const byName = (name: string): MipsProgram => {
  const p = programs.find((q) => q.name === name);
  if (!p) throw new Error(`no program ${name}`);
  return p;
};

function run(program: MipsProgram, maxInstructions = 50_000_000): UserProgramResult & { stdout: string } {
  const out: Uint8Array[] = [];
  const result = runUserProgram({
    isa: 'mips',
    program: program.binary,
    args: program.args,
    env: program.env,
    cwd: REPO_ROOT,
    stdin: Buffer.from(program.stdin),
    stdout: (b) => out.push(Uint8Array.from(b)),
    stderr: () => {},
    diagnostic: () => {},
    maxInstructions,
  });
  return { ...result, stdout: Buffer.concat(out).toString('latin1') };
}

// Near-duplicates (one more privileged opcode, one more misaligned offset) add nothing here.
const NEAR_DUPLICATE = /^(sigill-(?!reserved|privileged|cop2)|unaligned-.*-[23]$)/;

test('the interpreter alone (no block compiler) matches qemu-mipsel on every kind of program', () => {
  for (const program of programs.filter((p) => !NEAR_DUPLICATE.test(p.name))) {
    const expected = readExpectation(program);
    const out: Uint8Array[] = [];
    const proc = new MipsProcess({
      elf: readElfFile(program.binary),
      argv: [program.binary, ...program.args],
      envp: program.env,
      cwd: REPO_ROOT,
      stdin: Buffer.from(program.stdin),
      stdout: (b) => out.push(Uint8Array.from(b)),
      stderr: () => {},
      diagnostic: () => {},
      blockCompiler: false,
    });
    const stop = proc.run(50_000_000);
    assert.equal(stop.kind, 'exited', program.name);
    const stdout = Buffer.concat(out);
    if (program.stateDumps) {
      const difference = describeStateDifference(program, expected.stdout, stdout);
      assert.equal(difference, null, `interpreter: ${difference}`);
    } else {
      assert.equal(stdout.toString('latin1'), expected.stdout.toString('latin1'), `interpreter: ${program.name}`);
    }
    assert.equal(stop.kind === 'exited' ? stop.exitCode : -1, expected.exitCode, `interpreter: ${program.name} exit status`);
  }
});

test('abnormal ends say what happened, where, and to which address', () => {
  const cases: [string, number, RegExp][] = [
    ['segv-load-null', 139, /^segmentation fault at pc=0x004[0-9a-f]{5} reading 0x00000000$/],
    ['segv-store-text', 139, /^segmentation fault at pc=0x004[0-9a-f]{5} writing 0x004000f0 \(read-only\)$/],
    ['segv-execute-null', 139, /^segmentation fault at pc=0x00000000 fetching 0x00000000$/],
    ['segv-kernel-address', 139, /^segmentation fault at pc=0x004[0-9a-f]{5} reading kernel address 0x80000000$/],
    ['unaligned-lw-3', 135, /^bus error at pc=0x004[0-9a-f]{5}: misaligned address 0x[0-9a-f]{7}3 \(reading\)$/],
    ['unaligned-sh-1', 135, /^bus error at pc=0x004[0-9a-f]{5}: misaligned address 0x[0-9a-f]{7}1 \(writing\)$/],
    ['sigill-reserved', 132, /^illegal instruction 0x0000003f \(.*\) at pc=0x004[0-9a-f]{5}$/],
    ['sigill-privileged', 132, /^privileged instruction 0x40096000 \(mfc0\s+t1,c0_status\) at pc=/],
    ['overflow-add', 136, /^integer overflow \(0x[0-9a-f]{8} \(add\s+t2,t0,t1\)\) at pc=.*$/],
    ['trap-tltiu', 133, /^trap \(0x[0-9a-f]{8} \(tltiu\s+t0,.*\)\) at pc=.*$/],
    ['sigtrap-break', 133, /^break \(0x0000000d \(break\)\) at pc=/],
    ['fpu-sigbus-ldc1', 135, /^bus error \(misaligned FPU access\) at pc=.* accessing 0x[0-9a-f]{7}4$/],
    ['fpu-arith-sigill', 132, /^FPU instruction 0x46241000 \(cop1\s+0x2241000\) at pc=0x[0-9a-f]{8} is not emulated/],
    ['fpu-sigfpe-ctc1', 136, /^floating-point exception \(0x44c9f800 \(ctc1\s+t1,c1_fcsr\) set an enabled cause bit\)/],
  ];
  for (const [name, code, message] of cases) {
    const r = run(byName(name));
    assert.equal(r.exitCode, code, name);
    assert.match(r.message ?? '', message, name);
  }
});

test('the instruction budget ends a run with exit status 124 and says where', () => {
  const r = run(byName('glibc-printf'), 10_000);
  assert.equal(r.exitCode, BUDGET_EXIT_CODE);
  assert.equal(r.instructions, 10_000);
  assert.match(r.message ?? '', /^instruction budget of 10000 exhausted at pc=0x004[0-9a-f]{5}$/);
});

test('runs are deterministic: same output, same instruction count', () => {
  const a = run(byName('glibc-printf'));
  const b = run(byName('glibc-printf'));
  assert.equal(a.exitCode, 7);
  assert.equal(a.stdout, b.stdout);
  assert.equal(a.instructions, b.instructions);
  assert.ok(a.instructions > 100_000, `a glibc program retires many instructions (${a.instructions})`);
});

test('bad programs are refused with one clear line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mips-bad-'));
  try {
    const text = join(dir, 'not-an-elf');
    writeFileSync(text, 'hello, I am text\n');
    const cases: [string, RegExp][] = [
      [join(dir, 'missing'), /missing/],
      [text, /not-an-elf/],
      [join(REPO_ROOT, 'test', 'usermode', 'programs', 'memory.i386'), /wrong machine EM_386 for isa mips/],
    ];
    for (const [program, message] of cases) {
      assert.throws(() => runUserProgram({ isa: 'mips', program, stdout: () => {}, stderr: () => {} }), (e: unknown) => {
        assert.ok(e instanceof UserProgramError, `${program}: ${String(e)}`);
        assert.match(e.message, message);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
