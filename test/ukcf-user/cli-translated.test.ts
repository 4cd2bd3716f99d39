// `ukcf user` with its default engine (translated): output, exit status, --stats, --strace of the
// host's o32 calls, and guest faults of instructions outside the emulated set reported as the
// interpreter reports them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const PROGRAMS = join(ROOT, 'test', 'usermode', 'programs');

before(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
});

function ukcf(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'latin1', cwd: ROOT, timeout: 120_000 });
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('translated is the default engine: same output and status as interp, --stats reports the translation', () => {
  const program = join(PROGRAMS, 'hello-freestanding.i386');
  const interp = ukcf(['user', '--engine', 'interp', program]);
  const plain = ukcf(['user', program]);
  assert.deepEqual(plain, interp);
  const stats = ukcf(['user', '--stats', program]);
  assert.equal(stats.stdout, interp.stdout);
  assert.equal(stats.code, interp.code);
  const lines = stats.stderr.trimEnd().split('\n');
  assert.match(lines[0], /^ukcf: translated run, exit status 5$/);
  const guest = Number(/^ukcf: guest instructions (\d+) /.exec(lines[1])?.[1]);
  const interpCount = Number(/(\d+) instructions retired/.exec(ukcf(['user', '--engine', 'interp', '--stats', program]).stderr)?.[1]);
  assert.equal(guest, interpCount, 'exact guest count = the interpreter\'s');
  const host = Number(/^ukcf: host instructions (\d+) \(/.exec(lines[2])?.[1]);
  assert.ok(host > guest, `${host} host instructions for ${guest} guest ones`);
  assert.match(lines[2], /ukcf-syscall \d+/);
  assert.match(lines[3], new RegExp(`^ukcf: host/guest ratio ${(host / guest).toFixed(2)}$`));
  assert.match(lines[4], /^ukcf: translator cost \d+ modelled host instructions \(\d+ blocks/);
});

test('--strace shows the o32 calls the syscall glue made', () => {
  const r = ukcf(['user', '--strace', join(PROGRAMS, 'hello-freestanding.i386')]);
  assert.equal(r.code, 5);
  const lines = r.stderr.trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => l.replace(/0x[0-9a-f]+/g, 'ADDR')), ['[host syscall] write(1, ADDR, 34) = 34', '[host syscall] exit(5) = 0']);
});

test('privileged and unsupported instructions end the translated run as they end the interpreter\'s', () => {
  for (const name of ['fault-cli', 'fault-lock-nop', 'fault-into-overflow']) {
    const program = join(ROOT, 'test', 'x86-differential', 'built', name);
    const interp = ukcf(['user', '--engine', 'interp', program]);
    const translated = ukcf(['user', program]);
    assert.notEqual(translated.code, 0);
    assert.deepEqual(translated, interp, name);
  }
});

test('--max-instructions bounds the host instructions of a translated run (exit 124)', () => {
  const r = ukcf(['user', '--max-instructions', '100000', join(ROOT, 'bench', 'programs', 'x86-cpu-loop')]);
  assert.equal(r.code, 124);
  assert.match(r.stderr, /^ukcf: instruction budget of 100000 host instructions exhausted at eip=0x0804[0-9a-f]{4}\n$/);
});
