// What a debuggable UKCF run tells its client, and how the client says what it wants to stop on.
// Plain data: no DAP, no VS Code. The debug adapter turns these into DAP events; tests read them.

import type { DisplayedFrame } from '../machine/graphics-device';

/** Which guest context an address or register belongs to: the user translator's app or the kernel translator's driver. */
export type GuestTranslator = 'user' | 'kernel';

export type SessionEvent =
  /** A guest block was translated into a code cache (TypeScript side of a translator). */
  | {
      readonly kind: 'block-translated';
      readonly translator: GuestTranslator;
      readonly eip: number;
      readonly guestEnd: number;
      readonly guestCount: number;
      readonly host: number;
      readonly hostWords: number;
      /** Region the host code is counted in (ukcf-app, ukcf-driver, ...). */
      readonly region: string;
    }
  /** A system call of the user process (guest `int 0x80` translated, or the kernel's view of an o32 call). */
  | {
      readonly kind: 'syscall';
      readonly translator: GuestTranslator | 'native';
      /** Number and name in the ABI of the side that made the call (i386 for the standalone translated program, o32 in the full system). */
      readonly number: number;
      readonly name: string;
      readonly args: readonly number[];
      /** Guest eip after the `int 0x80` (translated), or the user pc of the `syscall` (full system). */
      readonly address: number;
    }
  /** The native kernel called a driver callback through its shell (kernel → translated driver). */
  | { readonly kind: 'shell-entry'; readonly address: number; readonly function: number; readonly name: string; readonly args: number }
  /** The jump monitor leaves translated driver code to call a kernel function. */
  | { readonly kind: 'jump-monitor-exit'; readonly address: number; readonly function: string; readonly args: number }
  /** A kernel function called by the driver returned into translated driver code. */
  | { readonly kind: 'return-into-driver'; readonly address: number; readonly function: string }
  /** The driver returned past its shell's sentinel: back into the native kernel. */
  | { readonly kind: 'return-to-kernel'; readonly address: number; readonly name: string }
  /** A translation context was pushed on (saved) or popped from (loaded) the kernel translator's context stack. */
  | { readonly kind: 'context-saved'; readonly address: number; readonly depth: number; readonly name: string }
  | { readonly kind: 'context-loaded'; readonly address: number; readonly depth: number; readonly name: string }
  /** Any other entry point of a translator's glue (dispatch, dispatch miss, flags, syscall glue...). */
  | { readonly kind: 'glue-entry'; readonly translator: GuestTranslator; readonly name: string; readonly address: number }
  /** Other translator happenings (chain patched, eviction, flush, SMC flush, refused jump, translator stop). */
  | { readonly kind: 'translator'; readonly translator: GuestTranslator; readonly event: { readonly kind: string } & Record<string, unknown> }
  | { readonly kind: 'output'; readonly stream: 'stdout' | 'stderr' | 'console' | 'diagnostic'; readonly bytes: Uint8Array }
  | { readonly kind: 'frame-displayed'; readonly frame: DisplayedFrame };

export type SessionEventKind = SessionEvent['kind'];

export const SESSION_EVENT_KINDS: readonly SessionEventKind[] = [
  'block-translated', 'syscall', 'shell-entry', 'jump-monitor-exit', 'return-into-driver', 'return-to-kernel',
  'context-saved', 'context-loaded', 'glue-entry', 'translator', 'output', 'frame-displayed',
];

export type SessionStopReason = 'entry' | 'step' | 'breakpoint' | 'pause' | 'event';

export interface SessionStop {
  reason: SessionStopReason;
  /** Host pc (MIPS) at the stop. */
  pc: number;
  /** Guest eip at the stop, and whose (null: not in translated code). */
  guest: { translator: GuestTranslator; eip: number } | null;
  /** Host instructions executed so far. */
  instructions: number;
  /** reason 'event': the event that stopped the run. */
  event?: SessionEvent;
  /** reason 'breakpoint': which kind of breakpoint. */
  breakpoint?: { kind: 'host'; address: number } | { kind: 'guest'; translator: GuestTranslator; eip: number };
}

export interface SessionExit {
  /** Exit status (the program's, or the one the kernel powered off with). */
  status: number;
  /** Why it ended when not by itself: a fault, an untranslated instruction, a budget, a kernel panic. */
  message?: string;
  instructions: number;
}

/** Events of a session: each SessionEvent kind under its own name, plus 'stopped' and 'exited'. */
export type SessionEvents = { [K in SessionEventKind]: [Extract<SessionEvent, { kind: K }>] } & {
  stopped: [SessionStop];
  exited: [SessionExit];
};
