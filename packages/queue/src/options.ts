import { ConfigError, type IdstitchError, type Logger, type Provider, type Telemetry } from '@idstitch/node'
import { connectionProblem, type Connection } from './redis.js'
import * as z from 'zod'
import { DEFAULT_PREFIX } from './names.js'
import type { QueueErrorContext } from './results.js'


/** What `createQueue` and `createWorker` share. */
interface CommonOptions {
  /**
   * Redis: a URL (`redis://host:6379`), ioredis options, a Redis Cluster (`{ cluster: [{ host, port }, …],
   * clusterOptions }`), or an ioredis `Redis` or `Cluster` client of yours (duplicated: idstitch closes only its own).
   */
  connection: Connection
  /** The same providers on every producer and worker: `pathbound(…)`, `segment(…)`, … from `@idstitch/node/providers`. */
  providers: readonly Provider[]
  /**
   * Every key idstitch writes to Redis starts with `<prefix>:`. Default `'idstitch'`. Each provider's queue is
   * its own Redis Cluster hash tag (`idstitch:{pathbound}:…`), so its keys share a slot, as BullMQ's scripts
   * need; a prefix with a hash tag of its own (`{idstitch}`) puts every idstitch key in one slot instead.
   */
  prefix?: string
  /** Default: warnings and errors to the console. `false` for silence. */
  logger?: Logger | false
  /**
   * Called with each error: an identify not enqueued (`invalid`, `queue_unavailable`)
   * by a queue, a job that failed for good (a dead letter) in a worker. Without it, they are logged as errors.
   */
  onError?: (error: IdstitchError, context: QueueErrorContext) => void
  /**
   * Traces and metrics: `openTelemetry()` from `@idstitch/node/otel`. A queue stores each identify's W3C trace
   * context in its jobs (nothing else of the request); a worker continues that trace with a span per job and
   * its attempts, counts its jobs by outcome, and reports the jobs in Redis by state.
   */
  telemetry?: Telemetry
  /**
   * Debug lines on the logger (the console's `debug` when none is given), with their facts as fields: each
   * job delivered, retried, paused, skipped as a duplicate or dead-lettered. Default: on when the environment
   * has `IDSTITCH_DEBUG=1`.
   */
  debug?: boolean
}

/** Options of {@link createQueue}. */
export interface QueueOptions extends CommonOptions {
  /** `identify()` resolves by then, `queue_unavailable` when Redis did not acknowledge. Default 5,000 ms. */
  deadlineMs?: number
  /**
   * Delivery attempts per job before it is a dead letter. Default 20: with
   * the default backoff, retries go on for about 10 hours.
   */
  attempts?: number
  /** The first retry's delay, doubling each retry (workers cap it with `maxBackoffMs`). Default 5,000 ms. */
  backoffMs?: number
  /**
   * How long a dead letter (a failed job, with the message's traits) is kept
   * in Redis. Default 7 days. Delivered jobs are removed at once.
   */
  keepFailedMs?: number
}

/** Options of {@link createWorker}. */
export interface WorkerOptions extends CommonOptions {
  /** Jobs delivered at once by this worker, per provider. Default 16. */
  concurrency?: number
  /** Per HTTP attempt. Default 5,000 ms. */
  timeoutMs?: number
  /** The longest wait between two attempts of a job. Default 1 hour. */
  maxBackoffMs?: number
  /** A batching provider (Segment, Thrivestack) gets the jobs that are ready within this window as one request. Default 20 ms. */
  batchWindowMs?: number
  /**
   * A job whose worker died (a crash, SIGKILL, a lost host) goes back to the
   * queue once its lock expires: after this long without renewal. Default 30,000 ms.
   */
  lockDurationMs?: number
  /** How often a worker looks for jobs whose worker died. Default 30,000 ms. */
  stalledIntervalMs?: number
  /**
   * How long a dead letter (a failed job, with the message's traits) stays
   * in Redis: the worker removes older ones itself, every `keepFailedMs / 2`
   * (at least every second, at most every minute). Give producers and
   * workers the same value. Default 7 days.
   */
  keepFailedMs?: number
  /**
   * An identify equal to the last one a provider accepted for that user (the same anonymous ids and traits)
   * within `ttlMs` (default 24 hours) is not sent, whichever instance enqueued it: the worker that takes it,
   * just before it would send it, skips it and counts it in `counts().duplicates`. Producers need nothing for
   * it: each job holds a digest of what it says, and de-duplication is the worker's alone.
   *
   * The record in Redis is keyed by an HMAC of the provider and user id with `secret` (at least 16
   * characters, the same on every worker; default `IDSTITCH_QUEUE_SECRET` from the environment), so that no
   * one who reads Redis can tell which user it is by hashing guesses. Without a secret, de-duplication is
   * off; `false` turns it off too.
   */
  dedupe?: { ttlMs?: number; secret?: string } | false
}

const positive = (fallback: number) => z.number().int().positive().default(fallback)
/** The longest a timer waits (setTimeout's 2^31 - 1 ms, about 24.8 days): past it, a timer fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1
/** A duration a timer waits, in ms. */
const timer = (fallback: number, min = 1) =>
  z.number().int().min(min).max(MAX_TIMER_MS, `must be at most ${MAX_TIMER_MS} ms (a timer's longest wait, about 24.8 days)`).default(fallback)

/** Lower case, letters and digits only: `batch_window_ms` and `batchwindowms` read as `batchWindowMs` does. */
const squashed = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '')

/**
 * An object of these options and no others: a misspelled option (`concurency`, `timeout`) ignored would
 * leave its default in force. The error names the option it likely meant, or those there are.
 */
const optionsObject = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined
      const [option = ''] = issue.keys
      const meant = Object.keys(shape).find((name) => squashed(name) === squashed(option))
      return meant === undefined ? `is not one of ${Object.keys(shape).join(', ')}` : `is not an option; did you mean \`${meant}\`?`
    },
  })

const common = {
  // A connection string is checked whole (it holds the password, so no message repeats it).
  connection: z.unknown().superRefine((connection, context) => {
    const problem = connectionProblem(connection)
    if (problem) context.addIssue({ code: 'custom', message: problem })
  }) as z.ZodType<Connection>,
  // A Redis Cluster hash tag (`{idstitch}`) is allowed: it puts every idstitch key in one slot.
  prefix: z.string().regex(/^[A-Za-z0-9_.-]*(\{[A-Za-z0-9_.-]+\})?[A-Za-z0-9_.-]*$/, 'must be letters, digits, _ . or -, with at most one {hash tag}').min(1, 'must not be empty').default(DEFAULT_PREFIX),
  // Each provider, the logger and timeoutMs are checked by @idstitch/node's one client schema (createPipeline, createSender, createLogger).
  providers: z.array(z.unknown(), { error: 'must list at least one provider' }).min(1, 'must list at least one provider'),
  onError: z.optional(z.custom<(error: IdstitchError, context: QueueErrorContext) => void>((value) => typeof value === 'function', 'must be a function')),
  debug: z.boolean().default(() => ['1', 'true'].includes(process.env.IDSTITCH_DEBUG ?? '')),
  // Checked by @idstitch/node's one client schema (createPipeline, createSender, createLogger).
  logger: z.unknown().optional(),
  telemetry: z.unknown().optional(),
}

const queueSchema = optionsObject({
  ...common,
  // Checked by createPipeline.
  deadlineMs: z.unknown().optional(),
  attempts: positive(20),
  backoffMs: positive(5_000),
  keepFailedMs: positive(7 * 24 * 60 * 60 * 1000),
  // De-duplication is the worker's (createWorker's `dedupe`): a producer given it would silently do nothing.
  dedupe: z.undefined({ error: "is createWorker's option: workers de-duplicate, just before they send" }).optional(),
})

const workerSchema = optionsObject({
  ...common,
  concurrency: positive(16),
  timeoutMs: z.number().default(5_000),
  maxBackoffMs: positive(60 * 60 * 1000),
  batchWindowMs: timer(20, 0),
  lockDurationMs: timer(30_000),
  stalledIntervalMs: timer(30_000),
  keepFailedMs: positive(7 * 24 * 60 * 60 * 1000),
  dedupe: z
    .union([
      z.literal(false),
      optionsObject({
        ttlMs: positive(24 * 60 * 60 * 1000),
        secret: z
          .string({ error: 'must be a string: a secret of this deployment (or set IDSTITCH_QUEUE_SECRET)' })
          .min(16, 'must be at least 16 characters')
          // prefault, not default: the environment's secret is checked like one given (a default is not).
          .prefault(() => process.env.IDSTITCH_QUEUE_SECRET as string),
      }),
    ])
    .optional(),
})

/** Options checked by `schema`; a `ConfigError` naming the first option at fault otherwise. */
const check = <T extends z.ZodType>(schema: T, options: unknown): z.output<T> => {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object')
  const parsed = schema.safeParse(options)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  // An option not taken: the path names it (`dedupe.ttl`), not the object it is in.
  const path = issue?.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys.slice(0, 1)] : (issue?.path ?? [])
  throw new ConfigError(path.join('.') || 'options', issue?.message ?? 'is invalid')
}

/** De-duplication's settings: as given, or on when the environment has a secret, or off. */
const dedupeOf = (options: WorkerOptions) => {
  if (options.dedupe !== undefined) return options.dedupe
  const secret = process.env.IDSTITCH_QUEUE_SECRET
  return secret === undefined || secret === '' ? false : {}
}

/** What `createQueue` checks itself: Redis and BullMQ's options (the rest is `createPipeline`'s). */
export const resolveQueueOptions = (options: QueueOptions) => {
  const checked = check(queueSchema, options)
  return { ...checked, providers: options.providers, onError: checked.onError, telemetry: options.telemetry }
}

/** What `createWorker` checks itself: Redis and BullMQ's options (each provider and `timeoutMs` are `createSender`'s, the logger `createLogger`'s). */
export const resolveWorkerOptions = (options: WorkerOptions) => {
  // Options that are no object (`null`, from a config file) are `check`'s ConfigError, before dedupeOf reads them.
  const given: unknown = options
  const checked = check(workerSchema, typeof given === 'object' && given !== null ? { ...options, dedupe: dedupeOf(options) } : given)
  return { ...checked, dedupe: checked.dedupe ?? false, providers: options.providers, logger: options.logger, onError: checked.onError, telemetry: options.telemetry }
}
