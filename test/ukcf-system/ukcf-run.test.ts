// `runScheme('ukcf')`: the i386 player exec'd by the MIPS host kernel and translated in its user
// window, the i386 driver translated in the kernel. Checked against the native scheme (the mipsel
// player and driver: displayed frames hash for hash, the player's own per-frame hashes), against
// the x86 reference interpreter (it replays the run: same system calls with the same guest registers,
// and its instruction count equals the one the translated code's block counters give), for
// determinism (byte-identical stats twice), and for a clear stop at an instruction the translator
// does not handle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseElf } from '../../emulator/machine/elf';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScheme, schemeStats, type SchemeRunResult } from '../../emulator/system/run-scheme';
import { SystemError } from '../../emulator/system/host-system';
import { replayOnReference, ReplayMismatch } from '../../emulator/system/reference-replay';
import { WORKLOADS, toolAvailable } from '../workloads/workload-files';

/** The whole default video (25 frames; about 13 s translated, 6 s native on a 2-core machine). */
const FRAMES = 25;

const frameLines = (r: SchemeRunResult) => r.console.split('\n').filter((l) => /^frame \d+ fnv1a /.test(l));
const playedLine = (r: SchemeRunResult) => (/^played .*$/m.exec(r.console)?.[0] ?? '').replace(/ elapsed_us \d+$/, '');

let first: SchemeRunResult | null = null;
function ukcfRun(): SchemeRunResult {
  if (first === null) first = runScheme({ scheme: 'ukcf', workloads: WORKLOADS });
  return first;
}

test(`ukcf scheme: the whole default video (${FRAMES} frames) hash for hash as the native scheme`, () => {
  const native = runScheme({ scheme: 'native', workloads: WORKLOADS });
  const r = ukcfRun();
  assert.equal(r.panicked, false, r.console);
  assert.equal(r.status, 0, r.console);
  assert.equal(r.framesPlayed, FRAMES);
  assert.ok(r.displayed.length >= FRAMES);
  assert.deepEqual(r.displayed.map((d) => d.hash), native.displayed.map((d) => d.hash));
  assert.deepEqual(frameLines(r), frameLines(native));
  assert.equal(playedLine(r), playedLine(native));
  assert.match(r.console, /^module \/gfx_driver\.o: i386 driver at [0-9a-f]{8}, \d+ bytes, translated by UKCF$/m);
  // Every host instruction is in a region: kernel, translated code, glue; none natively in the window.
  assert.equal(r.counts.other, 0);
  assert.equal(r.counts.app, 0, 'no native code runs in the i386 window');
  assert.equal(r.counts.driver, 0, 'the i386 driver never runs natively');
  assert.equal(Object.values(r.regions).reduce((a, b) => a + b, 0), r.instructions);
});

test('ukcf scheme with the native driver (translated player alone): the same frames as native', () => {
  const native = runScheme({ scheme: 'native', workloads: WORKLOADS, frames: 3 });
  const r = runScheme({ scheme: 'ukcf', workloads: WORKLOADS, frames: 3, driver: 'mipsel' });
  assert.equal(r.status, 0, r.console);
  assert.deepEqual(r.displayed.map((d) => d.hash), native.displayed.map((d) => d.hash));
  assert.ok(r.ukcf !== null && r.ukcf.kernel === null && r.ukcf.driver === 'native-mipsel');
  assert.ok(r.counts.driver > 0, 'the mipsel driver runs natively');
  assert.equal(r.ukcf.reference?.instructions, r.ukcf.user?.statistics.guestInstructionsExecuted);
});

test('ukcf scheme: the x86 reference interpreter replays the run; its count is the translated code\'s; the stats add up', () => {
  const r = ukcfRun();
  assert.ok(r.ukcf !== null && r.ukcf.reference !== null && r.ukcf.user !== null && r.ukcf.kernel !== null);
  const ref = r.ukcf.reference;
  assert.equal(ref.exitStatus, 0);
  assert.equal(ref.syscalls, r.syscalls?.length, 'one host call per guest call');
  assert.equal(r.ukcf.user.statistics.guestInstructionsExecuted, ref.instructions);
  const s = r.ukcf.stats as {
    guest_instructions: { app: { executed_dynamic: number; translated_static_distinct: number }; driver: { executed_dynamic: number } };
    host_instructions: Record<string, number> & { app_glue: { total: number } };
    performance_loss_ratio: { app: number; driver: number };
    lookup: { hits: number; misses: number; dispatches: number };
    chaining: { hit_rate: number };
    crossings: { shell_entries: number; jump_monitor_exits_to_kernel: number };
  };
  assert.equal(s.guest_instructions.app.executed_dynamic, ref.instructions);
  assert.ok(s.guest_instructions.app.translated_static_distinct > 500);
  assert.ok(s.guest_instructions.driver.executed_dynamic > 0);
  const h = s.host_instructions;
  assert.equal(h.app_translated_code + h.counting_overhead, r.regions['ukcf-app']);
  assert.equal(h.driver_translated_code + h.driver_counting_overhead, r.regions['ukcf-driver']);
  assert.equal(h.kernel, r.counts.kernel);
  const ratio = (h.app_translated_code + h.app_glue.total) / ref.instructions;
  assert.ok(Math.abs(s.performance_loss_ratio.app - ratio) < 1e-4);
  assert.ok(s.performance_loss_ratio.app > 1 && s.performance_loss_ratio.driver > 1);
  assert.equal(s.lookup.hits + s.lookup.misses, s.lookup.dispatches);
  assert.ok(s.chaining.hit_rate > 0.9);
  assert.ok(s.crossings.shell_entries > 0 && s.crossings.jump_monitor_exits_to_kernel > 0);
});

test('ukcf scheme: the reference replay is an oracle that can fail (a changed register, a changed write, a missing call)', () => {
  const r = ukcfRun();
  const calls = r.guestSyscalls;
  assert.ok(calls !== null && calls.length > 3);
  // A one-frame run with its own replay turned off: the replay here is the test's.
  const again = runScheme({ scheme: 'ukcf', workloads: WORKLOADS, frames: 1, reference: false, countGuestInstructions: false });
  assert.ok(again.ukcf !== null && again.ukcf.reference === null && again.ukcf.image !== null);
  const image = again.ukcf.image;
  const guest = again.guestSyscalls ?? [];
  const okay = replayOnReference(image, guest);
  assert.equal(okay.exitStatus, 0);
  const changed = guest.map((c, i) => (i === 2 ? { ...c, registers: Int32Array.from(c.registers, (v, k) => (k === 1 ? v + 1 : v)) } : c));
  assert.throws(() => replayOnReference(image, changed), (e: unknown) => e instanceof ReplayMismatch && /system call #2 .*ecx is/.test(e.message));
  assert.throws(() => replayOnReference(image, guest.slice(0, 3)), (e: unknown) => e instanceof ReplayMismatch && /made only 3/.test(e.message));
  // The first read of the video header, one byte changed: the player parses something else and goes elsewhere.
  const read = guest.findIndex((c) => c.name === 'read' && (c.result ?? 0) > 8);
  assert.ok(read >= 0);
  const corrupt = guest.map((c, i) => (i === read ? { ...c, writes: c.writes.map((w) => ({ address: w.address, bytes: Uint8Array.from(w.bytes, (b, k) => (k === 0 ? b ^ 0xff : b)) })) } : c));
  assert.throws(() => replayOnReference(image, corrupt), (e: unknown) => e instanceof ReplayMismatch);
});

test('ukcf scheme: deterministic — the same run twice gives byte-identical stats and console', () => {
  const a = ukcfRun();
  const b = runScheme({ scheme: 'ukcf', workloads: WORKLOADS });
  assert.equal(JSON.stringify(schemeStats(b)), JSON.stringify(schemeStats(a)));
  assert.equal(b.console, a.console);
});

const gas = toolAvailable('i686-linux-gnu-as') && toolAvailable('i686-linux-gnu-ld');

/** A workloads folder whose i386 "player" is `source` (GNU as), assembled and linked at test time. */
function workloadsWithPlayer(dir: string, source: string): string {
  const w = join(dir, 'workloads');
  for (const part of ['kernel', 'driver', 'videos']) cpSync(join(WORKLOADS, part), join(w, part), { recursive: true });
  writeFileSync(join(dir, 'p.s'), source);
  const as = spawnSync('i686-linux-gnu-as', ['--32', '-o', join(dir, 'p.o'), join(dir, 'p.s')], { encoding: 'utf8' });
  assert.equal(as.status, 0, as.stderr);
  mkdirSync(join(w, 'player'));
  const ld = spawnSync('i686-linux-gnu-ld', ['-m', 'elf_i386', '--build-id=none', '-o', join(w, 'player', 'player.i386'), join(dir, 'p.o')], { encoding: 'utf8' });
  assert.equal(ld.status, 0, ld.stderr);
  return w;
}

test('ukcf scheme: a guest fault kills the process; the kernel names the guest eip; the reference faults there too', { skip: gas ? false : 'i686-linux-gnu-as/ld not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-fault-'));
  try {
    // getpid, then a load from address 0 (outside the window).
    const w = workloadsWithPlayer(dir, '.globl _start\n_start:\n movl $20, %eax\n int $0x80\n movl 0, %eax\n movl $1, %eax\n int $0x80\n');
    const r = runScheme({ scheme: 'ukcf', workloads: w, frames: 1 });
    const entry = parseElf(readFileSync(join(w, 'player', 'player.i386')), 'p').entry;
    const eip = (entry + 7).toString(16).padStart(8, '0');
    assert.equal(r.status, 128 + 11, r.console);
    assert.match(r.console, new RegExp(`^kernel: pid 1 killed by exception TLBL at pc [0-9a-f]{8}, address 00000000, guest eip ${eip} accessing 00000000$`, 'm'));
    assert.ok(r.ukcf !== null && r.ukcf.reference !== null);
    assert.equal(r.ukcf.reference.instructions, 2);
    assert.equal(r.ukcf.reference.exitStatus, null);
    assert.match(r.ukcf.reference.fault ?? '', /0x00000000|address 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ukcf scheme: self-modifying guest code — a store into translated code is seen by the next execution', { skip: gas ? false : 'i686-linux-gnu-as/ld not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-smc-'));
  try {
    // The first pass runs `movl $0, %ebx` translated; then its immediate is stored over (42) and the
    // loop runs it again: the exit status must be the new immediate. Code in a writable section.
    const w = workloadsWithPlayer(dir, [
      '.section .text.smc, "awx", @progbits', '.globl _start', '_start:', ' xorl %ecx, %ecx',
      'again:', 'patch:', ' movl $0, %ebx', ' incl %ecx', ' cmpl $2, %ecx', ' je done', ' movb $42, patch+1', ' jmp again',
      'done:', ' movl $1, %eax', ' int $0x80', '',
    ].join('\n'));
    const r = runScheme({ scheme: 'ukcf', workloads: w, frames: 1 });
    assert.equal(r.status, 42, r.console);
    assert.ok(r.ukcf !== null && r.ukcf.user !== null && r.ukcf.reference !== null);
    assert.ok(r.ukcf.user.statistics.smcInvalidations >= 1, 'the store invalidated translated code');
    assert.equal(r.ukcf.reference.exitStatus, 42);
    assert.equal(r.ukcf.user.statistics.guestInstructionsExecuted, r.ukcf.reference.instructions);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ukcf scheme: an instruction the translator does not handle stops the run with its eip and mnemonic', { skip: gas ? false : 'i686-linux-gnu-as/ld not installed' }, () => {
  // A "player" that runs an x87 instruction (outside UKCF's integer subset) after a system call.
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-untranslated-'));
  try {
    const w = workloadsWithPlayer(dir, '.globl _start\n_start:\n movl $20, %eax\n int $0x80\n fldz\n movl $1, %eax\n xorl %ebx, %ebx\n int $0x80\n');
    let message = '';
    try {
      runScheme({ scheme: 'ukcf', workloads: w, frames: 1 });
    } catch (e) {
      assert.ok(e instanceof SystemError, String(e));
      message = e.message;
    }
    // fldz follows `movl $20, %eax` (5 bytes) and `int $0x80` (2 bytes) at the entry point.
    const entry = parseElf(readFileSync(join(w, 'player', 'player.i386')), 'p').entry;
    const eip = '0x' + (entry + 7).toString(16).padStart(8, '0');
    // Either the translator's own stop or, for what the reference interpreter does not emulate either
    // (x87), the interpreter's message for it — both name the eip.
    assert.match(message, new RegExp(`^translated player stopped: (guest instruction '[a-z0-9]+' at ${eip} is not translated|unsupported instruction \\(bytes d9 ee: x87 [^)]*\\) at eip=${eip}$)`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
