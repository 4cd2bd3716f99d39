// `ukcf mips PROGRAM ARGS...` as a user runs it (the bundled dist/cli.js): the guest's stdout,
// stderr and exit status are qemu-mipsel's, with stdin from a pipe; abnormal ends add one
// "ukcf:" line on stderr.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { REPO_ROOT, mipsPrograms, readExpectation, type MipsProgram } from '../mips-differential/program-set';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const { programs } = mipsPrograms();
const program = (name: string): MipsProgram => programs.find((p) => p.name === name) as MipsProgram;

before(() => {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT });
});

function ukcf(args: string[], input: string) {
  const r = spawnSync(process.execPath, [CLI, 'mips', ...args], { input, cwd: REPO_ROOT, timeout: 120_000 });
  const stderr = r.stderr.toString('latin1');
  assert.doesNotMatch(stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
  return { code: r.status, stdout: r.stdout, stderr };
}

test('ukcf mips: a glibc program reading a piped stdin, writing stdout and stderr', () => {
  const p = program('glibc-stdin-sort');
  const expected = readExpectation(p);
  const r = ukcf([relative(REPO_ROOT, p.binary)], p.stdin);
  assert.equal(r.code, expected.exitCode);
  assert.ok(r.stdout.equals(expected.stdout), r.stdout.toString('latin1'));
  assert.equal(r.stderr, expected.stderr?.toString('latin1'));
});

test('ukcf mips: arguments reach argv and the exit status is the program\'s', () => {
  const p = program('glibc-printf');
  const expected = readExpectation(p);
  const r = ukcf([p.binary, ...p.args], '');
  assert.equal(r.code, 7);
  assert.ok(r.stdout.equals(expected.stdout));
});

test('ukcf mips: a fatal signal gives 128+signal and one explaining line', () => {
  for (const [name, code, line] of [
    ['segv-load-null', 139, /^ukcf: segmentation fault at pc=0x[0-9a-f]{8} reading 0x00000000\n$/],
    ['unaligned-lw-1', 135, /^ukcf: bus error at pc=0x[0-9a-f]{8}: misaligned address 0x[0-9a-f]{8} \(reading\)\n$/],
    ['trap-teq', 133, /^ukcf: trap \(.*teq.*\) at pc=0x[0-9a-f]{8}\n$/],
  ] as [string, number, RegExp][]) {
    const p = program(name);
    const r = ukcf([p.binary], '');
    assert.equal(r.code, code, name);
    assert.ok(r.stdout.equals(readExpectation(p).stdout), name);
    assert.match(r.stderr, line, name);
  }
});

test('ukcf mips --max-instructions / --stats', () => {
  const p = program('glibc-printf');
  const limited = ukcf(['--max-instructions', '5000', p.binary], '');
  assert.equal(limited.code, 124);
  assert.match(limited.stderr, /^ukcf: instruction budget of 5000 exhausted at pc=0x[0-9a-f]{8}\n$/);
  const stats = ukcf(['--stats', program('exit-group-status').binary], '');
  assert.equal(stats.code, 0x34);
  assert.match(stats.stderr, /^ukcf: \d+ instructions retired, exit status 52\n$/);
});
