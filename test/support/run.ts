// Runs a command without blocking the test worker's event loop. A long
// execFileSync (a `next build`, an `npm install`) starves the worker's RPC
// with vitest's main process, which reports "Timeout calling onTaskUpdate"
// after 60 s even though every test passed.
import { execFile, type ExecFileOptions } from 'node:child_process'

/** What a finished command printed, and its exit code (0 on success). */
export type Ran = { code: number; stdout: string; stderr: string }

/** Runs `command` with `args`; resolves whether it succeeds or not. */
export const run = (command: string, args: string[], options: ExecFileOptions = {}): Promise<Ran> =>
  new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout: String(stdout), stderr: String(stderr) })
    })
  })

/** Runs `command` with `args`; resolves with its stdout, rejects with its output if it fails. */
export const runOrThrow = async (command: string, args: string[], options: ExecFileOptions = {}): Promise<string> => {
  const ran = await run(command, args, options)
  if (ran.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${ran.code}:\n${ran.stdout}\n${ran.stderr}`)
  return ran.stdout
}
