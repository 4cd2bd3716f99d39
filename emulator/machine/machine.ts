// The simulated host machine: a MIPS32r2 CPU, RAM, an MMIO bus with a console and a timer, and the
// hypercall port.
//
// Physical memory map
//   0x00000000 .. ramSize        RAM (default 64 MiB; kseg0 0x80000000 / kseg1 0xa0000000 see it)
//   0x1f000000 .. +0x100         console (console-device.ts), interrupt line 0 (Cause.IP2)
//   0x1f000100 .. +0x100         timer (timer-device.ts), interrupt line 1 (Cause.IP3)
//   0x1e000000 .. 0x1effffff     reserved for the graphics device (attached by its own module)
//   Lines 2..4 (IP4..IP6) are free for other devices; line 5 (IP7) is shared with the CP0 timer.
//
// Hypercalls: `sdbbp code` runs the handler registered for `code` (hypercalls.set(code, fn)); the
// handler sees the CPU (arguments in a0..a3, results where the caller expects them) and returns true.
// An unregistered code raises Reserved Instruction in the simulated program. See cpu.ts.
import { MipsCpu } from '../mips/cpu';
import { ConsoleDevice, CONSOLE_SIZE } from './console-device';
import { MmioBus, type MmioDevice } from './mmio-bus';
import { PhysicalMemory } from './physical-memory';
import { TimerDevice, TIMER_SIZE } from './timer-device';

export const CONSOLE_BASE = 0x1f000000;
export const TIMER_BASE = 0x1f000100;
export const GRAPHICS_BASE = 0x1e000000;
export const CONSOLE_LINE = 0;
export const TIMER_LINE = 1;

export interface MipsMachineOptions {
  ramSize?: number;
  blockCompiler?: boolean;
}

export type HypercallHandler = (cpu: MipsCpu) => void;

export class MipsMachine {
  readonly ram: PhysicalMemory;
  readonly bus = new MmioBus();
  readonly cpu: MipsCpu;
  readonly console: ConsoleDevice;
  readonly timer: TimerDevice;
  readonly hypercalls = new Map<number, HypercallHandler>();
  private readonly deadlines = new Map<MmioDevice, number>();
  private readonly deadlineHandlers = new Map<MmioDevice, () => void>();

  constructor(options: MipsMachineOptions = {}) {
    this.ram = new PhysicalMemory(options.ramSize ?? 64 * 1024 * 1024);
    this.cpu = new MipsCpu({ ram: this.ram, bus: this.bus }, { blockCompiler: options.blockCompiler ?? true });
    this.console = new ConsoleDevice((on) => this.cpu.setInterruptLine(CONSOLE_LINE, on));
    this.bus.attach(CONSOLE_BASE, CONSOLE_SIZE, this.console);
    const timer: TimerDevice = new TimerDevice(
      { now: () => this.cpu.cycles, schedule: (at) => this.schedule(timer, at, () => timer.onDeadline()) },
      (on) => this.cpu.setInterruptLine(TIMER_LINE, on),
    );
    this.timer = timer;
    this.bus.attach(TIMER_BASE, TIMER_SIZE, this.timer);
    this.cpu.onHypercall = (code, cpu) => {
      const h = this.hypercalls.get(code);
      if (h === undefined) return false;
      h(cpu);
      return true;
    };
    this.cpu.onEvent = () => this.dispatchEvents();
  }

  /** Attaches another device (e.g. graphics) at a physical address. */
  attach(base: number, size: number, device: MmioDevice): void {
    this.bus.attach(base, size, device);
  }

  /** Asks for `handler` to run when simulated time reaches `atCycle` (Infinity cancels). One deadline per device. */
  schedule(device: MmioDevice, atCycle: number, handler: () => void): void {
    if (atCycle === Infinity) {
      this.deadlines.delete(device);
      this.deadlineHandlers.delete(device);
    } else {
      this.deadlines.set(device, atCycle);
      this.deadlineHandlers.set(device, handler);
    }
    this.refreshEventAt();
  }

  private refreshEventAt(): void {
    let next = Infinity;
    for (const at of this.deadlines.values()) if (at < next) next = at;
    this.cpu.eventAt = next;
    this.cpu.recheck = true;
  }

  private dispatchEvents(): void {
    const now = this.cpu.cycles;
    for (const [device, at] of [...this.deadlines]) {
      if (at <= now) {
        this.deadlines.delete(device);
        const h = this.deadlineHandlers.get(device);
        this.deadlineHandlers.delete(device);
        h?.();
      }
    }
    this.refreshEventAt();
  }

  /** Copies bytes into RAM at a physical address (compiled code there is dropped). */
  loadPhysical(address: number, bytes: Uint8Array): void {
    this.ram.writeBytes(address, bytes);
  }
}
