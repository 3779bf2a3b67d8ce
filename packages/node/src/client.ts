import type { IdentifyMessage } from '@idstitch/core'
import { createDeliveryLane, type Deadline } from './delivery.js'
import { createFanOut, PendingIdentify } from './fan-out.js'
import { createKyTransport } from './ky-transport.js'
import { safeLogger } from './logger.js'
import { createNodeTransport } from './node-transport.js'
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js'
import { createRedactor } from './redact.js'
import { createResults, type IdentifyResult } from './results.js'
import type { Transport } from './transport.js'

declare const __IDSTITCH_NAME__: string
declare const __IDSTITCH_VERSION__: string

/** The SDK named in what providers record (Segment's `context.library`); set from package.json at build time. */
const LIBRARY = Object.freeze({ name: __IDSTITCH_NAME__, version: __IDSTITCH_VERSION__ })

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

/** Node itself (not Bun or Deno, which also set `process.versions.node`). */
const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions?.node === 'string' && !('bun' in process.versions) && !('Deno' in globalThis)

/** The transport: the app's, ky over an injected `fetch`, `node:http` (then undici) in Node, ky elsewhere. */
const transportFor = (options: ResolvedOptions): Transport =>
  options.transport ?? (options.fetch || !isNode() ? createKyTransport(options.fetch) : createNodeTransport({ connections: options.concurrency }))

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
 * The user id for `onError`'s context, read defensively: the message may be
 * anything, even an object whose getter throws (a lazy ORM record, a Proxy).
 */
const userIdOf = (message: unknown): string | undefined => {
  try {
    const userId = (message as { userId?: unknown } | null | undefined)?.userId
    return typeof userId === 'string' ? userId : undefined
  } catch {
    return undefined
  }
}

/**
 * Creates an idstitch client. Checks its configuration at once and throws a
 * `ConfigError` naming the provider and option at fault.
 *
 * An identify's path: the message is validated, each provider's adapter
 * prepares it (`fan-out.ts`), each provider's delivery lane sends it with
 * retries within the deadline (`delivery.ts`) over the transport, and the
 * results are gathered, reported and returned (`results.ts`).
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
export const createClient = (clientOptions: ClientOptions): IdstitchClient => {
  const options = resolveOptions(clientOptions)
  const { providers } = options
  const redact = createRedactor(providers)
  const log = safeLogger(options.logger, redact.text)
  const results = createResults(options, log, redact)
  const transport = transportFor(options)
  const lanes = providers.map((provider) =>
    createDeliveryLane(provider, { ...options, transport, redact, now: Date.now, random: Math.random }),
  )
  const fanOut = createFanOut({ providers, lanes, results, log, redact, dryRun: options.dryRun, deadline: deadlines(options.deadlineMs), library: LIBRARY })
  const inFlight = createInFlight()
  let closed = false

  return {
    identify(message) {
      const userId = userIdOf(message)
      if (closed) return Promise.resolve(results.refuse('client_closed', 'the client is shut down; this identify was not sent', userId))
      if (inFlight.count >= options.maxQueue) {
        return Promise.resolve(results.refuse('queue_full', `${options.maxQueue} identifies are already in flight (maxQueue); this one was not sent`, userId))
      }
      // From here on, nothing may throw past the catch below: the identify is counted in flight.
      inFlight.started()
      let pending: PendingIdentify | undefined
      const promise = new Promise<IdentifyResult>((resolve) => {
        pending = new PendingIdentify({ providers, results }, userId, resolve, inFlight.finished)
      })
      // No closure here refers to `message`, so nothing pending keeps the caller's message alive.
      try {
        fanOut(message, pending as PendingIdentify)
      } catch (error) {
        ;(pending as PendingIdentify).complete(results.internalFailure(error))
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

