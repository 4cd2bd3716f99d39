// The committed driver objects are loadable the way the kernel-space translator
// expects: ELF32 relocatable objects whose only undefined symbols are functions
// declared in workloads/include/kernel_api.h, exporting the five entry points, with
// only plain absolute/PC-relative relocations.  Read with a small ELF reader here
// and cross-checked against GNU nm when binutils are installed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DRIVER_I386, DRIVER_MIPSEL, WORKLOADS, toolAvailable } from './workload-files';

interface Section {
  name: string;
  type: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

interface ElfSymbol {
  name: string;
  bind: number; // 0 local, 1 global
  type: number; // 2 func
  shndx: number;
}

interface RelocatableObject {
  machine: number;
  sections: Section[];
  symbols: ElfSymbol[];
  relocationTypes: Set<number>;
}

function readObject(path: string): RelocatableObject {
  const b = readFileSync(path);
  assert.equal(b.toString('latin1', 0, 4), '\x7fELF', `${path}: ELF magic`);
  assert.equal(b[4], 1, `${path}: ELFCLASS32`);
  assert.equal(b[5], 1, `${path}: little-endian`);
  assert.equal(b.readUInt16LE(16), 1, `${path}: ET_REL`);
  const shoff = b.readUInt32LE(32);
  const shentsize = b.readUInt16LE(46);
  const shnum = b.readUInt16LE(48);
  const shstrndx = b.readUInt16LE(50);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      nameOff: b.readUInt32LE(at),
      type: b.readUInt32LE(at + 4),
      offset: b.readUInt32LE(at + 16),
      size: b.readUInt32LE(at + 20),
      link: b.readUInt32LE(at + 24),
      info: b.readUInt32LE(at + 28),
      entsize: b.readUInt32LE(at + 36),
    };
  });
  const cstr = (at: number) => b.toString('latin1', at, b.indexOf(0, at));
  const sections = raw.map((s) => ({ ...s, name: cstr(raw[shstrndx].offset + s.nameOff) }));
  const symtab = sections.find((s) => s.type === 2);
  assert.ok(symtab, `${path}: has a symbol table`);
  const strtab = sections[symtab.link];
  const symbols: ElfSymbol[] = [];
  for (let at = symtab.offset; at < symtab.offset + symtab.size; at += 16) {
    const info = b[at + 12];
    symbols.push({ name: cstr(strtab.offset + b.readUInt32LE(at)), bind: info >> 4, type: info & 15, shndx: b.readUInt16LE(at + 14) });
  }
  const relocationTypes = new Set<number>();
  for (const s of sections.filter((x) => x.type === 9 && !x.name.includes('debug'))) {
    for (let at = s.offset; at < s.offset + s.size; at += 8) relocationTypes.add(b.readUInt32LE(at + 4) & 0xff);
  }
  return { machine: b.readUInt16LE(18), sections, symbols, relocationTypes };
}

/** Function names declared in kernel_api.h: the kernel's export table. */
function kernelApi(): Set<string> {
  const header = readFileSync(join(WORKLOADS, 'include', 'kernel_api.h'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const names = [...header.matchAll(/^[a-z_][a-z0-9_ ]*?[ *]([a-z_][a-z0-9_]*)\(/gm)].map((m) => m[1]);
  return new Set(names);
}

const ENTRY_POINTS = ['gfx_init', 'gfx_ioctl', 'gfx_open', 'gfx_probe', 'gfx_release'];

const objects = [
  { path: DRIVER_I386, machine: 3, relocations: new Set([1, 2]), nm: 'i686-linux-gnu-nm' }, // R_386_32, R_386_PC32
  { path: DRIVER_MIPSEL, machine: 8, relocations: new Set([2, 4, 5, 6]), nm: 'mipsel-linux-gnu-nm' }, // R_MIPS_32, 26, HI16, LO16
];

test('kernel_api.h declares the export table the driver may use', () => {
  const api = kernelApi();
  for (const name of ['register_gfx_driver', 'kmalloc', 'kfree', 'copy_from_user', 'copy_to_user', 'printk', 'memcpy', 'memset', 'ioread32', 'iowrite32', 'ioremap', 'gfx_device_base', 'msleep', 'ktime_get_ms']) {
    assert.ok(api.has(name), `kernel_api.h declares ${name}`);
  }
  assert.equal(api.size, 14, `exactly the documented functions: ${[...api].join(', ')}`);
});

for (const o of objects) {
  test(`${o.path.split('/').pop()}: only kernel API imports, the five entry points exported`, () => {
    const obj = readObject(o.path);
    assert.equal(obj.machine, o.machine, 'e_machine');
    const api = kernelApi();
    const undefinedNames = obj.symbols.filter((s) => s.shndx === 0 && s.name).map((s) => s.name).sort();
    for (const name of undefinedNames) assert.ok(api.has(name), `undefined symbol ${name} is not in kernel_api.h`);
    assert.ok(undefinedNames.includes('register_gfx_driver'), 'registers through register_gfx_driver');
    const exported = obj.symbols.filter((s) => s.bind === 1 && s.shndx !== 0).map((s) => s.name).sort();
    assert.deepEqual(exported, ENTRY_POINTS, 'global definitions');
    for (const name of ENTRY_POINTS) assert.equal(obj.symbols.find((s) => s.name === name)?.type, 2, `${name} is STT_FUNC`);
    const code = obj.sections.filter((s) => s.name.startsWith('.text') && s.size > 0).map((s) => s.name);
    assert.deepEqual(code, ['.text'], 'one code section');
    for (const t of obj.relocationTypes) assert.ok(o.relocations.has(t), `relocation type ${t} outside the expected set`);
  });

  test(`${o.path.split('/').pop()}: GNU nm agrees with the ELF reader`, { skip: toolAvailable(o.nm) ? false : `${o.nm} is not installed` }, () => {
    const r = spawnSync(o.nm, ['-P', o.path], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => l.split(' '));
    const undefinedByNm = lines.filter((l) => l[1] === 'U').map((l) => l[0]).sort();
    const obj = readObject(o.path);
    assert.deepEqual(undefinedByNm, obj.symbols.filter((s) => s.shndx === 0 && s.name).map((s) => s.name).sort());
    assert.deepEqual(lines.filter((l) => l[1] === 'T').map((l) => l[0]).sort(), ENTRY_POINTS);
  });
}
