// Runs a command without blocking the test worker's event loop. A long
// execFileSync (a `next build`, an `npm install`) starves the worker's RPC
// with vitest's main process, which reports "Timeout calling onTaskUpdate"
// after 60 s even though every test passed.
import { execFile, type ExecFileOptions } from 'node:child_process'
import { fileURLToPath } from 'node:url'

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

/** A command installed in the test workspace (`test/node_modules/.bin`), as `npx <name>` runs it there: the link pnpm made at install. */
export const workspaceBin = (name: string): string => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url))
