// Runs a freestanding i386 test program on the x86 reference interpreter through the
// usermode layer (runUserProgram), collecting stdout.

import { runUserProgram } from '../../emulator/usermode/run-user-program';

export interface InterpreterRun {
  exitCode: number;
  stdout: Uint8Array;
  message?: string;
  instructions: number;
}

export function runOnInterpreter(path: string, maxInstructions = 50_000_000): InterpreterRun {
  const chunks: Uint8Array[] = [];
  const notes: string[] = [];
  const result = runUserProgram({
    isa: 'x86',
    program: path,
    stdout: (bytes) => chunks.push(bytes.slice()),
    stderr: () => undefined,
    diagnostic: (line) => notes.push(line),
    maxInstructions,
  });
  const stdout = Buffer.concat(chunks);
  const message = [result.message, ...notes].filter((m) => m !== undefined).join('; ');
  return message === ''
    ? { exitCode: result.exitCode, stdout, instructions: result.instructions }
    : { exitCode: result.exitCode, stdout, message, instructions: result.instructions };
}
