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

/** When a message must be finished by: `at` (epoch ms) and a signal that aborts then. */
export interface Deadline {
  at: number
  ms: number
  signal: AbortSignal
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

interface Job {
  item: unknown
  bytes: number
  deadline: Deadline
  resolve: (delivery: Delivery) => void
}

/** Waits `ms`, or less when `signal` aborts. Never rejects. */
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })

/**
 * A signal for one attempt: aborted at the deadline or after `timeoutMs`.
 * Wired by hand rather than with AbortSignal.any(), which on Node 20 keeps every
 * derived signal alive as long as its long-lived source (hundreds of MB in a
 * 20,000-message burst, see bench/).
 */
const attemptSignal = (deadline: AbortSignal | undefined, timeoutMs: number): { signal: AbortSignal; done: () => void } => {
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  const timer = setTimeout(abort, timeoutMs)
  deadline?.addEventListener('abort', abort, { once: true })
  if (deadline?.aborted) abort()
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer)
      deadline?.removeEventListener('abort', abort)
    },
  }
}

/** A copy of a response body with secrets removed from every string in it. */
const redactBody = (body: unknown, redact: (text: string) => string): unknown => {
  if (body === undefined) return undefined
  const text = JSON.stringify(body)
  const clean = redact(text)
  return clean === text ? body : (JSON.parse(clean) as unknown)
}

/** Room left in a batch body for its wrapper (`{"batch":[…]}`) and separators. */
const BATCH_OVERHEAD = 64

/**
 * One provider's delivery lane: a queue, a concurrency limit, batching for
 * providers that take several items a request, the provider's rate limit,
 * and retries with backoff bounded by each message's deadline.
 */
export const createDeliveryLane = (provider: Provider, options: DeliveryOptions) => {
  const queue: Job[] = []
  const limiter: RateLimiter | undefined = provider.rateLimit && createRateLimiter(provider.rateLimit)
  let active = 0
  let scheduled = false

  const takeBatch = (): Job[] => {
    const first = queue.shift() as Job
    const batch = [first]
    if (!provider.batch) return batch
    let bytes = first.bytes + BATCH_OVERHEAD
    while (queue.length > 0 && batch.length < provider.batch.maxItems) {
      const next = queue[0] as Job
      if (bytes + next.bytes + 1 > provider.batch.maxBytes) break
      bytes += next.bytes + 1
      batch.push(queue.shift() as Job)
    }
    return batch
  }

  const pump = (): void => {
    scheduled = false
    while (active < options.concurrency && queue.length > 0) {
      const jobs = takeBatch()
      active++
      void send(jobs).then((delivery) => {
        active--
        for (const job of jobs) job.resolve(delivery)
        pump()
      })
    }
  }

  const delayFor = (retry: number, retryAfterMs: number | undefined): number =>
    typeof options.backoff === 'function'
      ? (retryAfterMs ?? Math.max(0, options.backoff(retry)))
      : retryDelay(retry, retryAfterMs, options.backoff, options.random())

  /** Delivers one request for `jobs`; never rejects. */
  const send = async (jobs: Job[]): Promise<Delivery> => {
    const deadline = jobs.reduce((soonest, job) => (job.deadline.at < soonest.at ? job.deadline : soonest), (jobs[0] as Job).deadline)
    // The soonest deadline ends the shared request: the jobs of a batch were queued together.
    const { signal } = deadline
    const deadlineError = () => new TimeoutError(provider.name, deadline.ms, 'deadline')
    let attempts = 0
    let last: Delivery | undefined
    try {
      const request = provider.request(jobs.map((job) => job.item))
      for (;;) {
        if (signal.aborted) return last ?? { status: 'failed', attempts, error: deadlineError() }
        if (limiter) {
          const wait = limiter.wait(options.now())
          if (wait > 0) {
            if (options.now() + wait >= deadline.at) {
              return last ?? {
                status: 'failed',
                attempts,
                error: new IdstitchError('rate_limited', `[idstitch] ${provider.name}: the provider's limit of ${provider.rateLimit?.limit} requests per ${Math.round((provider.rateLimit?.windowMs ?? 0) / 1000)} s is reached and no slot frees up before the deadline`, { provider: provider.name }),
              }
            }
            await sleep(wait, signal)
            continue
          }
          limiter.record(options.now())
        }
        attempts++
        // Without a deadline (deadlineMs: false) there is nothing to listen to.
        const attempt = attemptSignal(deadline.at === Infinity ? undefined : signal, options.timeoutMs)
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
          if (signal.aborted) return { status: 'failed', attempts, error: deadlineError() }
          const timedOut = attempt.signal.aborted
          last = { status: 'failed', attempts, error: timedOut ? new TimeoutError(provider.name, options.timeoutMs) : new NetworkError(provider.name, error) }
        }
        if (attempts > options.retryLimit) return last
        const delay = delayFor(attempts, retryAfterMs)
        // A retry that could not start before the deadline is not worth waiting for.
        if (options.now() + delay >= deadline.at) return last
        await sleep(delay, signal)
      }
    } catch (error) {
      // A bug in an adapter (request/parse threw) fails this delivery, never the host app.
      const message = error instanceof Error ? error.message : String(error)
      return { status: 'failed', attempts, error: new IdstitchError('provider_rejected', `[idstitch] ${provider.name}: adapter failed: ${options.redact(message)}`, { provider: provider.name, cause: error }) }
    }
  }

  return {
    /** Queues one prepared item; resolves when it is delivered or has finally failed. */
    enqueue(item: unknown, deadline: Deadline): Promise<Delivery> {
      return new Promise((resolve) => {
        const bytes = provider.batch ? utf8Length(JSON.stringify(item)) : 0
        queue.push({ item, bytes, deadline, resolve })
        if (!scheduled) {
          scheduled = true
          // Everything queued in the same tick may share a request.
          queueMicrotask(pump)
        }
      })
    },
    /** Messages queued or in flight. */
    get size() {
      return queue.length + active
    },
  }
}

export type DeliveryLane = ReturnType<typeof createDeliveryLane>
