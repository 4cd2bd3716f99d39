// The i386 → o32 conversions the syscall glue applies, derived from the header constants
// (abi-constants.ts) by name: flag words become bit permutations, enumerations become value maps,
// errno values a lookup table. Each map is completed to a bijection so that a value converted one
// way and back (a flag word stored by the host kernel and read again, a signal mask) is unchanged.

import { I386_CONSTANTS, MIPS_O32_CONSTANTS, type ConstantGroup } from './abi-constants';

const isSingleBit = (v: number): boolean => v !== 0 && (v & (v - 1)) === 0;
const bitIndex = (v: number): number => 31 - Math.clz32(v);

/** Pairs (from, to) completed to a bijection: unmatched targets pair with unmatched sources, in order. */
function complete(pairs: [number, number][], universe: (x: number) => boolean): [number, number][] {
  const seen = new Map<number, number>();
  for (const [f, t] of pairs) {
    if (seen.has(f)) {
      if (seen.get(f) !== t) throw new Error(`ABI conversion: ${f} maps to both ${seen.get(f)} and ${t}`);
      continue;
    }
    seen.set(f, t);
  }
  const unique = [...seen.entries()];
  const targets = new Set(unique.map(([, t]) => t));
  if (targets.size !== unique.length) throw new Error('ABI conversion: two values map to the same target');
  const sources = new Set(unique.map(([f]) => f));
  const freeTargets = [...sources].filter((s) => !targets.has(s)).sort((a, b) => a - b); // sources nobody maps onto
  const strandedSources = [...targets].filter((t) => !sources.has(t)).sort((a, b) => a - b); // targets whose own value must move
  for (let i = 0; i < strandedSources.length; i++) {
    if (!universe(strandedSources[i]) || !universe(freeTargets[i])) throw new Error('ABI conversion: cannot complete the bijection');
    unique.push([strandedSources[i], freeTargets[i]]);
  }
  return unique.filter(([f, t]) => f !== t).sort((a, b) => a[0] - b[0]);
}

/** A permutation of the 32 bits of a flag word: `moves` lists bit positions that change, all others stay. */
export class BitPermutation {
  /** Bits that keep their position. */
  readonly identityMask: number;
  constructor(readonly moves: readonly (readonly [number, number])[]) {
    let moved = 0;
    for (const [f] of moves) moved |= 1 << f;
    this.identityMask = ~moved >>> 0;
  }
  apply(x: number): number {
    let out = x & this.identityMask;
    for (const [f, t] of this.moves) if ((x >>> f) & 1) out |= 1 << t;
    return out >>> 0;
  }
  inverse(): BitPermutation {
    return new BitPermutation(this.moves.map(([f, t]) => [t, f] as const));
  }
}

/** A map of enumeration values: `pairs` are the values that change; values outside `domain` become `outside`. */
export class ValueMap {
  constructor(
    readonly pairs: readonly (readonly [number, number])[],
    /** [low, high] (unsigned): values in it that are not in pairs stay; null = all values; 'none' = only the pairs. */
    readonly domain: readonly [number, number] | null | 'none' = null,
    readonly outside = -1,
  ) {}
  apply(x: number): number {
    x |= 0;
    for (const [f, t] of this.pairs) if (f === x) return t;
    if (this.domain === 'none') return this.outside;
    if (this.domain !== null && ((x >>> 0) < this.domain[0] || (x >>> 0) > this.domain[1])) return this.outside;
    return x;
  }
  inverse(): ValueMap {
    return new ValueMap(this.pairs.map(([f, t]) => [t, f] as const), this.domain, this.outside);
  }
}

function namedPairs(group: ConstantGroup, accept: (i386: number, o32: number, name: string) => boolean): [number, number][] {
  const a = I386_CONSTANTS[group], m = MIPS_O32_CONSTANTS[group];
  const out: [number, number][] = [];
  for (const name of Object.keys(a).sort()) {
    if (!(name in m)) continue;
    if (accept(a[name], m[name], name)) out.push([a[name], m[name]]);
  }
  return out;
}

/** Flag word of `group` (single-bit names, plus `extra` bit pairs), as a permutation. */
function flagPermutation(group: ConstantGroup, exclude: readonly string[] = [], extra: [number, number][] = []): BitPermutation {
  const pairs = namedPairs(group, (a, m, name) => isSingleBit(a) && isSingleBit(m) && !exclude.includes(name))
    .concat(extra)
    .map(([a, m]) => [bitIndex(a), bitIndex(m)] as [number, number]);
  return new BitPermutation(complete(pairs, (b) => b >= 0 && b < 32));
}

const O = [I386_CONSTANTS.open, MIPS_O32_CONSTANTS.open];
/** open(2)/fcntl(F_GETFL/F_SETFL)/pipe2/dup3 flags. O_NDELAY is O_NONBLOCK's alias; O_SYNC is __O_SYNC | O_DSYNC. */
export const OPEN_FLAGS = flagPermutation('open', ['O_NDELAY'], [[O[0].O_SYNC & ~O[0].O_DSYNC, O[1].O_SYNC & ~O[1].O_DSYNC]]);
/** mmap flags (MAP_TYPE is a mask, not a flag). */
export const MMAP_FLAGS = flagPermutation('mmap', ['MAP_TYPE']);
/** sa_flags. SA_RESTORER exists only on i386; the glue keeps sa_restorer itself. */
export const SIGACTION_FLAGS = flagPermutation('sigaction', ['SA_NOMASK', 'SA_ONESHOT', 'SA_UNSUPPORTED']);

/** Signal numbers: 1..31 by name (i386 SIGSTKFLT ↔ MIPS SIGEMT, the only unnamed pair), 32..64 the same; beyond 64 invalid. */
export const SIGNALS = new ValueMap(complete(namedPairs('signal', (a, m) => a >= 1 && a <= 31 && m >= 1 && m <= 31), (s) => s >= 1 && s <= 31), [0, 64], -1);

/** A sigset word 0 (signals 1..32, bit s-1) under the signal map; word 1 (33..64) is the same on both. */
export const SIGSET_WORD0 = new BitPermutation(SIGNALS.pairs.map(([f, t]) => [f - 1, t - 1] as const));

/** RLIMIT_* resource numbers (0..15 on both). */
export const RLIMIT_RESOURCES = new ValueMap(complete(namedPairs('rlimit', () => true), (r) => r >= 0 && r < 16));

/** fcntl commands; lock-type values (F_RDLCK...) and F_EXLCK/F_SHLCK are not commands. */
const FCNTL_COMMANDS = ['F_GETLK', 'F_SETLK', 'F_SETLKW', 'F_SETOWN', 'F_GETOWN', 'F_SETSIG', 'F_GETSIG', 'F_GETLK64', 'F_SETLK64', 'F_SETLKW64', 'F_GETFD', 'F_SETFD', 'F_GETFL', 'F_SETFL'];
export const FCNTL_COMMAND = new ValueMap(complete(namedPairs('fcntl', (_a, _m, name) => FCNTL_COMMANDS.includes(name)), () => true));
export const F_GETFL = I386_CONSTANTS.fcntl.F_GETFL;
export const F_SETFL = I386_CONSTANTS.fcntl.F_SETFL;

/**
 * Terminal ioctl request numbers stdio and shells use. Only the number is converted: the Linux
 * layer answers every terminal request with ENOTTY (no terminals), so no termios crosses.
 */
const IOCTL_REQUESTS = ['TCGETS', 'TCSETS', 'TCSETSW', 'TCSETSF', 'TCGETA', 'TCSETA', 'TCSETAW', 'TCSETAF', 'TIOCGWINSZ', 'TIOCSWINSZ', 'TIOCGPGRP', 'TIOCSPGRP', 'FIONREAD', 'FIONBIO', 'TIOCSCTTY', 'TIOCNOTTY'];
export const IOCTL_REQUEST = new ValueMap(complete(namedPairs('ioctl', (_a, _m, name) => IOCTL_REQUESTS.includes(name)), () => true));

/** rt_sigprocmask `how`: SIG_BLOCK/UNBLOCK/SETMASK are 0/1/2 on i386, 1/2/3 on MIPS; others invalid (0). */
export const SIGPROCMASK_HOW = new ValueMap([[0, 1], [1, 2], [2, 3]], 'none', 0);
export const O32_SIG_SETMASK = 3;
/** Kernel sigset_t bytes: i386 passes 8, MIPS wants 16; any other size stays invalid (0). */
export const SIGSET_SIZE = new ValueMap([[8, 16]], 'none', 0);

/** o32 errno → i386 errno, by name; values with no i386 name stay as they are. */
export function o32ErrnoToI386(): Map<number, number> {
  const a = I386_CONSTANTS.errno, m = MIPS_O32_CONSTANTS.errno;
  const map = new Map<number, number>();
  for (const name of Object.keys(m).sort()) if (name in a) map.set(m[name], a[name]);
  return map;
}
