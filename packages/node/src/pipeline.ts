import { IdstitchError, type IdentifyEvent, type Provider } from '@idstitch/core'
import { messageOf, type CheckedCallOptions, type Library } from '@idstitch/core/internal'
import { steadyNow } from './clock.js'
import type { DeadlineWatch } from './deadline-watch.js'
import { createDedupe, fingerprintOf, type Dedupe, type DedupeRecord } from './dedupe.js'
import { safeLogger } from './logger.js'
import type { ResolvedOptions } from './options.js'
import { invalidResult, noteTraitsOnce, prepareFor, stampEvent, userIdOf, warnOnce } from './prepare.js'
import { createInFlight } from './in-flight.js'
import type { Redactor } from './redact.js'
import { SKIP_REASONS, createResults, type IdentifyResult, type ProviderResult, type Results } from './results.js'
import type { Delivery, DeliveryListener, Job } from './lane/job.js'
import type { Deadline, Sink, SinkIdentify, SinkItem, SinkParts } from './sink.js'
import { guarded } from './callbacks.js'
import type { IdentifyTrace, Telemetry, TraceContext } from './telemetry.js'

/** A validation issue, before the provider is named. */
type ValidationIssueAt = Parameters<typeof invalidResult>[1][number]

/** What a pipeline is built from: the client's options (checked), its redactor, where its identifies go, and the SDK it stamps. */
export interface PipelineParts {
  options: Pick<ResolvedOptions, 'providers' | 'logger' | 'onError' | 'deadlineMs' | 'dedupe' | 'dryRun'> & { telemetry?: Telemetry | undefined; debug?: boolean | undefined }
  /** The one redactor of the client or pipeline (its sink may share it). */
  redact: Redactor
  sink: (parts: SinkParts) => Sink
  library: Library
  /** Identifies in flight past which a new one is refused with `queue_full` (`Infinity` for no limit). */
  maxQueue: number
  /** What a refused identify says once `close()` was called. */
  closedMessage: string
  /**
   * Watches the sink's answers against each identify's deadline: `createPipeline`'s, for a sink of the app's own;
   * what the sink has not answered when it is late fails with `sink_failed`. The client's lanes keep their
   * deadlines themselves, and its bundle (a Worker's) does without it.
   */
  watch?: SinkWatch | undefined
}

/**
 * One identify's path, from the message to its result: refused when the pipeline is closed or full;
 * otherwise validates `message`, has each adapter prepare it, de-duplicates it, hands what is left to the
 * sink and reports the results. Never rejects.
 */
export type Run = (message: unknown, messageId: string) => Promise<IdentifyResult>

/**
 * A sink's faster door, for `createClient`'s own lanes: each item is also the lane's job (with its deadline,
 * and the identify as the listener its delivery settles, by provider slot), so that a burst of pending
 * identifies holds no promise, closure or second object per sink call (bench §2). Not part of the public
 * `Sink`: the pipeline uses it when the sink has it, `accept` otherwise.
 */
export const deliverEach: unique symbol = Symbol('idstitch.deliverEach')

/** An identify whose sink may be late answering: told why, its unanswered items fail. */
export interface LateIdentify {
  late(reason: string): void
}

/** Watches each identify handed to a sink until the sink answered it all. */
export type SinkWatch = DeadlineWatch<LateIdentify>

/** A sink with the faster door. */
export interface ListeningSink extends Sink {
  [deliverEach](items: readonly Job[]): void
}

/**
 * One identify in flight: what the sink sees (its id, event, deadline, items and fingerprint), and what
 * gathers its results (one slot per provider, in configuration order) until every item has one. One object
 * per identify; it refers to the validated copy of the message, never to the caller's.
 */
class PendingIdentify implements SinkIdentify, DeliveryListener, LateIdentify {
  #fingerprint: string | undefined
  /** Sized for every provider and trimmed to those sent: pushed onto `[]`, it would reserve 17 slots (152 bytes), held while the identify is in flight (bench section 2). */
  readonly items: SinkItem[]
  readonly results: ProviderResult[]
  /** The de-duplication record each item was sent under, by provider slot. */
  records: DedupeRecord[] | undefined
  #waiting = 0
  #resolve: ((result: IdentifyResult) => void) | undefined
  constructor(
    private readonly stage: Stage,
    readonly messageId: string,
    readonly event: IdentifyEvent,
    readonly deadline: Deadline,
    private readonly done: () => void,
    /** Followed by telemetry, when the client has it: the lanes start each attempt's span under it. */
    readonly trace: IdentifyTrace | undefined,
  ) {
    this.results = new Array(stage.providers.length)
    this.items = new Array(stage.providers.length)
  }

  get fingerprint(): string {
    this.#fingerprint ??= fingerprintOf(this.event)
    return this.#fingerprint
  }

  /** Worked out when a durable sink asks for it, never on the lanes' path. */
  get traceContext(): TraceContext | undefined {
    const { trace } = this
    const telemetry = this.stage.telemetry
    return trace && telemetry?.traceContext ? guarded(() => telemetry.traceContext?.(trace)) : undefined
  }

  /** Hands the items to the sink; resolves once each has its result. */
  send(): Promise<IdentifyResult> {
    this.#waiting = this.items.length
    const promise = new Promise<IdentifyResult>((resolve) => {
      this.#resolve = resolve
    })
    try {
      if (this.stage.listening) (this.stage.sink as ListeningSink)[deliverEach](this.items as unknown as Job[])
      else this.#accepted(Promise.resolve(this.stage.sink.accept(this)))
    } catch (error) {
      this.#failed(error)
    }
    return promise
  }

  /** Waits for the sink's answers, while its watch allows. */
  #accepted(answers: Promise<readonly ProviderResult[]>): void {
    answers.then((given) => this.#answered(given), (error: unknown) => this.#failed(error))
    this.stage.watch?.add(this.deadline, this)
  }

  /** The watch's door: the sink is late, and what it has not answered fails for `reason`. */
  late(reason: string): void {
    this.#failUnanswered(reason)
  }

  /** The lanes' door: the delivery of the item of provider `slot`. */
  delivered(slot: number, delivery: Delivery): void {
    this.#place(slot, { provider: (this.stage.providers[slot] as Provider).name, ...delivery })
  }

  #answered(answers: readonly ProviderResult[]): void {
    for (let index = 0; index < this.items.length; index++) {
      const item = this.items[index] as SinkItem
      const answer = Array.isArray(answers) ? answers[index] : undefined
      this.#place(item.slot, typeof answer?.status === 'string' ? answer : sinkFailed(item, 'gave this item no result'))
    }
  }

  #failed(error: unknown): void {
    this.#failUnanswered(`failed: ${this.stage.redact.text(messageOf(error))}`)
  }

  /** Fails, for `reason`, each item the sink has not answered; whatever it answers later changes nothing. */
  #failUnanswered(reason: string): void {
    for (const item of this.items) this.#place(item.slot, sinkFailed(item, reason))
  }

  /** Puts the result of provider `slot`'s item in its place (once), tells de-duplication, and finishes with the last. */
  #place(slot: number, result: ProviderResult): void {
    if (this.#resolve === undefined || this.results[slot] !== undefined) return
    this.results[slot] = result
    const record = this.records?.[slot]
    if (record) this.stage.dedupe?.finished(record, this, result.status === 'delivered')
    if (--this.#waiting > 0) return
    const resolve = this.#resolve
    this.#resolve = undefined
    this.stage.watch?.delete(this.deadline, this)
    resolve(finishWith(this.stage, this.results, this.event.userId, this.messageId, this.done, this.trace))
  }
}

/** Reports the results and sums them up, after telling the caller (`done`) the identify is over, and its trace. */
const finishWith = (stage: Stage, results: ProviderResult[], userId: string | undefined, messageId: string, done: () => void, trace?: IdentifyTrace): IdentifyResult => {
  done()
  let result: IdentifyResult
  try {
    result = stage.results.finish(results, userId, messageId)
  } catch (error) {
    // Unreachable by design (reporting guards onError); the identify still ends.
    result = stage.results.internalFailure(error, messageId)
  }
  if (trace) guarded(() => trace.end(result.results.map(({ provider, status, error }) => (error ? { provider, status, code: error.code } : { provider, status }))))
  return result
}

/** Deadlines from now; identifies started in the same millisecond share one record. */
const deadlines = (deadlineMs: number): (() => Deadline) => {
  let last: Deadline = { at: Infinity, ms: Infinity }
  if (deadlineMs === Infinity) return () => last
  return () => {
    const at = steadyNow() + deadlineMs
    return at === last.at ? last : (last = { at, ms: deadlineMs })
  }
}

/** A result for each item the sink did not answer properly: `sink_failed`, with the reason, redacted. */
const sinkFailed = (item: SinkItem, reason: string): ProviderResult => {
  const provider = item.provider.name
  return { provider, status: 'failed', attempts: 0, error: new IdstitchError('sink_failed', `[idstitch] ${provider}: the sink ${reason}`, { provider }) }
}

/** What the pipeline keeps of the setup: the parts every run reads. */
interface Stage {
  providers: readonly Provider[]
  sink: Sink
  results: Results
  redact: Redactor
  log: SinkParts['log']
  warn: ReturnType<typeof warnOnce>
  dedupe: Dedupe | undefined
  /** The sink has the faster door: items are its jobs. */
  listening: boolean
  /** Watches a sink's answers against the deadline (see {@link PipelineParts.watch}). */
  watch: SinkWatch | undefined
  dryRun: boolean
  library: Library
  deadline: () => Deadline
  telemetry: Telemetry | undefined
}

/** The identify the sink gets, its results so far: each provider's preparation, de-duplication and dry run. */
const prepareAll = (stage: Stage, event: IdentifyEvent, messageId: string, done: () => void, trace: IdentifyTrace | undefined): PendingIdentify => {
  const { providers, redact, dedupe, log } = stage
  const identify = new PendingIdentify(stage, messageId, event, stage.deadline(), done, trace)
  const { results, items } = identify
  let sent = 0
  for (let slot = 0; slot < providers.length; slot++) {
    const provider = providers[slot] as Provider
    const prepared = prepareFor(provider, event, redact)
    const pair = prepared.send ? dedupe?.pair(provider.name, event.userId) : undefined
    if (!prepared.send) {
      if (prepared.result.status === 'skipped') log.debug(`${provider.name}: skipped: ${prepared.result.reason}`)
      results[slot] = prepared.result
    } else if (dedupe && pair && dedupe.isDuplicate(pair, identify)) {
      // The provider accepted exactly this for this user lately: saying it again would only spend its quota.
      results[slot] = { provider: provider.name, status: 'skipped', attempts: 0, reason: SKIP_REASONS.duplicate }
      log.debug(`${provider.name}: skipped: the same identify was accepted lately (dedupe)`, { event: 'duplicate', provider: provider.name })
    } else {
      stage.warn(provider, prepared.warnings)
      if (stage.dryRun) {
        results[slot] = { provider: provider.name, status: 'skipped', attempts: 0, reason: SKIP_REASONS.dryRun, request: redact.request(provider.request([prepared.item])) }
        continue
      }
      noteTraitsOnce(provider, event, log)
      if (dedupe && pair) (identify.records ??= new Array(providers.length))[slot] = dedupe.sent(pair, identify)
      // For the lanes, the item is also their job (its deadline, and the identify to tell): one object, not two, per provider (bench §2).
      const { item, bytes } = prepared
      items[sent++] = stage.listening ? ({ slot, provider, item, bytes, deadline: identify.deadline, listener: identify } as SinkItem) : { slot, provider, item, bytes }
    }
  }
  items.length = sent
  return identify
}

/** Everything a run needs, made once: the redactor, logger and results, the sink, de-duplication and deadlines. */
const stageOf = ({ options, redact, sink, library, watch }: PipelineParts): Stage => {
  const { providers } = options
  const log = safeLogger(options.logger, redact.text, options.debug)
  const created = sink({ providers, log, redact: redact.text })
  return {
    providers,
    sink: created,
    listening: typeof (created as Partial<ListeningSink>)[deliverEach] === 'function',
    watch,
    results: createResults(options, log, redact),
    redact,
    log,
    warn: warnOnce(log),
    dedupe: options.dedupe === false ? undefined : createDedupe(options.dedupe),
    dryRun: options.dryRun,
    library,
    deadline: deadlines(options.deadlineMs),
    telemetry: options.telemetry,
  }
}

/**
 * The one identify pipeline, shared by `createClient`, `createPipeline` and `@idstitch/queue`: validate →
 * prepare (each provider's adapter) → de-duplicate → hand to the sink → report. It counts the identifies in
 * flight, so that `close()` waits for them before it closes the sink, and refuses new ones once closed or
 * past `maxQueue`.
 */
export const pipelineOf = (parts: PipelineParts) => {
  const stage = stageOf(parts)
  const { providers, results } = stage
  const inFlight = createInFlight()
  let closed = false
  /** Every provider `invalid` with `issues`, nothing sent. */
  const invalid = (message: unknown, issues: readonly ValidationIssueAt[], messageId: string, done: () => void = () => {}, trace?: IdentifyTrace): IdentifyResult =>
    finishWith(stage, providers.map((provider) => invalidResult(provider.name, issues)), userIdOf(message), messageId, done, trace)
  /** Why `message` is not taken now, if it is not. */
  const refusal = (message: unknown, messageId: string): IdentifyResult | undefined => {
    if (closed) return results.refuse('client_closed', parts.closedMessage, userIdOf(message), messageId)
    if (inFlight.count >= parts.maxQueue) return results.refuse('queue_full', `${parts.maxQueue} identifies are already in flight (maxQueue); this one was not sent`, userIdOf(message), messageId)
    return undefined
  }
  // No promise callback here refers to `message`, so nothing pending keeps the caller's message alive.
  const run: Run = (message, messageId) => {
    const refused = refusal(message, messageId)
    if (refused) return Promise.resolve(refused)
    inFlight.started()
    const done = inFlight.finished
    const telemetry = stage.telemetry
    const trace = telemetry && guarded(() => telemetry.identify())
    try {
      const stamped = stampEvent(message, messageId, stage.library, stage.redact)
      if (!stamped.ok) return Promise.resolve(invalid(message, stamped.issues, messageId, done, trace))
      const identify = prepareAll(stage, stamped.event, messageId, done, trace)
      if (identify.items.length === 0) return Promise.resolve(finishWith(stage, identify.results, stamped.event.userId, messageId, done, trace))
      return identify.send()
    } catch (error) {
      // A bug of idstitch's own: the identify still resolves.
      done()
      return Promise.resolve(results.internalFailure(error, messageId))
    }
  }
  return {
    /** One identify, with its call's options as `checkCallOptions()` read them: `invalid`, nothing sent, when they are wrong. */
    identify(message: unknown, options: CheckedCallOptions): Promise<IdentifyResult> {
      // A UUID of its own when the app gave no message id.
      const messageId = options.messageId ?? crypto.randomUUID()
      if (options.issue) return Promise.resolve(invalid(message, [options.issue], messageId))
      return run(message, messageId)
    },
    log: stage.log,
    /** Resolves when every identify accepted so far has finished. */
    idle: inFlight.idle,
    /** Stops accepting identifies, waits for those in flight, then closes the sink. */
    async close(): Promise<void> {
      closed = true
      await inFlight.idle()
      await stage.sink.close?.()
    },
  }
}
