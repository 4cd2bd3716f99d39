// The two inputs of an i386 process in the whole system (`--scheme ukcf`) that are not system calls,
// and what the reference replay does with them:
// * rdtsc: translated, it reads the simulated time (hypercall 7: the MIPS CPU's cycles), as in
//   `ukcf user`; the x86 reference interpreter would return its own instruction count. The guest
//   trace records each read (eip, value, after how many system calls) and the replay feeds them to
//   the interpreter's rdtsc: a program whose control flow depends on the time (it spins, making
//   system calls, until the time has advanced) replays to the block counters' count, run after run.
// * A memory fault: the kernel's user-fault path reports the guest's address (UKCF_USER_GUEST_ACCESS:
//   the first byte the access could not reach), not the MIPS BadVAddr, which for a 4-byte store
//   crossing into an unmapped page is inside the word. Oracles: the real CPU's si_addr, `ukcf user`
//   (translated and the reference interpreter), and the replay checks the reference faults there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScheme, schemeStats } from '../../emulator/system/run-scheme';
import { replayOnReference, ReplayMismatch } from '../../emulator/system/reference-replay';
import { runTranslatedUserProgram } from '../../emulator/ukcf/user-space/translated-user-program';
import { runUserProgram } from '../../emulator/usermode/run-user-program';
import { i386Unavailable, toolAvailable } from '../workloads/workload-files';
import { buildFreestandingI386, PROGRAMS, workloadsWith } from './i386-process-workloads';

const gcc = toolAvailable('i686-linux-gnu-gcc');
const skip = gcc ? false : 'i686-linux-gnu-gcc not installed';

function build(dir: string, name: string): string {
  return buildFreestandingI386(dir, join(PROGRAMS, `${name}.c`), name);
}

const numberAfter = (text: string, label: string): number => {
  const m = new RegExp(`^${label}(\\w+)$`, 'm').exec(text);
  assert.ok(m !== null, `no '${label}' line in:\n${text}`);
  return label.includes('address') || label.includes('top') ? parseInt(m[1], 16) : Number(m[1]);
};

test('ukcf scheme: rdtsc reads the simulated time; the replay feeds the translated run\'s reads to the reference interpreter (its count = the block counters, deterministic)', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-rdtsc-'));
  try {
    const program = build(dir, 'timestamps');
    const w = workloadsWith(dir, program);
    const runs = [0, 1].map(() => runScheme({ scheme: 'ukcf', workloads: w, frames: 1 }));
    const [r, again] = runs;
    assert.equal(r.status, 0, r.console);
    assert.ok(r.ukcf !== null && r.ukcf.reference !== null && r.ukcf.user !== null && r.ukcf.image !== null);
    assert.ok(r.guestTimeStamps !== null && r.guestSyscalls !== null);
    const passes = numberAfter(r.console, 'passes: ');
    // Hypercall 7 is installed and answered: one read per pass and per loop test, three before.
    assert.ok(passes > 1, r.console);
    assert.equal(r.guestTimeStamps.length, passes + 4);
    assert.equal(r.guestSyscalls.length, passes + 3); // getpid per pass, two writes, exit
    for (let i = 1; i < r.guestTimeStamps.length; i++) assert.ok(r.guestTimeStamps[i].value > r.guestTimeStamps[i - 1].value, 'monotonic');
    assert.ok(r.guestTimeStamps.at(-1)!.value - r.guestTimeStamps[2].value >= 20000);
    assert.ok(r.guestTimeStamps.at(-2)!.value - r.guestTimeStamps[2].value < 20000);
    // The replay took every read and counts what the block counters count (run-scheme also checks it).
    assert.equal(r.ukcf.reference.timeStamps, r.guestTimeStamps.length);
    assert.equal(r.ukcf.reference.exitStatus, 0);
    assert.equal(r.ukcf.user.statistics.guestInstructionsExecuted, r.ukcf.reference.instructions);
    // Deterministic: the same reads, the same stats.
    assert.deepEqual(again.guestTimeStamps, r.guestTimeStamps);
    assert.deepEqual(schemeStats(again), schemeStats(r));

    // The same semantics as `ukcf user`: two adjacent reads are as many host instructions apart.
    let out = '';
    const user = runTranslatedUserProgram({ isa: 'x86', program, stdout: (b) => { out += Buffer.from(b).toString('latin1'); }, stderr: () => {}, diagnostic: () => {} });
    assert.equal(user.exitCode, 0, out);
    assert.equal(numberAfter(r.console, 'adjacent rdtsc apart: '), numberAfter(out, 'adjacent rdtsc apart: '));

    // The replay's oracle role: without the reads, or with a read changed, it disagrees.
    const { image } = r.ukcf;
    assert.throws(() => replayOnReference(image, r.guestSyscalls!), (e: unknown) => e instanceof ReplayMismatch && /rdtsc #0/.test(e.message));
    const moved = r.guestTimeStamps.map((t, i) => (i === 3 ? { ...t, value: t.value + 20000 } : t)); // the first loop test: time is up
    assert.throws(() => replayOnReference(image, r.guestSyscalls!, null, undefined, moved), (e: unknown) => e instanceof ReplayMismatch);
    const elsewhere = r.guestTimeStamps.map((t, i) => (i === 0 ? { ...t, eip: t.eip + 1 } : t));
    assert.throws(() => replayOnReference(image, r.guestSyscalls!, null, undefined, elsewhere), (e: unknown) => e instanceof ReplayMismatch && /rdtsc #0: at eip/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ukcf scheme: a 4-byte store crossing into an unmapped page reports the first unreachable byte (real CPU, ukcf user, the kernel, the replay)', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-edge-store-'));
  try {
    const program = build(dir, 'edge-store');
    // The real CPU: si_addr is the top of the stack (the store starts 2 bytes below it).
    if (i386Unavailable() === null) {
      const native = spawnSync(program, [], { encoding: 'latin1' });
      assert.equal(native.status, 7, native.stdout);
      assert.equal(numberAfter(native.stdout, 'fault address '), numberAfter(native.stdout, 'stack top '));
    }
    // ukcf user, translated and on the reference interpreter (no signal delivery: the run ends with the fault).
    for (const run of [runTranslatedUserProgram, runUserProgram]) {
      let out = '';
      const u = run({ isa: 'x86', program, stdout: (b) => { out += Buffer.from(b).toString('latin1'); }, stderr: () => {}, diagnostic: () => {} });
      assert.equal(u.exitCode, 139, out);
      const top = numberAfter(out, 'stack top ');
      assert.match(u.message ?? '', new RegExp(`accessing 0x${top.toString(16).padStart(8, '0')} \\(write\\)$`));
    }
    // The whole system: the stack's top is the translator's area (its code cache denies user stores).
    const r = runScheme({ scheme: 'ukcf', workloads: workloadsWith(dir, program), frames: 1, maxInstructions: 100_000_000 });
    assert.equal(r.status, 128 + 11, r.console);
    const top = numberAfter(r.console, 'stack top ');
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    // BadVAddr is the store's second half (inside the word); the guest's address is the page boundary.
    const m = new RegExp(`^kernel: pid 1 killed by exception Mod at pc [0-9a-f]{8}, address ([0-9a-f]{8}), guest eip ([0-9a-f]{8}) accessing ${hex(top)} \\(write\\)$`, 'm').exec(r.console);
    assert.ok(m !== null, r.console);
    assert.notEqual(parseInt(m[1], 16), top, 'the MIPS BadVAddr is not what the guest is told');
    assert.ok(r.ukcf !== null && r.ukcf.reference !== null && r.ukcf.user !== null && r.ukcf.image !== null && r.guestSyscalls !== null);
    assert.deepEqual(r.ukcf.user.fault, { eip: parseInt(m[2], 16), address: top, write: true });
    // The reference faults at the same eip on the same byte; another address would be a mismatch.
    assert.equal(r.ukcf.reference.exitStatus, null);
    assert.match(r.ukcf.reference.fault ?? '', new RegExp(`0x${hex(top)} at eip 0x${m[2]}`));
    assert.throws(() => replayOnReference(r.ukcf!.image!, r.guestSyscalls!, { faultEip: parseInt(m[2], 16), faultAddress: parseInt(m[1], 16) }),
      (e: unknown) => e instanceof ReplayMismatch && /reference interpreter faults there with/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
