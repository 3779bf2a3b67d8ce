import { IdstitchError, ValidationError, type IdentifyMessage, type ProviderResult, type Provider } from '@idstitch/node'
import { createDeadlineWatch, createPipeline, storeItem, type Deadline, type DeadlineWatch, type Sink, type SinkIdentify, type SinkParts } from '@idstitch/node/sink'
import { Queue } from 'bullmq'
import { jobCounts, type QueueCounts } from './counts.js'
import { firstAnswerOf, type FirstAnswer } from './first-answer.js'
import { contentDigest } from './dedupe.js'
import type { JobData } from './job.js'
import { LIBRARY } from './library.js'
import { memoryGuard } from './memory-guard.js'
import { jobId, keepRegistered, queueName } from './names.js'
import { resolveQueueOptions, type QueueOptions } from './options.js'
import { connect, connectionLog, refusesCredentials, refusesWrites, writeRemedy } from './redis.js'
import { warnOfRiskySettings } from './redis-settings.js'
import type { QueueResult } from './results.js'

/** Options of one `identify()` on the queue. */
export interface EnqueueOptions {
  /**
   * The message's id (default: a new UUID). Enqueueing the same id again adds
   * no second job while the first is in Redis: pass your own to make a
   * retried login request idempotent. Letters, digits, `_`, `-` and `.`, up to 128; another value, or an option
   * this call does not take (`messageID`), makes the identify `invalid`, nothing enqueued.
   */
  messageId?: string
}

/** The queue `createQueue` returns. */
export interface IdentifyQueue {
  /**
   * Validates the message for every provider and enqueues one job per
   * provider; resolves once Redis has them (they are durable then), or at the
   * deadline with `queue_unavailable`. Never rejects.
   */
  identify(message: IdentifyMessage, options?: EnqueueOptions): Promise<QueueResult>
  /** Jobs per provider and state, for a `/metrics` endpoint. Rejects with `queue_unavailable` while Redis has never answered, rather than wait for it. */
  counts(): Promise<Record<string, QueueCounts>>
  /** Closes the Redis connection; `identify()` afterwards fails with `client_closed`. */
  close(): Promise<void>
}

/** The content digest a job's stored data holds (BullMQ keeps it as JSON text), or undefined. */
const digestOf = (stored: string): string | undefined => {
  try {
    return (JSON.parse(stored) as { digest?: string }).digest
  } catch {
    return undefined
  }
}

/**
 * The message ids callers gave, while their identifies are in flight. Only those can name a job already in
 * Redis: idstitch's own are random UUIDs, so an identify without one spends no read on a conflict.
 */
const suppliedIds = () => {
  const counts = new Map<string, number>()
  return {
    has: (messageId: string): boolean => counts.has(messageId),
    around<T>(messageId: string, run: () => Promise<T>): Promise<T> {
      counts.set(messageId, (counts.get(messageId) ?? 0) + 1)
      return run().finally(() => {
        const left = (counts.get(messageId) ?? 1) - 1
        if (left === 0) counts.delete(messageId)
        else counts.set(messageId, left)
      })
    },
  }
}

/** The message id a caller gave, if any (what else `options` hold is the pipeline's to check); never throws. */
const suppliedId = (options: unknown): string | undefined => {
  try {
    const { messageId } = (options ?? {}) as EnqueueOptions
    return typeof messageId === 'string' ? messageId : undefined
  } catch {
    return undefined
  }
}

/** What one producer works with: its options, its sink's parts, its Redis connection and a BullMQ queue per provider. */
interface Producer {
  options: ReturnType<typeof resolveQueueOptions>
  parts: SinkParts
  redis: ReturnType<typeof connect>
  /** Whether Redis has answered yet: BullMQ would hold every add until it does. */
  first: FirstAnswer
  queues: Queue[]
  memory: ReturnType<typeof memoryGuard>
  supplied: ReturnType<typeof suppliedIds>
  /** Watches the adds' deadlines, a timer per deadline. */
  watchDeadline: DeadlineWatch<() => void>
}

/** A prepared job, and the slot of the provider (and queue) it is for, and the place of its result. */
type SlotJob = { slot: number; index: number; id: string; data: JobData; answered: boolean }

/** One provider's BullMQ queue, with idstitch's job defaults; its errors (its connection's, the producer's) go to `onError`. */
const openQueue = (provider: Provider, options: Producer['options'], redis: Producer['redis'], onError: (error: Error) => void): Queue => {
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
  queue.on('error', onError)
  return queue
}

/**
 * What became of one add: nothing to say (added), a conflicting job of the same message id, Redis's error, or
 * Redis's never having answered (the job was not handed to BullMQ).
 */
type Refusal = 'conflict' | Error | { unreachable: Error } | undefined

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/**
 * Adds one prepared job and tells `answer` once Redis acknowledged it, with what went wrong if anything. BullMQ
 * keeps the first job of an id and says nothing of the second, so for a message id the caller gave, the job's
 * data is read on the same connection, just before the add and without waiting for it: no round trip, and none
 * at all for idstitch's own (random) ids (a read costs ~13 us of CPU an identify). De-duplication is the
 * worker's, just before it sends: checking here too cost a round trip before every add (bench section 6).
 */
const addJob = (producer: Producer, job: SlotJob, answer: (refusal: Refusal) => void): void => {
  const { redis, queues, options, supplied, first } = producer
  if (!first.answered) {
    // Until Redis first answers, BullMQ would keep the add in memory without bound: it waits for one
    // connection attempt instead, as every command does after that (maxRetriesPerRequest: 1).
    first.wait().then(() => addJob(producer, job, answer), (error: unknown) => answer({ unreachable: asError(error) }))
    return
  }
  const { slot, id, data } = job
  const added = (queues[slot] as Queue).add('identify', data, { jobId: id })
  const failed = (error: unknown) => answer(asError(error))
  if (!supplied.has(data.messageId)) {
    added.then(() => answer(undefined), failed)
    return
  }
  const read = redis.hget(`${options.prefix}:${queueName(data.provider)}:${id}`, 'data')
  Promise.all([read, added]).then(([existing]) => answer(existing !== null && digestOf(existing) !== data.digest ? 'conflict' : undefined), failed)
}

/** Redis's refusal of a write when it is full and evicts nothing (`maxmemory`, `noeviction`). */
const isOutOfMemory = (error: Error): boolean => error.message.startsWith('OOM ')

/** An identify Redis has no room for: not added, and said so (never the misleading "it may still be added"). */
const outOfMemory = (provider: string, why: string, remedy: string): ProviderResult => ({
  provider,
  status: 'failed',
  attempts: 0,
  error: new IdstitchError('queue_out_of_memory', `[idstitch] ${provider}: ${why}: the job was not added. ${remedy}; enqueueing the same identify again is safe`, { provider }),
})
/** The producers' own stop, at 90 %: the workers still have room to drain the queue. */
const nearlyFull = (provider: string) =>
  outOfMemory(provider, 'Redis is 90 % full (of its maxmemory), the room kept for workers to take and finish jobs', 'Let the workers drain the queue, or raise maxmemory')
/** Redis's own refusal: BullMQ's scripts are refused too, so no worker takes a job until there is room again. */
const full = (provider: string) =>
  outOfMemory(provider, 'Redis is full (its maxmemory is reached, and noeviction keeps it from evicting jobs) and refused the job', 'Raise maxmemory or free memory in Redis: until then no worker can take a job either')

/**
 * What `item` takes as JSON, in UTF-8 bytes: the size of a job's item for an adapter that does not measure it
 * (one request per identify). Counted as 0 by the memory guard, 3 KB of traits filled a 3 MB Redis past its
 * `maxmemory` before the guard's next reading, and its workers could take no job until `maxmemory` was raised.
 */
const jsonBytes = (item: unknown): number => Buffer.byteLength(JSON.stringify(item) ?? '')

/** Each item's job, or its result when it cannot be kept in Redis. */
const prepareJobs = ({ memory }: Producer, identify: SinkIdentify): { results: ProviderResult[]; jobs: SlotJob[] } => {
  const { event, messageId, traceContext } = identify
  const results: ProviderResult[] = []
  const jobs: SlotJob[] = []
  const digest = contentDigest(identify)
  identify.items.forEach(({ slot, provider, item, bytes }, index) => {
    const kept = storeItem(item)
    if (!kept.ok) {
      results[index] = { provider: provider.name, status: 'invalid', attempts: 0, error: new ValidationError([{ provider: provider.name, path: 'message', message: kept.reason }]) }
      return
    }
    if (memory.full(() => bytes ?? jsonBytes(kept.stored.item))) {
      results[index] = nearlyFull(provider.name)
      return
    }
    const data: JobData = { v: 1, provider: provider.name, messageId, userId: event.userId, item: kept.stored.item, text: kept.stored.text, digest }
    if (bytes !== undefined) data.bytes = bytes
    if (traceContext) data.trace = traceContext
    const id = jobId(provider.name, messageId)
    jobs.push({ slot, index, id, data, answered: false })
    results[index] = { provider: provider.name, status: 'queued', attempts: 0, jobId: id }
  })
  return { results, jobs }
}

/**
 * Adds `jobs` by the deadline, and resolves with `results` once each job has its answer, or at the deadline: a
 * conflicting message id, Redis's refusal or no acknowledgement in time fails the results it concerns. Each add
 * answers through a callback, so that Redis's acknowledgement reaches the identify's result in one promise step.
 */
const addByDeadline = (producer: Producer, jobs: SlotJob[], results: ProviderResult[], deadline: Deadline): Promise<ProviderResult[]> => {
  const failed = (job: SlotJob, code: 'message_id_conflict' | 'queue_unavailable', text: string): void => {
    const { provider } = job.data
    results[job.index] = { provider, status: 'failed', attempts: 0, error: new IdstitchError(code, `[idstitch] ${provider}: ${text}`, { provider }) }
  }
  const unavailable = (job: SlotJob, reason: string) =>
    failed(job, 'queue_unavailable', `Redis did not acknowledge the job (${producer.parts.redact(reason)}); it may still be added if Redis was slow, and enqueueing the same messageId again adds no second job`)
  const record = (job: SlotJob, refusal: Refusal): void => {
    if (refusal === undefined) return
    if (refusal === 'conflict') failed(job, 'message_id_conflict', 'a job with this messageId is already queued and says something else (another user, other ids or traits); this identify was not enqueued: give it its own messageId')
    else if (!(refusal instanceof Error)) failed(job, 'queue_unavailable', `Redis has not answered since the queue was created (${producer.parts.redact(refusal.unreachable.message)}): the job was not added, and enqueueing it again once Redis answers is safe`)
    else if (isOutOfMemory(refusal)) results[job.index] = full(job.data.provider)
    else if (refusesCredentials(refusal)) failed(job, 'queue_unavailable', `Redis refused the connection's user (${producer.parts.redact(refusal.message)}): the job was not added; give the user the commands BullMQ runs (its scripts among them), and enqueueing the same identify again is safe`)
    else if (refusesWrites(refusal)) failed(job, 'queue_unavailable', `Redis refused the write (${producer.parts.redact(refusal.message)}): the job was not added; ${writeRemedy(refusal)}. Enqueueing the same identify again is safe`)
    else unavailable(job, refusal.message)
  }
  return new Promise((resolve) => {
    let waiting = jobs.length
    // A job's add answered after the deadline changes nothing: the identify has its results by then.
    const expire = () => {
      for (const job of jobs) if (!job.answered) unavailable(job, `no answer within ${deadline.ms} ms`)
      waiting = 0
      resolve(results)
    }
    producer.watchDeadline.add(deadline, expire)
    for (const job of jobs) {
      addJob(producer, job, (refusal) => {
        if (waiting === 0) return
        job.answered = true
        record(job, refusal)
        if (--waiting > 0) return
        producer.watchDeadline.delete(deadline, expire)
        resolve(results)
      })
    }
  })
}

/**
 * The sink of `createQueue`: each prepared identify becomes one BullMQ job per provider, in that provider's
 * queue; an item is `queued` once Redis acknowledged it, by the identify's deadline.
 */
const bullmqSink = (producer: Producer): Sink => ({
  accept(identify) {
    const { results, jobs } = prepareJobs(producer, identify)
    return jobs.length > 0 ? addByDeadline(producer, jobs, results, identify.deadline) : Promise.resolve(results)
  },
  async close() {
    await Promise.all(producer.queues.map((queue) => queue.close()))
    producer.redis.disconnect()
  },
})

/** Jobs per provider and state; fails, rather than waits, while Redis has never answered. */
const countsOf = async ({ queues, parts, first }: Producer): Promise<Record<string, QueueCounts>> => {
  await first.wait().catch((error: unknown) => {
    throw new IdstitchError('queue_unavailable', `[idstitch] redis: Redis has not answered since the queue was created (${parts.redact(asError(error).message)}), so there are no counts to read`)
  })
  const entries = await Promise.all(
    queues.map(async (queue, slot) => [(parts.providers[slot] as Provider).name, await jobCounts(queue)] as const),
  )
  return Object.fromEntries(entries)
}

/** What `createQueue` opens once its options are checked: the Redis connection, and a queue per provider. */
const openProducer = (options: Producer['options'], parts: SinkParts, supplied: Producer['supplied']): Producer => {
  // While Redis is away, a command waits for it at most one reconnection attempt, then fails: identify()
  // reports queue_unavailable by its deadline, and an outage cannot grow the app's memory without bound.
  // One throttle for the connection, its registration and its queues, which fail together.
  const redisLog = connectionLog(parts.log)
  const redis = connect(options.connection, { maxRetriesPerRequest: 1 }, redisLog)
  const first = firstAnswerOf(redis)
  warnOfRiskySettings(redis, first, parts.log.warn)
  keepRegistered(redis, options.prefix, parts.providers.map((provider) => provider.name), redisLog)
  const queues = parts.providers.map((provider) => openQueue(provider, options, redis, redisLog))
  return { options, parts, redis, first, queues, memory: memoryGuard(redis), supplied, watchDeadline: createDeadlineWatch<() => void>((expire) => expire()) }
}

/**
 * Creates the producer side of `@idstitch/queue`: an app instance (a server,
 * a serverless function) validates identifies and enqueues them to BullMQ on
 * Redis; workers (`createWorker`) deliver them. It is `@idstitch/node`'s
 * identify pipeline (`createPipeline`) with a BullMQ sink. Jobs hold each
 * provider's prepared payload, never a credential. Throws a `ConfigError`
 * naming the option at fault.
 *
 * @example
 * const queue = createQueue({ connection: process.env.REDIS_URL!, providers: [pathbound({ apiKey })] })
 * const result = await queue.identify({ userId: user.id, anonymousId: getVisitorId(req) })
 */
export const createQueue = (queueOptions: QueueOptions): IdentifyQueue => {
  const options = resolveQueueOptions(queueOptions)
  const { onError } = options
  let producer: Producer | undefined
  const supplied = suppliedIds()
  const pipeline = createPipeline({
    providers: queueOptions.providers,
    logger: queueOptions.logger,
    telemetry: options.telemetry,
    debug: options.debug,
    deadlineMs: queueOptions.deadlineMs ?? 5_000,
    library: LIBRARY,
    ...(onError ? { onError: (error, { provider, userId, result }) => onError(error, { provider, userId, jobId: result.jobId }) } : {}),
    sink: (parts) => bullmqSink((producer = openProducer(options, parts, supplied))),
  })
  return {
    // The options go to the pipeline as given: it refuses a name the queue does not take (`messageID`) as invalid.
    identify: (message, callOptions) => {
      const messageId = suppliedId(callOptions)
      return messageId === undefined ? pipeline.identify(message, callOptions) : supplied.around(messageId, () => pipeline.identify(message, callOptions))
    },
    counts: () => countsOf(producer as Producer),
    close: () => pipeline.close(),
  }
}
