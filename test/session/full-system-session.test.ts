// The debuggable whole system (createSystem 'ukcf-system'): under --scheme native against
// runScheme's own run (frames, system calls, console, counts), and under --scheme ukcf with the i386
// player and the i386 driver translated: crossings (shell entry, jump-monitor exit, return into the
// driver / to the kernel, contexts saved and loaded) with their data, stops on each kind,
// breakpoints on the driver's ioctl handler and on a player function, both guest contexts read and
// written, the code cache of both translators, determinism and zero cost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { createSystem, runScheme, type FullSystemSession, type SessionEvent, type SessionEventKind, type SessionExit, type SessionStop } from '../../emulator/index';

const WORKLOADS = resolve(__dirname, '..', '..', 'workloads');
const isExit = (x: SessionStop | SessionExit): x is SessionExit => !('reason' in x);

function native(frames = 3): FullSystemSession {
  return createSystem({ kind: 'ukcf-system', scheme: 'native', workloads: WORKLOADS, frames });
}

function translated(frames = 2): FullSystemSession {
  return createSystem({ kind: 'ukcf-system', scheme: 'ukcf', workloads: WORKLOADS, frames });
}

const NATIVE_KINDS: SessionEventKind[] = ['syscall', 'output', 'frame-displayed'];
const UKCF_KINDS: SessionEventKind[] = ['block-translated', 'syscall', 'shell-entry', 'jump-monitor-exit', 'return-into-driver', 'return-to-kernel', 'context-saved', 'context-loaded', 'output', 'frame-displayed'];

function record(s: FullSystemSession, kinds: SessionEventKind[]): { events: SessionEvent[]; exit: SessionExit } {
  const events: SessionEvent[] = [];
  for (const k of kinds) s.on(k, (e: SessionEvent) => events.push(e));
  return { events, exit: s.runToEnd() };
}

function of<K extends SessionEventKind>(events: SessionEvent[], kind: K): Extract<SessionEvent, { kind: K }>[] {
  return events.filter((e): e is Extract<SessionEvent, { kind: K }> => e.kind === kind);
}

const text = (events: SessionEvent[]): string => Buffer.concat(of(events, 'output').map((e) => Buffer.from(e.bytes))).toString('latin1');

// ---- scheme native --------------------------------------------------------------------------------

test('native: frames, system calls, console and host counts equal runScheme, with or without listeners', () => {
  const oracle = runScheme({ scheme: 'native', workloads: WORKLOADS, frames: 3, traceSyscalls: true });
  const s = native();
  const { events, exit } = record(s, NATIVE_KINDS);
  assert.equal(exit.status, oracle.status);
  assert.equal(exit.instructions, oracle.instructions);
  assert.deepEqual(s.regionCounts(), oracle.regions);
  assert.deepEqual(of(events, 'frame-displayed').map((e) => e.frame), oracle.displayed);
  assert.equal(text(events), oracle.console);
  const calls = of(events, 'syscall');
  assert.ok(oracle.syscalls !== null && calls.length === oracle.syscalls.length && calls.length > 10);
  calls.forEach((c, i) => {
    const o = (oracle.syscalls as NonNullable<typeof oracle.syscalls>)[i];
    assert.equal(c.name, o.name);
    assert.deepEqual(c.args, [4, 5, 6, 7].map((r) => o.registers[r] >>> 0));
  });
  const quiet = native();
  assert.equal(quiet.runToEnd().instructions, oracle.instructions);
  // Deterministic: the same events again.
  assert.deepEqual(record(native(), NATIVE_KINDS).events, events);
});

/** Runs `s` to its end stopping on each event of `kinds`: the events of the stops, in order. */
function stopsOnEvents(s: FullSystemSession, kinds: SessionEventKind[]): SessionEvent[] {
  s.setStopOn(kinds);
  const got: SessionEvent[] = [];
  for (;;) {
    const st = s.runUntilStop();
    if (isExit(st)) break;
    assert.equal(st.reason, 'event');
    got.push(st.event as SessionEvent);
  }
  return got;
}

test('native: stop on system calls, frames and output, one stop per event', () => {
  const all = record(native(), NATIVE_KINDS).events;
  const s = native();
  const got = stopsOnEvents(s, NATIVE_KINDS);
  assert.deepEqual(got, all);
});

test('native: a breakpoint on the driver\'s gfx_ioctl (by symbol) stops at each ioctl with its arguments; a register write changes the run', () => {
  const s = native();
  const ioctls = of(record(native(), ['syscall']).events, 'syscall').filter((c) => c.name === 'ioctl');
  const target = s.resolveFunction('driver', 'gfx_ioctl');
  assert.equal(target.kind, 'host');
  if (target.kind !== 'host') return;
  s.setHostBreakpoints([target.address]);
  const cmds: number[] = [];
  for (;;) {
    const st = s.runUntilStop();
    if (isExit(st)) break;
    assert.deepEqual(st.breakpoint, { kind: 'host', address: target.address });
    assert.equal(s.hostSymbolAt(st.pc), 'gfx_driver:gfx_ioctl');
    const regs = Object.fromEntries(s.hostRegisters().map((r) => [r.name, r.value]));
    cmds.push(regs.a1);
    assert.equal(s.cp0Registers().find((r) => r.name === 'Status')!.value & 0x18, 0, 'kernel mode');
  }
  assert.deepEqual(cmds, ioctls.map((c) => c.args[1]));
  // gfx_ioctl(file, cmd, arg): an unknown cmd on the first call fails the player's first ioctl.
  const w = native();
  w.setHostBreakpoints([target.address]);
  assert.ok(!isExit(w.runUntilStop()));
  w.setHostRegister('a1', 0x7fff);
  w.setHostBreakpoints([]);
  const out: string[] = [];
  w.on('output', (e) => out.push(Buffer.from(e.bytes).toString('latin1')));
  const end = w.runToEnd();
  assert.notEqual(end.status, 0);
  assert.equal(w.system.graphics?.displayed.length ?? 0, 0);
  assert.match(out.join(''), /exited with status [1-9]/);
});

test('native: a breakpoint on a player function; user mode, physical and virtual memory agree, writes show', () => {
  const s = native();
  const target = s.resolveFunction('app', 'convert_frame');
  assert.equal(target.kind, 'host');
  if (target.kind !== 'host') return;
  s.setHostBreakpoints([target.address]);
  let hits = 0;
  for (;;) {
    const st = s.runUntilStop();
    if (isExit(st)) break;
    hits++;
    assert.equal(st.pc, target.address);
    assert.equal(s.hostSymbolAt(st.pc), 'convert_frame');
    assert.equal(s.cp0Registers().find((r) => r.name === 'Status')!.value & 0x18, 0x10, 'user mode');
    // The user window maps the process's kuseg onto RAM: the same bytes both ways.
    const base = s.cp0Registers().find((r) => r.name === 'UserWindowBase')!.value;
    const phys = s.cp0Registers().find((r) => r.name === 'UserWindowPhys')!.value;
    const v = s.readVirtual(target.address, 16);
    assert.ok(v);
    assert.deepEqual(s.readPhysical(phys + target.address - base, 16), v);
    if (hits === 1) {
      const sp = s.hostRegisters().find((r) => r.name === 'sp')!.value;
      assert.ok(s.writePhysical(phys + sp - 8 - base, Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd)));
      assert.deepEqual(s.readVirtual(sp - 8, 4), Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd));
    }
  }
  assert.equal(hits, 3);
  assert.equal(s.readPhysical(64 * 1024 * 1024 - 2, 4), null);
});

test('native: pause() stops a running continue(); the run then ends exactly as an uninterrupted one', async () => {
  const oracle = native().runToEnd();
  const s = native();
  const going = s.continue();
  s.pause();
  const st = await going;
  assert.ok(!isExit(st));
  assert.equal(st.reason, 'pause');
  assert.ok(st.instructions > 0 && st.instructions < oracle.instructions);
  const end = await s.continue();
  assert.deepEqual(end, oracle);
});

// ---- scheme ukcf: the i386 player and the i386 driver translated ----------------------------------

test('ukcf: crossings and translations with their data; frames and system calls as under native', () => {
  const s = translated();
  const { events, exit } = record(s, UKCF_KINDS);
  assert.equal(exit.status, 0);
  const nat = record(native(2), NATIVE_KINDS).events;
  assert.deepEqual(of(events, 'frame-displayed').map((e) => e.frame.hash), of(nat, 'frame-displayed').map((e) => e.frame.hash));
  // The guest's i386 calls name for name as the native player's o32 calls.
  assert.deepEqual(of(events, 'syscall').map((e) => e.name), of(nat, 'syscall').map((e) => e.name));
  assert.ok(of(events, 'syscall').every((e) => e.translator === 'user'));
  const shells = of(events, 'shell-entry');
  const ioctlCalls = of(events, 'syscall').filter((e) => e.name === 'ioctl').length;
  assert.equal(shells.filter((e) => e.name === 'gfx_ioctl').length, ioctlCalls);
  assert.deepEqual([...new Set(shells.map((e) => e.name))].sort(), ['gfx_init', 'gfx_ioctl', 'gfx_open', 'gfx_probe', 'gfx_release']);
  for (const e of shells) assert.deepEqual(s.resolveFunction('driver', e.name), { kind: 'guest', translator: 'kernel', eip: e.function });
  assert.equal(of(events, 'return-to-kernel').length, shells.length);
  const exits = of(events, 'jump-monitor-exit');
  const exported = new Set(s.kernelTranslator!.exports().map((e) => e.name));
  assert.ok(exits.length > 50 && exits.every((e) => exported.has(e.function)));
  assert.ok(exits.some((e) => e.function === 'copy_from_user') && exits.some((e) => e.function === 'register_gfx_driver'));
  assert.deepEqual(of(events, 'context-saved').map((e) => e.name), exits.map((e) => e.function));
  // Returns come in nesting order (register_gfx_driver returns after the probe it led to): the same calls.
  assert.deepEqual(of(events, 'return-into-driver').map((e) => e.function).sort(), exits.map((e) => e.function).sort());
  assert.equal(of(events, 'context-loaded').length, exits.length + shells.length);
  // Every translated block of both translators was announced, in its region.
  const announced = new Map(of(events, 'block-translated').map((e) => [`${e.translator}:${e.host}`, e]));
  const blocks = s.codeCacheBlocks();
  assert.ok(blocks.some((b) => b.translator === 'user') && blocks.some((b) => b.translator === 'kernel'));
  for (const b of blocks) {
    const e = announced.get(`${b.translator}:${b.host}`);
    assert.ok(e, `${b.translator} block 0x${b.eip.toString(16)}`);
    assert.equal(e.eip, b.eip);
    assert.equal(e.region, b.translator === 'user' ? 'ukcf-app' : 'ukcf-driver');
    assert.equal(b.region, e.region);
  }
});

test('ukcf: deterministic events; the host counts of `ukcf run`; a client without breakpoints changes nothing', () => {
  // `ukcf run` traces system calls with kernel breakpoints; with a syscall listener the session has
  // breakpoints too (on the syscall glue), and then every count equals the undebugged run's.
  const oracle = runScheme({ scheme: 'ukcf', workloads: WORKLOADS, frames: 2, reference: false });
  const all = record(translated(), UKCF_KINDS);
  assert.deepEqual(record(translated(), UKCF_KINDS).events, all.events);
  assert.equal(all.exit.instructions, oracle.instructions);
  assert.equal(all.exit.status, oracle.status);
  // No breakpoints at all: listeners on events that need none cost nothing, and the guest run is the same.
  const quiet = translated();
  const q = quiet.runToEnd();
  const listening = record(translated(), ['block-translated', 'output', 'frame-displayed', 'translator']);
  assert.equal(listening.exit.instructions, q.instructions);
  assert.equal(quiet.cpu.breakpoints.size, 0);
  assert.deepEqual(of(listening.events, 'frame-displayed').map((e) => e.frame.hash), oracle.displayed.map((d) => d.hash));
});

test('ukcf: stop on each kind, one stop per event, in order', () => {
  const all = record(translated(), UKCF_KINDS).events;
  const s = translated();
  const got = stopsOnEvents(s, UKCF_KINDS);
  assert.deepEqual(got.map((e) => e.kind), all.map((e) => e.kind));
  assert.deepEqual(got, all);
});

test('ukcf: breakpoints on the driver\'s gfx_ioctl (gfx_driver.i386.o) and on the player\'s convert_frame; guest contexts there', () => {
  const s = translated();
  const ioctl = s.resolveFunction('driver', 'gfx_ioctl');
  const convert = s.resolveFunction('app', 'convert_frame');
  assert.equal(ioctl.kind, 'guest');
  assert.equal(convert.kind, 'guest');
  if (ioctl.kind !== 'guest' || convert.kind !== 'guest') return;
  assert.equal(ioctl.translator, 'kernel');
  s.setGuestBreakpoints('kernel', [ioctl.eip]);
  s.setGuestBreakpoints('user', [convert.eip]);
  s.setStopOn(['syscall']);
  let lastIoctlArgs: readonly number[] = [];
  const hits = { kernel: 0, user: 0 };
  for (;;) {
    const st = s.runUntilStop();
    if (isExit(st)) break;
    if (st.reason === 'event') {
      if (st.event?.kind === 'syscall' && st.event.name === 'ioctl') lastIoctlArgs = st.event.args;
      continue;
    }
    assert.equal(st.reason, 'breakpoint');
    assert.ok(st.breakpoint?.kind === 'guest');
    if (st.breakpoint.translator === 'kernel') {
      hits.kernel++;
      assert.deepEqual(st.guest, { translator: 'kernel', eip: ioctl.eip });
      const k = Object.fromEntries(s.guestRegisters('kernel').map((r) => [r.name, r.value]));
      assert.equal(k.eip, ioctl.eip);
      // cdecl: [esp] return (the shell's sentinel), [esp+4] file, [esp+8] cmd, [esp+12] arg — the guest's ioctl(fd, cmd, arg).
      const frame = s.readVirtual(k.esp, 16);
      assert.ok(frame);
      const w = (i: number) => Buffer.from(frame).readUInt32LE(4 * i);
      assert.equal(w(2), lastIoctlArgs[1]);
      assert.equal(w(3), lastIoctlArgs[2]);
      assert.equal(s.contextStack().at(-1)?.kind, 'shell');
      assert.equal(s.contextStack().at(-1)?.name, 'gfx_ioctl');
    } else {
      hits.user++;
      assert.deepEqual(st.guest, { translator: 'user', eip: convert.eip });
      const u = Object.fromEntries(s.guestRegisters('user').map((r) => [r.name, r.value]));
      assert.equal(u.eip, convert.eip);
      assert.ok(u.esp > 0);
    }
  }
  assert.equal(hits.user, 2);
  assert.ok(hits.kernel >= 5, `gfx_ioctl hits ${hits.kernel}`);
  assert.equal(s.exitResult?.status, 0);
});

test('ukcf: writing guest contexts: the driver\'s eax after ioread32 (probe fails), a saved kernel-call record, the app\'s exit status', () => {
  // Kernel translator, live: right after ioread32(ID) returns into gfx_probe, eax is the device ID.
  const s = translated();
  s.setStopOn(['return-into-driver']);
  for (;;) {
    const st = s.runUntilStop();
    assert.ok(!isExit(st));
    if (st.event?.kind === 'return-into-driver' && st.event.function === 'ioread32') break;
  }
  s.setStopOn([]);
  const step = s.stepGuestInstruction();
  assert.ok(!isExit(step) && step.guest?.translator === 'kernel');
  const before = Object.fromEntries(s.guestRegisters('kernel').map((r) => [r.name, r.value]));
  assert.notEqual(before.eax, 0x12345678);
  s.setGuestRegister('kernel', 'eax', 0x12345678);
  const out: string[] = [];
  s.on('output', (e) => out.push(Buffer.from(e.bytes).toString('latin1')));
  s.runToEnd();
  assert.match(out.join(''), /gfx: unknown device id 12345678/);
  assert.equal(s.system.graphics?.displayed.length ?? 0, 0);

  // Kernel translator, saved: while the driver is in a kernel function, its context is the record.
  const r = translated();
  r.setStopOn(['context-saved']);
  const st = r.runUntilStop();
  assert.ok(!isExit(st) && st.event?.kind === 'context-saved');
  const top = r.contextStack().at(-1);
  assert.ok(top && top.kind === 'kernel-call' && top.name === st.event.name && top.depth === st.event.depth);
  const saved = Object.fromEntries(r.guestRegisters('kernel').map((x) => [x.name, x.value]));
  assert.equal(saved.ebx, top.regs[3] >>> 0);
  assert.equal(saved.eip, top.resume >>> 0);
  r.writeContextRegister(top.depth, 'ebx', 0x5a5a5a5a);
  assert.equal(r.contextStack().at(-1)?.regs[3], 0x5a5a5a5a);
  assert.equal(Object.fromEntries(r.guestRegisters('kernel').map((x) => [x.name, x.value])).ebx, 0x5a5a5a5a);

  // User translator: the guest's exit call, its status in ebx.
  const u = translated();
  u.setStopOn(['syscall']);
  for (;;) {
    const x = u.runUntilStop();
    assert.ok(!isExit(x));
    if (x.event?.kind === 'syscall' && x.event.name === 'exit') break;
  }
  u.setGuestRegister('user', 'ebx', 9);
  u.setStopOn([]);
  assert.equal(u.runToEnd().status, 9);
});

test('ukcf: code cache of both translators agrees with translationOf and guestAddressOf', () => {
  const s = translated(1);
  s.runToEnd();
  const blocks = s.codeCacheBlocks();
  for (const b of blocks) {
    if (b.state !== 'live') continue;
    const t = s.translationOf(b.translator, b.eip).find((x) => x.block === b.eip && x.host === b.host);
    assert.ok(t, `${b.translator} 0x${b.eip.toString(16)}`);
    // The user runtime maps every guest instruction; the kernel translator's map is read back from
    // its host → guest lookup, where an instruction with no host code of its own (a nop) does not show.
    if (b.translator === 'user') assert.equal(t.instructions.length, b.guestCount);
    else assert.ok(t.instructions.length >= 1 && t.instructions.length <= b.guestCount && t.instructions[0].eip === b.eip);
    // The block's last instruction is its exit, whose code may hold the chained successor's first word (a delay-slot copy).
    for (const i of t.instructions.slice(0, -1)) if (i.hostEnd > i.host) assert.deepEqual(s.guestAddressOf(i.host), { translator: b.translator, eip: i.eip });
  }
  assert.ok(blocks.filter((b) => b.translator === 'kernel').length > 20);
});

test('bad system launches give clear errors', () => {
  assert.throws(() => createSystem({ kind: 'ukcf-system', scheme: 'native', workloads: join(WORKLOADS, 'nope') }), /cannot read the player .*nope/);
  assert.throws(() => createSystem({ kind: 'ukcf-system', scheme: 'native', workloads: WORKLOADS, driver: 'i386' }), /i386 driver runs only translated/);
  assert.throws(() => createSystem({ kind: 'ukcf-system', scheme: 'x' as never, workloads: WORKLOADS }), /unknown scheme 'x'/);
});

test('ukcf: a shell enters the driver with DF clear whatever the kernel left in s8, and gives the kernel its s8 back', () => {
  // s8 is callee-saved for the native kernel but holds DF/NT/AC/ID for translated code: a kernel whose
  // s8 happens to have bit 10 set must not make the driver's string instructions run backwards.
  const s = translated();
  const ioctl = s.resolveFunction('driver', 'gfx_ioctl');
  assert.ok(ioctl.kind === 'guest');
  if (ioctl.kind !== 'guest') return;
  s.setStopOn(['shell-entry']);
  let st = s.runUntilStop();
  while (!isExit(st) && !(st.event?.kind === 'shell-entry' && st.event.name === 'gfx_ioctl')) st = s.runUntilStop();
  assert.ok(!isExit(st));
  const poisoned = 0x400 | 0x4000 | 0x40000 | 0x200000 | 0x8d5;
  s.setHostRegister('fp', poisoned);
  s.setStopOn([]);
  s.setGuestBreakpoints('kernel', [ioctl.eip]);
  st = s.runUntilStop();
  assert.ok(!isExit(st) && st.reason === 'breakpoint');
  const k = Object.fromEntries(s.guestRegisters('kernel').map((r) => [r.name, r.value]));
  assert.equal(k.eflags & 0x400, 0, `driver entered with eflags ${k.eflags.toString(16)}`);
  s.setGuestBreakpoints('kernel', []);
  s.setStopOn(['return-to-kernel']);
  st = s.runUntilStop();
  assert.ok(!isExit(st) && st.event?.kind === 'return-to-kernel');
  s.setStopOn([]);
  // Run the return path up to the native kernel (the shell record's ra) and look at s8 there.
  const shell = s.contextStack().at(-1);
  assert.ok(shell !== undefined && shell.kind === 'shell');
  const regs = () => Object.fromEntries(s.hostRegisters().map((r) => [r.name, r.value]));
  for (let i = 0; i < 64 && regs().pc >>> 0 !== shell.ra >>> 0; i++) s.stepHostInstruction();
  const host = regs();
  assert.equal(host.pc >>> 0, shell.ra >>> 0);
  assert.equal(host.fp >>> 0, poisoned >>> 0);
  assert.equal(s.runToEnd().status, 0);
});
