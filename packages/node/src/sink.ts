import type { IdentifyEvent, Provider } from '@idstitch/core'
import type { Logger } from './logger.js'
import type { ProviderResult } from './results.js'
import type { TraceContext } from './telemetry.js'

/** When an identify must be settled by: `at` (epoch ms; `Infinity` for never) and the `ms` it was given. */
export interface Deadline {
  /**
   * Epoch ms; `Infinity` for none. Measured by a clock that does not step back with the wall clock (NTP, a VM
   * resumed): after such a step it is ahead of `Date.now()` by the step, so a timer of a sink's own waits
   * `Math.min(ms, at - Date.now())`.
   */
  at: number
  /** The time it was given, in ms (`deadlineMs`). */
  ms: number
}

/** One provider's share of one identify: what its adapter prepared, ready to send or to store. */
export interface SinkItem {
  /** The provider's place in `providers` (its result's place in `results`). */
  readonly slot: number
  /** The provider it is for. A durable sink stores `provider.name`, never the provider: its credentials stay in the process. */
  readonly provider: Provider
  /**
   * What the adapter prepared: `provider.request([item, …])` makes the HTTP request of it. Opaque: to keep it
   * outside the process (Redis, SQS, Kafka), turn it into JSON with `storeItem(item)` and back with `restoreItem`.
   */
  readonly item: unknown
  /** Its JSON size in bytes, when the adapter measured it (batching providers do). */
  readonly bytes: number | undefined
}

/** One identify, validated and prepared, as the pipeline hands it to a sink. */
export interface SinkIdentify {
  /** The message's id: the caller's (`identify(message, { messageId })`), or a new UUID. */
  readonly messageId: string
  /** The validated message, stamped with its id, time and library. Read it for keys and partitions; send the items. */
  readonly event: IdentifyEvent
  /** The identify's results are due by then. */
  readonly deadline: Deadline
  /** One item per provider with something to send, in provider order. Providers that skipped or refused it are not here. */
  readonly items: readonly SinkItem[]
  /**
   * What makes two identifies equal, as text (the user's anonymous ids and traits; not the time or context):
   * for de-duplication across processes. It holds personal data: hash it before storing it.
   */
  readonly fingerprint: string
  /**
   * The identify's W3C trace context, when the pipeline's `telemetry` follows it (`openTelemetry()`): store it
   * with the job, and give it to the consumer's telemetry (`Telemetry.job`), so that the delivery's spans
   * continue the request's trace. It holds ids of the trace, nothing of the request.
   */
  readonly traceContext?: TraceContext | undefined
}

/** What a sink is given when the pipeline creates it. */
export interface SinkParts {
  /** The providers, in order. */
  readonly providers: readonly Provider[]
  /** The pipeline's logger: lines prefixed `[idstitch]`, every provider credential redacted, and a throwing logger harmless. */
  readonly log: Required<Logger>
  /** Redacts every provider credential (and any `Bearer`/`Basic` one) from a text, for an error message the sink writes. */
  readonly redact: (text: string) => string
}

/**
 * Where the identify pipeline hands each prepared identify: the in-memory delivery lanes of `createClient`,
 * `@idstitch/queue`'s BullMQ producer, or a sink of your own (SQS, Kafka, Cloudflare Queues). The pipeline
 * has validated the message, had each adapter prepare it and de-duplicated it; the sink sends or stores the
 * items and answers one result per item. The pipeline then reports the errors and resolves the identify.
 *
 * @example
 * // A sink that keeps each item as JSON in an array: a stand-in for a queue's send.
 * import { storeItem, type Sink } from '@idstitch/node/sink'
 *
 * const stored: string[] = []
 * const arraySink = (): Sink => ({
 *   async accept({ messageId, items }) {
 *     return items.map(({ provider, item }) => {
 *       const kept = storeItem(item)
 *       if (!kept.ok) return { provider: provider.name, status: 'failed', attempts: 0, reason: kept.reason }
 *       stored.push(JSON.stringify({ provider: provider.name, messageId, item: kept.stored }))
 *       return { provider: provider.name, status: 'queued', attempts: 0, jobId: `${provider.name}.${messageId}` }
 *     })
 *   },
 * })
 */
export interface Sink {
  /**
   * Takes one identify's items; resolves with one result per item, in the order of `identify.items`
   * (`queued` once stored durably, `delivered` once sent, `failed` with an `IdstitchError` otherwise).
   * It should settle by `identify.deadline`. A sink that throws, rejects or leaves an item without a
   * result fails that item with `sink_failed`, and so does one that has not answered a second past the
   * deadline (its later answer changes nothing): the identify still resolves.
   */
  accept(identify: SinkIdentify): Promise<readonly ProviderResult[]>
  /** Called once by the pipeline's `close()`, after every identify it accepted has settled. */
  close?(): Promise<void>
}
