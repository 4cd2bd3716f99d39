// The console: a byte-wide serial port on the MMIO bus.
//   +0x0 DATA    write: send one byte (low 8 bits). read: next input byte, or 0xffffffff when none.
//   +0x4 STATUS  read: bit 0 input available, bit 1 ready to send (always 1).
//   +0x8 CONTROL bit 0: interrupt while input is available (on the line given to the constructor).
import type { MmioDevice } from './mmio-bus';

export const CONSOLE_DATA = 0x0;
export const CONSOLE_STATUS = 0x4;
export const CONSOLE_CONTROL = 0x8;
export const CONSOLE_SIZE = 0x100;

export class ConsoleDevice implements MmioDevice {
  readonly name = 'console';
  private readonly input: number[] = [];
  private control = 0;
  private readonly output: number[] = [];
  /** Called with each byte the machine sends (default: collected, see takeOutput()). */
  onOutput: ((byte: number) => void) | null = null;

  constructor(private readonly setInterrupt: (asserted: boolean) => void) {}

  /** Queues bytes for the machine to read. */
  feed(bytes: Uint8Array | string): void {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    for (const x of b) this.input.push(x);
    this.update();
  }

  /** Bytes sent so far (and forgets them). */
  takeOutput(): Uint8Array {
    const out = Uint8Array.from(this.output);
    this.output.length = 0;
    return out;
  }

  private update(): void {
    this.setInterrupt((this.control & 1) !== 0 && this.input.length > 0);
  }

  read(offset: number): number {
    switch (offset & ~3) {
      case CONSOLE_DATA: {
        const v = this.input.length > 0 ? (this.input.shift() as number) : 0xffffffff;
        this.update();
        return v;
      }
      case CONSOLE_STATUS: return (this.input.length > 0 ? 1 : 0) | 2;
      case CONSOLE_CONTROL: return this.control;
      default: return 0;
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    switch (offset & ~3) {
      case CONSOLE_DATA:
        if (this.onOutput !== null) this.onOutput(value & 0xff);
        else this.output.push(value & 0xff);
        break;
      case CONSOLE_CONTROL:
        this.control = value & 1;
        this.update();
        break;
      default: break;
    }
  }
}
