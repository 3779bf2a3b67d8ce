// What the @idstitch/queue tests share: a real redis-server, the Pathbound
// stand-in, worker processes started from the built package, and bounded waits.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The example worker (examples/queue/worker.mjs), the one the README shows. */
const script = fileURLToPath(new URL('../../examples/queue/worker.mjs', import.meta.url))

export interface WorkerProcess {
  child: ChildProcess
  /** SIGTERM: finishes its jobs in flight, then exits. */
  stop(): Promise<void>
  /** SIGKILL: dies at once, its jobs in flight unfinished. */
  kill(): Promise<void>
}

/** Starts a worker process with `env` and resolves once it listens to its queues. */
export const startWorker = async (env: Record<string, string>): Promise<WorkerProcess> => {
  const child = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not start within 15 s')), 15_000)
    child.once('message', () => {
      clearTimeout(timer)
      resolve()
    })
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}`)))
  })
  const ended = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await exited
  }
  return { child, stop: ended('SIGTERM'), kill: ended('SIGKILL') }
}

/** Waits until `done()` is true, checking every 100 ms, for at most `ms`; returns whether it became true. */
export const until = async (done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await done()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return done()
}
