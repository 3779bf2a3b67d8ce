import { randomUUID } from 'node:crypto'
import { IdstitchError } from '@idstitch/node'
import type { IdentifyEvent, IdentifyMessage, Provider } from '@idstitch/core'
import { createRedactor, invalidResult, noteTraitsOnce, prepareFor, safeLogger, stampEvent, userIdOf, warnOnce } from '@idstitch/node/internal'
import { Queue } from 'bullmq'
import { withDeadline } from './deadline.js'
import { contentDigest, dedupeFor } from './dedupe.js'
import { storable, type JobData } from './job.js'
import { LIBRARY } from './library.js'
import { jobId, queueName } from './names.js'
import { resolveQueueOptions, type QueueOptions } from './options.js'
import { connect, throttled } from './redis.js'
import { warnOfRiskySettings } from './redis-settings.js'
import { reportTo, type QueuedResult, type QueueResult } from './results.js'

/** Options of one `identify()` on the queue. */
export interface EnqueueOptions {
  /**
   * The message's id (default: a new UUID). Enqueueing the same id again adds
   * no second job while the first is in Redis: pass your own to make a
   * retried login request idempotent. Letters, digits, `_`, `-` and `.`, up to 128.
   */
  messageId?: string
}

/** Job counts of one provider's queue. */
export interface QueueCounts {
  waiting: number
  active: number
  delayed: number
  failed: number
}

/** The queue `createQueue` returns. */
export interface IdentifyQueue {
  /**
   * Validates the message for every provider and enqueues one job per
   * provider; resolves once Redis has them (they are durable then), or at the
   * deadline with `queue_unavailable`. Never rejects.
   */
  identify(message: IdentifyMessage, options?: EnqueueOptions): Promise<QueueResult>
  /** Jobs per provider and state, for a `/metrics` endpoint. */
  counts(): Promise<Record<string, QueueCounts>>
  /** Closes the Redis connection; `identify()` afterwards fails with `client_closed`. */
  close(): Promise<void>
}

const MESSAGE_ID = /^[A-Za-z0-9_.-]{1,128}$/

/** The content digest a job's stored data holds (BullMQ keeps it as JSON text), or undefined. */
const digestOf = (stored: string): string | undefined => {
  try {
    return (JSON.parse(stored) as { digest?: string }).digest
  } catch {
    return undefined
  }
}

/** What one producer works with: its options, redactor and logger, its Redis connection and a BullMQ queue per provider. */
interface Producer {
  options: ReturnType<typeof resolveQueueOptions>
  redact: ReturnType<typeof createRedactor>
  warn: ReturnType<typeof warnOnce>
  log: ReturnType<typeof safeLogger>
  redis: ReturnType<typeof connect>
  queues: Queue[]
}

/** A prepared job, and the slot of the provider (and queue) it is for. */
type SlotJob = { slot: number; data: JobData }

/** One provider's BullMQ queue, with idstitch's job defaults. */
const openQueue = (provider: Provider, options: Producer['options'], redis: Producer['redis'], log: ReturnType<typeof safeLogger>): Queue => {
  const queue = new Queue(queueName(provider.name), {
    connection: redis,
    prefix: options.prefix,
    // idstitch checks Redis's settings itself and says so through the logger (redis-settings.ts).
    skipVersionCheck: true,
    // The events stream holds job ids and failure codes (never a provider's words): a short one is enough.
    streams: { events: { maxLen: 1_000 } },
    defaultJobOptions: {
      attempts: options.attempts,
      backoff: { type: 'idstitch', delay: options.backoffMs },
      // Traits are personal data at rest: a delivered job goes at once, a dead letter after keepFailedMs.
      removeOnComplete: true,
      removeOnFail: { age: Math.ceil(options.keepFailedMs / 1000) },
    },
  })
  queue.on('error', throttled(log.warn))
  return queue
}

/**
 * Adds the prepared jobs; resolves once Redis acknowledged every one, with the slots whose message id was
 * already queued saying something else (BullMQ keeps the first job of an id and says nothing of the second).
 * The job's data is read on the same connection, just before the add and without waiting for it, so it costs
 * no round trip. De-duplication is the worker's, just before it sends: checking here too cost a round trip
 * before every add (~20 µs of CPU an identify, a third of an enqueue; bench §6).
 */
const addJobs = async ({ redis, queues, options }: Producer, jobs: SlotJob[]): Promise<Set<number>> => {
  const conflicts = new Set<number>()
  await Promise.all(
    jobs.map(async ({ slot, data }) => {
      const id = jobId(data.provider, data.messageId)
      const [existing] = await Promise.all([redis.hget(`${options.prefix}:${queueName(data.provider)}:${id}`, 'data'), (queues[slot] as Queue).add('identify', data, { jobId: id })])
      if (existing !== null && digestOf(existing) !== data.digest) conflicts.add(slot)
    }),
  )
  return conflicts
}

/** Each provider's job for `event`, or its result when there is nothing to enqueue (skipped, invalid, not storable). */
const prepareJobs = (producer: Producer, event: IdentifyEvent, messageId: string): { results: QueuedResult[]; jobs: SlotJob[] } => {
  const { options, redact } = producer
  const results: QueuedResult[] = []
  const jobs: SlotJob[] = []
  const digest = contentDigest(event)
  options.providers.forEach((provider: Provider, slot) => {
    const prepared = prepareFor(provider, event, redact)
    if (!prepared.send) {
      results[slot] = prepared.result as QueuedResult
      return
    }
    const kept = storable(prepared.item)
    if (!kept.ok) {
      results[slot] = invalidResult(provider.name, [{ path: 'message', message: kept.reason }]) as QueuedResult
      return
    }
    producer.warn(provider, prepared.warnings)
    noteTraitsOnce(provider, event, producer.log)
    const dedupe = options.dedupe === false ? undefined : dedupeFor(event, provider.name, options.prefix, options.dedupe.ttlMs)
    jobs.push({ slot, data: { v: 1, provider: provider.name, messageId, userId: event.userId, item: kept.item, bytes: prepared.bytes, text: kept.text, dedupe, digest } })
    results[slot] = { provider: provider.name, status: 'queued', jobId: jobId(provider.name, messageId) }
  })
  return { results, jobs }
}

/** Adds `jobs` by the deadline; a conflicting message id, or Redis not answering in time, fails the results it concerns. */
const addByDeadline = async (producer: Producer, jobs: SlotJob[], results: QueuedResult[]): Promise<void> => {
  const { deadlineMs } = producer.options
  try {
    for (const slot of await withDeadline(addJobs(producer, jobs), deadlineMs)) {
      const { provider } = results[slot] as QueuedResult
      const text = `[idstitch] ${provider}: a job with this messageId is already queued and says something else (another user, other ids or traits); this identify was not enqueued: give it its own messageId`
      results[slot] = { provider, status: 'failed', error: new IdstitchError('message_id_conflict', text, { provider }) }
    }
  } catch (error) {
    const reason = producer.redact.text(error instanceof Error ? error.message : String(error))
    for (const { slot, data } of jobs) {
      const text = `[idstitch] ${data.provider}: Redis did not acknowledge the job within ${deadlineMs} ms (${reason}); it may still be added if Redis was slow, and enqueueing the same messageId again adds no second job`
      results[slot] = { provider: data.provider, status: 'failed', error: new IdstitchError('queue_unavailable', text, { provider: data.provider }) }
    }
  }
}

/** Every provider's result, enqueued or not: the message validated and stamped, each provider's job prepared, then added. */
const enqueue = async (producer: Producer, message: IdentifyMessage, messageId: string): Promise<QueuedResult[]> => {
  const { providers } = producer.options
  if (typeof messageId !== 'string' || !MESSAGE_ID.test(messageId)) {
    return providers.map((provider) => invalidResult(provider.name, [{ path: 'messageId', message: 'must be 1 to 128 letters, digits, _, - or .' }]) as QueuedResult)
  }
  const stamped = stampEvent(message, messageId, LIBRARY, producer.redact)
  if (!stamped.ok) return providers.map((provider) => invalidResult(provider.name, stamped.issues) as QueuedResult)
  const { results, jobs } = prepareJobs(producer, stamped.event, messageId)
  if (jobs.length > 0) await addByDeadline(producer, jobs, results)
  return results
}

/** Jobs per provider and state. */
const countsOf = async ({ queues, options }: Producer): Promise<Record<string, QueueCounts>> => {
  const entries = await Promise.all(
    queues.map(async (queue, slot) => {
      const { waiting = 0, active = 0, delayed = 0, failed = 0, prioritized = 0 } = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized')
      return [(options.providers[slot] as Provider).name, { waiting: waiting + prioritized, active, delayed, failed }] as const
    }),
  )
  return Object.fromEntries(entries)
}

/**
 * Creates the producer side of `@idstitch/queue`: an app instance (a server,
 * a serverless function) validates identifies and enqueues them to BullMQ on
 * Redis; workers (`createWorker`) deliver them. Jobs hold each provider's
 * prepared payload, never a credential. Throws a `ConfigError` naming the
 * option at fault.
 *
 * @example
 * const queue = createQueue({ connection: process.env.REDIS_URL!, providers: [pathbound({ apiKey })] })
 * const result = await queue.identify({ userId: user.id, anonymousId: getVisitorId(req) })
 */
export const createQueue = (queueOptions: QueueOptions): IdentifyQueue => {
  const options = resolveQueueOptions(queueOptions)
  const redact = createRedactor(options.providers)
  const log = safeLogger(options.logger, redact.text)
  const report = reportTo(options.onError, log)
  // While Redis is away, a command waits for it at most one reconnection attempt, then fails: identify()
  // reports queue_unavailable by its deadline, and an outage cannot grow the app's memory without bound.
  const redis = connect(options.connection, { maxRetriesPerRequest: 1 }, throttled(log.warn))
  warnOfRiskySettings(redis, log.warn)
  const queues = options.providers.map((provider) => openQueue(provider, options, redis, log))
  const producer: Producer = { options, redact, warn: warnOnce(log), log, redis, queues }
  let closed = false
  const closedResults = () =>
    options.providers.map((provider): QueuedResult => ({ provider: provider.name, status: 'failed', error: new IdstitchError('client_closed', `[idstitch] ${provider.name}: the queue is closed; this identify was not enqueued`, { provider: provider.name }) }))

  return {
    async identify(message, enqueueOptions = {}) {
      const messageId = enqueueOptions.messageId ?? randomUUID()
      const results = closed ? closedResults() : await enqueue(producer, message, messageId)
      const userId = userIdOf(message)
      for (const result of results) report(result, { userId, jobId: result.jobId })
      return { ok: results.every((result) => result.status === 'queued' || result.status === 'skipped'), messageId, results }
    },
    counts: () => countsOf(producer),
    async close() {
      closed = true
      await Promise.all(queues.map((queue) => queue.close()))
      redis.disconnect()
    },
  }
}
