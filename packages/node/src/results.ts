import type { LogFields } from './logger.js'
import { IdstitchError, type Provider, type ProviderRequest } from '@idstitch/core'
import { messageOf } from '@idstitch/core/internal'
import { callApp } from './callbacks.js'
import type { Redactor } from './redact.js'

/** How one message fared with one provider. */
export interface ProviderResult {
  /** The provider's name. */
  provider: string
  /**
   * `delivered`: the provider accepted it. `skipped`: not sent, on purpose (see `reason`).
   * `invalid`: not sent, the message breaks the provider's rules (see `error.issues`).
   * `failed`: sent and refused, or never answered (see `error`).
   * `queued`: kept durably by a sink (`@idstitch/queue`'s Redis, or yours), which delivers it later (see `jobId`).
   */
  status: 'delivered' | 'queued' | 'skipped' | 'invalid' | 'failed'
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
  /**
   * `true` when the last attempt reached the provider and no answer came (it
   * timed out, or the deadline aborted it): the provider may have accepted it,
   * so a retry by the app may be a duplicate. Set only on `failed` results.
   */
  maybeDelivered?: boolean
  /** What the provider's `Retry-After` on the last attempt asked to wait, in ms. */
  retryAfterMs?: number
  /** With `dryRun`: the request that would have been sent, credentials redacted. */
  request?: ProviderRequest
  /** When `queued`: the sink's id for what it kept (`<provider>.<messageId>` in `@idstitch/queue`). */
  jobId?: string
}

/**
 * The reasons idstitch itself gives a `skipped` result. An adapter's skip gives its own words (which may quote
 * the app's configuration or data): the relay passes only these to the browser.
 */
export const SKIP_REASONS = { duplicate: 'duplicate', noConsent: 'no_consent', dryRun: 'dry run: prepared, not sent' } as const

/** What `identify()` resolves to: one result per configured provider, in configuration order. */
export interface IdentifyResult {
  /** True when no provider ended `invalid` or `failed`. */
  ok: boolean
  /** The message's id, which providers de-duplicate by (Segment's `messageId`, Mixpanel's `$insert_id`, Amplitude's `insert_id`, PostHog's `uuid`): the one given, or a new UUID. */
  messageId: string
  results: ProviderResult[]
}

/** Passed to `onError` with each failed or invalid result. */
export interface ErrorContext {
  provider: string
  userId: string | undefined
  result: ProviderResult
}

/** Turns per-provider results into what `identify()` resolves to, and tells the app about every error. */
export interface Results {
  /** Reports each result's error (to `onError`, or the logger) and sums up. */
  finish(results: ProviderResult[], userId: string | undefined, messageId: string): IdentifyResult
  /** Every provider `failed` with `code`, nothing sent: the client refused the identify. */
  refuse(code: 'queue_full' | 'client_closed', message: string, userId: string | undefined, messageId: string): IdentifyResult
  /** Every provider `failed` with `internal_error`: idstitch itself failed (a bug), and still answers. */
  internalFailure(error: unknown, messageId: string): IdentifyResult
}

export const createResults = (
  { providers, onError }: { providers: readonly Provider[]; onError: ((error: IdstitchError, context: ErrorContext) => void) | undefined },
  log: { error(message: string, fields?: LogFields): void },
  redact: Pick<Redactor, 'text' | 'error'>,
): Results => {
  const onErrorFailed = (how: string, error: unknown) => log.error(`onError ${how}: ${messageOf(error)}`)
  const report = (result: ProviderResult, userId: string | undefined): void => {
    if (!result.error) return
    if (!onError) {
      log.error(result.error.message, { event: 'result', provider: result.provider, status: result.status, code: result.error.code, httpStatus: result.httpStatus })
      return
    }
    const { error } = result
    callApp(() => onError(error, { provider: result.provider, userId, result }), onErrorFailed)
  }
  const finish = (results: ProviderResult[], userId: string | undefined, messageId: string): IdentifyResult => {
    for (const result of results) report(result, userId)
    return { ok: results.every((result) => result.status !== 'failed' && result.status !== 'invalid'), messageId, results }
  }
  const failAll = (error: (provider: Provider) => IdstitchError, userId: string | undefined, messageId: string): IdentifyResult =>
    finish(providers.map((provider) => ({ provider: provider.name, status: 'failed', attempts: 0, error: error(provider) })), userId, messageId)

  return {
    finish,
    refuse: (code, message, userId, messageId) =>
      failAll((provider) => new IdstitchError(code, `[idstitch] ${provider.name}: ${message}`, { provider: provider.name }), userId, messageId),
    internalFailure(cause, messageId) {
      const safe = redact.error(cause)
      return failAll((provider) => new IdstitchError('internal_error', `[idstitch] ${provider.name}: internal error: ${safe.message}`, { provider: provider.name, cause: safe }), undefined, messageId)
    },
  }
}
