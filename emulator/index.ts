// The emulator's public facade: what the CLI, the debug adapter and tests drive. Nothing
// outside emulator/ should import deeper than this file.
export {
  runUserProgram, UserProgramError, EmulatorInternalError, BUDGET_EXIT_CODE,
  DEFAULT_MAX_INSTRUCTIONS,
} from './usermode/run-user-program';
export type { UserProgramOptions, UserProgramResult } from './usermode/run-user-program';
export { ElfError, readElfFile, parseElf, symbolAt, symbolByName } from './machine/elf';
export type { ElfFile, ElfSymbol, ElfSection, ElfProgramHeader, ElfRelocation, ElfRelocationSection } from './machine/elf';
export { UserSystem } from './usermode/user-system';
export type { UserLaunch, StopEvent, StopReason, OutputEvent, Register, UserSystemEvents, DisassemblyLine } from './usermode/user-system';
export { runScheme, schemeStats, schemeSummary, SCHEMES, DEFAULT_VIDEO } from './system/run-scheme';
export type { Scheme, SchemeRunOptions, SchemeRunResult } from './system/run-scheme';
export { HostSystem, SystemError } from './system/host-system';
export type { HostSystemOptions, HostRunResult, RegionCounts, KernelExport, BootFile } from './system/host-system';
export type { DisplayedFrame, Picture } from './machine/graphics-device';
export type { SyscallEvent } from './linux/process';
export { runTranslatedUserProgram, NotTranslatedError } from './ukcf/user-space/translated-user-program';
export type { TranslatedRunOptions, TranslatedRunResult } from './ukcf/user-space/translated-user-program';
// Debuggable runs: createSystem(launch) for a user program ('user'), a UKCF-translated i386 program
// ('ukcf-user') or the whole host under a scheme ('ukcf-system').
export { createSystem } from './session/launch';
export type { LaunchDescription } from './session/launch';
export { DebugSession, SessionError } from './session/debug-session';
export type { Register as SessionRegister, Probe, CodeCacheBlock, GuestTranslation, HostDisassemblyLine } from './session/debug-session';
export { TranslatedUserSession, DEFAULT_TRANSLATED_BUDGET } from './session/translated-user-session';
export type { TranslatedUserLaunch, GuestDisassemblyLine } from './session/translated-user-session';
export { FullSystemSession, DEFAULT_SYSTEM_BUDGET } from './session/full-system-session';
export type { FullSystemLaunch, BreakTarget } from './session/full-system-session';
export type { ContextRecord } from './ukcf/kernel-space/kernel-translator';
export { SESSION_EVENT_KINDS } from './session/session-events';
export type { SessionEvent, SessionEventKind, SessionEvents, SessionStop, SessionStopReason, SessionExit, GuestTranslator } from './session/session-events';
