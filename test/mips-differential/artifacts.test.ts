// The committed sources, binaries and expectations are what the generator, the cross
// compiler and qemu-mipsel produce today.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PF_X, readElfFile } from '../../emulator/machine/elf';
import { decodeForExecution } from '../../emulator/mips/decoder';
import { MIPS_TABLE, MipsClass } from '../../emulator/mips/table';
import { COMPILER, buildProgram, mipsPrograms, readExpectation, runReference, toolAvailable } from './program-set';

const { programs, generated } = mipsPrograms();

test('committed generated sources equal the generator output', () => {
  for (const program of programs.filter((p) => p.kind === 'asm')) {
    const committed = readFileSync(join(program.sourceDir, program.sourceFile), 'utf8');
    assert.equal(committed, generated.get(program.name), `${program.sourceFile} differs from the generator: rerun build.ts`);
  }
  const srcDir = programs.find((p) => p.kind === 'asm')?.sourceDir as string;
  assert.deepEqual(readdirSync(srcDir).sort(), programs.filter((p) => p.kind === 'asm').map((p) => p.sourceFile).sort());
});

test('committed binaries rebuild byte-for-byte', { skip: toolAvailable(COMPILER) ? false : `${COMPILER} is not installed` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mips-rebuild-'));
  try {
    for (const program of programs) {
      const output = join(dir, program.name);
      const problem = buildProgram(program, output);
      assert.equal(problem, null, problem ?? '');
      assert.ok(readFileSync(output).equals(readFileSync(program.binary)), `${program.binary} is not what ${COMPILER} builds from ${program.sourceFile}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('qemu-mipsel still produces the committed expectations', { skip: toolAvailable('qemu-mipsel') ? false : 'qemu-mipsel is not installed' }, () => {
  for (const program of programs) {
    const expected = readExpectation(program);
    const actual = runReference(program);
    assert.equal(actual.exitCode, expected.exitCode, `${program.name}: exit status`);
    assert.ok(actual.stdout.equals(expected.stdout), `${program.name}: stdout differs from expected/${program.name}.stdout`);
    if (expected.stderr) assert.ok(actual.stderr.equals(expected.stderr), `${program.name}: stderr`);
  }
});

test('the expectations cover the ISA areas they claim', () => {
  // Guards against a generator change that silently drops a whole class of programs.
  const byName = new Map(programs.map((p) => [p.name, readExpectation(p)]));
  const status = (name: string) => byName.get(name)?.exitCode;
  for (const op of ['teq', 'tne', 'tge', 'tgeu', 'tlt', 'tltu', 'teqi', 'tnei', 'tgei', 'tgeiu', 'tlti', 'tltiu']) {
    assert.equal(status(`trap-${op}`), 133, `trap-${op} ends in SIGTRAP`);
    assert.equal(byName.get(`trap-${op}`)?.stdout.length, 8, `trap-${op} passes 8 untaken traps first`);
  }
  for (const op of ['add', 'addi', 'sub']) assert.equal(status(`overflow-${op}`), 136);
  assert.equal(status('unaligned-lw-1'), 135);
  assert.equal(status('segv-load-null'), 139);
  assert.equal(status('sigill-reserved'), 132);
  for (const name of ['alu', 'muldiv', 'bitfield', 'memory', 'branches', 'mixed', 'partial-word']) assert.equal(status(name), 0, name);
  assert.equal(status('glibc-printf'), 7);
});

test('the programs contain every instruction of the MIPS table but the few qemu cannot judge', () => {
  // Not covered: FPU branches and cop1x (FPU arithmetic is not emulated), sdbbp (qemu-mipsel aborts).
  const uncovered = new Set(['bc1f', 'bc1t', 'bc1fl', 'bc1tl', 'cop1x', 'sdbbp']);
  const seen = new Set<string>();
  for (const program of programs.filter((p) => p.kind === 'asm')) {
    const elf = readElfFile(program.binary);
    for (const segment of elf.loadSegments) {
      if (!(segment.flags & PF_X)) continue;
      const text = elf.bytes.subarray(segment.offset, segment.offset + segment.filesz);
      const view = new DataView(text.buffer, text.byteOffset, text.byteLength);
      for (let o = 0; o + 4 <= text.length; o += 4) {
        const insn = decodeForExecution(view.getUint32(o, true));
        if (insn) seen.add(insn.spec.mnemonic);
      }
    }
  }
  const wanted = [...new Set(MIPS_TABLE.filter((s) => !(s.flags & MipsClass.ALIAS)).map((s) => s.mnemonic))].filter((m) => !uncovered.has(m));
  assert.deepEqual(wanted.filter((m) => !seen.has(m)), []);
});
