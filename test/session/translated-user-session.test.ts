// The debuggable translated user program (createSystem 'ukcf-user'): events with their data, stops on
// each kind, breakpoints on app functions and guest single steps checked against the x86 reference
// interpreter (and the real CPU for output and status), register writes, the code cache view,
// determinism and zero cost for a client that sets nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  createSystem, symbolByName, readElfFile, SessionError, type SessionEvent, type SessionEventKind, type SessionExit, type SessionStop,
  type TranslatedUserSession, type UserSystem,
} from '../../emulator/index';
import { runTranslatedUserProgram } from '../../emulator/ukcf/user-space/translated-user-program';
import { probeProgram } from './probe-program';

const built = probeProgram();
const skip = 'skip' in built ? built.skip : false;
const PROGRAM = 'path' in built ? built.path : '';

function session(): TranslatedUserSession {
  return createSystem({ kind: 'ukcf-user', program: PROGRAM });
}

function reference(): UserSystem {
  return createSystem({ kind: 'user', isa: 'x86', program: PROGRAM });
}

const KINDS: SessionEventKind[] = ['block-translated', 'syscall', 'output', 'glue-entry', 'translator'];

/** A run with a listener on every kind: the events in order, and the exit. */
function recordAll(): { events: SessionEvent[]; exit: SessionExit; s: TranslatedUserSession } {
  const s = session();
  const events: SessionEvent[] = [];
  for (const k of KINDS) s.on(k, (e: SessionEvent) => events.push(e));
  const exit = s.runToEnd();
  return { events, exit, s };
}

const isExit = (x: SessionStop | SessionExit): x is SessionExit => !('reason' in x);

function symbol(name: string): number {
  const s = symbolByName(readElfFile(PROGRAM), name);
  assert.ok(s, name);
  return s.value;
}

function guestRegs(s: TranslatedUserSession): Record<string, number> {
  return Object.fromEntries(s.guestRegisters('user').map((r) => [r.name, r.value]));
}

function referenceRegs(r: UserSystem): Record<string, number> {
  return Object.fromEntries(r.registers().map((x) => [x.name, x.value]));
}

const GPRS = ['eax', 'ecx', 'edx', 'ebx', 'ebp', 'esi', 'edi', 'eip'];

/** `ukcf user` places the guest stack lower than the reference process (same contents): esp by its distance from the initial one. */
function sameEsp(s: TranslatedUserSession, r: UserSystem, where: string): void {
  assert.equal((guestRegs(s).esp - s.process.stackPointer) | 0, (referenceRegs(r).esp - INITIAL_REFERENCE_ESP) | 0, `esp ${where}`);
}
const INITIAL_REFERENCE_ESP = 'path' in built ? referenceRegs(createSystem({ kind: 'user', isa: 'x86', program: built.path })).esp : 0;

test('output, exit status and system calls equal the real CPU and the reference interpreter', { skip }, () => {
  const native = spawnSync(PROGRAM, [], { encoding: 'buffer' });
  const { events, exit, s } = recordAll();
  const out = Buffer.concat(events.filter((e) => e.kind === 'output').map((e) => (e as { bytes: Uint8Array }).bytes));
  assert.deepEqual(out, native.stdout);
  assert.equal(exit.status, native.status);
  const ref = reference();
  const refCalls: { number: number; args: number[] }[] = [];
  ref.on('syscall', (e) => refCalls.push({ number: e.number, args: e.args.slice(0, 3) }));
  ref.runToEnd();
  const calls = events.filter((e) => e.kind === 'syscall').map((e) => ({ number: (e as { number: number }).number, args: (e as { args: readonly number[] }).args.slice(0, 3) }));
  assert.ok(calls.length >= 6);
  assert.deepEqual(calls, refCalls);
  // Every block in the cache was announced, with the same host address and guest range, in the app's region.
  const announced = new Map(events.filter((e) => e.kind === 'block-translated').map((e) => [(e as { host: number }).host, e]));
  const blocks = s.codeCacheBlocks();
  assert.ok(blocks.length > 5);
  for (const b of blocks) {
    const e = announced.get(b.host) as Extract<SessionEvent, { kind: 'block-translated' }> | undefined;
    assert.ok(e, `block at host 0x${b.host.toString(16)} announced`);
    assert.equal(e.eip, b.eip);
    assert.equal(e.guestEnd, b.guestEnd);
    assert.equal(e.guestCount, b.guestCount);
    assert.equal(e.hostWords * 4, b.hostBytes);
    assert.equal(e.region, 'ukcf-app');
  }
  const glue = events.filter((e) => e.kind === 'glue-entry').map((e) => (e as { name: string }).name);
  assert.deepEqual([...new Set(glue)].sort(), ['dispatch', 'dispatch-miss', 'entry', 'syscall']);
  assert.equal(glue.filter((g) => g === 'entry').length, 1);
  assert.equal(glue.filter((g) => g === 'syscall').length, calls.length);
  assert.ok(events.some((e) => e.kind === 'translator' && e.event.kind === 'chain-patched'));
});

test('breakpoints on app functions: the same hits and guest registers as the reference interpreter', { skip }, async () => {
  const s = session();
  const ref = reference();
  const targets = [symbol('step'), symbol('report')];
  s.setGuestBreakpoints('user', targets);
  ref.setBreakpoints(targets);
  let hits = 0;
  for (;;) {
    const a = s.runUntilStop();
    const b = await ref.continue();
    if (isExit(a)) {
      assert.ok(!('reason' in b), 'both end');
      break;
    }
    assert.equal(a.reason, 'breakpoint');
    assert.ok('reason' in b && b.reason === 'breakpoint');
    assert.deepEqual(a.breakpoint, { kind: 'guest', translator: 'user', eip: b.address });
    assert.equal(a.guest?.eip, b.address);
    const g = guestRegs(s);
    const r = referenceRegs(ref);
    for (const name of GPRS) assert.equal(g[name], r[name], `${name} at hit ${hits}`);
    sameEsp(s, ref, `at hit ${hits}`);
    hits++;
  }
  assert.equal(hits, 750 + 5); // step: 50 + 100 + ... + 250 rounds; report: 5
});

test('guest single steps follow the reference interpreter instruction by instruction', { skip }, async () => {
  const s = session();
  const ref = reference();
  s.setGuestBreakpoints('user', [symbol('mix')]);
  ref.setBreakpoints([symbol('mix')]);
  assert.equal((s.runUntilStop() as SessionStop).reason, 'breakpoint');
  assert.equal((await ref.continue() as { reason: string }).reason, 'breakpoint');
  s.setGuestBreakpoints('user', []);
  ref.setBreakpoints([]);
  for (let i = 0; i < 400; i++) {
    const a = s.stepGuestInstruction();
    const b = ref.stepInstruction();
    assert.ok(!isExit(a) && 'reason' in b);
    assert.equal(a.reason, 'step');
    const g = guestRegs(s);
    const r = referenceRegs(ref);
    for (const name of GPRS) assert.equal(g[name], r[name], `${name} after guest step ${i + 1}`);
    sameEsp(s, ref, `after guest step ${i + 1}`);
  }
});

test('host steps: one MIPS instruction each, and the guest eip of the translation', { skip }, () => {
  const s = session();
  s.setGuestBreakpoints('user', [symbol('step')]);
  s.runUntilStop();
  s.setGuestBreakpoints('user', []);
  for (let i = 0; i < 50; i++) {
    const before = s.instructions;
    const st = s.stepHostInstruction();
    assert.ok(!isExit(st));
    assert.equal(s.instructions, before + 1);
    assert.equal(st.pc, s.pc);
    const g = s.guestAddressOf(st.pc);
    if (g === null) continue;
    const translations = s.translationOf('user', g.eip);
    const inside = (r: { host: number; hostEnd: number }) => st.pc >= r.host && st.pc < r.hostEnd;
    if (translations.some((t) => t.instructions.some((x) => x.eip === g.eip && inside(x)))) continue;
    // Else an exit stub of a block ending with g.eip, or a chained jump's delay slot holding a copy of
    // the first word of the block at g.eip.
    const word = (a: number) => Array.from(s.readVirtual(a, 4) ?? []).join(',');
    const inStub = translations.some((t) => t.instructions[t.instructions.length - 1].eip === g.eip && t.exitStubs.some(inside));
    assert.ok(inStub || translations.some((t) => t.block === g.eip && word(t.host) === word(st.pc)), `host ${st.pc.toString(16)} maps to eip ${g.eip.toString(16)}, outside its translations`);
  }
});

test('stop on each event kind: one stop per event, with the event an unfiltered run reports', { skip }, () => {
  const all = recordAll().events;
  for (const kind of KINDS) {
    const expected = all.filter((e) => e.kind === kind);
    assert.ok(expected.length > 0, kind);
    const s = session();
    s.setStopOn([kind]);
    const got: SessionEvent[] = [];
    for (;;) {
      const st = s.runUntilStop();
      if (isExit(st)) break;
      assert.equal(st.reason, 'event');
      assert.ok(st.event);
      got.push(st.event);
    }
    assert.deepEqual(got, expected, kind);
    assert.equal(s.exitResult?.status, recordAll().exit.status);
  }
});

test('register writes take effect: guest ebx at the exit call, its host register s3, guest memory', { skip }, () => {
  const native = spawnSync(PROGRAM, [], { encoding: 'buffer' });
  for (const how of ['guest', 'host'] as const) {
    const s = session();
    s.setStopOn(['syscall']);
    for (;;) {
      const st = s.runUntilStop();
      assert.ok(!isExit(st));
      if (st.event?.kind === 'syscall' && st.event.number === 1) break;
    }
    if (how === 'guest') s.setGuestRegister('user', 'ebx', 77);
    else s.setHostRegister('s3', 55); // ebx is pinned in s3
    assert.equal(guestRegs(s).ebx, how === 'guest' ? 77 : 55);
    s.setStopOn([]);
    assert.equal(s.runToEnd().status, how === 'guest' ? 77 : 55);
    assert.notEqual(native.status, 77);
  }
  // The first argument of step() on the guest stack: the output changes from the first line on.
  const s = session();
  const out: Buffer[] = [];
  s.on('output', (e) => out.push(Buffer.from(e.bytes)));
  s.setGuestBreakpoints('user', [symbol('mix')]);
  s.runUntilStop();
  const esp = guestRegs(s).esp;
  const seed = s.readGuestMemory(esp + 4, 4);
  assert.ok(seed);
  assert.equal(Buffer.from(seed).readUInt32LE(0), 0x1234567);
  assert.ok(s.writeGuestMemory(esp + 4, Uint8Array.of(1, 2, 3, 4)));
  s.setGuestBreakpoints('user', []);
  s.runToEnd();
  const first = Buffer.concat(out).toString().split('\n')[0];
  assert.notEqual(first, native.stdout.toString().split('\n')[0]);
  assert.equal(Buffer.concat(out).toString().split('\n').slice(1).join('\n'), native.stdout.toString().split('\n').slice(1).join('\n'));
});

test('code cache listing agrees with translationOf and guestAddressOf', { skip }, () => {
  const s = session();
  s.setGuestBreakpoints('user', [symbol('report')]);
  s.runUntilStop();
  const blocks = s.codeCacheBlocks();
  assert.ok(blocks.length > 5);
  for (const b of blocks) {
    if (b.state !== 'live') continue;
    const ts = s.translationOf('user', b.eip);
    const t = ts.find((x) => x.block === b.eip && x.host === b.host);
    assert.ok(t, `translationOf(0x${b.eip.toString(16)}) holds its block`);
    assert.equal(t.instructions.length, b.guestCount);
    for (const i of t.instructions) {
      assert.ok(i.eip >= b.eip && i.eip < b.guestEnd);
      if (i.hostEnd > i.host) assert.deepEqual(s.guestAddressOf(i.host), { translator: 'user', eip: i.eip });
    }
    const lines = s.disassembleHost(b.host, 2);
    assert.equal(lines[0].address, b.host);
  }
  const dis = s.disassembleGuest(symbol('report'), 3);
  assert.equal(dis[0].symbol, 'report');
});

test('deterministic, and zero cost: no breakpoints → the same host instructions as `ukcf user` itself', { skip }, () => {
  const a = recordAll();
  const b = recordAll();
  assert.deepEqual(b.events, a.events);
  assert.equal(b.exit.instructions, a.exit.instructions);
  // The same program run by `ukcf user` itself (no session).
  const bare = runTranslatedUserProgram({ isa: 'x86', program: PROGRAM, stdout: () => {}, stderr: () => {} });
  const rt = { cpu: { instructionCount: bare.hostInstructions }, regionCounts: () => bare.regions };
  // A client with no breakpoints, listening or not to the events that need none, costs nothing.
  for (const kinds of [[], ['block-translated', 'output', 'translator']] as SessionEventKind[][]) {
    const s = session();
    for (const k of kinds) s.on(k, () => {});
    assert.equal(s.runToEnd().instructions, rt.cpu.instructionCount, kinds.join(','));
    assert.deepEqual(s.regionCounts(), rt.regionCounts());
    assert.equal(s.cpu.breakpoints.size, 0);
  }
  // Glue-entry probes are MIPS breakpoints: the guest run is the same (blocks, output, status); the
  // host count may differ only where the runtime keeps chains plain while breakpoints are set.
  assert.deepEqual(a.s.codeCacheBlocks(), (() => {
    const q = session();
    q.runToEnd();
    return q.codeCacheBlocks();
  })());
});

test('bad launches give clear errors', { skip }, () => {
  assert.throws(() => createSystem({ kind: 'ukcf-user', program: '/nonexistent/prog' }), (e: unknown) => e instanceof SessionError && /\/nonexistent\/prog/.test(e.message));
  assert.throws(() => createSystem({ kind: 'nope' } as never), /unknown launch kind 'nope'/);
});

test('guest breakpoints follow retranslation: a debugger write to the code page drops its blocks, the hits stay the reference\'s', { skip }, async () => {
  const s = session();
  const ref = reference();
  const target = symbol('step');
  s.setGuestBreakpoints('user', [target]);
  ref.setBreakpoints([target]);
  const translatedAt: number[] = [];
  s.on('block-translated', (e) => {
    if (target >= e.eip && target < e.guestEnd) translatedAt.push(e.host);
  });
  let hits = 0;
  for (;;) {
    const a = s.runUntilStop();
    const b = await ref.continue();
    if (isExit(a)) {
      assert.ok(!('reason' in b));
      break;
    }
    assert.ok('reason' in b && b.reason === 'breakpoint' && a.guest?.eip === b.address);
    assert.equal(guestRegs(s).eax, referenceRegs(ref).eax);
    hits++;
    if (hits % 100 === 1) {
      // Rewrite the function's first byte with itself: the translations of its page are dropped.
      const byte = s.readGuestMemory(target, 1);
      assert.ok(byte && s.writeGuestMemory(target, byte));
      assert.equal(s.translationOf('user', target).length, 0);
    }
  }
  assert.equal(hits, 750);
  assert.ok(translatedAt.length >= 8, `step translated ${translatedAt.length} times`);
});
