import type { IdentifyResult, IdstitchError, ProviderResult } from '@idstitch/node'

/**
 * How one identify fared with one provider's queue: `@idstitch/node`'s `ProviderResult`. `queued`: Redis has
 * the job (`jobId`: `<provider>.<messageId>`), a worker delivers it. `skipped`, `invalid`: not enqueued (see
 * `reason`, `error.issues`). `failed`: not enqueued (`queue_unavailable`: Redis did not acknowledge in time;
 * `message_id_conflict`; `client_closed`).
 */
export type QueuedResult = ProviderResult

/** What the queue's `identify()` resolves to: `@idstitch/node`'s `IdentifyResult`, one result per provider, in configuration order. */
export type QueueResult = IdentifyResult

/** What `onError` is told with each error. */
export interface QueueErrorContext {
  provider: string
  userId: string | undefined
  /** The job, when there is one. */
  jobId: string | undefined
}

/** Hands each result's error to `onError`, or logs it; an `onError` that throws or rejects is logged, never thrown. */
export const reportTo =
  (onError: ((error: IdstitchError, context: QueueErrorContext) => void) | undefined, log: { error(message: string): void }) =>
  (result: { provider: string; error?: IdstitchError | undefined }, context: Omit<QueueErrorContext, 'provider'>): void => {
    if (!result.error) return
    if (!onError) {
      log.error(result.error.message)
      return
    }
    const failed = (how: string) => (error: unknown) => log.error(`onError ${how}: ${error instanceof Error ? error.message : String(error)}`)
    try {
      // An async onError that rejects is handled too: Node would end the worker's process on it.
      Promise.resolve(onError(result.error, { provider: result.provider, ...context })).catch(failed('rejected'))
    } catch (error) {
      failed('threw')(error)
    }
  }
