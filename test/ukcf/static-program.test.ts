// Real static i386 executables (glibc, built by test/programs-i386/build.sh), translated, with their
// system calls served by the Linux layer. Lockstep: the reference X86Process and the translated run
// compared at every block boundary (registers, eip) for the first LOCKSTEP_BOUNDARIES blocks. Chained:
// the whole run; a program that ends must end as the reference process does (output, status, fault
// message) and as the native run (the recorded .stdout) where the reference gets as far (printf-float
// needs the x87); one that stops at an instruction not translated yet must stop exactly where
// the reference is after the same number of guest instructions (counted by block entry counters),
// with the same registers and output so far.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readElfFile } from '../../emulator/machine/elf';
import { X86Process } from '../../emulator/usermode/x86-process';
import { loadStaticProgram } from '../../emulator/ukcf/static-program';

const PROGRAMS = ['int64', 'strings', 'sort-search', 'printf-formats', 'printf-float', 'heap-files'];
const LOCKSTEP_BOUNDARIES = 1500;
const hex = (n: number) => '0x' + (n >>> 0).toString(16);

function collector(): { sink: (b: Uint8Array) => void; text: () => string } {
  const parts: Uint8Array[] = [];
  return { sink: (b) => parts.push(new Uint8Array(b)), text: () => Buffer.concat(parts).toString('latin1') };
}

for (const name of PROGRAMS) {
  const path = `test/programs-i386/${name}`;
  const skip = existsSync(path) ? false : `${path} missing`;

  test(`static ELF ${name}: lockstep with the reference process, system calls served on both sides`, { skip }, () => {
    const elf = readElfFile(path);
    const program = loadStaticProgram(elf, [name], { lockstep: true, cacheBytes: 0x40000 });
    const ref = new X86Process({ elf, argv: [name], stdout: () => {}, stderr: () => {} });
    let guest = 0;
    let boundaries = 0;
    let syscalls = 0;
    for (; boundaries < LOCKSTEP_BOUNDARIES; boundaries++) {
      const stop = program.runtime.run(1_000_000);
      if (stop.kind !== 'boundary' && stop.kind !== 'syscall') {
        if (stop.kind === 'untranslated') {
          const before = stop.guestInstructions ?? 0; // ran in the block before it stopped
          if (before > 0) assert.equal(ref.run(before).kind, 'limit');
          guest += before;
          assert.equal(hex(stop.eip), hex(ref.cpu.eip), 'stops where the reference is');
          assert.deepEqual([...program.runtime.guestRegisters()].map(hex), [...ref.cpu.regs].map(hex), 'registers there');
          console.log(`${name}: lockstep over ${guest} guest instructions (${syscalls} system calls), then: ${stop.message}`);
        } else assert.fail(`${name}: ${JSON.stringify(stop)}`);
        return;
      }
      const n = stop.guestInstructions ?? 0;
      const r = ref.run(n);
      guest += n;
      if (stop.kind === 'syscall') {
        syscalls++;
        if (program.serviceSyscall()) {
          assert.equal(r.kind, 'exited', 'both exit');
          return;
        }
      }
      assert.equal(r.kind, 'limit', `reference at ${hex(stop.eip)}: ${JSON.stringify(r)}`);
      assert.equal(hex(ref.cpu.eip), hex(stop.eip), `eip after ${guest} guest instructions`);
      assert.deepEqual([...program.runtime.guestRegisters()].map(hex), [...ref.cpu.regs].map(hex), `registers at ${hex(stop.eip)}`);
    }
    console.log(`${name}: lockstep over ${guest} guest instructions (${syscalls} system calls, ${boundaries} blocks)`);
    assert.ok(guest > 1000);
  });

  test(`static ELF ${name}: chained run to its end (native output) or to the first untranslated instruction (reference state)`, { skip }, () => {
    const elf = readElfFile(path);
    const out = collector();
    const program = loadStaticProgram(elf, [name], { countBlockEntries: true, stdout: out.sink });
    const stop = program.run(200_000_000);
    const stats = program.runtime.statistics();
    const executed = stats.guestInstructionsExecuted ?? 0;
    const refOut = collector();
    const ref = new X86Process({ elf, argv: [name], stdout: refOut.sink, stderr: () => {} });
    if (stop.kind === 'exited') {
      // As the reference process ends (printf-float: SIGILL at its first x87 instruction, outside
      // the emulated set), and as the native run where the reference gets that far.
      const end = ref.run(1e10);
      assert.deepEqual(end, { kind: 'exited', exitCode: stop.exitCode, ...(stop.message !== undefined ? { message: stop.message } : {}) });
      assert.equal(out.text(), refOut.text(), 'stdout as the reference');
      if (String(stop.exitCode) === readFileSync(`${path}.status`, 'latin1').trim()) {
        assert.equal(out.text(), readFileSync(`${path}.stdout`, 'latin1'), 'stdout as the native run');
      } else assert.equal(name, 'printf-float', `exit status ${stop.exitCode} (${stop.message}), not the native run's`);
      console.log(`${name}: ran to its end translated (exit ${stop.exitCode}${stop.message !== undefined ? `: ${stop.message}` : ''}), ${executed} guest instructions, ${program.runtime.cpu.instructionCount} host instructions`);
      return;
    }
    assert.equal(stop.kind, 'untranslated', JSON.stringify(stop));
    if (stop.kind !== 'untranslated') return;
    const r = ref.run(executed);
    assert.equal(r.kind, 'limit', JSON.stringify(r));
    assert.equal(hex(ref.cpu.eip), hex(stop.eip), `the reference after ${executed} guest instructions is at the same eip`);
    assert.deepEqual([...program.runtime.guestRegisters()].map(hex), [...ref.cpu.regs].map(hex));
    assert.equal(out.text(), refOut.text(), 'output so far');
    console.log(`${name}: ${executed} guest instructions translated and run, then: ${stop.message}`);
  });
}
