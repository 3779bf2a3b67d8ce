import type { IdentifyMessage } from '@idstitch/core'
import { createDedupe } from './dedupe.js'
import { createDeliveryLane, type Deadline } from './delivery.js'
import { createFanOut, PendingIdentify } from './fan-out.js'
import { userIdOf } from './prepare.js'
import { createKyTransport } from './ky-transport.js'
import { safeLogger } from './logger.js'
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js'
import { createRedactor } from './redact.js'
import { createResults, type IdentifyResult } from './results.js'
import type { Transport } from './transport.js'

declare const __IDSTITCH_NAME__: string
declare const __IDSTITCH_VERSION__: string

/** The SDK named in what providers record (Segment's `context.library`); set from package.json at build time. */
const LIBRARY = Object.freeze({ name: __IDSTITCH_NAME__, version: __IDSTITCH_VERSION__ })

/** Options of one `identify()` call. */
export interface IdentifyOptions {
  /** Overrides the client's `waitUntil` for this call (Workers: `ctx.waitUntil.bind(ctx)`). */
  waitUntil?: (promise: Promise<unknown>) => void
}

/** The client `createClient` returns. */
export interface IdstitchClient {
  /**
   * Sends one identify to every provider in parallel. Never rejects: failures
   * are results (and go to `onError`). Awaiting is optional; on a serverless
   * platform, pass `waitUntil` (here or to `createClient`) so that an identify
   * not awaited survives the response.
   */
  identify(message: IdentifyMessage, options?: IdentifyOptions): Promise<IdentifyResult>
  /** Resolves when every identify accepted so far has finished. */
  flush(): Promise<void>
  /** Stops accepting identifies (later ones fail with `client_closed`), then flushes. */
  shutdown(): Promise<void>
}

/**
 * What a platform gives the client: the transport it sends with by default.
 * Each package entry passes its own (`node:http` under the `node` export
 * condition, ky over `fetch` everywhere else): the platform is chosen by
 * package `exports` conditions, never by sniffing globals at run time.
 */
export interface Platform {
  transport(options: { concurrency: number }): Transport
}

/** The transport: the app's, ky over an injected `fetch`, or the platform's. */
const transportFor = (options: ResolvedOptions, platform: Platform): Transport =>
  options.transport ?? (options.fetch ? createKyTransport(options.fetch) : platform.transport(options))

/** Counts identifies accepted and not finished, and resolves `idle()` when none are left. */
const createInFlight = () => {
  let count = 0
  let waiters: (() => void)[] = []
  const wake = (): void => {
    if (count > 0) return
    const woken = waiters
    waiters = []
    for (const resolve of woken) resolve()
  }
  return {
    get count() {
      return count
    },
    started: (): void => void count++,
    // Wakes idle() after a macrotask, so the callbacks the app chained on the identify run first.
    finished: (): void => {
      if (--count === 0 && waiters.length > 0) setTimeout(wake, 0)
    },
    idle: (): Promise<void> => (count === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
  }
}

/** Deadlines from now; identifies started in the same millisecond share one record. */
const deadlines = (deadlineMs: number): (() => Deadline) => {
  let last: Deadline = { at: Infinity, ms: Infinity }
  if (deadlineMs === Infinity) return () => last
  return () => {
    const at = Date.now() + deadlineMs
    return at === last.at ? last : (last = { at, ms: deadlineMs })
  }
}

/**
 * The `createClient` of a platform. An identify's path: the message is
 * validated, each provider's adapter prepares it (`fan-out.ts`), each
 * provider's delivery lane sends it with retries within the deadline
 * (`delivery.ts`) over the transport, and the results are gathered, reported
 * and returned (`results.ts`).
 */
export const clientFactory = (platform: Platform) => (clientOptions: ClientOptions): IdstitchClient => {
  const options = resolveOptions(clientOptions)
  const { providers } = options
  const redact = createRedactor(providers)
  const log = safeLogger(options.logger, redact.text)
  const results = createResults(options, log, redact)
  const transport = transportFor(options, platform)
  const lanes = providers.map((provider) =>
    createDeliveryLane(provider, { ...options, transport, redact, now: Date.now, random: Math.random }),
  )
  const dedupe = options.dedupe === false ? undefined : createDedupe(options.dedupe)
  const fanOut = createFanOut({ providers, lanes, results, log, redact, dryRun: options.dryRun, deadline: deadlines(options.deadlineMs), library: LIBRARY, dedupe })
  const inFlight = createInFlight()
  let closed = false

  /** Starts one identify; its promise never rejects. */
  const start = (message: IdentifyMessage): Promise<IdentifyResult> => {
    const userId = userIdOf(message)
    if (closed) return Promise.resolve(results.refuse('client_closed', 'the client is shut down; this identify was not sent', userId))
    if (inFlight.count >= options.maxQueue) {
      return Promise.resolve(results.refuse('queue_full', `${options.maxQueue} identifies are already in flight (maxQueue); this one was not sent`, userId))
    }
    // From here on, nothing may throw past the catch below: the identify is counted in flight.
    inFlight.started()
    let pending: PendingIdentify | undefined
    const promise = new Promise<IdentifyResult>((resolve) => {
      pending = new PendingIdentify({ providers, results, dedupe }, userId, resolve, inFlight.finished)
    })
    // No closure here refers to `message`, so nothing pending keeps the caller's message alive.
    try {
      fanOut(message, pending as PendingIdentify)
    } catch (error) {
      ;(pending as PendingIdentify).complete(results.internalFailure(error))
    }
    return promise
  }

  return {
    identify(message, callOptions) {
      const promise = start(message)
      // Serverless: the platform keeps the function alive until the identify is done, after the response.
      const waitUntil = callOptions?.waitUntil ?? options.waitUntil
      if (waitUntil) {
        try {
          waitUntil(promise)
        } catch (error) {
          log.warn(`waitUntil threw, so the platform may end this identify early: ${error instanceof Error ? error.message : String(error)}`)
        }
      }
      return promise
    },
    flush: inFlight.idle,
    async shutdown() {
      closed = true
      await inFlight.idle()
      await transport.close?.()
    },
  }
}

