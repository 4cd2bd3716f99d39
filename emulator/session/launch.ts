// createSystem(launch): the one entry point the CLI, the debug adapter and the tests use to get a
// debuggable run. A 'user' launch is the Linux user program of emulator/usermode (interpreted x86
// or MIPS); 'ukcf-user' a static i386 program translated by UKCF; 'ukcf-system' the whole host
// (kernel, driver, player) under a scheme.

import { createSystem as createUserSystem, type UserLaunch, type UserSystem } from '../usermode/user-system';
import { UserProgramError } from '../usermode/user-program';
import { FullSystemSession, type FullSystemLaunch } from './full-system-session';
import { TranslatedUserSession, type TranslatedUserLaunch } from './translated-user-session';

export type LaunchDescription = UserLaunch | TranslatedUserLaunch | FullSystemLaunch;

export function createSystem(launch: UserLaunch): UserSystem;
export function createSystem(launch: TranslatedUserLaunch): TranslatedUserSession;
export function createSystem(launch: FullSystemLaunch): FullSystemSession;
export function createSystem(launch: LaunchDescription): UserSystem | TranslatedUserSession | FullSystemSession;
export function createSystem(launch: LaunchDescription): UserSystem | TranslatedUserSession | FullSystemSession {
  switch (launch.kind) {
    case 'user':
      return createUserSystem(launch);
    case 'ukcf-user':
      return new TranslatedUserSession(launch);
    case 'ukcf-system':
      return new FullSystemSession(launch);
    default:
      throw new UserProgramError(`unknown launch kind '${String((launch as { kind: unknown }).kind)}' (user, ukcf-user or ukcf-system)`);
  }
}
