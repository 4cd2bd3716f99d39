// Real static i386 executables (glibc, built by test/programs-i386/build.sh): translated in lockstep
// with the reference interpreter from the ELF entry point until the first instruction outside the
// translated subset, which must be a clean 'untranslated' stop at the same eip the reference reached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readElfFile } from '../../emulator/machine/elf';
import { PagedMemory } from '../../emulator/machine/paged-memory';
import { I386_ABI } from '../../emulator/linux/i386-abi';
import { startProgram } from '../../emulator/linux/program-image';
import { X86Cpu } from '../../emulator/x86/cpu';
import { loadStaticProgram } from '../../emulator/ukcf/static-program';

const PROGRAMS = ['int64', 'strings', 'sort-search'];
const hex = (n: number) => '0x' + (n >>> 0).toString(16);

for (const name of PROGRAMS) {
  const path = `test/programs-i386/${name}`;
  test(`static ELF ${name}: lockstep from the entry point to the first untranslated instruction`, { skip: existsSync(path) ? false : `${path} missing` }, () => {
    const elf = readElfFile(path);
    const { runtime } = loadStaticProgram(elf, [name], { lockstep: true, cacheBytes: 0x40000 });
    const memory = new PagedMemory();
    const started = startProgram({ abi: I386_ABI, elf, memory, argv: [name], stdout: () => {}, stderr: () => {}, instructions: () => 0 });
    const ref = new X86Cpu(memory);
    ref.eip = started.entry;
    ref.regs[4] = started.stackPointer;
    let guest = 0;
    for (;;) {
      const stop = runtime.run(1_000_000);
      if (stop.kind !== 'boundary') {
        assert.equal(stop.kind, 'untranslated', JSON.stringify(stop));
        if (stop.kind === 'untranslated') {
          assert.equal(hex(stop.eip), hex(ref.eip));
          console.log(`${name}: ${guest} guest instructions in lockstep, then: ${stop.message}`);
        }
        break;
      }
      assert.equal(ref.run(stop.guestInstructions).kind, 'limit');
      guest += stop.guestInstructions;
      assert.equal(hex(ref.eip), hex(stop.eip));
      assert.deepEqual([...runtime.guestRegisters()].map(hex), [...ref.regs].map(hex), `registers at ${hex(stop.eip)}`);
    }
    assert.ok(guest > 0);
  });
}
