import type { IdstitchError } from '@idstitch/core'

/** How one identify fared with one provider's queue. */
export interface QueuedResult {
  provider: string
  /**
   * `queued`: Redis has the job; a worker delivers it. `skipped`: not
   * enqueued, on purpose (see `reason`). `invalid`: not enqueued, the message
   * breaks the provider's rules (see `error.issues`). `failed`: not enqueued
   * (`queue_unavailable`: Redis did not acknowledge in time; `client_closed`).
   */
  status: 'queued' | 'skipped' | 'invalid' | 'failed'
  /** The job's id, when queued: `<provider>.<messageId>`. */
  jobId?: string
  error?: IdstitchError
  reason?: string
}

/** What the queue's `identify()` resolves to: one result per provider, in configuration order. */
export interface QueueResult {
  /** True when no provider ended `invalid` or `failed`. */
  ok: boolean
  /** The message's id, given or generated. */
  messageId: string
  results: QueuedResult[]
}

/** What `onError` is told with each error. */
export interface QueueErrorContext {
  provider: string
  userId: string | undefined
  /** The job, when there is one. */
  jobId: string | undefined
}

/** Hands each result's error to `onError`, or logs it; an `onError` that throws is logged, never thrown. */
export const reportTo =
  (onError: ((error: IdstitchError, context: QueueErrorContext) => void) | undefined, log: { error(message: string): void }) =>
  (result: { provider: string; error?: IdstitchError | undefined }, context: Omit<QueueErrorContext, 'provider'>): void => {
    if (!result.error) return
    if (!onError) {
      log.error(result.error.message)
      return
    }
    try {
      onError(result.error, { provider: result.provider, ...context })
    } catch (error) {
      log.error(`onError threw: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
