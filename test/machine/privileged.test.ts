// Privileged mode on the full machine: exception entry and eret (EPC, BD, BadVAddr, Cause), user mode
// behind the fixed-mapping MMU and its faults, Coprocessor Unusable for COP1 and for CP0 in user mode,
// Count/Compare interrupts at the exact instruction, the machine timer and the console over MMIO,
// self-modifying code, breakpoints. Every scenario runs on the interpreter alone and with the block
// compiler, and both must give the same log, registers and counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MipsMachine } from '../../emulator/machine/machine';
import { assemble, assemblerAvailable } from '../mips/assemble';

const skip = assemblerAvailable ? false : 'mipsel-linux-gnu-as not installed';

// Exception handler at 0x80000180: logs (Cause, EPC, BadVAddr, Count) at 0x80002010 + 16*n, n at
// 0x80002000. Exceptions resume at EPC+4, or at the word at 0x80002004 when BD is set. Interrupts:
// IP7 (CP0 timer) re-arms Compare = Count + [0x80002008] (0: masks IM7); IP3 acknowledges the machine
// timer; IP2 reads a console byte into 0x8000200c. Clobbers k0, k1, t8, t9.
const HANDLER = `
  lui   $k0, 0x8000
  lw    $t8, 0x2000($k0)
  sll   $t9, $t8, 4
  addu  $t9, $t9, $k0
  mfc0  $k1, $13
  sw    $k1, 0x2010($t9)
  mfc0  $k1, $14
  sw    $k1, 0x2014($t9)
  mfc0  $k1, $8
  sw    $k1, 0x2018($t9)
  mfc0  $k1, $9
  sw    $k1, 0x201c($t9)
  addiu $t8, $t8, 1
  sw    $t8, 0x2000($k0)
  mfc0  $k1, $13
  andi  $t9, $k1, 0x7c
  bnez  $t9, exception
  nop
  andi  $t9, $k1, 0x8000
  beqz  $t9, 1f
  nop
  lw    $t9, 0x2008($k0)
  beqz  $t9, 2f
  nop
  mfc0  $t8, $9
  addu  $t8, $t8, $t9
  mtc0  $t8, $11
  b     1f
  nop
2:mfc0  $t8, $12
  li    $t9, 0xffff7fff
  and   $t8, $t8, $t9
  mtc0  $t8, $12
1:andi  $t9, $k1, 0x800
  beqz  $t9, 3f
  nop
  lui   $t8, 0xbf00
  li    $t9, 1
  sw    $t9, 0x10c($t8)
3:andi  $t9, $k1, 0x400
  beqz  $t9, 4f
  nop
  lui   $t8, 0xbf00
  lw    $t9, 0($t8)
  sw    $t9, 0x200c($k0)
4:eret
exception:
  bltz  $k1, bd
  nop
  mfc0  $k1, $14
  addiu $k1, $k1, 4
  mtc0  $k1, $14
  eret
bd:
  lw    $k1, 0x2004($k0)
  mtc0  $k1, $14
  eret
`;

interface LogEntry {
  cause: number;
  epc: number;
  badVAddr: number;
  count: number;
}

interface Outcome {
  stop: string;
  log: LogEntry[];
  regs: number[];
  instructions: number;
  machine: MipsMachine;
}

/** Boots kernel code at 0x80001000 (Status starts BEV|ERL; the code sets what it needs) and runs it. */
function runKernel(kernel: string, blockCompiler: boolean, opts: { user?: string; limit?: number; setup?: (m: MipsMachine) => void } = {}): Outcome {
  const m = new MipsMachine({ ramSize: 4 * 1024 * 1024, blockCompiler });
  m.loadPhysical(0x180, assemble(HANDLER, 0x80000180));
  m.loadPhysical(0x1000, assemble(kernel, 0x80001000));
  if (opts.user !== undefined) m.loadPhysical(0x100000, assemble(opts.user, 0x00400000));
  m.hypercalls.set(1, (cpu) => cpu.requestStop('done'));
  opts.setup?.(m);
  m.cpu.pc = 0x80001000;
  const stop = m.cpu.run(opts.limit ?? 1_000_000);
  const n = m.ram.read32(0x2000);
  const log: LogEntry[] = [];
  for (let i = 0; i < n; i++) {
    const at = 0x2010 + 16 * i;
    log.push({ cause: m.ram.read32(at) >>> 0, epc: m.ram.read32(at + 4) >>> 0, badVAddr: m.ram.read32(at + 8) >>> 0, count: m.ram.read32(at + 12) >>> 0 });
  }
  return { stop: stop.kind === 'stopped' ? stop.reason : stop.kind, log, regs: Array.from(m.cpu.regs), instructions: m.cpu.instructionCount, machine: m };
}

/** Runs on both engines, checks they agree, returns the interpreter's outcome. */
function both(kernel: string, opts: Parameters<typeof runKernel>[2] = {}): Outcome {
  const a = runKernel(kernel, false, opts);
  const b = runKernel(kernel, true, opts);
  assert.deepEqual(b.log, a.log, 'block compiler and interpreter logs differ');
  assert.deepEqual(b.regs, a.regs, 'registers differ');
  assert.equal(b.instructions, a.instructions, 'instruction counts differ');
  assert.equal(b.stop, a.stop);
  return a;
}

const code = (cause: number) => (cause >>> 2) & 31;
const BOOT = `mtc0 $zero, $12\n  ehb\n`; // kernel mode, BEV = ERL = 0, interrupts off

test('syscall in kernel mode: vector 0x80000180, EPC, ExcCode, eret resumes', { skip }, () => {
  const o = both(`${BOOT}
  li $t0, 5
  syscall
  addiu $t0, $t0, 1
  sdbbp 1`);
  assert.equal(o.stop, 'done');
  assert.equal(o.log.length, 1);
  assert.equal(code(o.log[0].cause), 8);
  assert.equal(o.log[0].epc, 0x8000100c);
  assert.equal(o.log[0].cause >>> 31, 0);
  assert.equal(o.regs[8], 6);
});

test('address error in a delay slot: EPC is the branch, BD set, BadVAddr the address', { skip }, () => {
  const o = both(`${BOOT}
  lui  $t1, 0x8000
  la   $t2, recover
  sw   $t2, 0x2004($t1)
  li   $t3, 3
  beq  $zero, $zero, recover
  lw   $t4, 2($t3)
  nop
recover:
  sdbbp 1`);
  assert.equal(o.log.length, 1);
  assert.equal(code(o.log[0].cause), 4); // AdEL
  assert.equal(o.log[0].cause >>> 31, 1); // BD
  assert.equal(o.log[0].epc, 0x8000101c); // the beq
  assert.equal(o.log[0].badVAddr, 5);
});

const USER_SETUP = `${BOOT}
  li    $t0, 0x00400000
  mtc0  $t0, $22, 0
  li    $t0, 0x00100000
  mtc0  $t0, $22, 1
  li    $t0, 0x00010000
  mtc0  $t0, $22, 2
  li    $t0, 0x00400000
  mtc0  $t0, $14
  li    $t0, 0x12
  mtc0  $t0, $12
  ehb
  eret
`;

test('user mode: window mapping, address errors, TLB misses, CpU (CP0 and COP1), traps, RI', { skip }, () => {
  const o = both(USER_SETUP, {
    user: `
  li    $s0, 0x00400800
  li    $s1, 0x1234abcd
  sw    $s1, 0($s0)
  lw    $s2, 0($s0)
  syscall
  lui   $t0, 0x8000
  lw    $t1, 0($t0)
  sw    $t1, 4($t0)
  mfc0  $t0, $12
  lwc1  $f0, 0($s0)
  lw    $t1, 0($zero)
  sw    $t1, 0($zero)
  teq   $zero, $zero
  break 3
  li    $t2, 0x7fffffff
  addi  $t2, $t2, 1
  .word 0xfc000000
  li    $s3, 77
  sdbbp 1`,
  });
  assert.equal(o.stop, 'done');
  const m = o.machine;
  assert.equal(m.ram.read32(0x100800) >>> 0, 0x1234abcd, 'user store reached RAM through the window');
  assert.equal(o.regs[18] >>> 0, 0x1234abcd);
  assert.equal(o.regs[19], 77);
  const seen = o.log.map((e) => [code(e.cause), (e.cause >>> 28) & 3, e.badVAddr >>> 0, e.epc >>> 0]);
  assert.deepEqual(
    seen.map(([c, ce]) => [c, ce]),
    [[8, 0], [4, 0], [5, 0], [11, 0], [11, 1], [2, 0], [3, 0], [13, 0], [9, 0], [12, 0], [10, 0]],
  );
  assert.equal(seen[1][2], 0x80000000); // AdEL BadVAddr
  assert.equal(seen[2][2], 0x80000004); // AdES
  assert.equal(seen[5][2], 0); // TLBL at address 0 (outside the window)
  assert.equal(seen[0][3], 0x00400000 + 6 * 4); // the syscall (two li of 2 words each, sw, lw)
  assert.equal(m.cpu.kernelMode, false, 'eret went back to user mode');
});

test('Count/Compare: the timer interrupt comes exactly when Count reaches Compare, and keeps coming', { skip }, () => {
  const o = both(`${BOOT}
  lui  $t0, 0x8000
  li   $t1, 700
  sw   $t1, 0x2008($t0)
  mtc0 $zero, $9
  li   $t1, 500
  mtc0 $t1, $11
  li   $t1, 0x8001
  mtc0 $t1, $12
1:addiu $s0, $s0, 1
  xor   $s1, $s1, $s0
  b     1b
  addu  $s2, $s2, $s1`, { limit: 20_000 });
  assert.equal(o.stop, 'limit');
  assert.ok(o.log.length >= 20, `only ${o.log.length} interrupts`);
  for (const e of o.log) assert.equal(code(e.cause), 0);
  // Count reads 500 at the handler's first instruction; the handler reads Count at its 11th.
  assert.equal(o.log[0].count, 510);
  // The handler re-arms at its 25th instruction: Compare = (Count there) + 700, i.e. 14 after the
  // logged Count; the next logged Count is 10 after that Compare.
  for (let i = 1; i < o.log.length; i++) assert.equal(o.log[i].count - o.log[i - 1].count, 14 + 700 + 10);
});

test('machine timer over MMIO raises IP3 at its period; console output and input over MMIO', { skip }, () => {
  const o = both(`${BOOT}
  lui  $t0, 0xbf00
  li   $t1, 0x68
  sb   $t1, 0($t0)
  li   $t1, 0x69
  sw   $t1, 0($t0)
  lw   $s5, 4($t0)
  li   $t1, 1
  sw   $t1, 8($t0)
  li   $t1, 300
  sw   $t1, 0x108($t0)
  li   $t1, 0x0c01
  mtc0 $t1, $12
  li   $s0, 0
  li   $t2, 2000
1:addiu $s0, $s0, 1
  bne   $s0, $t2, 1b
  nop
  sdbbp 1`, { setup: (m) => m.console.feed('Z') });
  assert.equal(o.stop, 'done');
  assert.equal(Buffer.from(o.machine.console.takeOutput()).toString('latin1'), 'hi');
  assert.equal(o.regs[21], 3, 'console STATUS: input available, ready to send');
  const ips = o.log.map((e) => (e.cause >>> 8) & 0xff);
  assert.ok(ips.includes(0x04), 'console interrupt (IP2)');
  assert.equal(o.machine.ram.read32(0x200c), 0x5a, 'the handler read the input byte');
  const timerIrqs = o.log.filter((e) => (e.cause >>> 8) & 0x08);
  assert.ok(timerIrqs.length >= 10, `machine timer interrupts: ${timerIrqs.length}`);
  assert.equal(o.machine.timer.fired, timerIrqs.length);
});

test('COP1 raises CpU (CE=1) in kernel mode too; reserved instruction raises RI', { skip }, () => {
  const o = both(`${BOOT}
  lwc1 $f2, 0($zero)
  mfc1 $t0, $f1
  .word 0x7c00003f
  sdbbp 1`);
  assert.deepEqual(o.log.map((e) => [code(e.cause), (e.cause >>> 28) & 3]), [[11, 1], [11, 1], [10, 0]]);
});

test('a store over already-run code is seen by the next execution (compiled blocks are dropped)', { skip }, () => {
  const o = both(`${BOOT}
  li   $s0, 0
  li   $s1, 0
  la   $t0, patch
  li   $t1, 0x26310007
  li   $t2, 3
again:
  addiu $s0, $s0, 1
patch:
  addiu $s1, $s1, 1
  sw   $t1, 0($t0)
  bne  $s0, $t2, again
  nop
  sdbbp 1`);
  assert.equal(o.stop, 'done');
  assert.equal(o.regs[17], 1 + 7 + 7, 'first pass old code, then the patched addiu s1,s1,7');
});

test('breakpoints stop exactly, on both engines, and cost no instruction', { skip }, () => {
  for (const blockCompiler of [false, true]) {
    const m = new MipsMachine({ ramSize: 1 << 20, blockCompiler });
    m.loadPhysical(0x1000, assemble(`${BOOT}
  li $s0, 0
  li $t2, 100
1:addiu $s0, $s0, 1
  addiu $s1, $s1, 2
  bne $s0, $t2, 1b
  addiu $s2, $s2, 3
  sdbbp 1`, 0x80001000));
    m.hypercalls.set(1, (cpu) => cpu.requestStop('done'));
    m.cpu.pc = 0x80001000;
    m.cpu.addBreakpoint(0x80001014); // addiu s1 (inside the loop)
    const hits: number[] = [];
    let slotHits = 0;
    for (;;) {
      const stop = m.cpu.run(1_000_000);
      if (stop.kind !== 'breakpoint') break;
      if (stop.pc === 0x8000101c) slotHits++;
      else {
        assert.equal(stop.pc, 0x80001014);
        hits.push(m.cpu.instructionCount);
      }
      if (hits.length === 10 && slotHits === 0) m.cpu.addBreakpoint(0x8000101c); // the delay slot
      if (hits.length > 200) break;
    }
    assert.equal(m.cpu.regs[16], 100, `blockCompiler=${blockCompiler}`);
    assert.equal(hits.length, 100);
    assert.equal(slotHits, 91);
    // 4 boot instructions (mtc0, ehb, li, li), then per iteration: addiu s0 before the breakpoint.
    assert.equal(hits[0], 4 + 1);
    assert.equal(hits[1], 4 + 1 + 4);
    assert.equal(m.cpu.instructionCount, 4 + 100 * 4 + 1);
  }
});

test('EBase moves the vectors; Cause.IV sends interrupts to +0x200; BEV=1 uses 0xbfc00380 (checked by the PC)', { skip }, () => {
  for (const blockCompiler of [false, true]) {
    const m = new MipsMachine({ ramSize: 1 << 20, blockCompiler });
    // EBase 0x80010000: general exceptions at 0x80010180 set s0, interrupts at 0x80010200 set s1.
    m.loadPhysical(0x10180, assemble(`li $s0, 0x55\n  mfc0 $k0, $14\n  addiu $k0, $k0, 4\n  mtc0 $k0, $14\n  eret`, 0x80010180));
    m.loadPhysical(0x10200, assemble(`li $s1, 0x66\n  mtc0 $zero, $13\n  mfc0 $k0, $12\n  ori $k0, $k0, 1\n  xori $k0, $k0, 1\n  mtc0 $k0, $12\n  eret`, 0x80010200));
    m.loadPhysical(0x1000, assemble(`${BOOT}
  li   $t0, 0x80010000
  mtc0 $t0, $15, 1
  syscall
  li   $t0, 0x00800100
  mtc0 $t0, $13
  li   $t0, 0x0101
  mtc0 $t0, $12
  nop
  nop
  li   $t0, 0x00400000
  mtc0 $t0, $12
  syscall
  nop`, 0x80001000));
    m.cpu.pc = 0x80001000;
    const stop = m.cpu.run(200);
    assert.equal(stop.kind, 'limit');
    assert.equal(m.cpu.regs[16], 0x55, 'syscall went to EBase + 0x180');
    assert.equal(m.cpu.regs[17], 0x66, 'software interrupt IP0 with IV went to EBase + 0x200');
    assert.equal(m.cpu.readCp0(15, 1) >>> 0, 0x80010000);
    // With BEV=1 the second syscall vectors to 0xbfc00380; nothing is there, so fetching it raises a
    // bus error (IBE) again and again at the same vector, EPC still pointing at the syscall.
    assert.equal(m.cpu.pc >>> 0, 0xbfc00380, `blockCompiler=${blockCompiler}`);
    assert.equal((m.cpu.readCp0(13, 0) >>> 2) & 31, 6);
    assert.equal(m.cpu.readCp0(14, 0) >>> 0, 0x80001038);
  }
});
