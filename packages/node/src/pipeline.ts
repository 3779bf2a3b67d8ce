import { IdstitchError, type IdentifyEvent, type Provider } from '@idstitch/core'
import type { Library } from '@idstitch/core/internal'
import { createDedupe, fingerprintOf, type Dedupe, type DedupeTicket } from './dedupe.js'
import { safeLogger } from './logger.js'
import type { ResolvedOptions } from './options.js'
import { invalidResult, noteTraitsOnce, prepareFor, stampEvent, userIdOf, warnOnce } from './prepare.js'
import { createRedactor, type Redactor } from './redact.js'
import { createResults, type IdentifyResult, type ProviderResult, type Results } from './results.js'
import type { Deadline, Sink, SinkIdentify, SinkItem, SinkParts } from './sink.js'

/** A validation issue, before the provider is named. */
type ValidationIssueAt = Parameters<typeof invalidResult>[1][number]

/** What a pipeline is built from: the client's options (checked), where its identifies go, and the SDK it stamps. */
export interface PipelineParts {
  options: Pick<ResolvedOptions, 'providers' | 'logger' | 'onError' | 'deadlineMs' | 'dedupe' | 'dryRun'>
  sink: (parts: SinkParts) => Sink
  library: Library
}

/**
 * One identify's path, from the message to its result: validates `message`, has each adapter prepare it,
 * de-duplicates it, hands what is left to the sink and reports the results. Never rejects. `done` is called
 * once, just before the result is resolved.
 */
export type Run = (message: unknown, messageId: string, done?: () => void) => Promise<IdentifyResult>

/** One identify as the sink sees it; its fingerprint is computed when first read (de-duplication off, a lane never reads it). */
class PreparedIdentify implements SinkIdentify {
  #fingerprint: string | undefined
  constructor(
    readonly messageId: string,
    readonly event: IdentifyEvent,
    readonly deadline: Deadline,
    readonly items: SinkItem[],
  ) {}

  get fingerprint(): string {
    this.#fingerprint ??= fingerprintOf(this.event)
    return this.#fingerprint
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
  dryRun: boolean
  library: Library
  deadline: () => Deadline
}

/** The results so far, and the identify the sink gets: each provider's preparation, de-duplication and dry run. */
const prepareAll = (stage: Stage, event: IdentifyEvent, messageId: string) => {
  const { providers, redact, dedupe, log } = stage
  const results: ProviderResult[] = new Array(providers.length)
  const items: SinkItem[] = []
  const identify = new PreparedIdentify(messageId, event, stage.deadline(), items)
  const tickets: DedupeTicket[] | undefined = dedupe && []
  for (let slot = 0; slot < providers.length; slot++) {
    const provider = providers[slot] as Provider
    const prepared = prepareFor(provider, event, redact)
    if (!prepared.send) {
      if (prepared.result.status === 'skipped') log.debug(`${provider.name}: skipped: ${prepared.result.reason}`)
      results[slot] = prepared.result
    } else if (dedupe?.isDuplicate(provider.name, event.userId, identify.fingerprint)) {
      // The provider accepted exactly this for this user lately: saying it again would only spend its quota.
      results[slot] = { provider: provider.name, status: 'skipped', attempts: 0, reason: 'duplicate' }
    } else {
      stage.warn(provider, prepared.warnings)
      if (stage.dryRun) {
        results[slot] = { provider: provider.name, status: 'skipped', attempts: 0, reason: 'dry run: prepared, not sent', request: redact.request(provider.request([prepared.item])) }
        continue
      }
      noteTraitsOnce(provider, event, log)
      tickets?.push(dedupe!.sent(provider.name, event.userId, identify.fingerprint))
      items.push({ slot, provider, item: prepared.item, bytes: prepared.bytes })
    }
  }
  return { results, identify, tickets }
}

/** Puts the sink's answers in their providers' places; an answer missing or malformed fails its item. De-duplication learns each outcome. */
const place = (stage: Stage, prepared: ReturnType<typeof prepareAll>, answers: readonly ProviderResult[] | undefined, failure: string | undefined): void => {
  const { results, identify, tickets } = prepared
  identify.items.forEach((item, index) => {
    const answer = answers?.[index]
    const result = failure !== undefined ? sinkFailed(item, failure) : typeof answer?.status === 'string' ? answer : sinkFailed(item, 'gave this item no result')
    results[item.slot] = result
    if (tickets) stage.dedupe?.finished(tickets[index] as DedupeTicket, result.status === 'delivered')
  })
}

/** Hands the identify to the sink and waits for its answers; a sink that throws or rejects fails its items. */
const throughSink = (stage: Stage, prepared: ReturnType<typeof prepareAll>): Promise<void> => {
  const failed = (error: unknown) => place(stage, prepared, undefined, `failed: ${stage.redact.text(error instanceof Error ? error.message : String(error))}`)
  try {
    return Promise.resolve(stage.sink.accept(prepared.identify)).then((answers) => place(stage, prepared, Array.isArray(answers) ? answers : undefined, undefined), failed)
  } catch (error) {
    failed(error)
    return Promise.resolve()
  }
}

/** Everything a run needs, made once: the redactor, logger and results, the sink, de-duplication and deadlines. */
const stageOf = ({ options, sink, library }: PipelineParts): Stage => {
  const { providers } = options
  const redact = createRedactor(providers)
  const log = safeLogger(options.logger, redact.text)
  return {
    providers,
    sink: sink({ providers, log, redact: redact.text }),
    results: createResults(options, log, redact),
    redact,
    log,
    warn: warnOnce(log),
    dedupe: options.dedupe === false ? undefined : createDedupe(options.dedupe),
    dryRun: options.dryRun,
    library,
    deadline: deadlines(options.deadlineMs),
  }
}

/**
 * The one identify pipeline, shared by `createClient`, `createPipeline` and `@idstitch/queue`: validate →
 * prepare (each provider's adapter) → de-duplicate → hand to the sink → report. Returns the run, and
 * `close` for the sink.
 */
export const pipelineOf = (parts: PipelineParts) => {
  const stage = stageOf(parts)
  const { providers, results } = stage
  const finish = (message: unknown, messageId: string, done: (() => void) | undefined, list: ProviderResult[]): IdentifyResult => {
    done?.()
    try {
      return results.finish(list, userIdOf(message), messageId)
    } catch (error) {
      // Unreachable by design (reporting guards onError); the identify still ends.
      return results.internalFailure(error, messageId)
    }
  }
  /** Every provider `invalid` with `issues`, nothing sent. */
  const invalid = (message: unknown, issues: readonly ValidationIssueAt[], messageId: string, done?: () => void): IdentifyResult =>
    finish(message, messageId, done, providers.map((provider) => invalidResult(provider.name, issues)))
  const run: Run = (message, messageId, done) => {
    try {
      const stamped = stampEvent(message, messageId, stage.library, stage.redact)
      if (!stamped.ok) return Promise.resolve(invalid(message, stamped.issues, messageId, done))
      const prepared = prepareAll(stage, stamped.event, messageId)
      if (prepared.identify.items.length === 0) return Promise.resolve(finish(message, messageId, done, prepared.results))
      return throughSink(stage, prepared).then(() => finish(message, messageId, done, prepared.results))
    } catch (error) {
      // A bug of idstitch's own: the identify still resolves.
      done?.()
      return Promise.resolve(results.internalFailure(error, messageId))
    }
  }
  return { run, invalid, close: async () => void (await stage.sink.close?.()), results }
}
