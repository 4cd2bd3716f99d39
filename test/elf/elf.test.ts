// The ELF32 parser against GNU readelf (program headers, sections, every symbol, every
// relocation) on real executables and objects, and against malformed files made by mutating
// a real executable: each mutation must give an ElfError naming the file and the problem;
// thousands of random byte flips must give either a parse or an ElfError, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ElfError, parseElf, readElfFile, symbolAt, symbolByName, PT_LOAD, SHN_ABS, SHN_COMMON, SHN_UNDEF, type ElfFile,
} from '../../emulator/machine/elf';

const PROGRAMS = join(__dirname, '..', 'usermode', 'programs');
const HELLO = join(PROGRAMS, 'hello-freestanding.i386');
const have = (c: string) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0;
const noReadelf = !have('i686-linux-gnu-readelf') ? 'i686-linux-gnu-readelf missing' : false;

function readelf(tool: string, flags: string, file: string): string[] {
  return execFileSync(tool, ['-W', flags, file], { encoding: 'latin1', maxBuffer: 64 << 20 }).split('\n');
}

const SYMBOL_TYPES: Record<string, number> = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4, COMMON: 5, TLS: 6, IFUNC: 10 };
const SYMBOL_BINDS: Record<string, number> = { LOCAL: 0, GLOBAL: 1, WEAK: 2, UNIQUE: 10 };

function compareWithReadelf(elf: ElfFile, tool: string): void {
  // Program headers
  const phLines = readelf(tool, '-l', elf.file).filter((l) => /^\s+[A-Z_]+\s+0x[0-9a-f]+ 0x/.test(l));
  assert.equal(phLines.length, elf.programHeaders.length, 'program header count');
  phLines.forEach((l, i) => {
    const f = l.trim().split(/\s+/);
    const p = elf.programHeaders[i];
    assert.deepEqual([p.offset, p.vaddr, p.paddr, p.filesz, p.memsz], f.slice(1, 6).map((x) => parseInt(x, 16)), `phdr ${i}`);
    if (f[0] === 'LOAD') assert.equal(p.type, PT_LOAD);
    const flags = f.slice(6, -1).join('');
    assert.equal(p.flags & 7, (flags.includes('R') ? 4 : 0) | (flags.includes('W') ? 2 : 0) | (flags.includes('E') ? 1 : 0), `phdr ${i} flags`);
  });
  // Sections
  const shLines = readelf(tool, '-S', elf.file).filter((l) => /^\s+\[\s*\d+\]/.test(l));
  assert.equal(shLines.length, elf.sections.length, 'section count');
  shLines.forEach((l, i) => {
    const m = /^\s+\[\s*(\d+)\]\s+(\S*)\s+(\S+)\s+([0-9a-f]{8})\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(l)!;
    const s = elf.sections[i];
    if (i > 0) assert.equal(s.name, m[2], `section ${i} name`);
    assert.deepEqual([s.addr, s.offset, s.size, s.entsize], [4, 5, 6, 7].map((k) => parseInt(m[k], 16)), `section ${i} ${s.name}`);
  });
  // Symbols: every one
  const symLines = readelf(tool, '-s', elf.file).filter((l) => /^\s+\d+: [0-9a-f]{8}/.test(l));
  const symtabLines = symLines.slice(symLines.length - elf.symbols.length);
  assert.ok(elf.symbols.length > 0);
  symtabLines.forEach((l, i) => {
    const f = l.trim().split(/\s+/);
    const s = elf.symbols[i];
    const ndx = f[6] === 'UND' ? SHN_UNDEF : f[6] === 'ABS' ? SHN_ABS : f[6] === 'COM' ? SHN_COMMON : Number(f[6]);
    const size = f[2].startsWith('0x') ? parseInt(f[2], 16) : Number(f[2]);
    // readelf names a section symbol after its section
    const name = s.type === 3 && s.name === '' ? elf.sections[s.sectionIndex].name : s.name;
    assert.deepEqual([s.value, s.size, s.type, s.bind, s.sectionIndex, name],
      [parseInt(f[1], 16), size, SYMBOL_TYPES[f[3]], SYMBOL_BINDS[f[4]], ndx, f.slice(7).join(' ').replace(/@.*$/, '')], `symbol ${i}`);
  });
}

test('static executables parse exactly as readelf shows them (i386 and mipsel)', { skip: noReadelf || (!have('mipsel-linux-gnu-readelf') && 'mipsel readelf missing') }, () => {
  for (const name of ['hello-freestanding.i386', 'memory.i386', 'hello-freestanding.mipsel', 'fileio.mipsel']) {
    const elf = readElfFile(join(PROGRAMS, name));
    const tool = name.endsWith('mipsel') ? 'mipsel-linux-gnu-readelf' : 'i686-linux-gnu-readelf';
    const header = readelf(tool, '-h', elf.file).find((l) => l.includes('Entry point address'))!;
    assert.equal(elf.entry, parseInt(header.split(':')[1], 16), `${name} entry`);
    assert.equal(elf.isa, name.endsWith('mipsel') ? 'mips' : 'x86');
    compareWithReadelf(elf, tool);
  }
});

test('relocatable objects: sections, symbols and every relocation as readelf shows them', { skip: noReadelf || (!have('i686-linux-gnu-gcc') && 'i686-linux-gnu-gcc missing') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-elf-'));
  try {
    writeFileSync(join(dir, 'obj.c'), [
      'extern int printk(const char *, ...); extern int table[]; static int counter;',
      'int value = 3; int *pointer = &value; const char *name = "driver";',
      'int entry(int x) { counter += x; return printk("%d %s", table[x] + counter, name); }',
      'static int helper(void) { return entry(2) * 5; } int (*callbacks[])(void) = { helper, 0 };',
    ].join('\n'));
    execFileSync('i686-linux-gnu-gcc', ['-c', '-O2', '-fno-pic', '-o', join(dir, 'obj.o'), join(dir, 'obj.c')]);
    const elf = readElfFile(join(dir, 'obj.o'));
    assert.equal(elf.type, 1);
    assert.deepEqual(elf.loadSegments, []);
    compareWithReadelf(elf, 'i686-linux-gnu-readelf');
    const lines = readelf('i686-linux-gnu-readelf', '-r', elf.file);
    const expected: string[] = [];
    let current = '';
    for (const l of lines) {
      const head = /^Relocation section '([^']+)'/.exec(l);
      if (head) current = head[1];
      const m = /^([0-9a-f]{8})\s+([0-9a-f]{8})\s+(\S+)/.exec(l);
      if (m) expected.push(`${current} ${parseInt(m[1], 16)} ${parseInt(m[2], 16)}`);
    }
    const ours = elf.relocations.flatMap((rs) => rs.entries.map((r) => `${rs.section.name} ${r.offset} ${(r.symbolIndex << 8 | r.type) >>> 0}`));
    assert.deepEqual(ours, expected);
    assert.ok(ours.length >= 6);
    const text = elf.relocations.find((r) => r.section.name === '.rel.text')!;
    assert.equal(elf.sections[text.targetSection].name, '.text');
    assert.ok(text.entries.some((r) => elf.symbols[r.symbolIndex].name === 'printk' && r.type === 2), 'R_386_PC32 to printk');
    assert.equal(symbolByName(elf, 'entry')?.type, 2);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('symbolAt finds the function containing an address', () => {
  const elf = readElfFile(join(PROGRAMS, 'memory.i386'));
  const main = symbolByName(elf, 'main')!;
  assert.equal(symbolAt(elf, main.value + 1)?.name, 'main');
  assert.equal(symbolAt(elf, main.value + main.size)?.name === 'main', false);
});

// ---- malformed input ------------------------------------------------------------------------

const base = readFileSync(HELLO);
const view = (b: Buffer) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const PHOFF = base.readUInt32LE(28);
const ph = (i: number, field: number) => PHOFF + 32 * i + field; // type 0, offset 4, vaddr 8, filesz 16, memsz 20, flags 24

const MUTATIONS: [string, (b: Buffer) => Buffer, RegExp][] = [
  ['bad magic', (b) => { b[1] = 0x46; return b; }, /not an ELF file/],
  ['empty file', () => Buffer.alloc(0), /not an ELF file/],
  ['64-bit class', (b) => { b[4] = 2; return b; }, /64-bit ELF/],
  ['big-endian', (b) => { b[5] = 2; return b; }, /big-endian/],
  ['wrong machine', (b) => { b.writeUInt16LE(62, 18); return b; }, /wrong machine EM_X86_64; expected EM_386 or EM_MIPS/],
  ['shared object', (b) => { b.writeUInt16LE(3, 16); return b; }, /ET_DYN/],
  ['core file', (b) => { b.writeUInt16LE(4, 16); return b; }, /unsupported ELF type 4/],
  ['truncated header', (b) => b.subarray(0, 40), /truncated ELF header \(40 of 52 bytes\)/],
  ['truncated program headers', (b) => b.subarray(0, PHOFF + 40), /truncated program headers: 4 entries at offset 52/],
  ['bad program header size', (b) => { b.writeUInt16LE(40, 42); return b; }, /program header entry size 40/],
  ['segment past end of file', (b) => { b.writeUInt32LE(0x100000, ph(1, 16)); b.writeUInt32LE(0x100000, ph(1, 20)); return b; }, /segment 1 \(PT_LOAD at 0x08049000\): file data \[4096, 1052672\) runs past the end of the file/],
  ['file size above memory size', (b) => { b.writeUInt32LE(0x10, ph(1, 20)); return b; }, /file size 58 exceeds memory size 16/],
  ['segment in kernel space', (b) => { b.writeUInt32LE(0xc0001000, ph(2, 8)); return b; }, /segment 2 .*outside the user address space \[0x00001000, 0xc0000000\)/],
  ['segment at page zero', (b) => { b.writeUInt32LE(0, ph(0, 8)); return b; }, /segment 0 .*outside the user address space/],
  ['overlapping segments', (b) => { b.writeUInt32LE(0x08049010, ph(2, 8)); b.writeUInt32LE(0x2010, ph(2, 4)); b.writeUInt32LE(0x10, ph(2, 16)); return b; }, /segments 1 \[0x08049000, 0x0804903a\) and 2 \[0x08049010, 0x08049033\) overlap/],
  ['no PT_LOAD', (b) => { for (let i = 0; i < 3; i++) b.writeUInt32LE(4, ph(i, 0)); return b; }, /no PT_LOAD segment/],
  ['entry outside code', (b) => { b.writeUInt32LE(0x0804a000, 24); return b; }, /entry point 0x0804a000 is not inside an executable segment/],
  ['entry in a non-executable segment', (b) => { b.writeUInt32LE(4, ph(1, 24)); return b; }, /entry point 0x08049000 is not inside an executable segment/],
  ['dynamically linked', (b) => { b.writeUInt32LE(3, ph(3, 0)); return b; }, /dynamically linked executable/],
  ['section headers past end', (b) => { b.writeUInt32LE(b.length - 20, 32); return b; }, /truncated section headers: 7 entries/],
  ['section data past end', (b) => { const sh = b.readUInt32LE(32); b.writeUInt32LE(0x7fff0000, sh + 40 * 1 + 20); return b; }, /section 1: data \[4096, \d+\) runs past the end of the file/],
  ['symbol string table out of range', (b) => { const sh = b.readUInt32LE(32); b.writeUInt32LE(99, sh + 40 * 4 + 24); return b; }, /symbol table section 4: string table index 99 out of range/],
  ['misaligned segment offset', (b) => { b.writeUInt32LE(0x1004, ph(1, 4)); return b; }, /not congruent modulo the page size/],
];

for (const [name, mutate, message] of MUTATIONS) {
  test(`malformed ELF (${name}) is rejected with a clear message`, () => {
    const bytes = mutate(Buffer.from(base));
    assert.throws(() => parseElf(bytes, 'bad.elf'), (e: unknown) => {
      assert.ok(e instanceof ElfError, `ElfError, got ${(e as Error).name}: ${(e as Error).message}`);
      assert.ok(e.message.startsWith('bad.elf: '), e.message);
      assert.match(e.message, message);
      return true;
    });
  });
}

test('the unmutated file parses (the mutations are what break it)', () => {
  const elf = parseElf(Buffer.from(base), 'good.elf');
  assert.equal(elf.loadSegments.length, 3);
  assert.equal(view(Buffer.from(base)).getUint16(18, true), 3);
});

test('4000 random corruptions: always a parse or an ElfError, never another exception', () => {
  const inputs = [readFileSync(HELLO), readFileSync(join(PROGRAMS, 'hello-freestanding.mipsel'))];
  let seed = 0x9e3779b9;
  const rnd = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 2 ** 32; };
  let rejected = 0;
  for (let i = 0; i < 4000; i++) {
    const src = inputs[i & 1];
    let b = Buffer.from(src);
    const flips = 1 + Math.floor(rnd() * 4);
    for (let k = 0; k < flips; k++) {
      // bias towards the headers, where structure lives
      const at = rnd() < 0.7 ? Math.floor(rnd() * Math.min(b.length, 52 + 4 * 32)) : Math.floor(rnd() * b.length);
      b[at] = Math.floor(rnd() * 256);
    }
    if (rnd() < 0.1) b = b.subarray(0, Math.floor(rnd() * b.length));
    try {
      parseElf(b, 'fuzz.elf');
    } catch (e) {
      assert.ok(e instanceof ElfError, `iteration ${i}: ${(e as Error).stack}`);
      rejected++;
    }
  }
  assert.ok(rejected > 1000, `${rejected} rejected`);
});
