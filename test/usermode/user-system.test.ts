// createSystem: a user program that stops on entry, hits breakpoints at symbols, single-steps,
// pauses while running and continues to the same end as an uninterrupted run (both ISAs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { X86Process } from '../../emulator/usermode/x86-process';
import { createSystem, runUserProgram, symbolByName, readElfFile, EmulatorInternalError, type OutputEvent, type StopEvent, type UserProgramResult } from '../../emulator/index';

const PROGRAMS = join(__dirname, 'programs');

function uninterrupted(isa: 'x86' | 'mips', program: string, args: string[]) {
  const out: Uint8Array[] = [];
  const r = runUserProgram({ isa, program, args, stdout: (b) => out.push(Uint8Array.from(b)), stderr: () => {} });
  return { result: r, stdout: Buffer.concat(out).toString('latin1') };
}

for (const [isa, suffix] of [['x86', 'i386'], ['mips', 'mipsel']] as const) {
  test(`${isa}: entry, breakpoint at main, steps, then the same end as an uninterrupted run`, async () => {
    const program = join(PROGRAMS, `clock.${suffix}`);
    const reference = uninterrupted(isa, program, ['arg']);
    const system = createSystem({ kind: 'user', isa, program, args: ['arg'] });
    const events: string[] = [];
    const out: Uint8Array[] = [];
    system.on('output', (e: OutputEvent) => { if (e.stream === 'stdout') out.push(e.bytes); });
    system.on('stopped', (e: StopEvent) => events.push(`stopped:${e.reason}`));
    const syscalls: string[] = [];
    system.on('syscall', (e) => syscalls.push(`${e.name}=${e.result}`));
    system.on('exited', (r: UserProgramResult) => events.push(`exited:${r.exitCode}`));

    const entry = system.reportEntry();
    assert.equal(entry.address, system.elf.entry);
    assert.equal(entry.instructions, 0);
    const sp = system.registers().find((r) => r.name === (isa === 'x86' ? 'esp' : 'sp'))!.value;
    const argc = system.readMemory(sp, 4)!;
    assert.equal(Buffer.from(argc).readUInt32LE(0), 2, 'argc on the initial stack');
    assert.equal(system.readMemory(0, 4), null, 'page zero is unmapped');

    const main = symbolByName(system.elf, 'main')!;
    system.setBreakpoints([main.value]);
    const atMain = await system.continue();
    assert.deepEqual({ ...atMain, instructions: 0 }, { reason: 'breakpoint', address: main.value, instructions: 0 });
    assert.equal(system.symbolAt(system.pc)?.name, 'main');
    const listing = system.disassemble(main.value, 3);
    assert.equal(listing.length, 3);
    assert.equal(listing[0].address, main.value);
    assert.equal(listing[0].symbol, 'main');
    assert.ok(listing[1].address > main.value && listing[1].symbol?.startsWith('main+'));
    assert.ok(listing.every((l) => l.text.length > 0 && !l.text.startsWith('(unreadable')));
    assert.match(system.disassemble(0, 1)[0].text, /^\(unreadable memory at 0x0+\)$/);
    const before = system.instructions;
    const step = system.stepInstruction() as StopEvent;
    assert.equal(step.reason, 'step');
    assert.equal(system.instructions, before + 1);
    assert.notEqual(step.address, main.value);
    assert.equal(system.state, 'stopped');

    const end = await system.continue();
    assert.deepEqual(end, reference.result);
    assert.equal(Buffer.concat(out).toString('latin1'), reference.stdout);
    assert.ok(syscalls.includes('uname=0') && syscalls.includes('clock_nanosleep=0'), syscalls.join(' '));
    assert.equal(syscalls[syscalls.length - 1], 'exit_group=0');
    assert.deepEqual(events, ['stopped:entry', 'stopped:breakpoint', 'stopped:step', `exited:${reference.result.exitCode}`]);
    assert.equal(system.state, 'exited');
    assert.throws(() => system.stepInstruction(), /already exited/);
  });
}

test('pause stops a running program; it then continues to the uninterrupted end', async () => {
  const program = join(PROGRAMS, 'memory.i386');
  const reference = uninterrupted('x86', program, []);
  const system = createSystem({ kind: 'user', isa: 'x86', program });
  const running = system.continue();
  assert.equal(system.state, 'running');
  assert.throws(() => system.stepInstruction(), /running/);
  system.pause();
  const paused = (await running) as StopEvent;
  assert.equal(paused.reason, 'pause');
  assert.ok(paused.instructions > 0 && paused.instructions < reference.result.instructions);
  assert.deepEqual(await system.continue(), reference.result);
});

test('a budget ends a debugged run; bad launches are clear errors', async () => {
  const system = createSystem({ kind: 'user', isa: 'x86', program: join(PROGRAMS, 'memory.i386'), maxInstructions: 2_500_000 });
  const end = (await system.continue()) as UserProgramResult;
  assert.equal(end.exitCode, 124);
  assert.equal(end.instructions, 2_500_000);
  assert.throws(() => createSystem({ kind: 'user', isa: 'mips', program: join(PROGRAMS, 'clock.i386') }), /wrong machine EM_386 for isa mips/);
  assert.throws(() => createSystem({ kind: 'user', isa: 'x86', program: '/nonexistent' }), /\/nonexistent: cannot read: no such file/);
});

test('an emulator bug surfaces as one EmulatorInternalError line naming where the guest was', () => {
  const program = join(PROGRAMS, 'clock.i386');
  const proc = new X86Process({ elf: readElfFile(program), argv: [program], stdout: () => {}, stderr: () => {} });
  proc.linux.syscall = () => { throw new TypeError('boom'); };
  assert.throws(() => proc.run(1_000_000), (e: unknown) => {
    assert.ok(e instanceof EmulatorInternalError);
    assert.match(e.message, /^internal error in system call 45 at eip=0x[0-9a-f]{8}: boom$/);
    return true;
  });
});
