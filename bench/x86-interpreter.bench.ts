// Guest x86 interpreter speed: runs bench/programs/x86-cpu-loop (a CPU-bound freestanding i386
// program, rebuilt by bench/programs/build-x86.sh) to completion and prints guest instructions
// per second. Each round uses a fresh CPU and memory, so block compilation is included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseElf } from '../emulator/machine/elf';
import { loadImage } from '../emulator/linux/program-image';
import { PagedMemory, PROT_READ, PROT_WRITE } from '../emulator/machine/paged-memory';
import { X86Cpu, REG_EAX, REG_ECX, REG_EDX, REG_ESP } from '../emulator/x86/cpu';

const PROGRAM = join(__dirname, 'programs', 'x86-cpu-loop');

function runOnce(bytes: Uint8Array): { instructions: number; seconds: number; cpuSeconds: number; output: string } {
  const elf = parseElf(bytes, PROGRAM);
  const memory = new PagedMemory();
  loadImage(elf, memory);
  memory.map(0xbff00000, 0x100000, PROT_READ | PROT_WRITE);
  const cpu = new X86Cpu(memory);
  cpu.regs[REG_ESP] = 0xbffff000;
  cpu.eip = elf.entry;
  let output = '';
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (;;) {
    const stop = cpu.run(1e12);
    if (stop.kind !== 'syscall') throw new Error(`benchmark program stopped: ${JSON.stringify(stop)}`);
    if (cpu.regs[REG_EAX] === 1) break;
    output += Buffer.from(memory.readBytes(cpu.regs[REG_ECX], cpu.regs[REG_EDX])).toString('latin1');
    cpu.regs[REG_EAX] = cpu.regs[REG_EDX];
  }
  const used = process.cpuUsage(cpuStart);
  return { instructions: cpu.instructionCount, seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6, output };
}

export async function run(): Promise<void> {
  const bytes = readFileSync(PROGRAM);
  for (let round = 1; round <= 3; round++) {
    const r = runOnce(bytes);
    const mips = r.instructions / r.seconds / 1e6;
    // CPU time includes V8's compiler threads; on a loaded machine wall time overstates the cost.
    const perCpu = r.instructions / r.cpuSeconds / 1e6;
    console.log(
      `  round ${round}: ${r.instructions} guest instructions in ${r.seconds.toFixed(3)} s = ${mips.toFixed(1)} M instructions/s ` +
        `(${perCpu.toFixed(1)} M per CPU-second; output ${r.output.trim()})`,
    );
  }
}

if (require.main === module) void run();
