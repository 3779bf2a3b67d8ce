import type { IdstitchError, Provider } from '@idstitch/core'
import { checkClientOptions, type BackoffOptions } from '@idstitch/core/internal'
import type { DedupeOptions } from './dedupe.js'
import type { Logger } from './logger.js'
import type { Telemetry } from './telemetry.js'
import type { ErrorContext } from './results.js'
import type { Transport } from './transport.js'

/** Retries of network errors, 408, 429 and 5xx. */
export interface RetryOptions {
  /**
   * Retries after the first attempt. Default 4: with failures at random, the
   * attempts needed for 99 % delivery when 30 % of requests fail are
   * ln(0.01) / ln(0.3) ≈ 3.8, so 5 attempts (99.76 %), whose backoff (at most
   * 0.2 + 0.4 + 0.8 + 1.6 s) fits well within the default deadline. 0 disables retries.
   */
  limit?: number
  /**
   * The first backoff step in ms (default 200), doubling each retry, with
   * jitter; or a function from the retry number (1, 2, …) to a delay in ms.
   */
  backoff?: number | ((retry: number) => number)
  /** No computed backoff is longer than this. Default 5,000 ms. */
  maxBackoffMs?: number
  /**
   * A provider's `Retry-After` (on a 429 or 5xx) pauses every request to it, up
   * to this many ms. A longer one fails what is queued for that provider at
   * once (`provider_unavailable`), and every identify until then. Default 10,000 ms.
   */
  maxRetryAfterMs?: number
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Where identifies go: `datafast(…)`, `pathbound(…)`, … from `@idstitch/node/providers`. */
  providers: readonly Provider[]
  /** Per attempt. Default 5,000 ms. */
  timeoutMs?: number
  /** For a whole `identify()`, retries and queueing included, so a login route is never held longer. Default 10,000 ms; `false` for none. */
  deadlineMs?: number | false
  /** Default `{ limit: 4, backoff: 200 }`; `false` for one attempt only. */
  retry?: RetryOptions | false
  /** Requests in flight per provider. Default 8. */
  concurrency?: number
  /** Identifies accepted and not yet finished; past it, `identify()` reports `queue_full` at once. Default 50,000 (a burst of 20,000 batched identifies peaks near 100 MB). */
  maxQueue?: number
  /**
   * The most bytes of a provider's answer read per attempt, after any
   * decompression. Past it the connection is dropped and the provider's
   * result fails with `response_too_large` (not retried: the request may have
   * been accepted). Default 1 MiB (1,048,576), far above any provider's answer.
   */
  maxResponseBytes?: number
  /** Default: warnings and errors to the console. `false` for silence. */
  logger?: Logger | false
  /** Called once for each `failed` or `invalid` result. Without it, they are logged as errors. */
  onError?: (error: IdstitchError, context: ErrorContext) => void
  /** A `fetch` to send with (through ky) instead of the default transport. */
  fetch?: typeof fetch
  /** Validate and prepare requests, send nothing: each result is `skipped` with its `request`. */
  dryRun?: boolean
  /**
   * An identify equal to the last one a provider accepted for that user (the
   * same anonymous ids and traits) within `ttlMs` (default 24 hours) is
   * `skipped` with reason `'duplicate'`, so identifying on every page view does
   * not spend a metered quota. Remembered in memory, per client, up to
   * `maxEntries` (default 10,000) users and providers. `false` turns it off.
   */
  dedupe?: DedupeOptions | false
  /**
   * Hands each identify's promise to the platform, which keeps a serverless
   * function alive until it is done, after the response has gone: `waitUntil`
   * from `@vercel/functions`, Next.js's `after`, or, per call in Workers,
   * `identify(message, { waitUntil: ctx.waitUntil.bind(ctx) })`.
   */
  waitUntil?: (promise: Promise<unknown>) => void
  /**
   * Another HTTP stack. Default: in Node (the `node` export condition),
   * `node:http`/`node:https` keep-alive agents; in Workers, Vercel Edge, Deno,
   * Bun and browsers, or when `fetch` is given, ky over `fetch`.
   */
  transport?: Transport
  /**
   * Traces and metrics: `openTelemetry()` from `@idstitch/node/otel` reports to the tracer and meter providers
   * the app registered with OpenTelemetry (a span per identify inside the request's trace, a span per attempt,
   * results, durations, lanes and circuits). Nothing personal or secret is ever in it. Default: none.
   */
  telemetry?: Telemetry
  /**
   * A debug line per delivery attempt (its answer, a retry, a `Retry-After` pause, a circuit opening) and per
   * de-duplicated identify, on the logger (the console's `debug` when none is given), with its facts as fields.
   * Default: `IDSTITCH_DEBUG=1` in the environment, in Node; off elsewhere.
   */
  debug?: boolean
}

/** {@link ClientOptions} checked, with every default filled in. */
export interface ResolvedOptions {
  providers: readonly Provider[]
  timeoutMs: number
  /** `Infinity` for none. */
  deadlineMs: number
  retryLimit: number
  backoff: BackoffOptions | ((retry: number) => number)
  maxRetryAfterMs: number
  concurrency: number
  maxQueue: number
  maxResponseBytes: number
  logger: Logger | false | undefined
  onError: ClientOptions['onError']
  fetch: typeof fetch | undefined
  dryRun: boolean
  dedupe: DedupeOptions | false
  transport: Transport | undefined
  waitUntil: ((promise: Promise<unknown>) => void) | undefined
  telemetry: Telemetry | undefined
  debug: boolean | undefined
}

/**
 * Checks every option of `createClient` (with zod, in `@idstitch/core`, as
 * every input idstitch takes) and fills in the defaults. Throws a
 * `ConfigError` naming the first option (and provider) at fault.
 */
export const resolveOptions = (options: ClientOptions): ResolvedOptions => {
  const checked = checkClientOptions(options)
  // The core checks the platform's parts for their shape (an object with `send`, a function, …); their types are these.
  return {
    ...checked,
    logger: checked.logger as Logger | false | undefined,
    transport: checked.transport as Transport | undefined,
    onError: checked.onError as ClientOptions['onError'],
    fetch: checked.fetch as typeof fetch | undefined,
    waitUntil: checked.waitUntil as ((promise: Promise<unknown>) => void) | undefined,
    telemetry: checked.telemetry as Telemetry | undefined,
  }
}
