import { HttpError, IdstitchError, NetworkError, TimeoutError, type Provider, type ProviderRequest, type ProviderResponse } from '@idstitch/core'
import { isRetryableStatus, parseRetryAfter, retryDelay, utf8Length, type BackoffOptions } from '@idstitch/core/internal'
import { createFifo } from './fifo.js'
import { createRateLimiter } from './rate-limit.js'
import { alsoRedacting, type Redactor } from './redact.js'
import type { Transport } from './transport.js'

/** How one message fared with one provider, before it becomes a `ProviderResult`. */
export interface Delivery {
  status: 'delivered' | 'failed'
  attempts: number
  httpStatus?: number
  data?: unknown
  error?: IdstitchError
  /** The last attempt reached the provider and got no answer (timed out, or aborted at the deadline): it may have been accepted. */
  maybeDelivered?: boolean
  /** How long the provider's `Retry-After` on the last attempt asked to wait, in ms. */
  retryAfterMs?: number
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
  /** A `Retry-After` up to this pauses the provider; a longer one fails what is queued at once. */
  maxRetryAfterMs: number
  now: () => number
  random: () => number
  /** Errors and bodies may echo a key back: they pass through it. */
  redact: Pick<Redactor, 'text' | 'value' | 'error'>
  /** The circuit breaker; default on. A queue worker turns it off: BullMQ's backoff per job spaces its retries instead. */
  breaker?: boolean
  /** The most bytes of an answer's body a transport reads (default 1 MiB). */
  maxResponseBytes?: number
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

/** One request on its way: the jobs it carries, and its attempts so far. */
interface Flight {
  jobs: Job[]
  /** Built on its first attempt; then the next request of its chain once one is accepted. */
  request?: ProviderRequest
  /** The request's place in its chain (0 for the first). */
  step: number
  /** What the accepted requests of the chain answered, in order. */
  answers: unknown[]
  /** The soonest deadline of its jobs. */
  deadline: Deadline
  /** The least time left for which an attempt is started. */
  room: number
  /** Attempts of every request of the chain (reported), and of the current one (bounded by `retryLimit`). */
  attempts: number
  tries: number
  last?: Delivery
}

/** The outcome of one attempt: a final delivery, or a failure worth retrying (after `retryAfterMs`, when the server said). */
type AttemptOutcome = { final: boolean; delivery: Delivery; retryAfterMs?: number | undefined }

/** How one attempt is bounded (see `boundsOf`). */
interface AttemptBounds {
  remaining: number
  byDeadline: boolean
  backstop: { controller: AbortController; timer: ReturnType<typeof setTimeout> } | undefined
}

/** The least time left before a deadline for which an attempt is started (a tenth of a shorter deadline). */
const MIN_ATTEMPT_MS = 10

/**
 * A transport that is not `bounded` (one an app wrote) may not end an attempt
 * by itself: the lane aborts it at the deadline or at this many times
 * `timeoutMs`, through an AbortSignal. Both built-in transports are bounded,
 * and carry no signal: in Node, one per request costs about a third of a
 * keep-alive request's CPU (see bench/).
 */
const BACKSTOP_FACTOR = 2

/** An AbortController aborted after `ms`: the lane's backstop for a transport that is not bounded. */
const abortAfter = (ms: number): { controller: AbortController; timer: ReturnType<typeof setTimeout> } => {
  const controller = new AbortController()
  return { controller, timer: setTimeout(() => controller.abort(), ms) }
}

/** Room left in a batch body for its wrapper (`{"batch":[…]}`) and separators. */
const BATCH_OVERHEAD = 64

/**
 * The circuit breaker: after this many attempts in a row fail (network
 * errors, timeouts, 408, 429 without `Retry-After`, 5xx), the provider is
 * taken as down. It was 10, and opened by chance: with 30 % of attempts
 * failing at random, ten in a row start at any given attempt with a chance
 * of 0.7 × 0.3^10 (1 in 240,000), but a burst of 20,000 identifies makes
 * ~28,000 attempts, so one burst in nine opened it (the second review saw 2
 * in 25), and once open, a single failure after the cooldown reopened it for
 * twice as long. Twenty in a row: 1 in 4 × 10^10 per attempt, so about once
 * in a million such bursts; a provider that is down fails twenty attempts in
 * a fraction of a second.
 */
const BREAKER_THRESHOLD = 20
/** How long the breaker stays open the first time; it doubles each time it opens again, up to the maximum. */
const BREAKER_COOLDOWN_MS = 5_000
const BREAKER_MAX_COOLDOWN_MS = 60_000

/**
 * One provider's delivery lane: a queue, a concurrency limit, batching for
 * providers that take several items a request, the provider's rate limit,
 * retries with backoff bounded by each message's deadline, a pause for
 * everyone when the provider sends `Retry-After`, and a circuit breaker.
 *
 * A concurrency slot is held only while an attempt is on the wire: a request
 * waiting for its backoff, the rate limit or a pause holds none, so healthy
 * messages keep flowing past failing ones.
 */
export const createDeliveryLane = (provider: Provider, options: DeliveryOptions): DeliveryLane => {
  const queue = createFifo<Required<Job>>()
  /** Flights whose backoff or rate-limit wait is over, ahead of new jobs. */
  let ready: Flight[] = []
  const limiter = provider.rateLimit && createRateLimiter(provider.rateLimit)
  let active = 0
  let scheduled = false
  let wakeAt = Infinity
  let waker: ReturnType<typeof setTimeout> | undefined
  /** No attempt starts before this (the provider's `Retry-After`). */
  let pausedUntil = 0
  /** Everything fails at once until this: the provider asked to wait longer than `maxRetryAfterMs`. */
  let unavailableUntil = 0
  const breaker = { failures: 0, openUntil: 0, cooldownMs: BREAKER_COOLDOWN_MS }

  // ---- outcomes

  /** Hands each job its outcome; one job's listener failing must not keep the others from theirs. */
  const finish = (jobs: readonly Job[], delivery: Delivery): void => {
    for (const job of jobs) {
      try {
        job.listener.delivered(job.slot, delivery)
      } catch {
        // The client's listeners do not throw; this only guards the lane.
      }
    }
  }

  const expired = (deadline: Deadline, attempts = 0): Delivery => ({ status: 'failed', attempts, error: new TimeoutError(provider.name, deadline.ms, 'deadline') })

  const refusal = (code: 'client_rate_limited' | 'circuit_open' | 'provider_unavailable', attempts: number): Delivery => {
    const now = options.now()
    const why = {
      client_rate_limited: `the provider's limit of ${provider.rateLimit?.limit} requests per ${Math.round((provider.rateLimit?.windowMs ?? 0) / 1000)} s is reached and no slot frees up before the deadline`,
      circuit_open: `every attempt failed lately (${BREAKER_THRESHOLD} in a row); the provider gets no request for ${Math.ceil((breaker.openUntil - now) / 1000)} s`,
      provider_unavailable: `the provider asked to wait ${Math.ceil((unavailableUntil - now) / 1000)} s (Retry-After), longer than maxRetryAfterMs allows`,
    }[code]
    const error = new IdstitchError(code, `[idstitch] ${provider.name}: ${why}; nothing more was sent`, { provider: provider.name })
    // How long until the provider may be sent to again (a queue worker pauses every worker for it).
    const until = code === 'circuit_open' ? breaker.openUntil : code === 'provider_unavailable' ? unavailableUntil : 0
    return { status: 'failed', attempts, error, ...(until > now ? { retryAfterMs: until - now } : {}) }
  }

  // ---- the queue

  /** The next request's jobs: one, or as many as the provider's batch limits allow. */
  const takeBatch = (): Job[] => {
    const first = queue.shift() as Required<Job>
    const batch: Job[] = [first]
    if (provider.batch) {
      let bytes = first.bytes + BATCH_OVERHEAD
      while (queue.size > 0 && batch.length < provider.batch.maxItems) {
        const next = queue.peek() as Required<Job>
        if (bytes + next.bytes + 1 > provider.batch.maxBytes) break
        bytes += next.bytes + 1
        batch.push(queue.shift() as Required<Job>)
      }
    }
    return batch
  }

  /** A flight for the next queued jobs; the soonest deadline of a batch ends the shared request. */
  const board = (): Flight => {
    const jobs = takeBatch()
    const deadline = jobs.reduce((first, job) => (job.deadline.at < first.at ? job.deadline : first), (jobs[0] as Job).deadline)
    // With less time left than `room`, an attempt could not finish: it is not started. It would reach the
    // provider (which may act on it) only to be aborted and reported failed. This also covers timers,
    // which fire up to a few ms before Date.now() reaches their aim.
    return { jobs, deadline, room: Math.min(MIN_ATTEMPT_MS, deadline.ms / 10), step: 0, answers: [], attempts: 0, tries: 0 }
  }

  /** The last moment an attempt of `flight` may start. */
  const lastStart = (flight: Flight): number => flight.deadline.at - flight.room

  /** Ends, at their deadline, the jobs and flights still waiting, so every identify resolves on time. */
  const expireWaiting = (now: number): void => {
    while (queue.size > 0 && (queue.peek() as Job).deadline.at <= now) {
      const job = queue.shift() as Job
      finish([job], expired(job.deadline))
    }
    if (ready.length === 0) return
    const waiting: Flight[] = []
    for (const flight of ready) {
      if (lastStart(flight) < now) finish(flight.jobs, flight.last ?? expired(flight.deadline, flight.attempts))
      else waiting.push(flight)
    }
    ready = waiting
  }

  /** Fails everything waiting at once with `delivery`'s error (the provider is down, or asked for a long pause). */
  const failWaiting = (delivery: (attempts: number) => Delivery): void => {
    while (queue.size > 0) finish([queue.shift() as Job], delivery(0))
    const flights = ready
    ready = []
    for (const flight of flights) finish(flight.jobs, flight.last ?? delivery(flight.attempts))
  }

  /**
   * Wakes the lane at `at` (the end of a pause, or the next deadline of what waits); with nothing
   * waiting (`Infinity`), no timer is left to keep the process alive.
   */
  const wakeUpAt = (at: number): void => {
    if (at === Infinity && waker !== undefined) {
      clearTimeout(waker)
      waker = undefined
      wakeAt = Infinity
    }
    if (at >= wakeAt) return
    if (waker !== undefined) clearTimeout(waker)
    wakeAt = at
    waker = setTimeout(() => {
      waker = undefined
      wakeAt = Infinity
      pump()
    }, Math.max(0, at - options.now()))
  }

  /** The soonest moment something waiting must be looked at again: its deadline. */
  const nextDeadline = (): number => {
    let at = queue.peek()?.deadline.at ?? Infinity
    for (const flight of ready) at = Math.min(at, lastStart(flight))
    return at
  }

  /** Starts attempts while there is a free slot and the provider may be sent to. */
  const pump = (): void => {
    scheduled = false
    const now = options.now()
    expireWaiting(now)
    if (unavailableUntil > now) failWaiting((attempts) => refusal('provider_unavailable', attempts))
    else if (breaker.openUntil > now) failWaiting((attempts) => refusal('circuit_open', attempts))
    else if (pausedUntil > now) {
      const waiting = nextDeadline()
      wakeUpAt(waiting === Infinity ? Infinity : Math.min(pausedUntil, waiting))
      return
    }
    while (active < options.concurrency && unavailableUntil <= now && breaker.openUntil <= now) {
      const flight = ready.shift() ?? (queue.size > 0 ? board() : undefined)
      if (!flight) break
      launch(flight, now)
    }
    wakeUpAt(nextDeadline())
  }

  // ---- one attempt

  /** Starts `flight`'s next attempt, or puts it to sleep for the rate limit, or ends it. */
  const launch = (flight: Flight, now: number): void => {
    const remaining = flight.deadline.at - now
    if (remaining < flight.room) {
      finish(flight.jobs, flight.last ?? expired(flight.deadline, flight.attempts))
      return
    }
    const wait = limiter ? limiter.wait(now) : 0
    if (wait >= remaining) {
      finish(flight.jobs, flight.last ?? refusal('client_rate_limited', flight.attempts))
      return
    }
    if (wait > 0) {
      sleep(flight, wait)
      return
    }
    const request = requestFor(flight)
    if (!request) return
    limiter?.record(now)
    active++
    flight.attempts++
    flight.tries++
    attempt(request, flight)
  }

  /** The flight's request, built once; an adapter that throws building it ends the flight (a bug, never the host app's failure). */
  const requestFor = (flight: Flight): ProviderRequest | undefined => {
    try {
      flight.request ??= provider.request(flight.jobs.map((job) => job.item))
      return flight.request
    } catch (error) {
      finish(flight.jobs, { status: 'failed', attempts: flight.attempts, error: adapterFailed(error, 'building the request') })
      return undefined
    }
  }

  /** A bug in the adapter, never the host app's failure: reported, redacted, as `adapter_failed`. */
  const adapterFailed = (error: unknown, doing: string): IdstitchError => {
    const message = error instanceof Error ? error.message : String(error)
    return new IdstitchError('adapter_failed', `[idstitch] ${provider.name}: adapter failed ${doing}: ${options.redact.text(message)}`, { provider: provider.name, cause: options.redact.error(error) })
  }

  /** Puts `flight` aside for `ms`, holding no slot, then ahead of new jobs. */
  const sleep = (flight: Flight, ms: number): void => {
    setTimeout(() => {
      ready.push(flight)
      pump()
    }, ms)
  }

  /** What the provider's answer to `flight`'s attempt means, by its adapter. */
  const answered = (response: ProviderResponse, flight: Flight): AttemptOutcome => {
    const { attempts } = flight
    if (response.status >= 300 && response.status < 400) return { final: true, delivery: { status: 'failed', attempts, httpStatus: response.status, error: redirected(response, flight.request?.url) } }
    const outcome = provider.parse(response, flight.step)
    if (outcome.ok) return { final: true, delivery: { status: 'delivered', attempts, httpStatus: response.status, data: outcome.data } }
    const redact = redactorFor(flight.request)
    const error = new HttpError(provider.name, response.status, redact.text(outcome.message), { code: outcome.code ?? 'http_error', body: redact.value(response.body) })
    const delivery: Delivery = { status: 'failed', attempts, httpStatus: response.status, error }
    return { final: !isRetryableStatus(response.status), delivery, retryAfterMs: parseRetryAfter(response.headers['retry-after'], options.now()) }
  }

  /**
   * A redirect, never followed (it would carry the key to another host), and not retried: named by the
   * origin it points to alone (its path or query could hold anything the provider put there).
   */
  const redirected = (response: ProviderResponse, sentTo: string | undefined): HttpError => {
    let origin = 'no valid Location'
    try {
      if (response.headers.location) origin = new URL(response.headers.location, sentTo).origin
    } catch {}
    return new HttpError(provider.name, response.status, `redirected to ${origin}, which idstitch does not follow (it would send the credentials there): point the provider's baseUrl at the right host`, { code: 'redirect_refused' })
  }

  /** The redactor for what answered `request`, built only when an attempt failed (see `alsoRedacting`). */
  const redactorFor = (request: ProviderRequest | undefined) => alsoRedacting(options.redact, request)

  /** No answer came to an attempt: the provider may have accepted it. */
  const unanswered = (error: unknown, flight: Flight, bounds: AttemptBounds): AttemptOutcome => {
    const name = (error as { name?: unknown } | null)?.name
    if (name === 'ResponseTooLargeError') {
      // The provider answered, at a length no provider documents: the request may have been accepted; sending it again would read the same.
      const failure = new IdstitchError('response_too_large', `[idstitch] ${provider.name}: ${options.redact.text((error as Error).message)} (maxResponseBytes)`, { provider: provider.name })
      return { final: true, delivery: { status: 'failed', attempts: flight.attempts, error: failure, maybeDelivered: true } }
    }
    const aborted = bounds.backstop ? bounds.backstop.controller.signal.aborted : name === 'AbortError'
    if (aborted && bounds.byDeadline) return { final: true, delivery: { ...expired(flight.deadline, flight.attempts), maybeDelivered: true } }
    const timedOut = aborted || name === 'TimeoutError'
    const failure = timedOut ? new TimeoutError(provider.name, options.timeoutMs) : new NetworkError(provider.name, redactorFor(flight.request).error(error))
    return { final: false, delivery: { status: 'failed', attempts: flight.attempts, error: failure, ...(timedOut ? { maybeDelivered: true } : {}) } }
  }

  /** How an attempt is bounded: by the deadline when it comes before `timeoutMs`, and by a backstop timer for a transport that is not bounded. */
  const boundsOf = (deadline: Deadline): AttemptBounds => {
    const remaining = deadline.at - options.now()
    const byDeadline = remaining <= options.timeoutMs * (options.transport.bounded ? 1 : BACKSTOP_FACTOR)
    const backstop = options.transport.bounded ? undefined : abortAfter(byDeadline ? remaining : options.timeoutMs * BACKSTOP_FACTOR)
    return { remaining, byDeadline, backstop }
  }

  /**
   * One HTTP attempt of `flight`, which lands whatever happens. Plain callbacks on the transport's
   * promise rather than an `async` function, which would add two promise hops to every request.
   */
  const attempt = (request: ProviderRequest, flight: Flight): void => {
    const bounds = boundsOf(flight.deadline)
    const limits = { timeoutMs: options.timeoutMs, deadlineMs: bounds.remaining, maxResponseBytes: options.maxResponseBytes, ...(bounds.backstop ? { signal: bounds.backstop.controller.signal } : {}) }
    let sent: Promise<ProviderResponse>
    try {
      sent = options.transport.send(request, limits)
    } catch (error) {
      sent = Promise.reject(error)
    }
    sent.then(
      (response) => {
        if (bounds.backstop) clearTimeout(bounds.backstop.timer)
        let outcome: AttemptOutcome
        try {
          outcome = answered(response, flight)
        } catch (error) {
          // The provider answered and the adapter could not read it: it may have accepted the request, so it is not retried.
          const failure = adapterFailed(error, 'reading the answer')
          outcome = { final: true, delivery: { status: 'failed', attempts: flight.attempts, httpStatus: response.status, error: failure, maybeDelivered: true } }
        }
        landed(flight, outcome)
      },
      (error: unknown) => {
        if (bounds.backstop) clearTimeout(bounds.backstop.timer)
        landed(flight, unanswered(error, flight, bounds))
      },
    )
  }

  // ---- after an attempt

  /** Counts attempts that say the provider is failing; opens the breaker after too many in a row. */
  const track = (outcome: AttemptOutcome, now: number): void => {
    // An attempt cut short by its identify's own deadline says nothing of the provider: it neither counts nor resets.
    if (outcome.delivery.error?.code === 'deadline_exceeded') return
    const status = outcome.delivery.httpStatus
    const failing = outcome.delivery.status === 'failed' && (status === undefined || (isRetryableStatus(status) && outcome.retryAfterMs === undefined))
    if (!failing || options.breaker === false) {
      breaker.failures = 0
      breaker.cooldownMs = BREAKER_COOLDOWN_MS
      return
    }
    if (++breaker.failures < BREAKER_THRESHOLD) return
    breaker.openUntil = now + breaker.cooldownMs
    breaker.cooldownMs = Math.min(breaker.cooldownMs * 2, BREAKER_MAX_COOLDOWN_MS)
    // After the cooldown, one more failure opens it again (with the longer cooldown); a success closes it.
    breaker.failures = BREAKER_THRESHOLD - 1
  }

  /** Honours a `Retry-After` for everyone: a pause within `maxRetryAfterMs`, past it no more requests until then. */
  const honourRetryAfter = (retryAfterMs: number, now: number): void => {
    if (retryAfterMs > options.maxRetryAfterMs) unavailableUntil = Math.max(unavailableUntil, now + retryAfterMs)
    else pausedUntil = Math.max(pausedUntil, now + retryAfterMs)
  }

  /** How long to wait before retry number `retry`: the server's `Retry-After`, or backoff with jitter. */
  const delayFor = (retry: number, retryAfterMs: number | undefined): number =>
    typeof options.backoff === 'function'
      ? (retryAfterMs ?? Math.max(0, options.backoff(retry)))
      : retryDelay(retry, retryAfterMs, options.backoff, options.random())

  /** Moves `flight` on to the next request of its chain, ahead of new jobs, with a fresh count of tries. */
  const advance = (flight: Flight, next: ProviderRequest, delivery: Delivery): void => {
    flight.answers.push(delivery.data)
    flight.request = next
    flight.step++
    flight.tries = 0
    flight.last = undefined
    ready.push(flight)
  }

  /** What happens to `flight` after an attempt: done, on to its chain's next request, or asleep until its next try. */
  const land = (flight: Flight, outcome: AttemptOutcome): void => {
    const now = options.now()
    track(outcome, now)
    const next = outcome.delivery.status === 'delivered' ? flight.request?.next : undefined
    if (next) {
      advance(flight, next, outcome.delivery)
      return
    }
    // A chain's answer is every request's, in order.
    if (flight.step > 0 && outcome.delivery.status === 'delivered') outcome.delivery.data = [...flight.answers, outcome.delivery.data]
    flight.last = outcome.delivery
    const retryAfter = outcome.delivery.status === 'failed' && !outcome.final ? outcome.retryAfterMs : undefined
    if (retryAfter !== undefined) honourRetryAfter(retryAfter, now)
    if (retryAfter !== undefined) outcome.delivery.retryAfterMs = retryAfter
    if (outcome.final || flight.tries > options.retryLimit || unavailableUntil > now || breaker.openUntil > now) {
      finish(flight.jobs, outcome.delivery)
      return
    }
    const delay = delayFor(flight.tries, retryAfter)
    // A retry that could not start in time is not worth waiting for.
    if (now + delay > flight.deadline.at - flight.room) finish(flight.jobs, outcome.delivery)
    else sleep(flight, delay)
  }

  /** An attempt is over: its slot frees up, and the next one may start. */
  const landed = (flight: Flight, outcome: AttemptOutcome): void => {
    active--
    land(flight, outcome)
    pump()
  }

  return {
    enqueue(job) {
      job.bytes = provider.batch ? (job.bytes ?? utf8Length(JSON.stringify(job.item))) : 0
      queue.push(job as Required<Job>)
      if (scheduled) return
      // A provider that takes one item a request has nothing to wait for: its attempt starts now.
      // For one that batches, everything queued in the same tick may share a request.
      if (!provider.batch) pump()
      else {
        scheduled = true
        queueMicrotask(pump)
      }
    },
  }
}
