import { ConfigError, type Provider } from '@idstitch/core'
import { isPermanentFailure, MAX_TIMER_MS, refuseUnknownOptions } from '@idstitch/core/internal'
import { steadyNow } from './clock.js'
import { createKyTransport } from './ky-transport.js'
import { unavailableGate } from './lane/gates.js'
import type { Delivery } from './lane/job.js'
import { createLane } from './lane/pump.js'
import { noRetries } from './lane/retry-policy.js'
import { resolveOptions, type ClientOptions } from './options.js'
import { createRedactor } from './redact.js'
import type { JobTrace } from './telemetry.js'
import type { Transport } from './transport.js'

/** Options of {@link createSender}. */
export interface SenderOptions extends Pick<ClientOptions, 'timeoutMs' | 'concurrency' | 'maxResponseBytes' | 'fetch' | 'transport' | 'telemetry'> {
  /** How long one `send()` may take, waiting for a free slot included. Default twice `timeoutMs`. */
  deadlineMs?: number
}

/** What a sender takes: a client's option it does not (`retry`: the queue's) is refused, not ignored. */
const SENDER_OPTIONS: readonly (keyof SenderOptions)[] = ['timeoutMs', 'concurrency', 'maxResponseBytes', 'fetch', 'transport', 'telemetry', 'deadlineMs']

/** How one `send()` fared: one attempt's outcome, and whether another attempt could succeed. */
export interface SendResult extends Delivery {
  /** True when sending the same item again cannot succeed, or must not be tried: a dead letter (by idstitch's one table of error codes). */
  permanent: boolean
}

/** The sender {@link createSender} returns. */
export interface Sender {
  /**
   * Sends one prepared item (`SinkItem.item`, or `restoreItem(stored)`) in one attempt; never rejects.
   * `trace`: the job's, from the sender's `telemetry.job()`: the attempt's span starts under it.
   */
  send(item: unknown, bytes?: number, trace?: JobTrace): Promise<SendResult>
  /** Closes the transport it created (not one it was given). */
  close(): Promise<void>
}

/**
 * Creates the consumer side of a durable sink: it sends the items a sink stored, adding the provider's
 * credentials from this process's configuration, through the same adapter, transport, answer parsing and
 * `Retry-After` reading as `createClient`, one attempt per `send()`: retries are the queue's (they survive
 * restarts). Items sent in the same tick to a batching provider (Segment, Thrivestack) share a request.
 * Throws a `ConfigError` naming the option at fault.
 *
 * @example
 * import { createSender, restoreItem } from '@idstitch/node/sink'
 *
 * const sender = createSender(pathbound({ apiKey }), { concurrency: 16 })
 * const result = await sender.send(restoreItem(job.stored))
 * if (result.status === 'failed' && !result.permanent) throw new Error('retry later') // the queue's retry
 */
export const createSender = (provider: Provider, options: SenderOptions = {}): Sender => {
  if (typeof provider !== 'object' || provider === null || typeof provider.request !== 'function') {
    throw new ConfigError('provider', 'is not a provider; create one with datafast(…), pathbound(…), http(…) or defineProvider(…)')
  }
  refuseUnknownOptions(options, SENDER_OPTIONS)
  // The client's one schema checks the rest (timeoutMs, concurrency, transport, …).
  const checked = resolveOptions({ ...options, providers: [provider] })
  // Checked as a client's, but a send always ends: `false` (a client's "no deadline") is refused.
  if (options.deadlineMs !== undefined && checked.deadlineMs === Infinity) throw new ConfigError('deadlineMs', `must be an integer of ms from 1 to ${MAX_TIMER_MS}: every send() ends by its deadline`)
  const own = checked.transport === undefined
  const transport: Transport = checked.transport ?? createKyTransport(checked.fetch)
  const lane = createLane(provider, {
    transport,
    concurrency: checked.concurrency,
    timeoutMs: checked.timeoutMs,
    maxResponseBytes: checked.maxResponseBytes,
    // A Retry-After fails what waits at once, with its wait: the consumer pauses its queue that long.
    retry: noRetries,
    gates: [unavailableGate(0)],
    now: steadyNow,
    redact: createRedactor([provider]),
    telemetry: checked.telemetry,
  })
  // Twice the timeout, at most a timer's longest wait: past it, a timer fires at once.
  const deadlineMs = options.deadlineMs === undefined ? Math.min(checked.timeoutMs * 2, MAX_TIMER_MS) : checked.deadlineMs
  return {
    send: (item, bytes, trace) =>
      new Promise<SendResult>((resolve) => {
        const deadline = { at: steadyNow() + deadlineMs, ms: deadlineMs }
        lane.enqueue({ item, bytes, deadline, slot: 0, listener: { delivered: (_slot, delivery) => resolve(withPermanence(delivery)), trace } })
      }),
    close: async () => void (own ? await transport.close?.() : undefined),
  }
}

/**
 * A delivery and whether it is final, by the one table of error codes. Written out field by field, not spread:
 * deliveries come in several shapes (with or without data, error, retryAfterMs), and a spread of objects of many
 * shapes takes V8's slow path, ~3 µs of a queue worker's CPU per job (bench §6's profile).
 */
const withPermanence = ({ status, attempts, httpStatus, data, error, maybeDelivered, retryAfterMs }: Delivery): SendResult => ({
  status,
  attempts,
  httpStatus,
  data,
  error,
  maybeDelivered,
  retryAfterMs,
  permanent: status === 'failed' && isPermanentFailure(error?.code, httpStatus),
})
