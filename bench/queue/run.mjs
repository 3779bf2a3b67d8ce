// @idstitch/queue: what enqueueing costs an app instance, and how fast
// enqueue → Redis → worker → sink goes with one and with two worker processes.
import { execFile, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startRedis } from '@idstitch/example-queue/redis-server'
import { Redis } from 'ioredis'
import { startSink } from '../throughput/run.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const workerScript = fileURLToPath(new URL('../../examples/queue/worker.mjs', import.meta.url))

/** A worker process (the example worker), resolved once it listens. */
const startWorker = (redisUrl, sinkUrl) =>
  new Promise((resolve, reject) => {
    const child = fork(workerScript, [], {
      env: { ...process.env, REDIS_URL: redisUrl, PATHBOUND_API_KEY: 'pb_bench_key', PATHBOUND_BASE_URL: sinkUrl, PATHBOUND_RATE_LIMIT: JSON.stringify({ limit: 1e9, windowMs: 1000 }), IDSTITCH_WORKER: JSON.stringify({ concurrency: 32, logger: false }) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    })
    child.once('message', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}`)))
  })

/** A process's peak RSS in MB, from /proc (Linux). */
const peakRssMB = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const usedMemory = async (redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0)
const counts = async (sinkUrl) => (await fetch(`${sinkUrl}/count`)).json()

/** Runs the enqueueing app instance; resolves with its report. */
const enqueue = (redisUrl, sinkUrl, n) =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, [`${here}enqueue.mjs`, redisUrl, sinkUrl, String(n)], { cwd: here, encoding: 'utf8', timeout: 120_000 }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))))
  })

/**
 * First n identifies enqueued with nothing delivering (the enqueue cost, and
 * Redis memory per queued identify); then, with `workers` worker processes
 * listening, n more enqueued and timed until the sink has them all.
 */
const measure = async (redisUrl, sink, n, workers) => {
  const redis = new Redis(redisUrl)
  try {
    await redis.flushall()
    const before = await usedMemory(redis)
    const queued = await enqueue(redisUrl, sink.url, n)
    const redisBytesPerIdentify = ((await usedMemory(redis)) - before) / n
    await redis.flushall()
    await fetch(`${sink.url}/reset?failRate=0`)
    const children = await Promise.all(Array.from({ length: workers }, () => startWorker(redisUrl, sink.url)))
    const started = performance.now()
    const enqueued = enqueue(redisUrl, sink.url, n)
    let received = 0
    for (const end = Date.now() + 120_000; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 20))) {
      received = (await counts(sink.url)).messages
      if (received >= n) break
    }
    const endToEndMs = performance.now() - started
    await enqueued
    const workerRssMB = Math.max(...children.map((child) => peakRssMB(child.pid)))
    await Promise.all(children.map((child) => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM') })))
    return { workers, n, enqueue: { ...queued, cpuUsPerIdentify: queued.cpuUs / n, perSecond: (n / queued.wallMs) * 1000 }, redisBytesPerIdentify, endToEndMs, deliveredPerSecond: (received / endToEndMs) * 1000, received, workerRssMB }
  } finally {
    redis.disconnect()
  }
}

export const runQueue = async ({ n = 20_000 } = {}) => {
  const redis = await startRedis()
  const sink = await startSink()
  try {
    const rows = []
    for (const workers of [1, 2]) rows.push(await measure(redis.url, sink, n, workers))
    return { n, rows }
  } finally {
    sink.stop()
    await redis.remove()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await runQueue({ n: Number(process.argv[2] ?? 2000) }), null, 2))
