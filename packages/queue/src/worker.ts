import { IdstitchError, type JobEnd, type JobTrace, type Provider, type Transport } from '@idstitch/node'
import { createNodeHttpTransport } from '@idstitch/node/node-http'
import { createLogger, createSender, type SendResult } from '@idstitch/node/sink'
import { Queue, RateLimitError, UnrecoverableError, Worker, type Job, type JobJson } from 'bullmq'
import { begin, dedupeFor, finish, withDedupeScripts, type DedupeClient } from './dedupe.js'
import { jobCounts } from './counts.js'
import { firstAnswerOf, type FirstAnswer } from './first-answer.js'
import { gather } from './gather.js'
import { readJobData, restored, type JobData } from './job.js'
import { keepRegistered, queueName, scriptRefusal } from './names.js'
import { MAX_TIMER_MS, resolveWorkerOptions, type WorkerOptions } from './options.js'
import { reportTo } from './results.js'
import { connect, connectionLog, writeRemedy, type RedisClient } from './redis.js'
import { warnOfRiskySettings } from './redis-settings.js'

/** What one worker process has done for one provider since it started. */
export interface WorkerCounts {
  delivered: number
  /** Attempts that failed and will be retried. */
  retried: number
  /** Jobs that failed for good: they are in the failed set. */
  deadLetters: number
  /** Times the provider's `Retry-After` (or its circuit breaker) paused every worker. */
  paused: number
  /** Jobs not sent: the provider had accepted exactly this for the user lately. */
  duplicates: number
}

/** The worker `createWorker` returns. */
export interface IdentifyWorker {
  /** Per provider, what this worker has done. */
  counts(): Record<string, WorkerCounts>
  /**
   * Resolves once every provider's queue is being listened to. While Redis cannot be reached, it waits for
   * Redis; it rejects with `queue_unavailable` when Redis refuses the worker's credentials (a wrong password),
   * its ACL refuses the worker's user BullMQ's scripts on the prefix's keys, or it refuses writes (a read-only
   * replica, too few replicas, a failed save to disk; the worker keeps trying, in each case), and with
   * `client_closed` when the worker is closed first.
   */
  ready(): Promise<void>
  /** Finishes the jobs in flight, then stops and closes its connections. */
  close(): Promise<void>
}

/** BullMQ's rate limiter counts jobs per fixed window from the window's first job; the margin keeps a sliding window at the provider within its limit despite request latency. */
const limiterFor = (rateLimit: Provider['rateLimit']) =>
  rateLimit && { max: rateLimit.limit, duration: Math.ceil(rateLimit.windowMs + Math.min(rateLimit.windowMs / 10, 1_000)) }

/**
 * BullMQ's worker, but for a job whose stored data (or options) is not JSON: BullMQ failed to read it before
 * any processor ran, left it active, and took it up again at every stall check, forever (`drain` never ended).
 * Here it reaches the processor with data that is no idstitch job, which dead-letters it like any other.
 */
class ReadingWorker extends Worker {
  protected override createJob(data: JobJson, jobId: string): Job {
    try {
      return super.createJob(data, jobId)
    } catch {
      return super.createJob({ ...data, data: JSON.stringify({ unreadable: 'the job data in Redis is not JSON' }), opts: '{}' } as unknown as JobJson, jobId)
    }
  }
}

/** What one provider's worker works with. */
interface Delivering {
  provider: Provider
  options: ReturnType<typeof resolveWorkerOptions>
  count: WorkerCounts
  log: ReturnType<typeof createLogger>
  report: ReturnType<typeof reportTo>
  redis: DedupeClient
  /** The worker's one log throttle for Redis's errors, which every BullMQ object on its connection hears. */
  redisLog: (error: Error) => void
  /** De-duplication's settings, worked out once per worker; `undefined` when it is off. */
  dedupe: Parameters<typeof dedupeFor>[2] | undefined
}

/** One job being processed, and its trace when telemetry follows the worker (until it ends). */
interface Run {
  readonly job: Job
  trace: JobTrace | undefined
}

/** Ends a job's trace, once; a hook that throws or rejects is ignored. */
const ended = (run: Run, end: JobEnd): void => {
  const { trace } = run
  if (!trace) return
  run.trace = undefined
  // Telemetry never takes delivery down: a hook that throws is ignored, and so is one that rejects (left
  // unhandled, a rejection would end the worker's process).
  try {
    Promise.resolve(trace.end(end)).catch(() => {})
  } catch {}
}

/**
 * How a worker sends a job: `@idstitch/node`'s sender, one attempt per processing, since BullMQ retries (its
 * attempts and backoff survive restarts, and space an outage's retries, so there is no circuit breaker
 * either); no rate limit, which is BullMQ's (shared by every worker); and a `Retry-After` fails the job with
 * its wait, for `failed` below to pause every worker that long. Jobs of a batching provider taken within
 * `batchWindowMs` share a request.
 */
type Deliver = (data: JobData, trace: JobTrace | undefined) => Promise<SendResult>

/** How long one delivery may take in the sender, its batch window included. */
const deadlineMsOf = ({ timeoutMs, batchWindowMs }: Delivering['options']): number => Math.min(timeoutMs * 2 + batchWindowMs, MAX_TIMER_MS)

/**
 * How long a delivery's de-duplication mark holds: past its deadline and its wait in the batch window, a lock's
 * length more (BullMQ takes a job whose lock lapsed for a dead worker's), then it is taken for a worker that died.
 */
const holdMsOf = (options: Delivering['options']): number => deadlineMsOf(options) + options.batchWindowMs + options.lockDurationMs

const deliveryFor = (provider: Provider, options: Delivering['options'], transport: Transport): { deliver: Deliver; close: () => Promise<void> } => {
  const { concurrency, timeoutMs, batchWindowMs, telemetry } = options
  const sender = createSender(provider, { transport, concurrency, timeoutMs, deadlineMs: deadlineMsOf(options), ...(telemetry ? { telemetry } : {}) })
  type Pending = { data: JobData; trace: JobTrace | undefined; resolve: (result: SendResult) => void }
  const send = gather<Pending>(provider.batch ? batchWindowMs : 0, (held) => {
    for (const { data, trace, resolve } of held) sender.send(restored(data), data.bytes, trace).then(resolve)
  })
  return { deliver: (data, trace) => new Promise<SendResult>((resolve) => send({ data, trace, resolve })), close: () => sender.close() }
}

/**
 * What a failed job keeps in Redis (its `failedReason`, its `stacktrace`, the events stream): the code and the
 * HTTP status, never the message, which may echo the traits back, nor a stack with the install's paths. The
 * whole error goes to the logger and `onError`.
 */
const stored = <E extends Error>(provider: string, error: E, failure: IdstitchError, status?: number): E => {
  error.message = `[idstitch] ${provider}: ${failure.code}${status === undefined ? '' : ` (HTTP ${status})`}`
  error.stack = `${error.name}: ${error.message}`
  return error
}

/** Ends a failed attempt: a pause for every worker, a dead letter, or a retry. */
const failed = async ({ provider, count, log, report }: Delivering, worker: Worker, run: Run, data: JobData, delivery: SendResult): Promise<never> => {
  const { job } = run
  const error = delivery.error ?? new IdstitchError('internal_error', `[idstitch] ${provider.name}: failed without an error`, { provider: provider.name })
  if (delivery.retryAfterMs !== undefined && delivery.retryAfterMs > 0 && !delivery.permanent) {
    count.paused++
    ended(run, { outcome: 'paused', code: error.code, pausedMs: delivery.retryAfterMs })
    log.warn(`${provider.name}: every worker pauses ${delivery.retryAfterMs} ms: ${error.message}`, { event: 'pause', provider: provider.name, pausedMs: delivery.retryAfterMs, code: error.code, httpStatus: delivery.httpStatus })
    await worker.rateLimit(delivery.retryAfterMs)
    throw new RateLimitError()
  }
  const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
  if (delivery.permanent || last) {
    count.deadLetters++
    ended(run, { outcome: 'dead_letter', code: error.code })
    log.debug(`${provider.name}: job ${job.id} is a dead letter after attempt ${job.attemptsMade + 1}: ${error.code}`, { event: 'dead_letter', provider: provider.name, jobId: job.id, attempt: job.attemptsMade + 1, code: error.code, httpStatus: delivery.httpStatus })
    report({ provider: provider.name, error }, { userId: data.userId, jobId: job.id })
    throw stored(provider.name, new UnrecoverableError(), error, delivery.httpStatus)
  }
  count.retried++
  ended(run, { outcome: 'retry', code: error.code })
  log.warn(`${error.message} (attempt ${job.attemptsMade + 1} of ${job.opts.attempts}, will retry)`, { event: 'retry', provider: provider.name, jobId: job.id, attempt: job.attemptsMade + 1, code: error.code, httpStatus: delivery.httpStatus })
  throw stored(provider.name, new Error(), error, delivery.httpStatus)
}

/** The job's data, when it is an idstitch job for this provider; a dead letter otherwise. */
const jobDataOf = ({ provider, count, log }: Delivering, run: Run, read: ReturnType<typeof readJobData>): JobData => {
  if (read.ok && read.data.provider === provider.name) return read.data
  count.deadLetters++
  ended(run, { outcome: 'dead_letter', code: 'invalid_job' })
  // Never the job's own words (whoever wrote it to Redis chose them): which field is wrong, and how.
  const why = read.ok ? 'its provider field names another provider' : read.reason
  log.debug(`${provider.name}: job ${run.job.id} is a dead letter: not an idstitch job for this provider`, { event: 'dead_letter', provider: provider.name, jobId: run.job.id, code: 'invalid_job' })
  throw new UnrecoverableError(`[idstitch] ${provider.name}: not an idstitch job for this provider: ${why}`)
}

/** The job's run: its trace continues the one its identify started, when the job carries it and telemetry follows the worker. */
const runOf = ({ provider, options }: Delivering, job: Job, read: ReturnType<typeof readJobData>): Run => {
  const telemetry = options.telemetry
  if (!telemetry?.job) return { job, trace: undefined }
  const start = { provider: provider.name, kind: provider.kind ?? provider.name, attempt: job.attemptsMade + 1 }
  try {
    return { job, trace: telemetry.job(start, read.ok ? read.data.trace : undefined) }
  } catch {
    return { job, trace: undefined }
  }
}

/** How one job is processed, its trace ended however it ends (a Redis error before the send: BullMQ retries it). */
const processorFor = (delivering: Delivering, deliver: Deliver, worker: () => Worker) => async (job: Job) => {
  const read = readJobData(job.data)
  const run = runOf(delivering, job, read)
  try {
    return await processed(delivering, deliver, worker, run, read)
  } finally {
    ended(run, { outcome: 'retry', code: 'internal_error' })
  }
}

/** One job: checked, skipped when a duplicate, delivered, and remembered. */
const processed = async (delivering: Delivering, deliver: Deliver, worker: () => Worker, run: Run, read: ReturnType<typeof readJobData>) => {
  const { provider, count, log, redis, options } = delivering
  const { job } = run
  const data = jobDataOf(delivering, run, read)
  const dedupe = delivering.dedupe && dedupeFor(data, options.prefix, delivering.dedupe)
  const ticket = dedupe && (await begin(redis, dedupe))
  // Another job (another instance, a retried enqueue) delivered exactly this lately: nothing to send.
  if (ticket === 'duplicate') {
    count.duplicates++
    ended(run, { outcome: 'duplicate' })
    log.debug(`${provider.name}: job ${job.id} skipped: the same identify was delivered lately (dedupe)`, { event: 'duplicate', provider: provider.name, jobId: job.id })
    return { skipped: 'duplicate' }
  }
  const delivery = await deliver(data, run.trace)
  if (ticket) await finish(redis, ticket, delivery.status === 'delivered').catch(() => {})
  if (delivery.status !== 'delivered') return failed(delivering, worker(), run, data, delivery)
  count.delivered++
  ended(run, { outcome: 'delivered' })
  // The line and its fields are made only when debug is on: this is every job's path.
  if (options.debug) log.debug(`${provider.name}: delivered job ${job.id} (HTTP ${delivery.httpStatus}, attempt ${job.attemptsMade + 1})`, { event: 'delivered', provider: provider.name, jobId: job.id, attempt: job.attemptsMade + 1, httpStatus: delivery.httpStatus })
  return { httpStatus: delivery.httpStatus }
}

/** Exponential from the job's delay, capped, with ±20 % jitter so retries of an outage spread out. */
const backoffStrategy =
  (maxBackoffMs: number) =>
  (attemptsMade: number, _type?: string, _error?: Error, job?: { opts: { backoff?: number | { delay?: number } } }): number => {
    const backoff = job?.opts.backoff
    const base = typeof backoff === 'number' ? backoff : (backoff?.delay ?? 5_000)
    const delay = Math.min(base * 2 ** Math.max(0, attemptsMade - 1), maxBackoffMs)
    return Math.round(delay * (0.8 + Math.random() * 0.4))
  }

/** One provider's BullMQ worker, delivering through its lane. */
const openWorker = (delivering: Delivering, deliver: Deliver): Worker => {
  const { provider, options, redis, redisLog } = delivering
  const worker: Worker = new ReadingWorker(
    queueName(provider.name),
    processorFor(delivering, deliver, () => worker),
    {
      connection: redis,
      prefix: options.prefix,
      // idstitch checks Redis's settings itself and says so through the logger (redis-settings.ts).
      skipVersionCheck: true,
      concurrency: options.concurrency,
      limiter: limiterFor(provider.rateLimit),
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      settings: { backoffStrategy: backoffStrategy(options.maxBackoffMs) },
    },
  )
  worker.on('error', redisLog)
  return worker
}

/**
 * Each provider's queue, for the dead letters' sweep and the metrics. A BullMQ object with no 'error' listener
 * prints each error its connection meets with console.error: during an outage, every reconnection attempt.
 */
const openQueues = (options: Delivering['options'], redis: RedisClient, redisLog: Delivering['redisLog']): Queue[] =>
  options.providers.map((provider) => new Queue(queueName(provider.name), { connection: redis, prefix: options.prefix, skipVersionCheck: true }).on('error', redisLog))

/**
 * Dead letters hold the message's traits: they go after keepFailedMs, swept by age here. BullMQ's own
 * `removeOnFail.age` (which producers set) acts only when another job of the same queue fails, so a
 * dead letter could outlive it by days in a quiet queue.
 */
const sweepDeadLetters = (options: Delivering['options'], queues: readonly Queue[], redisLog: Delivering['redisLog']) => {
  const sweep = () => {
    for (const queue of queues) queue.clean(options.keepFailedMs, 1_000, 'failed').catch(redisLog)
  }
  const timer = setInterval(sweep, Math.min(60_000, Math.max(1_000, options.keepFailedMs / 2)))
  timer.unref()
  return { close: () => clearInterval(timer) }
}

/**
 * Telemetry reads each provider's queue in Redis when its metrics are collected (a failed read, a closed worker,
 * or one whose Redis has not answered yet, reports nothing).
 */
const observeQueues = (options: Delivering['options'], queuesNow: () => readonly Queue[]): { close(): void } => {
  const { telemetry, providers } = options
  let closed = false
  const read = async () => {
    if (closed) return []
    const counts = await Promise.all(queuesNow().map((queue) => jobCounts(queue).catch(() => undefined)))
    return providers.flatMap((provider, slot) => {
      const count = counts[slot]
      return count ? [{ provider: provider.name, kind: provider.kind ?? provider.name, ...count }] : []
    })
  }
  try {
    Promise.resolve(telemetry?.queues?.(read)).catch(() => {})
  } catch {
    // Telemetry never takes delivery down.
  }
  return { close: () => void (closed = true) }
}

/** What a worker has open on BullMQ: each provider's worker, and its queue for the dead letters' sweep and the metrics. */
interface OnBullmq {
  workers: Worker[]
  queues: Queue[]
  close(): Promise<void>
}

/** Opens each provider's BullMQ worker, and its queue with the dead letters' sweep. */
const openOnBullmq = (options: Delivering['options'], redis: RedisClient, redisLog: Delivering['redisLog'], lanes: { delivering: Delivering; deliver: Deliver }[]): OnBullmq => {
  const workers = lanes.map(({ delivering, deliver }) => openWorker(delivering, deliver))
  const queues = openQueues(options, redis, redisLog)
  const sweeper = sweepDeadLetters(options, queues, redisLog)
  return {
    workers,
    queues,
    async close() {
      sweeper.close()
      await Promise.all(workers.map((worker) => worker.close()))
      await Promise.all(queues.map((queue) => queue.close()))
    },
  }
}

/**
 * Opens what the worker has on BullMQ once Redis first answers. BullMQ's objects wait for that answer without
 * bound, even to close (bullmq#4656): a worker started while Redis cannot be reached (a wrong host, a Redis
 * that starts later) waits for it, and still closes at once. `ready` rejects when it is closed first.
 */
const openWhenAnswered = (first: FirstAnswer, open: () => OnBullmq, failed: (error: unknown) => void) => {
  let opened: OnBullmq | undefined
  let stopWaiting = () => {}
  let closedFirst: (error: Error) => void = () => {}
  const ready = new Promise<OnBullmq>((resolve, reject) => {
    closedFirst = reject
    stopWaiting = first.whenAnswered(() => {
      // Inside ioredis's 'ready' event: a throw here would reach the app as an uncaught exception.
      try {
        resolve((opened = open()))
      } catch (error) {
        failed(error)
        reject(error)
      }
    })
  })
  ready.catch(() => {})
  return {
    ready,
    get opened() {
      return opened
    },
    async close() {
      stopWaiting()
      closedFirst(new IdstitchError('client_closed', '[idstitch] the worker was closed before Redis answered'))
      await opened?.close()
    },
  }
}

/**
 * Waits for `opened`, unless Redis refuses the worker's credentials first: then it rejects, since waiting would
 * last until someone changes them (a supervisor that awaits `ready()` would wait with it). The worker itself keeps
 * trying, as ioredis does, and opens if Redis takes the credentials later (a password rotated there first).
 */
const refusedFirst = async (first: FirstAnswer, opened: Promise<unknown>): Promise<void> => {
  const refused = await Promise.race([opened.then(() => undefined), first.refusal()])
  if (refused) throw new IdstitchError('queue_unavailable', `[idstitch] Redis refused the worker's credentials (${refused.message}): mend the connection's user or password; the worker keeps trying meanwhile`)
}

/**
 * Rejects when Redis lets the worker connect but not do what BullMQ does: its ACL refuses the user BullMQ's scripts
 * on the prefix's keys, or it refuses writes (a read-only replica, too few replicas, a failed save to disk).
 */
const refusedScripts = async (redis: RedisClient, prefix: string): Promise<void> => {
  const refused = await scriptRefusal(redis, prefix)
  if (!refused) return
  const remedy = writeRemedy(refused)
  if (remedy) throw new IdstitchError('queue_unavailable', `[idstitch] Redis refused the worker's writes (${refused.message}): ${remedy}. The worker keeps trying meanwhile`)
  throw new IdstitchError('queue_unavailable', `[idstitch] Redis's ACL refused the worker's user what BullMQ needs (${refused.message}): give the user BullMQ's commands, its scripts (EVALSHA, EVAL) among them, on the keys under "${prefix}:"; the worker keeps trying meanwhile`)
}

/**
 * Creates a worker: it takes the jobs `createQueue` enqueued and delivers
 * them through the same adapters, transport, `Retry-After` handling and
 * result parsing as `@idstitch/node`, adding the credentials from its own
 * providers. A provider's rate limit holds across every worker (BullMQ's
 * global limiter, one per provider queue); a `Retry-After` pauses every
 * worker; failures are retried with exponential backoff (up to
 * `maxBackoffMs`) for the job's attempts, then kept as dead letters.
 *
 * @example
 * const worker = createWorker({ connection: process.env.REDIS_URL!, providers: [pathbound({ apiKey })], concurrency: 16 })
 * process.on('SIGTERM', () => worker.close())
 */
export const createWorker = (workerOptions: WorkerOptions): IdentifyWorker => {
  const options = resolveWorkerOptions(workerOptions)
  const log = createLogger(options.providers, options.logger, options.debug)
  const report = reportTo(options.onError, log)
  const transport = createNodeHttpTransport({ connections: options.concurrency })
  // Each provider's sender checks it (and timeoutMs), before anything connects.
  const senders = options.providers.map((provider) => deliveryFor(provider, options, transport))
  const counts: Record<string, WorkerCounts> = {}
  const deliveries = options.providers.map((provider) => ({ provider, count: (counts[provider.name] = { delivered: 0, retried: 0, deadLetters: 0, paused: 0, duplicates: 0 }) }))
  // BullMQ's workers block on this connection's duplicates; commands wait out a Redis restart (no retry limit).
  // One throttle for the connection, its registration and every BullMQ object on it, which fail together.
  const redisLog = connectionLog(log)
  const redis = withDedupeScripts(connect(options.connection, { maxRetriesPerRequest: null }, redisLog))
  const first = firstAnswerOf(redis)
  warnOfRiskySettings(redis, first, log.warn)
  keepRegistered(redis, options.prefix, options.providers.map((provider) => provider.name), redisLog)
  const dedupe = options.dedupe === false ? undefined : { ...options.dedupe, holdMs: holdMsOf(options) }
  const open = () => openOnBullmq(options, redis, redisLog, deliveries.map(({ provider, count }, slot) => ({ delivering: { provider, options, count, log, report, redis, redisLog, dedupe }, deliver: (senders[slot] as (typeof senders)[number]).deliver })))
  const opening = openWhenAnswered(first, open, (error) => log.error(`the worker could not start on BullMQ: ${error instanceof Error ? error.message : String(error)}`))
  const observer = observeQueues(options, () => opening.opened?.queues ?? [])

  return {
    counts: () => structuredClone(counts),
    async ready() {
      await refusedFirst(first, opening.ready)
      await Promise.all((await opening.ready).workers.map((worker) => worker.waitUntilReady()))
      await refusedScripts(redis, options.prefix)
    },
    async close() {
      observer.close()
      await opening.close()
      await Promise.all(senders.map((sender) => sender.close()))
      await transport.close?.()
      redis.disconnect()
    },
  }
}
