// Guest x86 interpreter speed: runs bench/programs/x86-cpu-loop (a CPU-bound freestanding i386
// program, rebuilt by bench/programs/build-x86.sh) to completion and prints guest instructions
// per second. Each round uses a fresh CPU and memory, so block compilation is included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
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

/** Best of three qemu-i386 runs of the same binary (process start included), or null if absent. */
function qemuWall(): { seconds: number; output: string } | null {
  if (spawnSync('qemu-i386', ['-version']).status !== 0) return null;
  let best = Infinity;
  let output = '';
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const r = spawnSync('qemu-i386', [PROGRAM], { encoding: 'latin1' });
    const seconds = (performance.now() - start) / 1000;
    if (r.status !== 0) throw new Error(`qemu-i386 ${PROGRAM} failed: ${r.stderr}`);
    best = Math.min(best, seconds);
    output = r.stdout;
  }
  return { seconds: best, output };
}

export async function run(): Promise<void> {
  const bytes = readFileSync(PROGRAM);
  let bestSeconds = Infinity;
  let output = '';
  for (let round = 1; round <= 3; round++) {
    const r = runOnce(bytes);
    bestSeconds = Math.min(bestSeconds, r.seconds);
    output = r.output;
    const mips = r.instructions / r.seconds / 1e6;
    // CPU time includes V8's compiler threads; on a loaded machine wall time overstates the cost.
    const perCpu = r.instructions / r.cpuSeconds / 1e6;
    console.log(
      `  round ${round}: ${r.instructions} guest instructions in ${r.seconds.toFixed(3)} s = ${mips.toFixed(1)} M instructions/s ` +
        `(${perCpu.toFixed(1)} M per CPU-second; output ${r.output.trim()})`,
    );
  }
  const q = qemuWall();
  if (q === null) {
    console.log('  qemu-i386: not installed, no ratio');
    return;
  }
  const same = q.output === output ? 'same output' : 'OUTPUT DIFFERS';
  console.log(
    `  qemu-i386: ${(q.seconds * 1000).toFixed(0)} ms wall (process start included, ${same}); ` +
      `interpreter best round ${(bestSeconds * 1000).toFixed(0)} ms = ${(bestSeconds / q.seconds).toFixed(1)}x qemu-i386's wall time`,
  );
}

if (require.main === module) void run();
