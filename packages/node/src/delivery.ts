import {
  HttpError,
  IdstitchError,
  NetworkError,
  TimeoutError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  utf8Length,
  type BackoffOptions,
  type Provider,
} from '@idstitch/core'
import { createRateLimiter, type RateLimiter } from './rate-limit.js'
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
  /** Removes every configured secret from text (errors may echo a key back). */
  redact: (text: string) => string
}

/**
 * Who waits for a job: `delivered(slot, delivery)` is called once per job. An
 * object and a slot number rather than a callback, so a burst of pending
 * identifies holds no closure per provider (see bench/).
 */
export interface DeliveryListener {
  delivered(slot: number, delivery: Delivery): void
}

interface Job {
  item: unknown
  bytes: number
  deadline: Deadline
  listener: DeliveryListener
  slot: number
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A signal for one attempt, aborted after `ms`. One timer per attempt, wired by
 * hand: per-message AbortSignal.timeout()/any() cost more CPU and, on Node 20,
 * memory than the rest of a message's delivery (see bench/).
 */
const attemptSignal = (ms: number): { signal: AbortSignal; done: () => void } => {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), ms)
  return { signal: controller.signal, done: () => clearTimeout(timer) }
}

/** A copy of a response body with secrets removed from every string in it. */
const redactBody = (body: unknown, redact: (text: string) => string): unknown => {
  if (body === undefined) return undefined
  const text = JSON.stringify(body)
  const clean = redact(text)
  return clean === text ? body : (JSON.parse(clean) as unknown)
}

/** The least time left before a deadline for which an attempt is started (a tenth of a shorter deadline). */
const MIN_ATTEMPT_MS = 10

/** Room left in a batch body for its wrapper (`{"batch":[…]}`) and separators. */
const BATCH_OVERHEAD = 64

/**
 * One provider's delivery lane: a queue, a concurrency limit, batching for
 * providers that take several items a request, the provider's rate limit,
 * and retries with backoff bounded by each message's deadline.
 */
export const createDeliveryLane = (provider: Provider, options: DeliveryOptions) => {
  // A FIFO with a head index: shift() on a 20,000-item array is quadratic.
  let queue: Job[] = []
  let head = 0
  const limiter: RateLimiter | undefined = provider.rateLimit && createRateLimiter(provider.rateLimit)
  let active = 0
  let scheduled = false
  let sweeper: ReturnType<typeof setTimeout> | undefined

  /** Hands a job its outcome; one job's listener failing must not keep the others from theirs. */
  const finish = (job: Job, delivery: Delivery): void => {
    try {
      job.listener.delivered(job.slot, delivery)
    } catch {
      // The client's callbacks do not throw; this only guards the lane.
    }
  }

  const expired = (deadline: Deadline): Delivery => ({ status: 'failed', attempts: 0, error: new TimeoutError(provider.name, deadline.ms, 'deadline') })

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

  const takeBatch = (): Job[] => {
    const first = queue[head++] as Job
    const batch = [first]
    if (provider.batch) {
      let bytes = first.bytes + BATCH_OVERHEAD
      while (head < queue.length && batch.length < provider.batch.maxItems) {
        const next = queue[head] as Job
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

  const delayFor = (retry: number, retryAfterMs: number | undefined): number =>
    typeof options.backoff === 'function'
      ? (retryAfterMs ?? Math.max(0, options.backoff(retry)))
      : retryDelay(retry, retryAfterMs, options.backoff, options.random())

  /** Delivers one request for `jobs`; never rejects. */
  const send = async (jobs: Job[]): Promise<Delivery> => {
    // The jobs of a batch were queued together; the soonest deadline ends the shared request.
    const deadline = jobs.reduce((soonest, job) => (job.deadline.at < soonest.at ? job.deadline : soonest), (jobs[0] as Job).deadline)
    // With less time left than this, an attempt could not finish: it is not started. It would reach
    // the provider (which may act on it) only to be aborted and reported failed. This also covers
    // timers, which fire up to a few ms before Date.now() reaches the deadline they aimed at.
    const room = Math.min(MIN_ATTEMPT_MS, deadline.ms / 10)
    let attempts = 0
    let last: Delivery | undefined
    try {
      const request = provider.request(jobs.map((job) => job.item))
      for (;;) {
        const remaining = deadline.at - options.now()
        if (remaining < room) return last ?? expired(deadline)
        if (limiter) {
          const wait = limiter.wait(options.now())
          if (wait > 0) {
            if (wait >= remaining) {
              return last ?? {
                status: 'failed',
                attempts,
                error: new IdstitchError('rate_limited', `[idstitch] ${provider.name}: the provider's limit of ${provider.rateLimit?.limit} requests per ${Math.round((provider.rateLimit?.windowMs ?? 0) / 1000)} s is reached and no slot frees up before the deadline`, { provider: provider.name }),
              }
            }
            await sleep(wait)
            continue
          }
          limiter.record(options.now())
        }
        attempts++
        // The attempt ends at its own timeout or at the deadline, whichever comes first.
        const byDeadline = remaining < options.timeoutMs
        const attempt = attemptSignal(byDeadline ? remaining : options.timeoutMs)
        let retryAfterMs: number | undefined
        try {
          const response = await options.transport.send(request, attempt.signal).finally(attempt.done)
          const outcome = provider.parse(response)
          if (outcome.ok) return { status: 'delivered', attempts, httpStatus: response.status, data: outcome.data }
          last = {
            status: 'failed',
            attempts,
            httpStatus: response.status,
            error: new HttpError(provider.name, response.status, options.redact(outcome.message), {
              code: outcome.code ?? 'http_error',
              body: redactBody(response.body, options.redact),
            }),
          }
          if (!isRetryableStatus(response.status)) return last
          retryAfterMs = parseRetryAfter(response.headers['retry-after'], options.now())
        } catch (error) {
          if (attempt.signal.aborted && byDeadline) return { status: 'failed', attempts, error: expired(deadline).error }
          last = {
            status: 'failed',
            attempts,
            error: attempt.signal.aborted ? new TimeoutError(provider.name, options.timeoutMs) : new NetworkError(provider.name, error),
          }
        }
        if (attempts > options.retryLimit) return last
        const delay = delayFor(attempts, retryAfterMs)
        // A retry that could not start in time is not worth waiting for.
        if (options.now() + delay > deadline.at - room) return last
        await sleep(delay)
      }
    } catch (error) {
      // A bug in an adapter (request/parse threw) fails this delivery, never the host app.
      const message = error instanceof Error ? error.message : String(error)
      return { status: 'failed', attempts, error: new IdstitchError('provider_rejected', `[idstitch] ${provider.name}: adapter failed: ${options.redact(message)}`, { provider: provider.name, cause: error }) }
    }
  }

  return {
    /**
     * Queues one prepared item (`measured`: its JSON size, if the adapter knows
     * it) and calls `listener.delivered(slot, …)` once, when it is delivered or
     * has finally failed, by its deadline at the latest.
     */
    enqueue(item: unknown, deadline: Deadline, measured: number | undefined, listener: DeliveryListener, slot: number): void {
      const bytes = provider.batch ? (measured ?? utf8Length(JSON.stringify(item))) : 0
      queue.push({ item, bytes, deadline, listener, slot })
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

export type DeliveryLane = ReturnType<typeof createDeliveryLane>
