// The kernel-space translator's area: kernel memory the host kernel gives the translator when it
// loads an i386 driver (kmalloc'ed, page aligned, UKCF_AREA_BYTES in workloads/kernel/module.c).
// Everything the translated driver's crossings need lives here as MIPS code or data in simulated
// memory: the glue (jump monitor, shell entries, kernel-call marshalling, return to the kernel),
// the shells, the lookup table, the context stack and the code cache. See README.md.

/** Byte offsets inside the area. */
export const AREA = {
  /** Common glue, then one 4-word stub per export (region ukcf-kernel-glue). */
  glue: 0x0000,
  glueBytes: 0x2000,
  /** Shells: 4 words each (region ukcf-kernel-glue). */
  shells: 0x2000,
  shellsBytes: 0x1000,
  /** Lookup table of the jump monitor: LOOKUP_ENTRIES × {guest eip, host address}. */
  table: 0x3000,
  /** Context stack: header, then records. */
  contexts: 0x4000,
  /** Translated driver blocks (region ukcf-driver), to the end of the area. */
  cache: 0x6000,
} as const;

export const LOOKUP_ENTRIES = 512;
export const SHELL_WORDS = 4;
export const EXPORT_STUB_WORDS = 4;

/** Context stack header words (byte offsets from AREA.contexts). */
export const HEADER = {
  /** Address of the next free record (records grow upwards). */
  top: 0,
  /** Non-zero once the driver faulted: shells then return -EFAULT at once. */
  faulted: 4,
  /** Crossings counted by the glue itself: shell entries (kernel → driver), kernel calls (driver → kernel). */
  shellEntries: 8,
  kernelCalls: 12,
  bytes: 64,
} as const;

export const RECORD_BYTES = 128;
export const MAX_RECORDS = 56;
/** A shell refuses to start when fewer than two records are free (its own and one kernel call). */
export const SHELL_RECORD_LIMIT = MAX_RECORDS - 2;

/** What a context record holds, by kind. */
export const enum RecordKind {
  /** Kernel → driver: a shell saved the kernel's callee-saved registers and return address. */
  Shell = 1,
  /** Driver → kernel: the jump monitor saved the guest context around a native call. */
  KernelCall = 2,
}

/** Byte offsets inside a record. */
export const RECORD = {
  kind: 0,
  /** Shell: the x86 function; kernel call: the native function called. */
  target: 4,
  /** Guest eip to resume at: kernel call: the return address; shell: the sentinel. */
  resume: 8,
  /** Shell: guest esp of the cdecl frame it built (sentinel at [esp]); kernel call: esp after the call pushed. */
  esp: 12,
  /** Shell: the kernel's s0..s7; kernel call: guest eax..edi. */
  regs: 16,
  /** Kernel call: the lazy flags KIND RES A B AUX (a0 a1 a2 a3 v1). */
  flags: 48,
  /** Shell: the kernel's s8, gp, sp, ra; kernel call: the guest's s8 (DF/NT/AC/ID) and sp before the call. */
  s8: 68,
  gp: 72,
  sp: 76,
  ra: 80,
  /** Shell: its index; kernel call: the export's index. */
  index: 84,
} as const;

/** -EFAULT: what a shell returns when the driver faulted or was refused. */
export const EFAULT = -14;
