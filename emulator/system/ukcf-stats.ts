// The figures of a `--scheme ukcf` run, as the paper reports them: guest instructions translated
// (static) and executed (dynamic) per region, exact host instructions per region (kernel, driver,
// translated app, each kind of glue), the performance loss ratio (host instructions per guest
// instruction; the guest count is the x86 reference interpreter's replay of the same run), code
// cache use, chaining and lookup hit rates, and crossings per kind.
//
// Host counts are the MIPS CPU's exact region counts. With block entry counters on (the default
// of the scheme: they give the dynamic count inside the translated run, checked equal to the
// reference's), the translated code region also holds 4 counter instructions per block entry:
// reported as `counting_overhead` and left out of the ratios.
// The driver's dynamic guest count is the kernel translator's exact block entry count (its entry
// counters, ukcf-driver-translation.ts; their instructions left out likewise); its host instructions
// are its translated code and the kernel-space glue (shells, jump monitor, kernel-call marshalling,
// export stubs).
import type { DriverTranslationReport } from './ukcf-driver-translation';
import type { UkcfStatistics } from '../ukcf/translated-process';

export interface UkcfStatsInput {
  regions: Record<string, number>;
  instructions: number;
  /** Host (o32) system calls the process made (the trace). */
  hostSyscalls: number;
  reference: { instructions: number; syscalls: number } | null;
  user: {
    statistics: UkcfStatistics;
    countingOverhead: number;
  } | null;
  /** The kernel-space translator (translated i386 driver), or null (native driver). */
  kernel: DriverTranslationReport | null;
  driver: string;
}

/** Glue parts of the user-space translator, by region name (translated-process.ts defaults). */
const APP_GLUE: readonly [string, string][] = [
  ['entry', 'ukcf-glue'], ['dispatch', 'ukcf-dispatch'], ['flags', 'ukcf-flags'], ['syscall', 'ukcf-syscall'], ['exit_stubs', 'ukcf-exit'],
];
const APP_CODE = 'ukcf-app';
const DRIVER_CODE = 'ukcf-driver';
const DRIVER_GLUE = 'ukcf-kernel-glue';

const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 1e4) / 1e4 : null);

export function ukcfStats(x: UkcfStatsInput): object {
  const r = x.regions;
  const count = (name: string) => r[name] ?? 0;
  const glue: Record<string, number> = {};
  let glueTotal = 0;
  for (const [key, name] of APP_GLUE) {
    glue[key] = count(name);
    glueTotal += count(name);
  }
  const overhead = x.user?.countingOverhead ?? 0;
  const translated = count(APP_CODE) - overhead;
  const guest = x.reference?.instructions ?? null;
  const s = x.user?.statistics ?? null;
  const k = x.kernel;
  const driverCode = count(DRIVER_CODE) - (k?.countingOverhead ?? 0);
  const driverGlue = count(DRIVER_GLUE);
  const driverGuest = k === null ? null : k.guestInstructionsExecuted;
  const known = new Set(['kernel', 'driver', 'app', 'other', APP_CODE, DRIVER_CODE, DRIVER_GLUE, ...APP_GLUE.map(([, n]) => n)]);
  const more: Record<string, number> = {};
  for (const [name, n] of Object.entries(r)) if (!known.has(name)) more[name] = n;
  const directExits = s !== null && s.chainedExits !== null ? s.chainedExits + s.unchainedExits : null;
  return {
    driver: x.driver,
    guest_instructions: {
      app: {
        translated_static_distinct: s?.guestInstructionsTranslatedDistinct ?? 0,
        translated_static_with_retranslations: s?.guestInstructionsTranslated ?? 0,
        blocks_translated: s?.blocksTranslated ?? 0,
        executed_dynamic: guest,
        executed_dynamic_source: 'x86 reference interpreter replaying the run (same system calls, same guest registers at each)',
        executed_dynamic_counted_in_translated_code: s?.guestInstructionsExecuted ?? null,
      },
      driver: k === null ? null : {
        translated_static_with_retranslations: k.guestInstructionsTranslated,
        translated_static_distinct_blocks: k.guestInstructionsTranslatedDistinctBlocks,
        blocks_translated: k.blocksTranslated,
        executed_dynamic: k.guestInstructionsExecuted,
        executed_dynamic_source: k.guestInstructionsExecuted === null ? 'not counted (countGuestInstructions off)' : k.executedExact ? 'block entry counters of the kernel-space translator (exact)' : 'block entry counters of the kernel-space translator (upper bound: a block was left early)',
      },
    },
    host_instructions: {
      kernel: count('kernel'),
      driver_native: count('driver'),
      driver_translated_code: driverCode,
      driver_glue: driverGlue,
      driver_counting_overhead: k?.countingOverhead ?? 0,
      app_translated_code: translated,
      app_glue: { ...glue, total: glueTotal },
      counting_overhead: overhead,
      app_window_native: count('app'),
      other: count('other'),
      ...(Object.keys(more).length > 0 ? { more } : {}),
      total: x.instructions,
    },
    performance_loss_ratio: {
      app: guest === null ? null : ratio(translated + glueTotal, guest),
      app_translated_code_only: guest === null ? null : ratio(translated, guest),
      app_with_kernel: guest === null ? null : ratio(translated + glueTotal + count('kernel'), guest),
      driver: driverGuest === null ? null : ratio(driverCode + driverGlue, driverGuest),
      driver_translated_code_only: driverGuest === null ? null : ratio(driverCode, driverGuest),
    },
    translator_cost_modelled: { app: s?.translatorCost ?? 0, driver: k?.translatorCost ?? 0 },
    driver_code_cache: k === null ? null : { code_bytes: k.codeBytes, flushes: k.flushes, smc_flushes: k.smcFlushes, chains_patched: k.chainsPatched, refusals: k.refusals },
    code_cache: s === null ? null : {
      capacity_bytes: s.cacheBytes.capacity, glue_bytes: s.cacheBytes.glue, block_bytes: s.cacheBytes.bodies, exit_stub_bytes: s.cacheBytes.stubs,
      evictions: s.evictions, blocks_evicted: s.blocksEvicted, flushes: s.flushes, smc_invalidations: s.smcInvalidations,
    },
    chaining: s === null ? null : {
      chains_patched: s.chainsPatched, chains_unpatched: s.chainsUnpatched,
      direct_exits_chained: s.chainedExits, direct_exits_unchained: s.unchainedExits,
      hit_rate: directExits === null || s.chainedExits === null ? null : ratio(s.chainedExits, directExits),
    },
    lookup: s === null ? null : { dispatches: s.dispatches, hits: s.dispatchHits, misses: s.dispatchMisses, hit_rate: ratio(s.dispatchHits, s.dispatches) },
    crossings: {
      guest_syscalls: x.reference?.syscalls ?? null,
      host_syscalls: x.hostSyscalls,
      shell_entries: k?.shellEntries ?? null,
      jump_monitor_exits_to_kernel: k?.kernelCalls ?? null,
    },
  };
}

/** Lines the CLI prints after the frames and the region counts. */
export function ukcfSummary(stats: object): string[] {
  const j = stats as {
    guest_instructions: { app: { translated_static_distinct: number; executed_dynamic: number | null }; driver: { translated_static_distinct_blocks: number; executed_dynamic: number | null } | null };
    host_instructions: { app_translated_code: number; app_glue: { total: number }; counting_overhead: number; driver_translated_code: number; driver_glue: number };
    performance_loss_ratio: { app: number | null; app_translated_code_only: number | null; driver: number | null };
    chaining: { hit_rate: number | null } | null;
    lookup: { hit_rate: number | null } | null;
    crossings: { guest_syscalls: number | null; host_syscalls: number; shell_entries: number | null; jump_monitor_exits_to_kernel: number | null };
    code_cache: { block_bytes: number; exit_stub_bytes: number } | null;
  };
  const g = j.guest_instructions.app;
  const h = j.host_instructions;
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const d = j.guest_instructions.driver;
  const driverLines = d === null ? ['[ukcf] driver: native mipsel'] : [
    `[ukcf] driver: guest instructions ${d.executed_dynamic ?? 'n/a'} executed (block entry counters), ${d.translated_static_distinct_blocks} translated; host ${h.driver_translated_code} translated code + ${h.driver_glue} kernel-space glue; performance loss ratio ${j.performance_loss_ratio.driver ?? 'n/a'}`,
    `[ukcf] crossings: ${j.crossings.shell_entries} shell entries, ${j.crossings.jump_monitor_exits_to_kernel} jump-monitor exits to kernel functions`,
  ];
  return [
    `[ukcf] app: guest instructions ${g.executed_dynamic ?? 'n/a'} executed (x86 reference replay), ${g.translated_static_distinct} translated; host ${h.app_translated_code} translated code + ${h.app_glue.total} glue (+${h.counting_overhead} block counters)`,
    `[ukcf] performance loss ratio (app): ${j.performance_loss_ratio.app ?? 'n/a'} host per guest instruction (translated code alone ${j.performance_loss_ratio.app_translated_code_only ?? 'n/a'})`,
    `[ukcf] code cache ${j.code_cache === null ? 0 : j.code_cache.block_bytes + j.code_cache.exit_stub_bytes} bytes; chaining hit rate ${pct(j.chaining?.hit_rate)}, lookup hit rate ${pct(j.lookup?.hit_rate)}; system calls ${j.crossings.guest_syscalls ?? 'n/a'} guest / ${j.crossings.host_syscalls} host`,
    ...driverLines,
  ];
}
