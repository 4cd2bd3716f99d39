// GNU objdump as the oracle for disassembly text: one blob of many instructions is
// written to a temp file and disassembled once per syntax; the listing is parsed into
// address → (bytes, text).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OBJDUMP = 'i686-linux-gnu-objdump';

export interface ObjdumpLine {
  address: number;
  bytes: number[];
  text: string;
}

/** Why objdump cannot be used here, or null if it can. */
export function objdumpUnavailableReason(): string | null {
  const r = spawnSync(OBJDUMP, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `${OBJDUMP} not found (install binutils-i686-linux-gnu)`;
  return null;
}

/** Disassembles `blob` loaded at `vma`; returns one entry per listed instruction, keyed by address. */
export function objdumpListing(blob: Uint8Array, vma: number, syntax: 'att' | 'intel'): Map<number, ObjdumpLine> {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-objdump-'));
  try {
    const file = join(dir, 'blob.bin');
    writeFileSync(file, blob);
    const args = ['-D', '-z', '-b', 'binary', '-m', 'i386', '--insn-width=16', `--adjust-vma=0x${vma.toString(16)}`];
    if (syntax === 'intel') args.push('-M', 'intel');
    args.push(file);
    const r = spawnSync(OBJDUMP, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${OBJDUMP} failed: ${r.stderr}`);
    const lines = new Map<number, ObjdumpLine>();
    for (const line of r.stdout.split('\n')) {
      // " 8048000:\t8b 44 24 04          \tmov    0x4(%esp),%eax"
      const m = /^ *([0-9a-f]+):\t([0-9a-f ]+?) *\t(.*)$/.exec(line);
      if (!m) continue;
      const address = parseInt(m[1], 16);
      lines.set(address, { address, bytes: m[2].split(' ').map((b) => parseInt(b, 16)), text: m[3] });
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
