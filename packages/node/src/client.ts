import type { IdentifyMessage } from '@idstitch/core'
import { checkCallOptions, messageOf } from '@idstitch/core/internal'
import { steadyNow } from './clock.js'
import { callApp } from './callbacks.js'
import { alongside, debugTelemetry } from './debug-log.js'
import { createKyTransport } from './ky-transport.js'
import { createLaneSink } from './lane-sink.js'
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js'
import { pipelineOf } from './pipeline.js'
import { createRedactor } from './redact.js'
import type { IdentifyResult } from './results.js'
import type { SinkParts } from './sink.js'
import type { Transport } from './transport.js'

declare const __IDSTITCH_NAME__: string
declare const __IDSTITCH_VERSION__: string

/** The SDK named in what providers record (Segment's `context.library`); set from package.json at build time. */
const LIBRARY = Object.freeze({ name: __IDSTITCH_NAME__, version: __IDSTITCH_VERSION__ })

/** Options of one `identify()` call. */
export interface IdentifyOptions {
  /** Overrides the client's `waitUntil` for this call (Workers: `ctx.waitUntil.bind(ctx)`). */
  waitUntil?: (promise: Promise<unknown>) => void
  /**
   * The message's id (default: a new UUID): Segment's `messageId`, PostHog's `uuid` (a UUID only), Mixpanel's
   * and Amplitude's insert id, by which those providers keep one copy of a message sent twice. Pass one of your
   * own (a request id) to make a retried login request idempotent there. Letters, digits, `_`, `-` and `.`, up
   * to 128; another value makes the identify `invalid`, nothing sent (as does an option it does not take).
   */
  messageId?: string
}

/** What one `identify()` takes. */
const CALL_OPTIONS: readonly (keyof IdentifyOptions)[] = ['waitUntil', 'messageId']

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
  /** Whether the environment asks for debug lines (Node: `IDSTITCH_DEBUG=1`). */
  debug?(): boolean
}

/** The transport: the app's, ky over an injected `fetch`, or the platform's. */
const transportFor = (options: ResolvedOptions, platform: Platform): Transport =>
  options.transport ?? (options.fetch ? createKyTransport(options.fetch) : platform.transport(options))

/**
 * The `createClient` of a platform: the identify pipeline (`pipeline.ts`: validate, prepare, de-duplicate,
 * report) with the in-memory delivery lanes as its sink (`lane-sink.ts`: each provider's lane sends with
 * retries within the deadline over the transport), and in front of it the client's own limits: `maxQueue`,
 * `shutdown()`, and `waitUntil`.
 */
export const clientFactory = (platform: Platform) => (clientOptions: ClientOptions): IdstitchClient => {
  const resolved = resolveOptions(clientOptions)
  const options = { ...resolved, debug: resolved.debug ?? platform.debug?.() ?? false }
  const transport = transportFor(options, platform)
  const redact = createRedactor(options.providers)
  // The debug lines follow each attempt as telemetry does, through the pipeline's logger.
  const telemetryOf = (log: SinkParts['log']) => (options.debug ? alongside(options.telemetry, debugTelemetry(log)) : options.telemetry)
  const sink = (parts: SinkParts) => createLaneSink(parts.providers, transport, { ...options, telemetry: telemetryOf(parts.log), redact, now: steadyNow, random: Math.random })
  const closedMessage = 'the client is shut down; this identify was not sent'
  const pipeline = pipelineOf({ options, redact, sink, library: LIBRARY, maxQueue: options.maxQueue, closedMessage })
  const waitUntilFailed = (how: string, error: unknown) => pipeline.log.warn(`waitUntil ${how}, so the platform may end this identify early: ${messageOf(error)}`)

  return {
    identify(message, callOptions) {
      const read = checkCallOptions(callOptions, CALL_OPTIONS)
      const promise = pipeline.identify(message, read)
      // Serverless: the platform keeps the function alive until the identify is done, after the response.
      const waitUntil = read.waitUntil ?? options.waitUntil
      if (waitUntil) callApp(() => waitUntil(promise), waitUntilFailed)
      return promise
    },
    flush: pipeline.idle,
    shutdown: pipeline.close,
  }
}
