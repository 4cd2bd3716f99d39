// The status of a file as the kernel reports it (stat64 / statx), independent of layout.
import type { BigIntStats } from 'node:fs';

export interface FileStatus {
  dev: bigint;
  ino: bigint;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: bigint;
  size: bigint;
  blksize: number;
  blocks: bigint;
  atimeSec: bigint; atimeNsec: number;
  mtimeSec: bigint; mtimeNsec: number;
  ctimeSec: bigint; ctimeNsec: number;
  birthtimeSec: bigint; birthtimeNsec: number;
}

export const S_IFMT = 0o170000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

const NS_PER_S = 1_000_000_000n;

export function fileStatusFromHost(s: BigIntStats): FileStatus {
  return {
    dev: s.dev, ino: s.ino, mode: Number(s.mode), nlink: Number(s.nlink), uid: Number(s.uid), gid: Number(s.gid),
    rdev: s.rdev, size: s.size, blksize: Number(s.blksize), blocks: s.blocks,
    atimeSec: s.atimeNs / NS_PER_S, atimeNsec: Number(s.atimeNs % NS_PER_S),
    mtimeSec: s.mtimeNs / NS_PER_S, mtimeNsec: Number(s.mtimeNs % NS_PER_S),
    ctimeSec: s.ctimeNs / NS_PER_S, ctimeNsec: Number(s.ctimeNs % NS_PER_S),
    birthtimeSec: s.birthtimeNs / NS_PER_S, birthtimeNsec: Number(s.birthtimeNs % NS_PER_S),
  };
}

/** What fstat says about the emulated stdin/stdout/stderr: a pipe, like a redirected native run. */
export function pipeStatus(ino: number): FileStatus {
  return {
    dev: 0xdn, ino: BigInt(ino), mode: S_IFIFO | 0o600, nlink: 1, uid: 0, gid: 0, rdev: 0n, size: 0n,
    blksize: 4096, blocks: 0n,
    atimeSec: 0n, atimeNsec: 0, mtimeSec: 0n, mtimeNsec: 0, ctimeSec: 0n, ctimeNsec: 0, birthtimeSec: 0n, birthtimeNsec: 0,
  };
}

/** Linux dev_t split (new_decode_dev on the 64-bit host encoding). */
export function devMajor(dev: bigint): number {
  return Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)) >>> 0;
}
export function devMinor(dev: bigint): number {
  return Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn)) >>> 0;
}

export const STATX_BASIC_STATS = 0x7ff;
export const STATX_BTIME = 0x800;
export const STATX_SIZE = 256;

/** struct statx: the same layout on every ABI (checked against the cross headers by offsetof probes). */
export function encodeStatx(st: FileStatus, hasBirthtime: boolean): Uint8Array {
  const b = new Uint8Array(STATX_SIZE);
  const v = new DataView(b.buffer);
  v.setUint32(0, STATX_BASIC_STATS | (hasBirthtime ? STATX_BTIME : 0), true);
  v.setUint32(4, st.blksize, true);
  v.setBigUint64(8, 0n, true); // attributes
  v.setUint32(16, st.nlink, true);
  v.setUint32(20, st.uid, true);
  v.setUint32(24, st.gid, true);
  v.setUint16(28, st.mode, true);
  v.setBigUint64(32, st.ino, true);
  v.setBigUint64(40, st.size, true);
  v.setBigUint64(48, st.blocks, true);
  v.setBigUint64(56, 0n, true); // attributes_mask
  const ts = (off: number, sec: bigint, nsec: number) => { v.setBigInt64(off, sec, true); v.setUint32(off + 8, nsec, true); };
  ts(64, st.atimeSec, st.atimeNsec);
  if (hasBirthtime) ts(80, st.birthtimeSec, st.birthtimeNsec);
  ts(96, st.ctimeSec, st.ctimeNsec);
  ts(112, st.mtimeSec, st.mtimeNsec);
  v.setUint32(128, devMajor(st.rdev), true);
  v.setUint32(132, devMinor(st.rdev), true);
  v.setUint32(136, devMajor(st.dev), true);
  v.setUint32(140, devMinor(st.dev), true);
  return b;
}

/** new_encode_dev: what a 32-bit stat field holds. */
export function encodeDev32(dev: bigint): number {
  const major = devMajor(dev), minor = devMinor(dev);
  return ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0;
}
