// A local redis-server (Debian's `redis-server` package) on a free port, with
// its own temporary directory and the append-only file on, for `pnpm demo
// --queue` and the @idstitch/queue tests. Never a system-wide instance.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** @returns {Promise<number>} */
const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
      server.close(() => resolve(port))
    })
  })

/**
 * True once the server answers PING with PONG.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
const pong = (port) =>
  new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'))
    socket.setTimeout(500, () => socket.destroy())
    socket.once('data', (data) => {
      socket.destroy()
      resolve(data.toString().startsWith('+PONG'))
    })
    socket.once('error', () => resolve(false))
    socket.once('close', () => resolve(false))
  })

/** Starts redis-server on a free port (or `port`); fails with how to install it when it is missing. @type {typeof import('./redis-server.d.mts').startRedis} */
export const startRedis = async ({ port: wanted = 0, args = [] } = {}) => {
  const port = wanted || (await freePort())
  const dir = mkdtempSync(join(tmpdir(), 'idstitch-redis-'))
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child
  const start = async () => {
    const spawned = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--loglevel', 'warning', ...args], { stdio: 'ignore' })
    child = spawned
    /** @type {Promise<never>} */
    const missing = new Promise((_, reject) => spawned.once('error', (error) => reject(new Error(`could not start redis-server (${error.message}): install it (Debian: apt-get install -y redis-server)`))))
    missing.catch(() => {})
    for (let tries = 0; !(await Promise.race([pong(port), missing])); tries++) {
      if (spawned.exitCode !== null) throw new Error(`redis-server exited with ${spawned.exitCode}`)
      if (tries > 100) throw new Error('redis-server did not answer within 10 s')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  /** @param {NodeJS.Signals} signal */
  const end = async (signal) => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill(signal)
    await exited
  }
  const stop = () => end('SIGTERM')
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    kill: () => end('SIGKILL'),
    start,
    dir,
    async remove() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
