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

/**
 * The modes in the order they run in `round`: reversed every other round (A B, B A, A B, …), so that a machine
 * that speeds up or slows down over the minutes of a measurement does not favour whichever mode always runs first.
 */
const inTurn = (modes, round) => (round % 2 === 0 ? modes : [...modes].reverse())
/** Rounds of the worker comparison. */
const ROUNDS = 5
/**
 * Rounds of the enqueue comparison: its ratio sits near its 1.3x target, and the pairs of one run range from about
 * 1.17x to 1.44x on this machine (12 pairs, session 24), so its median takes more of them; a round costs ~5 s.
 */
const ENQUEUE_ROUNDS = 9

/** The middle item of `list` by `value` (identity for numbers). */
const medianBy = (list, value = (item) => item) => [...list].sort((a, b) => value(a) - value(b))[Math.floor(list.length / 2)]
/** The round whose ratio of `runs[round]`'s figure to `against[round]`'s is the median: its two runs, and that ratio. */
const medianRound = (runs, against, figure) => medianBy(runs.map((run, round) => ({ run, against: against[round], ratio: figure(run) / figure(against[round]) })), (round) => round.ratio)

/** Runs the enqueueing app instance (`idstitch`, or BullMQ's own add of the same job: `raw`), after `warm` uncounted; resolves with its report. */
const enqueue = (redisUrl, sinkUrl, n, mode = 'idstitch', warm = 0) =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, [`${here}enqueue.mjs`, redisUrl, sinkUrl, String(n), mode, String(warm)], { cwd: here, encoding: 'utf8', timeout: 120_000 }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))))
  })

/**
 * The enqueue cost, with nothing delivering: idstitch's and a raw BullMQ add's, warm, in alternation (each
 * round in the other order), {@link ENQUEUE_ROUNDS} rounds;
 * the round of the median ratio, its two runs and their ratio (this machine's speed drifts by a third between
 * minutes, so a ratio of two medians from different minutes says less, and the two medians could disagree with
 * the ratio beside them); and Redis memory per queued identify.
 */
const measureEnqueue = async (redisUrl, sink, n) => {
  const redis = new Redis(redisUrl)
  try {
    // Warm: a quarter as many first, uncounted.
    const warm = Math.floor(n / 4)
    const costs = { idstitch: [], raw: [] }
    let redisBytesPerIdentify = 0
    for (let round = 0; round < ENQUEUE_ROUNDS; round++) {
      for (const mode of inTurn(['idstitch', 'raw'], round)) {
        await redis.flushall()
        const before = await usedMemory(redis)
        costs[mode].push(await enqueue(redisUrl, sink.url, n, mode, warm))
        if (mode === 'idstitch') redisBytesPerIdentify = ((await usedMemory(redis)) - before) / (n + warm)
      }
    }
    const cpu = (run) => run.cpuUs
    const { run: queued, against: raw, ratio } = medianRound(costs.idstitch, costs.raw, cpu)
    await redis.flushall()
    return { enqueue: { ...queued, cpuUsPerIdentify: queued.cpuUs / n, perSecond: (n / queued.wallMs) * 1000 }, rawAdd: { ...raw, cpuUsPerIdentify: raw.cpuUs / n, perSecond: (n / raw.wallMs) * 1000 }, ratio, rounds: ENQUEUE_ROUNDS, redisBytesPerIdentify }
  } finally {
    redis.disconnect()
  }
}

/** Redis's own CPU time so far, in µs (INFO cpu). */
const redisCpuUs = async (redis) => {
  const info = await redis.info('cpu')
  const field = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0)
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6
}

/** A bench worker process (worker.mjs, `idstitch` or `raw`), resolved once it listens, with a way to read its CPU time. */
const startBenchWorker = (redisUrl, sinkUrl, mode) =>
  new Promise((resolve, reject) => {
    const child = fork(`${here}worker.mjs`, [redisUrl, sinkUrl, mode], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    const cpuUs = () =>
      new Promise((answer) => {
        child.once('message', (report) => answer(report.cpuUs))
        child.send('cpu')
      })
    child.once('message', () => resolve({ child, cpuUs }))
    child.once('exit', (code) => reject(new Error(`the ${mode} worker exited with ${code}`)))
  })

/**
 * The worker's cost per job, idstitch's (its defaults, and with de-duplication on) beside a raw BullMQ worker doing
 * one node:http request per job, on the same n jobs (enqueued by idstitch first, with nothing listening), in
 * alternation (each round in the other order), the median of {@link ROUNDS} by CPU: the worker process's CPU,
 * Redis's, and jobs delivered per second.
 */
const measureWorkers = async (redisUrl, sink, n, modes = ['idstitch', 'dedupe', 'raw']) => {
  const redis = new Redis(redisUrl)
  const runs = Object.fromEntries(modes.map((mode) => [mode, []]))
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of inTurn(modes, round)) {
        await redis.flushall()
        await enqueue(redisUrl, sink.url, n)
        await fetch(`${sink.url}/reset?failRate=0`)
        const worker = await startBenchWorker(redisUrl, sink.url, mode)
        const [cpu0, redis0, started] = [await worker.cpuUs(), await redisCpuUs(redis), performance.now()]
        for (const end = Date.now() + 120_000; Date.now() < end && (await counts(sink.url)).messages < n; ) await new Promise((resolve) => setTimeout(resolve, 20))
        const wallMs = performance.now() - started
        const [cpu1, redis1] = [await worker.cpuUs(), await redisCpuUs(redis)]
        await new Promise((resolve) => { worker.child.once('exit', resolve); worker.child.kill('SIGTERM') })
        runs[mode].push({ workerCpuUsPerJob: (cpu1 - cpu0) / n, redisCpuUsPerJob: (redis1 - redis0) / n, jobsPerSecond: (n / wallMs) * 1000 })
      }
    }
  } finally {
    redis.disconnect()
  }
  const cpu = (run) => run.workerCpuUsPerJob
  // Each mode's worker CPU against the raw worker's of the same round, the median of the rounds; and the two runs
  // of idstitch's median round, which the targets show beside its ratio.
  const middles = Object.fromEntries(modes.map((mode) => [mode, runs.raw && medianRound(runs[mode], runs.raw, cpu)]))
  const paired = middles.idstitch && { idstitch: cpu(middles.idstitch.run), raw: cpu(middles.idstitch.against) }
  return { rounds: ROUNDS, ...Object.fromEntries(modes.map((mode) => [mode, medianBy(runs[mode], cpu)])), ratio: Object.fromEntries(modes.map((mode) => [mode, middles[mode]?.ratio])), paired }
}

/** With `workers` worker processes listening, n identifies enqueued and timed until the sink has them all. */
const measure = async (redisUrl, sink, n, workers) => {
  const redis = new Redis(redisUrl)
  try {
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
    return { workers, n, endToEndMs, deliveredPerSecond: (received / endToEndMs) * 1000, received, workerRssMB }
  } finally {
    redis.disconnect()
  }
}

/** Runs `measure(redisUrl, sink)` with a Redis and a sink of its own, stopped after. */
const withServers = async (measure) => {
  const redis = await startRedis()
  const sink = await startSink()
  try {
    return await measure(redis.url, sink)
  } finally {
    sink.stop()
    await redis.remove()
  }
}

export const runQueue = ({ n = 20_000 } = {}) =>
  withServers(async (redisUrl, sink) => {
    const cost = await measureEnqueue(redisUrl, sink, n)
    const rows = []
    for (const workers of [1, 2]) rows.push({ ...cost, ...(await measure(redisUrl, sink, n, workers)) })
    return { n, rows, workerCost: await measureWorkers(redisUrl, sink, n) }
  })

/** Only the enqueue and worker costs beside raw BullMQ's (`node run.mjs <n> costs [idstitch,dedupe,raw]`, the workers alone when listed): what a change to either is measured with. */
const runCosts = (n, only) =>
  withServers(async (redisUrl, sink) => ({ enqueue: only ? undefined : await measureEnqueue(redisUrl, sink, n), workers: await measureWorkers(redisUrl, sink, n, only?.split(',')) }))

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 2000)
  console.log(JSON.stringify(process.argv[3] === 'costs' ? await runCosts(n, process.argv[4]) : await runQueue({ n }), null, 2))
}
