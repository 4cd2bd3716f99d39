// Assembles MIPS32r2 source with GNU as/ld into raw bytes placed at a given address (tests only).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const assemblerAvailable = spawnSync('mipsel-linux-gnu-as', ['--version']).status === 0;

export function assemble(source: string, base: number): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'mips-asm-'));
  try {
    writeFileSync(join(dir, 'a.s'), '.set noreorder\n.set noat\n.text\n' + source + '\n');
    const as = spawnSync('mipsel-linux-gnu-as', ['-march=mips32r2', '-EL', '-mno-pdr', '-o', join(dir, 'a.o'), join(dir, 'a.s')], { encoding: 'utf8' });
    if (as.status !== 0) throw new Error(`as failed: ${as.stderr}`);
    const ld = spawnSync(
      'mipsel-linux-gnu-ld',
      ['-EL', `-Ttext=0x${(base >>> 0).toString(16)}`, '-e', '0', '-o', join(dir, 'a.elf'), join(dir, 'a.o')],
      { encoding: 'utf8' },
    );
    if (ld.status !== 0) throw new Error(`ld failed: ${ld.stderr}`);
    const cp = spawnSync('mipsel-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'a.elf'), join(dir, 'a.bin')], { encoding: 'utf8' });
    if (cp.status !== 0) throw new Error(`objcopy failed: ${cp.stderr}`);
    return new Uint8Array(readFileSync(join(dir, 'a.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
