/**
 * The error hierarchy of idstitch. Every error has a stable `code` to branch on,
 * a `name` equal to its class name, and keeps the underlying error in `cause`.
 *
 * Use the `isXError()` guards rather than `instanceof` when errors may cross
 * realms (two copies of the package, iframes, worker boundaries).
 */

import { printable } from './printable.js'

/** Stable error codes. New codes may be added in minor versions. */
export type ErrorCode =
  | 'config_invalid'
  | 'validation_failed'
  | 'http_error'
  | 'visitor_not_found'
  | 'rate_limited'
  | 'client_rate_limited'
  | 'provider_rejected'
  | 'timeout'
  | 'deadline_exceeded'
  | 'network_error'
  | 'queue_full'
  | 'client_closed'
  | 'internal_error'
  | 'circuit_open'
  | 'provider_unavailable'
  /** @idstitch/queue: Redis did not acknowledge the job within the deadline. */
  | 'queue_unavailable'
  /** The provider's answer was larger than `maxResponseBytes`: the connection was dropped, the request may have been accepted. */
  | 'response_too_large'
  /** The provider answered with a redirect (3xx), which idstitch never follows: it would carry the credentials to another host. */
  | 'redirect_refused'
  /** @idstitch/queue: Redis is full (`maxmemory` reached, `noeviction`) and refused the job: it was not added. */
  | 'queue_out_of_memory'
  /** @idstitch/queue: a job with this message id, saying something else (another user, other ids or traits), is already queued; this identify was not enqueued. */
  | 'message_id_conflict'
  /** An adapter threw (preparing the message, building its request, or reading the answer): a bug in that adapter, never the app's. */
  | 'adapter_failed'
  /** A sink (a queue's producer, or one of your own) threw, rejected, or gave an item no result: whether it kept the item is not known. */
  | 'sink_failed'

/**
 * The base class of every error idstitch creates.
 *
 * @example
 * if (isIdstitchError(result.error)) console.log(result.error.code)
 */
// Fields are declared and assigned in constructors, not initialised as class fields: the
// browser tracker bundles ConfigError, and class fields compile to helpers for older browsers.
export class IdstitchError extends Error {
  /** A stable, machine-readable code. */
  declare readonly code: ErrorCode
  /** The provider this error is about, when there is one. */
  declare readonly provider: string | undefined

  constructor(code: ErrorCode, message: string, options: { provider?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'IdstitchError'
    Object.assign(this, { code, provider: options.provider })
  }
}

/**
 * Thrown at construction when a client or provider is configured wrongly.
 * `provider` and `option` name what to fix.
 *
 * @example
 * try { datafast({ apiKey: 'dft_x' }) } catch (e) { if (isConfigError(e)) e.option // 'websiteId' }
 */
export class ConfigError extends IdstitchError {
  declare name: 'ConfigError'
  /** The option that is wrong, as a dotted path (`retry.limit`, `apiKey`). */
  declare readonly option: string

  constructor(option: string, message: string, options: { provider?: string; cause?: unknown } = {}) {
    const where = options.provider === undefined ? '' : `${options.provider}: `
    super('config_invalid', `[idstitch] ${where}invalid option \`${option}\`: ${message}`, options)
    this.name = 'ConfigError'
    Object.assign(this, { option })
  }
}

/** One reason a message, or a helper's argument, is refused. */
export interface ValidationIssue {
  /**
   * The provider that refuses the message. Message-level issues are copied to
   * every provider. Absent when a helper (`contactCookie()`, …) refused its
   * argument: the error's `source` names the helper.
   */
  provider?: string
  /** The dotted path of the field at fault: `userId`, `traits.email`. */
  path: string
  /** What is wrong with it, in words. */
  message: string
}

/**
 * A message that a provider cannot accept (nothing was sent to that
 * provider), or an argument a helper refuses (`source` names the helper).
 *
 * @example
 * const { error } = result.results[0]
 * if (isValidationError(error)) for (const issue of error.issues) console.log(issue.path, issue.message)
 */
export class ValidationError extends IdstitchError {
  declare name: 'ValidationError'
  declare readonly issues: readonly ValidationIssue[]
  /** The provider, or the helper (`'contactCookie()'`), that refused. */
  declare readonly source: string | undefined

  constructor(issues: readonly ValidationIssue[], options: { source?: string } = {}) {
    const first = issues[0]
    const source = options.source ?? first?.provider
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
    const text = first === undefined ? 'invalid message' : `${source === undefined ? '' : `${source}: `}${first.path} ${first.message}${more}`
    // printable: a path names the fields a caller sent (a browser, through the relay), and apps log this message.
    super('validation_failed', `[idstitch] ${printable(text)}`, { provider: first?.provider })
    this.name = 'ValidationError'
    Object.assign(this, { issues, source })
  }
}

/**
 * A provider answered with an error status, or with a success status and an
 * error envelope. `body` is the parsed response (JSON when it was JSON).
 */
export class HttpError extends IdstitchError {
  declare name: 'HttpError'
  declare readonly status: number
  declare readonly body: unknown
  declare readonly provider: string

  constructor(
    provider: string,
    status: number,
    message: string,
    options: { code?: ErrorCode; body?: unknown; cause?: unknown } = {},
  ) {
    super(options.code ?? 'http_error', `[idstitch] ${provider}: HTTP ${status}: ${message}`, { provider, cause: options.cause })
    this.name = 'HttpError'
    Object.assign(this, { status, body: options.body })
  }
}

/**
 * An attempt took longer than `timeoutMs` (`code: 'timeout'`), or the whole
 * identify ran past `deadlineMs` (`code: 'deadline_exceeded'`).
 */
export class TimeoutError extends IdstitchError {
  declare name: 'TimeoutError'
  declare readonly timeoutMs: number

  constructor(provider: string, timeoutMs: number, kind: 'attempt' | 'deadline' = 'attempt') {
    const what = kind === 'attempt' ? `request timed out after ${timeoutMs} ms` : `gave up at the ${timeoutMs} ms deadline`
    super(kind === 'attempt' ? 'timeout' : 'deadline_exceeded', `[idstitch] ${provider}: ${what}`, { provider })
    this.name = 'TimeoutError'
    Object.assign(this, { timeoutMs })
  }
}

/** The request never got an HTTP response (refused, reset, DNS). The original error is in `cause`. */
export class NetworkError extends IdstitchError {
  declare name: 'NetworkError'

  constructor(provider: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    super('network_error', `[idstitch] ${provider}: network error: ${detail}`, { provider, cause })
    this.name = 'NetworkError'
  }
}

const hasName = (error: unknown, names: readonly string[]): boolean => {
  if (typeof error !== 'object' || error === null) return false
  const name = (error as { name?: unknown }).name
  return typeof name === 'string' && names.includes(name) && typeof (error as { code?: unknown }).code === 'string'
}

const errorNames = ['IdstitchError', 'ConfigError', 'ValidationError', 'HttpError', 'TimeoutError', 'NetworkError']

/** True for any error created by idstitch, across realms. */
export const isIdstitchError = (error: unknown): error is IdstitchError =>
  error instanceof IdstitchError || hasName(error, errorNames)
/** True for a {@link ConfigError}, across realms. */
export const isConfigError = (error: unknown): error is ConfigError =>
  error instanceof ConfigError || hasName(error, ['ConfigError'])
/** True for a {@link ValidationError}, across realms. */
export const isValidationError = (error: unknown): error is ValidationError =>
  error instanceof ValidationError || hasName(error, ['ValidationError'])
/** True for an {@link HttpError}, across realms. */
export const isHttpError = (error: unknown): error is HttpError =>
  error instanceof HttpError || hasName(error, ['HttpError'])
/** True for a {@link TimeoutError}, across realms. */
export const isTimeoutError = (error: unknown): error is TimeoutError =>
  error instanceof TimeoutError || hasName(error, ['TimeoutError'])
/** True for a {@link NetworkError}, across realms. */
export const isNetworkError = (error: unknown): error is NetworkError =>
  error instanceof NetworkError || hasName(error, ['NetworkError'])
