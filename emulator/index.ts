// The emulator's public facade: what the CLI, the debug adapter and tests drive. Nothing
// outside emulator/ should import deeper than this file.
export {
  runUserProgram, UserProgramError, EmulatorInternalError, BUDGET_EXIT_CODE,
  DEFAULT_MAX_INSTRUCTIONS,
} from './usermode/run-user-program';
export type { UserProgramOptions, UserProgramResult } from './usermode/run-user-program';
export { ElfError, readElfFile, parseElf, symbolAt, symbolByName } from './machine/elf';
export type { ElfFile, ElfSymbol, ElfSection, ElfProgramHeader, ElfRelocation, ElfRelocationSection } from './machine/elf';
export { createSystem, UserSystem } from './usermode/user-system';
export type { LaunchDescription, UserLaunch, StopEvent, StopReason, OutputEvent, Register, UserSystemEvents, DisassemblyLine } from './usermode/user-system';
export { runScheme, schemeStats, schemeSummary, SCHEMES, DEFAULT_VIDEO } from './system/run-scheme';
export type { Scheme, SchemeRunOptions, SchemeRunResult } from './system/run-scheme';
export { HostSystem, SystemError } from './system/host-system';
export type { HostSystemOptions, HostRunResult, RegionCounts, KernelExport, BootFile } from './system/host-system';
export type { DisplayedFrame, Picture } from './machine/graphics-device';
export type { SyscallEvent } from './linux/process';
