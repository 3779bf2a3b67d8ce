import { ConfigError, type IdentifyMessage } from '@idstitch/core'
import { checkCallOptions, refuseUnknownOptions } from '@idstitch/core/internal'
import { createDeadlineWatch } from './deadline-watch.js'
import { resolveOptions, type ClientOptions } from './options.js'
import { pipelineOf, type LateIdentify } from './pipeline.js'
import { createRedactor } from './redact.js'
import type { IdentifyResult } from './results.js'
import type { Sink, SinkParts } from './sink.js'

declare const __IDSTITCH_NAME__: string
declare const __IDSTITCH_VERSION__: string

/** Options of {@link createPipeline}: the client's options that concern an identify's path, and where it ends. */
export interface PipelineOptions extends Pick<ClientOptions, 'providers' | 'logger' | 'onError' | 'dryRun' | 'telemetry' | 'debug'> {
  /** Creates the sink every prepared identify goes to; called once, with the pipeline's providers, logger and redactor. */
  sink: (parts: SinkParts) => Sink
  /** The time the sink has for each identify (`SinkIdentify.deadline`). Default 10,000 ms; `false` for none. */
  deadlineMs?: number | false
  /**
   * De-duplication in this process's memory, as `createClient`'s. It remembers only what the sink answered
   * `delivered`, so a sink that answers `queued` de-duplicates on its consumer's side. Default `false`.
   */
  dedupe?: ClientOptions['dedupe']
  /** The SDK stamped on every event (Segment's `context.library`). Default `@idstitch/node`'s name and version. */
  library?: { name: string; version: string }
}

/** Options of one {@link Pipeline.identify} call. */
export interface PipelineIdentifyOptions {
  /**
   * The message's id (default: a new UUID): a retried request that passes the same id lets a durable sink
   * keep one copy. Letters, digits, `_`, `-` and `.`, up to 128; another value, or an option this call does not
   * take, makes the identify `invalid`, nothing handed to the sink.
   */
  messageId?: string
}

/** The pipeline {@link createPipeline} returns. */
export interface Pipeline {
  /** Validates, prepares, de-duplicates, hands the identify to the sink, and reports the errors. Never rejects. */
  identify(message: IdentifyMessage, options?: PipelineIdentifyOptions): Promise<IdentifyResult>
  /** Stops accepting identifies (later ones fail with `client_closed`), waits for those in flight, then closes the sink. */
  close(): Promise<void>
}

/** What one {@link Pipeline.identify} takes. */
const CALL_OPTIONS: readonly (keyof PipelineIdentifyOptions)[] = ['messageId']

/** What a pipeline takes: a client's option it does not (`timeoutMs`, `retry`) is its sink's to have, and refused. */
const PIPELINE_OPTIONS: readonly (keyof PipelineOptions)[] = ['providers', 'logger', 'onError', 'dryRun', 'telemetry', 'debug', 'sink', 'deadlineMs', 'dedupe', 'library']

/** `library`, checked: names and versions as npm spells them. */
const libraryOf = (library: PipelineOptions['library']) => {
  if (library === undefined) return Object.freeze({ name: __IDSTITCH_NAME__, version: __IDSTITCH_VERSION__ })
  const { name, version } = library as { name?: unknown; version?: unknown }
  if (typeof name !== 'string' || typeof version !== 'string' || name === '' || version === '') throw new ConfigError('library', 'must be { name, version }, two non-empty strings')
  return Object.freeze({ name, version })
}

/**
 * How long past an identify's deadline a sink's own answer is waited for. A sink should settle by the deadline
 * (`@idstitch/queue`'s does, with errors that say why); one that has not a second later fails what it left
 * unanswered with `sink_failed`, so that a sink hung on its own network (an SQS client with no timeout) never
 * holds the login route, or `close()`, longer than that.
 */
export const SINK_GRACE_MS = 1_000

/** The watch on a sink's answers: late {@link SINK_GRACE_MS} past each identify's deadline. */
const lateSinks = () =>
  createDeadlineWatch<LateIdentify>(
    (identify, { ms }) => identify.late(`gave no answer by the deadline (${ms} ms, and ${SINK_GRACE_MS} ms more); it may still have kept or sent the item`),
    SINK_GRACE_MS,
  )

/**
 * Creates the identify pipeline `createClient` and `@idstitch/queue` are made of, ending in a sink of your
 * own: validate → prepare (each provider's adapter) → de-duplicate → hand to the sink → report. The sink
 * decides what happens to each prepared item: send it, or keep it for a consumer (see {@link createSender})
 * to deliver later. Throws a `ConfigError` naming the option at fault.
 *
 * @example
 * import { createPipeline } from '@idstitch/node/sink'
 * import { pathbound } from '@idstitch/node/providers'
 *
 * const pipeline = createPipeline({ providers: [pathbound({ apiKey })], sink: () => sqsSink })
 * const result = await pipeline.identify({ userId: 'usr_8f3a', anonymousId }, { messageId: request.id })
 */
export const createPipeline = (options: PipelineOptions): Pipeline => {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object')
  if (typeof options.sink !== 'function') throw new ConfigError('sink', 'must be a function that creates the sink')
  refuseUnknownOptions(options, PIPELINE_OPTIONS)
  const { sink: _sink, library: _library, ...clientOptions } = options
  const resolved = resolveOptions({ ...clientOptions, dedupe: options.dedupe ?? false })
  const redact = createRedactor(resolved.providers)
  const closedMessage = 'the pipeline is closed; this identify was not sent'
  const pipeline = pipelineOf({ options: resolved, redact, sink: options.sink, library: libraryOf(options.library), maxQueue: Infinity, closedMessage, watch: lateSinks() })
  return {
    identify: (message, callOptions) => pipeline.identify(message, checkCallOptions(callOptions, CALL_OPTIONS)),
    close: pipeline.close,
  }
}
