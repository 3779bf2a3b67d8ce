import type { ErrorCode } from './errors.js'

/** What an error code says: which error class carries it, whether sending again can help, and what it means. */
export interface ErrorCodeInfo {
  /** The class an error with this code is. */
  readonly error: 'ConfigError' | 'ValidationError' | 'HttpError' | 'TimeoutError' | 'NetworkError' | 'IdstitchError'
  /**
   * `true` when sending the same message again cannot succeed, or must not be tried (it may have been
   * accepted); `'by-status'` for an HTTP answer, where a 4xx other than 408 and 429 is permanent.
   */
  readonly permanent: boolean | 'by-status'
  /** One line. */
  readonly meaning: string
}

/**
 * The one table of error codes. `@idstitch/queue`'s worker reads it to decide
 * what a job's failure means (a dead letter, or another attempt later), and a
 * test holds the README's table of errors to it.
 */
export const ERROR_CODES: { readonly [Code in ErrorCode]: ErrorCodeInfo } = {
  config_invalid: { error: 'ConfigError', permanent: true, meaning: 'a client, provider or helper was configured wrongly' },
  validation_failed: { error: 'ValidationError', permanent: true, meaning: 'the message (or a helper argument) was refused before sending' },
  http_error: { error: 'HttpError', permanent: 'by-status', meaning: 'the provider answered with an error status' },
  visitor_not_found: { error: 'HttpError', permanent: 'by-status', meaning: 'DataFast answered 404: it has not seen this visitor' },
  rate_limited: { error: 'HttpError', permanent: false, meaning: 'the provider answered 429' },
  provider_rejected: { error: 'HttpError', permanent: true, meaning: 'the provider answered 2xx with an error envelope, or a web page where its API answers JSON' },
  redirect_refused: { error: 'HttpError', permanent: true, meaning: 'the provider answered with a redirect, which idstitch never follows' },
  timeout: { error: 'TimeoutError', permanent: false, meaning: 'an attempt took longer than timeoutMs' },
  deadline_exceeded: { error: 'TimeoutError', permanent: false, meaning: "the identify's deadline passed" },
  network_error: { error: 'NetworkError', permanent: false, meaning: 'no HTTP answer came (refused, reset)' },
  response_too_large: { error: 'IdstitchError', permanent: true, meaning: "the answer's body passed maxResponseBytes; the request may have been accepted" },
  client_rate_limited: { error: 'IdstitchError', permanent: false, meaning: "no slot of the provider's client-side rate limit before the deadline" },
  queue_full: { error: 'IdstitchError', permanent: false, meaning: 'maxQueue identifies were already in flight' },
  client_closed: { error: 'IdstitchError', permanent: false, meaning: 'the client or queue was shut down' },
  circuit_open: { error: 'IdstitchError', permanent: false, meaning: 'every attempt to the provider failed lately; none is sent for a while' },
  provider_unavailable: { error: 'IdstitchError', permanent: false, meaning: 'the provider asked to wait longer than maxRetryAfterMs' },
  queue_unavailable: { error: 'IdstitchError', permanent: false, meaning: 'Redis did not acknowledge the job within deadlineMs, or has not answered since the queue was created' },
  queue_out_of_memory: { error: 'IdstitchError', permanent: false, meaning: 'Redis is full (90 % of maxmemory, or maxmemory reached with noeviction): the job was not added' },
  message_id_conflict: { error: 'IdstitchError', permanent: true, meaning: 'a queued job with this messageId says something else' },
  adapter_failed: { error: 'IdstitchError', permanent: true, meaning: 'an adapter threw while preparing, building its request or reading the answer' },
  sink_failed: { error: 'IdstitchError', permanent: false, meaning: 'a sink threw, rejected, gave an item no result, or none a second past the deadline; whether it kept the item is not known' },
  internal_error: { error: 'IdstitchError', permanent: true, meaning: 'idstitch itself failed: a bug to report' },
}

/**
 * True when sending the same message again cannot succeed, or must not be tried: by the code, and for an
 * HTTP answer by its status (a 4xx other than 408 and 429).
 *
 * @example
 * isPermanentFailure('redirect_refused') // true
 * isPermanentFailure('http_error', 503)  // false
 */
export const isPermanentFailure = (code: ErrorCode | undefined, status?: number): boolean => {
  const permanent = code === undefined ? 'by-status' : (ERROR_CODES[code]?.permanent ?? 'by-status')
  if (permanent !== 'by-status') return permanent
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429
}
