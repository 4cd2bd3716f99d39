// The host kernel's exec of an i386 executable (workloads/kernel/process.c), checked with a stand-in
// translator that records what the kernel asks (UKCF_USER_START) and starts a few MIPS words of its
// own in the reserved area instead of translated code: the window, the loaded segments, the i386
// initial stack, the reserved area, the exit and fault paths, and the refusal without a translator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostSystem, BOOT_UKCF_USER, USER_PHYS, USER_SIZE } from '../../emulator/system/host-system';
import { attachUserTranslator, type UserProcessStart, type TranslatedEntry, type UserFaultFixup } from '../../emulator/system/user-translator-port';
import { parseElf, EM_386 } from '../../emulator/machine/elf';
import { GPR, MipsAssembler } from '../../emulator/mips/encoder';
import { PLAYER_I386, WORKLOADS } from '../workloads/workload-files';

const KERNEL = readFileSync(join(WORKLOADS, 'kernel', 'kernel.mipsel'));
const PLAYER = readFileSync(PLAYER_I386);

interface Recorded {
  start: UserProcessStart | null;
  exits: { pid: number; status: number }[];
  eipQueries: number[];
  /** Bytes of the window at start, read through the window mapping. */
  window: (addr: number, n: number) => Uint8Array;
}

/** Boots the kernel with init = the i386 player; `code` builds the MIPS words run in the area (and may give fault fixups). */
function boot(code: (asm: MipsAssembler, s: UserProcessStart) => void | UserFaultFixup[], flags = BOOT_UKCF_USER, argv = ['/player', '-b', '/video.y4m'], protectedBytes: number | null = null) {
  const system = new HostSystem({ kernel: KERNEL, files: [{ name: 'player', bytes: PLAYER }], cmdline: `-- ${argv.join(' ')}`, graphics: false, ukcf: flags });
  const ram = system.machine.ram;
  const rec: Recorded = { start: null, exits: [], eipQueries: [], window: () => new Uint8Array(0) };
  attachUserTranslator(system, {
    start(s, cpu): TranslatedEntry {
      rec.start = s;
      assert.equal(cpu.readCp0(22, 0) >>> 0, s.vbase);
      rec.window = (addr, n) => ram.readBytes(s.windowPhys + (addr - s.vbase), n);
      const asm = new MipsAssembler(s.areaBase);
      const faultFixups = code(asm, s) ?? undefined;
      const protectedEnd = protectedBytes === null ? undefined : s.areaBase + protectedBytes;
      const words = asm.finish().words;
      ram.writeBytes(s.windowPhys + (s.areaBase - s.vbase), new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
      return { pc: s.areaBase, registers: [{ reg: GPR.s4, value: s.esp }, { reg: GPR.sp, value: s.areaBase + 0x8000 }], faultFixups, protectedEnd };
    },
    exit(pid, status) {
      rec.exits.push({ pid, status });
    },
    guestEip(pc) {
      rec.eipQueries.push(pc);
      return 0x0804abcd;
    },
  });
  const result = system.run(50_000_000, 10);
  return { result, rec };
}

const exitWith = (status: number) => (asm: MipsAssembler) => {
  asm.li(GPR.a0, status);
  asm.li(GPR.v0, 4001);
  asm.syscall();
};

test('exec of an i386 executable: window where it is linked, segments loaded, i386 initial stack, reserved area, exit', () => {
  const { result, rec } = boot(exitWith(42));
  assert.equal(result.panicked, false, result.console);
  assert.equal(result.status, 42, result.console);
  const s = rec.start;
  assert.ok(s !== null);
  const elf = parseElf(PLAYER, 'player.i386', { machines: [EM_386] });
  const loads = elf.loadSegments;
  const low = Math.min(...loads.map((p) => p.vaddr));
  assert.equal(s.vbase, (low & ~0xfffff) >>> 0);
  assert.equal(s.vend - s.vbase, USER_SIZE);
  assert.equal(s.windowPhys, USER_PHYS);
  assert.equal(s.entry, elf.entry);
  assert.equal(s.imageLow, low);
  const top = Math.max(...loads.map((p) => p.vaddr + p.memsz));
  assert.equal(s.brkStart, (top + 0xfff) & ~0xfff);
  // The area: at the top of the window, above the 256 KiB i386 stack.
  assert.equal(s.areaBase + s.areaSize, s.vend);
  assert.equal(s.areaSize, 4 << 20);
  assert.ok(s.esp < s.areaBase && s.esp > s.areaBase - 256 * 1024 && s.esp % 16 === 0);
  assert.deepEqual(rec.exits, [{ pid: 1, status: 42 }]);
  // Segments as in the file, bss zero (the window still holds them: exit does not clear it).
  for (const p of loads) {
    assert.deepEqual(rec.window(p.vaddr, p.filesz), new Uint8Array(PLAYER.subarray(p.offset, p.offset + p.filesz)));
    assert.ok(rec.window(p.vaddr + p.filesz, p.memsz - p.filesz).every((b) => b === 0));
  }
});

test('exec of an i386 executable: argc, argv, empty envp and the Linux auxiliary vector on the stack', () => {
  const argv = ['/player', '-f', '3', '/video.y4m'];
  const { rec } = boot(exitWith(0), BOOT_UKCF_USER, argv);
  const s = rec.start;
  assert.ok(s !== null);
  const word = (a: number) => Buffer.from(rec.window(a, 4)).readUInt32LE(0);
  const str = (a: number) => {
    let out = '';
    for (let b = rec.window(a, 1)[0]; b !== 0; b = rec.window(++a, 1)[0]) out += String.fromCharCode(b);
    return out;
  };
  assert.equal(word(s.esp), argv.length);
  argv.forEach((a, i) => assert.equal(str(word(s.esp + 4 + 4 * i)), a));
  let at = s.esp + 4 + 4 * argv.length;
  assert.equal(word(at), 0, 'argv ends');
  assert.equal(word(at + 4), 0, 'no environment');
  at += 8;
  const aux = new Map<number, number>();
  for (;;) {
    const k = word(at);
    const v = word(at + 4);
    at += 8;
    if (k === 0) break;
    aux.set(k, v);
  }
  const elf = parseElf(PLAYER, 'player.i386', { machines: [EM_386] });
  assert.equal(aux.get(6), 4096, 'AT_PAGESZ');
  assert.equal(aux.get(9), elf.entry, 'AT_ENTRY');
  assert.equal(aux.get(5), elf.programHeaders.length, 'AT_PHNUM');
  assert.equal(aux.get(4), 32, 'AT_PHENT');
  const phdr = aux.get(3) as number;
  assert.deepEqual(rec.window(phdr, 32), new Uint8Array(PLAYER.subarray(elf.phoff, elf.phoff + 32)), 'AT_PHDR points at the program headers');
  assert.equal(str(aux.get(15) as number), 'i686', 'AT_PLATFORM');
  assert.equal(str(aux.get(31) as number), argv[0], 'AT_EXECFN');
  assert.equal(rec.window(aux.get(25) as number, 16).length, 16, 'AT_RANDOM');
  assert.ok((aux.get(25) as number) < s.areaBase);
});

test('brk and mmap of an i386 process stay below its i386 stack and the reserved area', () => {
  // brk(huge) is refused (returns the old break); mmap2 of 64 KiB lands below the stack.
  const { result, rec } = boot((asm, s) => {
    asm.li(GPR.a0, s.areaBase + 0x1000);
    asm.li(GPR.v0, 4045);
    asm.syscall();
    asm.move(GPR.s0, GPR.v0);
    asm.addiu(GPR.sp, GPR.sp, -32);
    asm.li(GPR.t0, -1);
    asm.sw(GPR.t0, 16, GPR.sp);
    asm.sw(GPR.zero, 20, GPR.sp);
    asm.li(GPR.a0, 0);
    asm.li(GPR.a1, 0x10000);
    asm.li(GPR.a2, 3);
    asm.li(GPR.a3, 0x802);
    asm.li(GPR.v0, 4210);
    asm.syscall();
    // exit status: 1 if brk was refused and the mapping ends at or below the stack, else 2
    asm.li(GPR.t1, s.brkStart);
    asm.li(GPR.a0, 2);
    const bad = asm.newLabel('bad');
    asm.bne(GPR.s0, GPR.t1, bad);
    asm.nop();
    asm.li(GPR.t2, s.areaBase - 256 * 1024 - 0x10000);
    asm.bne(GPR.v0, GPR.t2, bad);
    asm.nop();
    asm.li(GPR.a0, 1);
    asm.bind(bad);
    asm.li(GPR.v0, 4001);
    asm.syscall();
  });
  assert.ok(rec.start !== null);
  assert.equal(result.status, 1, result.console);
});

test('a fault in an i386 process kills it and names the guest eip the translator maps the pc to', () => {
  const { result, rec } = boot((asm) => {
    asm.lw(GPR.t0, 0, GPR.zero);
  });
  assert.equal(result.status, 128 + 11, result.console);
  assert.equal(rec.eipQueries.length, 1);
  assert.equal(rec.eipQueries[0], rec.start?.areaBase);
  // A translator without guestAccess: the kernel's UKCF_USER_GUEST_ACCESS gets BadVAddr back (a load).
  assert.match(result.console, /kernel: pid 1 killed by exception TLBL at pc [0-9a-f]{8}, address 00000000, guest eip 0804abcd accessing 00000000\n/);
  assert.deepEqual(rec.exits, [{ pid: 1, status: 139 }]);
});

/**
 * A faulting access at `kind`, inside a fixup range [fault, fault + 4) that continues at a label
 * which exits with t1 (7, or 1 if the access did not fault and the next instruction ran).
 */
function faultWithFixup(kind: 'load-unmapped' | 'store-kernel' | 'delay-slot' | 'outside-area') {
  return (asm: MipsAssembler, s: UserProcessStart): UserFaultFixup[] => {
    const fixup = asm.newLabel();
    const over = asm.newLabel();
    asm.li(GPR.t1, 7);
    asm.li(GPR.t2, 0x80000000);
    let fault: number;
    let start = -1;
    if (kind === 'delay-slot') {
      start = asm.address; // the range covers the branch too: epc names it for a delay-slot fault
      asm.beq(GPR.zero, GPR.zero, over);
      fault = asm.address;
      asm.lw(GPR.t0, 0, GPR.zero); // in the branch's delay slot: Linux's rule, no fixup there
      asm.bind(over);
    } else {
      fault = asm.address;
      if (kind === 'store-kernel') asm.sw(GPR.t0, 0, GPR.t2); // AdES in user mode
      else asm.lw(GPR.t0, 0, GPR.zero); // TLBL: nothing mapped at 0
    }
    asm.li(GPR.t1, 1);
    asm.bind(fixup);
    asm.move(GPR.a0, GPR.t1);
    asm.li(GPR.v0, 4001);
    asm.syscall();
    const at = asm.addressOfLabel(fixup);
    return [{ start: start >= 0 ? start : fault, end: fault + 4, fixup: kind === 'outside-area' ? s.areaBase - 4096 : at }];
  };
}

test('a fault at a pc in the translator\'s fixup table continues at its fixup (TLBL and AdES), without a signal', () => {
  for (const kind of ['load-unmapped', 'store-kernel'] as const) {
    const { result, rec } = boot(faultWithFixup(kind));
    assert.equal(result.status, 7, `${kind}: ${result.console}`);
    assert.doesNotMatch(result.console, /killed/);
    assert.deepEqual(rec.exits, [{ pid: 1, status: 7 }]);
  }
});

test('a fault in a delay slot is never fixed up (the pc cannot resume there): the process is killed', () => {
  const { result } = boot(faultWithFixup('delay-slot'));
  assert.equal(result.status, 128 + 11, result.console);
  assert.match(result.console, /kernel: pid 1 killed by exception TLBL/);
});

test('a fixup table pointing outside the translator\'s area is refused at exec', () => {
  const { result, rec } = boot(faultWithFixup('outside-area'));
  assert.equal(result.status, 126, result.console);
  assert.match(result.console, /exec \/player: the UKCF user-space translator gave a fault fixup or protected range outside its area/);
  assert.deepEqual(rec.exits, [{ pid: 1, status: 126 }]);
});

/** write(1, areaBase + offset, 4), then exit with its result (v0: bytes written, or errno when a3 is set). */
const writeFromArea = (offset: number) => (asm: MipsAssembler, s: UserProcessStart) => {
  asm.li(GPR.a0, 1);
  asm.li(GPR.a1, s.areaBase + offset);
  asm.li(GPR.a2, 4);
  asm.li(GPR.v0, 4004);
  asm.syscall();
  asm.move(GPR.a0, GPR.v0);
  asm.li(GPR.v0, 4001);
  asm.syscall();
};

test('the translator\'s protected part of its area is no system call\'s memory (-EFAULT); above it, and without it, pointers work', () => {
  assert.equal(boot(writeFromArea(0x100), BOOT_UKCF_USER, undefined, 0x2000).result.status, 14); // EFAULT
  assert.equal(boot(writeFromArea(0x2000), BOOT_UKCF_USER, undefined, 0x2000).result.status, 4);
  assert.equal(boot(writeFromArea(0x100)).result.status, 4);
  const bad = boot(writeFromArea(0x100), BOOT_UKCF_USER, undefined, 0x800002);
  assert.equal(bad.result.status, 126);
  assert.match(bad.result.console, /gave a fault fixup or protected range outside its area/);
});

test('without a user-space translator the kernel refuses an i386 executable cleanly', () => {
  const { result, rec } = boot(exitWith(0), 0);
  assert.equal(rec.start, null);
  assert.equal(result.panicked, false);
  assert.equal(result.status, 126);
  assert.match(result.console, /exec \/player: an i386 executable needs the UKCF user-space translator, and none is attached/);
});
