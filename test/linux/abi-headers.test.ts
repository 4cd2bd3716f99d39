// The ABI tables of the Linux layer against an oracle nobody here wrote: the Debian cross
// toolchains' kernel headers (system-call numbers, errno values, _NSIG) and small probes
// compiled with them (flag bits, ioctl codes, struct stat64 / statx bytes). i386 probes run
// natively; mipsel probes under qemu-mipsel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { I386_ABI } from '../../emulator/linux/i386-abi';
import { MIPS_O32_ABI } from '../../emulator/linux/mips-o32-abi';
import { encodeStatx, type FileStatus } from '../../emulator/linux/file-status';
import { ERRNO_NAMES, type LinuxAbi } from '../../emulator/linux/abi';

interface Target {
  abi: LinuxAbi;
  include: string;
  unistd: string;
  errnoHeaders: string[];
  signalHeader: string;
  gcc: string;
  run: (exe: string) => string[];
}

const TARGETS: Target[] = [
  {
    abi: I386_ABI, include: '/usr/i686-linux-gnu/include', unistd: 'asm/unistd_32.h',
    errnoHeaders: ['asm-generic/errno-base.h', 'asm-generic/errno.h'], signalHeader: 'asm/signal.h',
    gcc: 'i686-linux-gnu-gcc', run: (exe) => [exe],
  },
  {
    abi: MIPS_O32_ABI, include: '/usr/mipsel-linux-gnu/include', unistd: 'asm/unistd_o32.h',
    errnoHeaders: ['asm-generic/errno-base.h', 'asm/errno.h'], signalHeader: 'asm/signal.h',
    gcc: 'mipsel-linux-gnu-gcc', run: (exe) => ['qemu-mipsel', exe],
  },
];

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function defines(file: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of readFileSync(file, 'latin1').split('\n')) {
    const d = /^#\s*define\s+(\w+)\s+(.+?)\s*(\/\*.*)?$/.exec(line);
    if (d) m.set(d[1], d[2]);
  }
  return m;
}

for (const t of TARGETS) {
  const headersMissing = !existsSync(join(t.include, t.unistd)) ? `${t.include} missing (install the Debian cross libc headers)` : false;

  test(`${t.abi.name}: every system-call number matches ${t.unistd}`, { skip: headersMissing }, () => {
    const d = defines(join(t.include, t.unistd));
    const base = t.abi.name === 'mips-o32' ? 4000 : 0;
    let checked = 0;
    for (const [name, nr] of Object.entries(t.abi.syscallNumbers)) {
      const raw = d.get(`__NR_${name}`);
      assert.ok(raw !== undefined, `__NR_${name} defined for ${t.abi.name}`);
      const m = /^\(__NR_Linux\s*\+\s*(\d+)\)$/.exec(raw) ?? /^()(\d+)$/.exec(raw);
      assert.ok(m, `parse ${raw}`);
      const value = raw.startsWith('(') ? base + Number(m![1]) : Number(raw);
      assert.equal(nr, value, `__NR_${name}`);
      checked++;
    }
    assert.ok(checked > 90);
  });

  test(`${t.abi.name}: errno values and _NSIG match the kernel headers`, { skip: headersMissing }, () => {
    const d = new Map<string, string>();
    for (const h of t.errnoHeaders) for (const [k, v] of defines(join(t.include, h))) d.set(k, v);
    for (const name of ERRNO_NAMES) assert.equal(t.abi.errno[name], Number(d.get(name)), name);
    const sig = defines(join(t.include, t.signalHeader));
    const nsig = Number(sig.get('_NSIG') ?? 64); // i386 takes the generic 64
    assert.equal(t.abi.maxSignal, nsig);
    assert.equal(t.abi.sigsetSize, nsig / 8);
  });

  const probeSkip = headersMissing || (!have(t.gcc) ? `${t.gcc} missing` : false) ||
    (t.abi.name === 'mips-o32' && !have('qemu-mipsel') ? 'qemu-mipsel missing' : false);

  test(`${t.abi.name}: flag bits, ioctl codes, stack_t and signal numbers match a compiled probe`, { skip: probeSkip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ukcf-probe-'));
    try {
      const exe = join(dir, 'constants');
      execFileSync(t.gcc, ['-static', '-O1', join(__dirname, 'probes', 'constants.c'), '-o', exe]);
      const [cmd, ...args] = t.run(exe);
      const lines = execFileSync(cmd, args, { encoding: 'latin1' }).trim().split('\n');
      const abi = t.abi as unknown as Record<string, Record<string, number> | number>;
      const signals: Record<string, number> = {
        SIGCHLD: t.abi.signalsIgnoredByDefault[0], SIGCONT: t.abi.signalsIgnoredByDefault[1],
        SIGURG: t.abi.signalsIgnoredByDefault[2], SIGWINCH: t.abi.signalsIgnoredByDefault[3],
        SIGSTOP: t.abi.name === 'i386' ? 19 : 23,
      };
      for (const line of lines) {
        const [key, value] = line.split(' ');
        const [group, field] = key.split('.');
        const ours = group === 'signal' ? signals[field] : field === undefined ? abi[group] : (abi[group] as Record<string, number>)[field];
        assert.equal(ours, Number(value), key);
      }
      assert.ok(lines.length >= 25);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test(`${t.abi.name}: struct stat64 and statx bytes match the kernel structs`, { skip: probeSkip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ukcf-probe-'));
    try {
      const exe = join(dir, 'stat-layouts');
      execFileSync(t.gcc, ['-static', '-O1', join(__dirname, 'probes', 'stat-layouts.c'), '-o', exe]);
      const [cmd, ...args] = t.run(exe);
      const [stat64Hex, statxHex] = execFileSync(cmd, args, { encoding: 'latin1' }).trim().split('\n');
      const st: FileStatus = {
        dev: 0x801n, ino: 0x123456789an, mode: 0o100644, nlink: 3, uid: 1000, gid: 1001, rdev: 0x10203n,
        size: 0x1122334455n, blksize: 4096, blocks: 0x99887766n, atimeSec: 1700000001n, atimeNsec: 11,
        mtimeSec: 1700000002n, mtimeNsec: 22, ctimeSec: 1700000003n, ctimeNsec: 33, birthtimeSec: 0n, birthtimeNsec: 0,
      };
      assert.equal(t.abi.stat64Size * 2, stat64Hex.length);
      assert.equal(Buffer.from(t.abi.encodeStat64(st)).toString('hex'), stat64Hex);
      assert.equal(Buffer.from(encodeStatx(st, false)).toString('hex'), statxHex);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
}
