import {
  ConfigError,
  IdstitchError,
  JsonText,
  ValidationError,
  prepareEvent,
  type IdentifyEvent,
  type IdentifyMessage,
  type Provider,
  type ProviderRequest,
} from '@idstitch/core'
import { createDeliveryLane, type Deadline, type Delivery, type DeliveryListener } from './delivery.js'
import { redactCredentials, safeLogger, type Logger } from './logger.js'
import { createKyTransport, type Transport } from './transport.js'
import { createNodeTransport } from './node-transport.js'

/** Node itself (not Bun or Deno, which also set `process.versions.node`). */
const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions?.node === 'string' && !('bun' in process.versions) && !('Deno' in globalThis)

/** How one message fared with one provider. */
export interface ProviderResult {
  /** The provider's name. */
  provider: string
  /**
   * `delivered`: the provider accepted it. `skipped`: not sent, on purpose (see `reason`).
   * `invalid`: not sent, the message breaks the provider's rules (see `error.issues`).
   * `failed`: sent and refused, or never answered (see `error`).
   */
  status: 'delivered' | 'skipped' | 'invalid' | 'failed'
  /** The last HTTP status received. */
  httpStatus?: number
  /** HTTP requests made (0 when nothing was sent). */
  attempts: number
  /** What the provider answered on success (DFend's `{ id, created, merged }`, Pathbound's `contact_id`, …). */
  data?: unknown
  /** Why it is `invalid` or `failed`: a `ValidationError`, `HttpError`, `TimeoutError`, `NetworkError` or `IdstitchError`. */
  error?: IdstitchError
  /** Why it was `skipped`. */
  reason?: string
  /** With `dryRun`: the request that would have been sent, credentials redacted. */
  request?: ProviderRequest
}

/** What `identify()` resolves to: one result per configured provider, in configuration order. */
export interface IdentifyResult {
  /** True when no provider ended `invalid` or `failed`. */
  ok: boolean
  results: ProviderResult[]
}

/** Retries of network errors, 408, 429 and 5xx. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 3; 0 disables retries. */
  limit?: number
  /**
   * The first backoff step in ms (default 200), doubling each retry, with
   * jitter; or a function from the retry number (1, 2, …) to a delay in ms.
   */
  backoff?: number | ((retry: number) => number)
  /** No computed backoff is longer than this. Default 5,000 ms. */
  maxBackoffMs?: number
  /** A server's `Retry-After` is honoured up to this many ms. Default 10,000 ms. */
  maxRetryAfterMs?: number
}

/** Passed to `onError` with each failed or invalid result. */
export interface ErrorContext {
  provider: string
  userId: string | undefined
  result: ProviderResult
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Where identifies go: `datafast(…)`, `pathbound(…)`, … from `@idstitch/node/providers`. */
  providers: readonly Provider<any>[]
  /** Per attempt. Default 5,000 ms. */
  timeoutMs?: number
  /** For a whole `identify()`, retries and queueing included, so a login route is never held longer. Default 10,000 ms; `false` for none. */
  deadlineMs?: number | false
  /** Default `{ limit: 3, backoff: 200 }`; `false` for one attempt only. */
  retry?: RetryOptions | false
  /** Requests in flight per provider. Default 8. */
  concurrency?: number
  /** Identifies accepted and not yet finished; past it, `identify()` reports `queue_full` at once. Default 50,000 (a burst of 20,000 batched identifies peaks near 100 MB). */
  maxQueue?: number
  /** Default: warnings and errors to the console. `false` for silence. */
  logger?: Logger | false
  /** Called once for each `failed` or `invalid` result. Without it, they are logged as errors. */
  onError?: (error: IdstitchError, context: ErrorContext) => void
  /** A `fetch` to send with (through ky) instead of the default transport. */
  fetch?: typeof fetch
  /** Validate and prepare requests, send nothing: each result is `skipped` with its `request`. */
  dryRun?: boolean
  /**
   * Another HTTP stack. Default: in Node, `node:http` keep-alive agents, then
   * undici pools once the client has sent 1,000 requests; in other
   * runtimes, or when `fetch` is given, ky over `fetch`.
   */
  transport?: Transport
}

/** The client {@link createClient} returns. */
export interface IdstitchClient {
  /**
   * Sends one identify to every provider in parallel. Never rejects: failures
   * are results (and go to `onError`). Awaiting is optional.
   */
  identify(message: IdentifyMessage): Promise<IdentifyResult>
  /** Resolves when every identify accepted so far has finished. */
  flush(): Promise<void>
  /** Stops accepting identifies (later ones fail with `client_closed`), then flushes. */
  shutdown(): Promise<void>
}

const isProvider = (value: unknown): value is Provider =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Provider).name === 'string' &&
  typeof (value as Provider).prepare === 'function' &&
  typeof (value as Provider).request === 'function' &&
  typeof (value as Provider).parse === 'function'

const positive = (option: string, value: unknown, fallback: number, { integer = true, min = 1 } = {}): number => {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new ConfigError(option, `must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${String(value)}`)
  }
  return value
}

const SECRET_HEADERS = /^(authorization|x-api-key|key|api-key|cookie)$|token|secret/i

const redactRequest = (request: ProviderRequest, redact: (text: string) => string): ProviderRequest => ({
  ...request,
  // Pre-serialised JSON shows as the value it stands for.
  body: request.body instanceof JsonText ? request.body.toJSON() : request.body,
  url: redact(request.url),
  headers: Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, SECRET_HEADERS.test(name) ? '[redacted]' : redact(value)]),
  ),
})

/**
 * Creates an idstitch client. Checks its configuration at once and throws a
 * `ConfigError` naming the provider and option at fault.
 *
 * @example
 * import { createClient } from '@idstitch/node'
 * import { datafast, pathbound } from '@idstitch/node/providers'
 *
 * const idstitch = createClient({
 *   providers: [datafast({ apiKey: process.env.DATAFAST_API_KEY! }), pathbound({ apiKey: process.env.PATHBOUND_API_KEY! })],
 * })
 * const result = await idstitch.identify({ userId: user.externalId, anonymousId: getVisitorId(req), traits: { email: user.email } })
 */
export const createClient = (options: ClientOptions): IdstitchClient => {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object')
  const { providers } = options
  if (!Array.isArray(providers) || providers.length === 0) throw new ConfigError('providers', 'must list at least one provider')
  const names = new Set<string>()
  providers.forEach((provider: unknown, index) => {
    if (!isProvider(provider)) throw new ConfigError(`providers[${index}]`, 'is not a provider; create one with datafast(…), pathbound(…), http(…) or defineProvider(…)')
    if (names.has(provider.name)) throw new ConfigError('name', `two providers are named '${provider.name}'; give one a \`name\``, { provider: provider.name })
    names.add(provider.name)
  })
  const timeoutMs = positive('timeoutMs', options.timeoutMs, 5_000)
  const deadlineMs = options.deadlineMs === false ? false : positive('deadlineMs', options.deadlineMs, 10_000)
  const concurrency = positive('concurrency', options.concurrency, 8)
  const maxQueue = positive('maxQueue', options.maxQueue, 50_000)
  const retry = options.retry === false ? { limit: 0 } : (options.retry ?? {})
  if (typeof retry !== 'object' || retry === null) throw new ConfigError('retry', 'must be an object or false')
  const retryLimit = positive('retry.limit', retry.limit, 3, { min: 0 })
  const backoff =
    typeof retry.backoff === 'function'
      ? retry.backoff
      : {
          baseMs: positive('retry.backoff', retry.backoff, 200, { min: 0 }),
          maxMs: positive('retry.maxBackoffMs', retry.maxBackoffMs, 5_000, { min: 0 }),
          maxRetryAfterMs: positive('retry.maxRetryAfterMs', retry.maxRetryAfterMs, 10_000, { min: 0 }),
        }
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new ConfigError('onError', 'must be a function')
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new ConfigError('fetch', 'must be a function')
  if (options.logger !== undefined && options.logger !== false && typeof options.logger !== 'object') throw new ConfigError('logger', 'must be an object with warn/error methods, or false')

  const redact = (text: string): string => redactCredentials(providers.reduce((out, provider) => provider.redact(out), text))
  const log = safeLogger(options.logger, redact)
  // Node: node:http, then undici pools for volume (see createNodeTransport). Elsewhere, or with an injected fetch: ky over fetch.
  const transport = options.transport ?? (options.fetch || !isNode() ? createKyTransport(options.fetch) : createNodeTransport({ connections: concurrency }))
  const lanes = providers.map((provider) =>
    createDeliveryLane(provider, { transport, concurrency, timeoutMs, retryLimit, backoff, redact, now: Date.now, random: Math.random }),
  )
  const warned = new Set<string>()
  // Identifies accepted and not finished, and who waits for that count to reach zero.
  let inFlight = 0
  let idleWaiters: (() => void)[] = []
  const wakeIfIdle = (): void => {
    if (inFlight > 0) return
    const waiters = idleWaiters
    idleWaiters = []
    for (const wake of waiters) wake()
  }
  const settled = (): void => {
    // Wake flush() after a macrotask, so the callbacks the app chained on this identify run first.
    if (--inFlight === 0 && idleWaiters.length > 0) setTimeout(wakeIfIdle, 0)
  }
  const idle = (): Promise<void> => (inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve)))
  let closed = false

  const report = (result: ProviderResult, userId: string | undefined): void => {
    if (!result.error) return
    if (options.onError) {
      try {
        options.onError(result.error, { provider: result.provider, userId, result })
      } catch (error) {
        log.error(`onError threw: ${error instanceof Error ? error.message : String(error)}`)
      }
    } else {
      log.error(result.error.message)
    }
  }

  const refuseAll = (code: 'queue_full' | 'client_closed', message: string): ProviderResult[] =>
    providers.map((provider) => ({
      provider: provider.name,
      status: 'failed',
      attempts: 0,
      error: new IdstitchError(code, `[idstitch] ${provider.name}: ${message}`, { provider: provider.name }),
    }))

  const finish = (results: ProviderResult[], userId: string | undefined): IdentifyResult => {
    for (const result of results) report(result, userId)
    return { ok: results.every((result) => result.status === 'delivered' || result.status === 'skipped'), results }
  }

  /**
   * One identify in flight: gathers one result per provider (its slot is the
   * provider's index), in configuration order, and resolves once all are in,
   * or at once with `complete()`. One object per identify and no closure per
   * provider, so a burst of pending identifies stays small (see bench/).
   */
  class PendingIdentify implements DeliveryListener {
    private readonly results: ProviderResult[] = new Array(providers.length)
    private waiting = providers.length
    constructor(
      private readonly userId: string | undefined,
      private resolve: ((result: IdentifyResult) => void) | undefined,
    ) {}

    delivered(slot: number, delivery: Delivery): void {
      this.settle(slot, { provider: (providers[slot] as Provider).name, ...delivery })
    }

    settle(slot: number, result: ProviderResult): void {
      if (!this.resolve) return
      this.results[slot] = result
      if (--this.waiting > 0) return
      let outcome: IdentifyResult
      try {
        outcome = finish(this.results, this.userId)
      } catch (error) {
        // Unreachable by design (report() guards onError); the identify still ends.
        outcome = internalFailure(error)
      }
      this.complete(outcome)
    }

    /** Resolves the identify once; later results are ignored. */
    complete(result: IdentifyResult): void {
      const resolve = this.resolve
      if (!resolve) return
      this.resolve = undefined
      settled()
      resolve(result)
    }
  }

  /** Prepares `event` for provider `slot` and settles its result: at once when nothing is sent, after delivery otherwise. */
  const deliverTo = (slot: number, event: IdentifyEvent, deadline: Deadline, pending: PendingIdentify): void => {
    const provider = providers[slot] as Provider
    let prepared
    try {
      prepared = provider.prepare(event)
    } catch (error) {
      const message = redact(error instanceof Error ? error.message : String(error))
      prepared = { type: 'invalid' as const, issues: [{ path: 'message', message: `adapter failed: ${message}` }] }
    }
    const base = { provider: provider.name, attempts: 0 }
    switch (prepared.type) {
      case 'skip':
        log.debug(`${provider.name}: skipped: ${prepared.reason}`)
        return pending.settle(slot, { ...base, status: 'skipped', reason: prepared.reason })
      case 'invalid':
        return pending.settle(slot, {
          ...base,
          status: 'invalid',
          error: new ValidationError(prepared.issues.map((issue) => ({ provider: provider.name, ...issue }))),
        })
    }
    for (const warning of prepared.warnings ?? []) {
      if (warned.has(warning.key)) continue
      warned.add(warning.key)
      log.warn(`${provider.name}: ${warning.message}`)
    }
    if (options.dryRun) {
      return pending.settle(slot, { ...base, status: 'skipped', reason: 'dry run: prepared, not sent', request: redactRequest(provider.request([prepared.item]), redact) })
    }
    ;(lanes[slot] as (typeof lanes)[number]).enqueue(prepared.item, deadline, prepared.bytes, pending, slot)
  }

  // Identifies started in the same millisecond share one deadline record.
  const NO_DEADLINE: Deadline = { at: Infinity, ms: Infinity }
  let lastDeadline: Deadline = NO_DEADLINE
  const deadlineFromNow = (): Deadline => {
    if (deadlineMs === false) return NO_DEADLINE
    const at = Date.now() + deadlineMs
    return at === lastDeadline.at ? lastDeadline : (lastDeadline = { at, ms: deadlineMs })
  }

  /** Validates the message and fans it out; `pending` completes once every provider's result is in. */
  const run = (message: IdentifyMessage, pending: PendingIdentify): void => {
    const prepared = prepareEvent(message, { messageId: crypto.randomUUID(), now: new Date() })
    if (!prepared.ok) {
      for (let slot = 0; slot < providers.length; slot++) {
        const name = (providers[slot] as Provider).name
        pending.settle(slot, {
          provider: name,
          status: 'invalid',
          attempts: 0,
          error: new ValidationError(prepared.issues.map((issue) => ({ provider: name, ...issue }))),
        })
      }
      return
    }
    const deadline = deadlineFromNow()
    for (let slot = 0; slot < providers.length; slot++) deliverTo(slot, prepared.event, deadline, pending)
  }

  /** The result when idstitch itself failed: unreachable by design, but the host app still gets a result, never a rejection. */
  const internalFailure = (error: unknown): IdentifyResult => {
    const text = redact(error instanceof Error ? error.message : String(error))
    const results: ProviderResult[] = providers.map((provider) => ({
      provider: provider.name,
      status: 'failed',
      attempts: 0,
      error: new IdstitchError('provider_rejected', `[idstitch] internal error: ${text}`, { provider: provider.name, cause: error }),
    }))
    for (const result of results) report(result, undefined)
    return { ok: false, results }
  }

  return {
    identify(message) {
      if (closed || inFlight >= maxQueue) {
        const results = closed
          ? refuseAll('client_closed', 'the client is shut down; this identify was not sent')
          : refuseAll('queue_full', `${maxQueue} identifies are already in flight (maxQueue); this one was not sent`)
        const userId = typeof message?.userId === 'string' ? message.userId : undefined
        for (const result of results) report(result, userId)
        return Promise.resolve({ ok: false, results })
      }
      inFlight++
      const userId = typeof message?.userId === 'string' ? message.userId : undefined
      let pending: PendingIdentify | undefined
      const promise = new Promise<IdentifyResult>((resolve) => {
        pending = new PendingIdentify(userId, resolve)
      })
      // No closure here refers to `message`, so nothing pending keeps the caller's message alive.
      try {
        run(message, pending as PendingIdentify)
      } catch (error) {
        ;(pending as PendingIdentify).complete(internalFailure(error))
      }
      return promise
    },
    flush: idle,
    async shutdown() {
      closed = true
      await idle()
      await transport.close?.()
    },
  }
}
