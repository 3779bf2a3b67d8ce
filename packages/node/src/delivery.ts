import { HttpError, IdstitchError, NetworkError, TimeoutError, type Provider, type ProviderRequest } from '@idstitch/core'
import { isRetryableStatus, parseRetryAfter, retryDelay, utf8Length, type BackoffOptions } from '@idstitch/core/internal'
import { createRateLimiter } from './rate-limit.js'
import type { Redactor } from './redact.js'
import type { Transport } from './transport.js'

/** How one message fared with one provider, before it becomes a `ProviderResult`. */
export interface Delivery {
  status: 'delivered' | 'failed'
  attempts: number
  httpStatus?: number
  data?: unknown
  error?: IdstitchError
}

/** When a message must be finished by: `at` (epoch ms; `Infinity` for never) and the `ms` it was given. */
export interface Deadline {
  at: number
  ms: number
}

export interface DeliveryOptions {
  transport: Transport
  concurrency: number
  timeoutMs: number
  retryLimit: number
  backoff: BackoffOptions | ((retry: number) => number)
  now: () => number
  random: () => number
  /** Errors and bodies may echo a key back: they pass through it. */
  redact: Pick<Redactor, 'text' | 'value'>
}

/**
 * Who waits for a job: `delivered(slot, delivery)` is called once per job. An
 * object and a slot number rather than a callback, so a burst of pending
 * identifies holds no closure per provider (see bench/).
 */
export interface DeliveryListener {
  delivered(slot: number, delivery: Delivery): void
}

/** One prepared item to deliver. */
export interface Job {
  item: unknown
  /** The item's JSON size, when the adapter measured it (batching needs it, and measures it otherwise). */
  bytes?: number | undefined
  deadline: Deadline
  listener: DeliveryListener
  /** Handed back to `listener.delivered`. */
  slot: number
}

/** A delivery lane: jobs in, one `delivered` call per job out. */
export interface DeliveryLane {
  /**
   * Queues one prepared item and calls `job.listener.delivered(job.slot, …)`
   * once, when it is delivered or has finally failed, by its deadline at the latest.
   */
  enqueue(job: Job): void
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The least time left before a deadline for which an attempt is started (a tenth of a shorter deadline). */
const MIN_ATTEMPT_MS = 10

/**
 * The transport times out an attempt that gets no response in `timeoutMs`.
 * The lane's own timer is a backstop, at the deadline or at this many times
 * `timeoutMs`, for what a transport's timeout does not cover (ky's ends when
 * the headers arrive, so a body that stalls after them would hang).
 */
const BACKSTOP_FACTOR = 2

/** Room left in a batch body for its wrapper (`{"batch":[…]}`) and separators. */
const BATCH_OVERHEAD = 64

/** The outcome of one attempt: a final delivery, or a failure worth retrying (after `retryAfterMs`, when the server said). */
type AttemptOutcome = { final: true; delivery: Delivery } | { final: false; delivery: Delivery; retryAfterMs?: number | undefined }

/**
 * One provider's delivery lane: a queue, a concurrency limit, batching for
 * providers that take several items a request, the provider's rate limit,
 * and retries with backoff bounded by each message's deadline.
 */
export const createDeliveryLane = (provider: Provider, options: DeliveryOptions): DeliveryLane => {
  // A FIFO with a head index: shift() on a 20,000-item array is quadratic.
  let queue: Required<Job>[] = []
  let head = 0
  const limiter = provider.rateLimit && createRateLimiter(provider.rateLimit)
  let active = 0
  let scheduled = false
  let sweeper: ReturnType<typeof setTimeout> | undefined

  /** Hands a job its outcome; one job's listener failing must not keep the others from theirs. */
  const finish = (job: Job, delivery: Delivery): void => {
    try {
      job.listener.delivered(job.slot, delivery)
    } catch {
      // The client's listeners do not throw; this only guards the lane.
    }
  }

  const expired = (deadline: Deadline, attempts = 0): Delivery => ({ status: 'failed', attempts, error: new TimeoutError(provider.name, deadline.ms, 'deadline') })

  // ---- the queue

  /**
   * Ends, at their deadline, the jobs still waiting in the queue, so a queued
   * identify resolves on time. Every identify of a client has the same
   * `deadlineMs`, so the queue is in deadline order: one timer for its head.
   */
  const sweep = (): void => {
    sweeper = undefined
    const now = options.now()
    while (head < queue.length && (queue[head] as Job).deadline.at <= now) {
      const job = queue[head++] as Job
      finish(job, expired(job.deadline))
    }
    arm()
  }
  const arm = (): void => {
    const next = queue[head]
    if (sweeper === undefined && next && next.deadline.at !== Infinity) sweeper = setTimeout(sweep, Math.max(0, next.deadline.at - options.now()))
  }

  /** The next request's jobs: one, or as many as the provider's batch limits allow. */
  const takeBatch = (): Job[] => {
    const first = queue[head++] as Required<Job>
    const batch: Job[] = [first]
    if (provider.batch) {
      let bytes = first.bytes + BATCH_OVERHEAD
      while (head < queue.length && batch.length < provider.batch.maxItems) {
        const next = queue[head] as Required<Job>
        if (bytes + next.bytes + 1 > provider.batch.maxBytes) break
        bytes += next.bytes + 1
        batch.push(next)
        head++
      }
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head)
      head = 0
    }
    return batch
  }

  /** Starts requests while there is room under the concurrency limit. */
  const pump = (): void => {
    scheduled = false
    while (active < options.concurrency && head < queue.length) {
      const jobs = takeBatch()
      active++
      void send(jobs).then((delivery) => {
        active--
        for (const job of jobs) finish(job, delivery)
        pump()
      })
    }
    if (head >= queue.length && sweeper !== undefined) {
      clearTimeout(sweeper)
      sweeper = undefined
    }
  }

  // ---- one request, its attempts and retries

  /** The jobs of a batch were queued together; the soonest deadline ends the shared request. */
  const soonest = (jobs: Job[]): Deadline => jobs.reduce((first, job) => (job.deadline.at < first.at ? job.deadline : first), (jobs[0] as Job).deadline)

  /**
   * With less time left than this, an attempt could not finish: it is not started. It would
   * reach the provider (which may act on it) only to be aborted and reported failed. This
   * also covers timers, which fire up to a few ms before Date.now() reaches their aim.
   */
  const roomFor = (deadline: Deadline): number => Math.min(MIN_ATTEMPT_MS, deadline.ms / 10)

  /** Waits for the provider's rate limit to allow a request; `false` when no slot frees up before `deadline`. */
  const waitForSlot = async (deadline: Deadline): Promise<boolean> => {
    if (!limiter) return true
    for (;;) {
      const wait = limiter.wait(options.now())
      if (wait === 0) {
        limiter.record(options.now())
        return true
      }
      if (wait >= deadline.at - options.now()) return false
      await sleep(wait)
    }
  }

  const noSlot = (attempts: number): Delivery => ({
    status: 'failed',
    attempts,
    error: new IdstitchError(
      'client_rate_limited',
      `[idstitch] ${provider.name}: the provider's limit of ${provider.rateLimit?.limit} requests per ${Math.round((provider.rateLimit?.windowMs ?? 0) / 1000)} s is reached and no slot frees up before the deadline; nothing was sent`,
      { provider: provider.name },
    ),
  })

  /** One HTTP attempt, bounded by the transport's timeout and the lane's backstop; never rejects. */
  const attempt = async (request: ProviderRequest, deadline: Deadline, attempts: number): Promise<AttemptOutcome> => {
    const remaining = deadline.at - options.now()
    const byDeadline = remaining <= options.timeoutMs * BACKSTOP_FACTOR
    const controller = new AbortController()
    // One timer per attempt, wired by hand: per-message AbortSignal.timeout()/any() cost more CPU
    // and, on Node 20, memory than the rest of a message's delivery (see bench/).
    const backstop = setTimeout(() => controller.abort(), byDeadline ? remaining : options.timeoutMs * BACKSTOP_FACTOR)
    try {
      const response = await options.transport.send(request, { timeoutMs: options.timeoutMs, signal: controller.signal })
      const outcome = provider.parse(response)
      if (outcome.ok) return { final: true, delivery: { status: 'delivered', attempts, httpStatus: response.status, data: outcome.data } }
      const error = new HttpError(provider.name, response.status, options.redact.text(outcome.message), { code: outcome.code ?? 'http_error', body: options.redact.value(response.body) })
      const delivery: Delivery = { status: 'failed', attempts, httpStatus: response.status, error }
      if (!isRetryableStatus(response.status)) return { final: true, delivery }
      return { final: false, delivery, retryAfterMs: parseRetryAfter(response.headers['retry-after'], options.now()) }
    } catch (error) {
      if (controller.signal.aborted && byDeadline) return { final: true, delivery: expired(deadline, attempts) }
      const timedOut = controller.signal.aborted || (error as { name?: unknown } | null)?.name === 'TimeoutError'
      return { final: false, delivery: { status: 'failed', attempts, error: timedOut ? new TimeoutError(provider.name, options.timeoutMs) : new NetworkError(provider.name, error) } }
    } finally {
      clearTimeout(backstop)
    }
  }

  /** How long to wait before retry number `retry`: the server's `Retry-After` (capped), or backoff with jitter. */
  const delayFor = (retry: number, retryAfterMs: number | undefined): number =>
    typeof options.backoff === 'function'
      ? (retryAfterMs ?? Math.max(0, options.backoff(retry)))
      : retryDelay(retry, retryAfterMs, options.backoff, options.random())

  /** Delivers one request for `jobs`: attempts, waiting for the rate limit and backing off between them. Never rejects. */
  const send = async (jobs: Job[]): Promise<Delivery> => {
    const deadline = soonest(jobs)
    const room = roomFor(deadline)
    let attempts = 0
    let last: Delivery | undefined
    try {
      const request = provider.request(jobs.map((job) => job.item))
      for (;;) {
        if (deadline.at - options.now() < room) return last ?? expired(deadline, attempts)
        if (!(await waitForSlot(deadline))) return last ?? noSlot(attempts)
        const outcome = await attempt(request, deadline, ++attempts)
        last = outcome.delivery
        if (outcome.final || attempts > options.retryLimit) return last
        const delay = delayFor(attempts, outcome.retryAfterMs)
        // A retry that could not start in time is not worth waiting for.
        if (options.now() + delay > deadline.at - room) return last
        await sleep(delay)
      }
    } catch (error) {
      // A bug in an adapter (request/parse threw) fails this delivery, never the host app.
      const message = error instanceof Error ? error.message : String(error)
      const failure = new IdstitchError('internal_error', `[idstitch] ${provider.name}: adapter failed: ${options.redact.text(message)}`, { provider: provider.name, cause: error })
      return { status: 'failed', attempts, error: failure }
    }
  }

  return {
    enqueue(job) {
      job.bytes = provider.batch ? (job.bytes ?? utf8Length(JSON.stringify(job.item))) : 0
      queue.push(job as Required<Job>)
      if (!scheduled) {
        scheduled = true
        // Everything queued in the same tick may share a request.
        queueMicrotask(() => {
          pump()
          arm()
        })
      }
    },
  }
}
