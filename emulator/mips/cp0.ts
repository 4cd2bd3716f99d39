// CP0 constants of the simulated host CPU: exception codes, Status/Cause bits, reset values.

export const ExcCode = {
  Int: 0,
  Mod: 1,
  TLBL: 2,
  TLBS: 3,
  AdEL: 4,
  AdES: 5,
  IBE: 6,
  DBE: 7,
  Sys: 8,
  Bp: 9,
  RI: 10,
  CpU: 11,
  Ov: 12,
  Tr: 13,
} as const;

export const EXCEPTION_NAMES: readonly string[] = [
  'Int', 'Mod', 'TLBL', 'TLBS', 'AdEL', 'AdES', 'IBE', 'DBE', 'Sys', 'Bp', 'RI', 'CpU', 'Ov', 'Tr',
];

export function exceptionName(code: number): string {
  return EXCEPTION_NAMES[code] ?? `Exc${code}`;
}

// Status
export const ST_IE = 1 << 0;
export const ST_EXL = 1 << 1;
export const ST_ERL = 1 << 2;
export const ST_KSU = 3 << 3; // 2 = user; 1 (supervisor) is treated as user
export const ST_IM = 0xff << 8;
export const ST_BEV = 1 << 22;
export const ST_CU0 = 1 << 28;
/** Bits software can change: CU0, BEV, IM, KSU, ERL, EXL, IE (CU1-3 read 0: no FPU, no COP2). */
export const ST_WRITABLE = (ST_CU0 | ST_BEV | ST_IM | ST_KSU | ST_ERL | ST_EXL | ST_IE) >>> 0;

// Cause
export const CA_EXCCODE = 0x1f << 2;
export const CA_IP = 0xff << 8;
export const CA_IP_SW = 3 << 8;
export const CA_IP7 = 1 << 15;
export const CA_IV = 1 << 23;
export const CA_CE = 3 << 28;
export const CA_TI = 1 << 30;
export const CA_BD = 1 << 31;
export const CA_WRITABLE = (CA_IP_SW | CA_IV) >>> 0;

/** PRId: company 0x01 (MIPS Technologies), processor 0x93 (24K), revision 0. */
export const PRID_VALUE = 0x00019300;
/** Config: M (Config1 follows), BE=0 (little-endian), AT=0 (MIPS32), AR=1 (release 2), MT=3 (fixed mapping), K0=3 (cacheable). */
export const CONFIG_VALUE = ((1 << 31) | (1 << 10) | (3 << 7) | 3) >>> 0;
/** Config1: M (Config2), no TLB entries, no FPU (FP=0), no watch/perf counters. */
export const CONFIG1_VALUE = (1 << 31) >>> 0;
/** Config2: M (Config3). */
export const CONFIG2_VALUE = (1 << 31) >>> 0;
/** Config3: ULRI (UserLocal implemented). */
export const CONFIG3_VALUE = 1 << 13;
export const EBASE_RESET = 0x80000000 | 0;
export const RESET_VECTOR = 0xbfc00000;
