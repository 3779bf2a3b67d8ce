import { type IdstitchError, TimeoutError } from '@idstitch/core'
import type { Deadline } from '../sink.js'
import type { IdentifyTrace, JobTrace, LaneState } from '../telemetry.js'

export type { Deadline }

/** How one message fared with one provider's delivery: a `ProviderResult` without its provider's name. */
export interface Delivery {
  /** `delivered`: the provider accepted it. `failed`: see `error` (and `retryAfterMs`). */
  status: 'delivered' | 'failed'
  /** HTTP requests made (0 when it failed before sending). */
  attempts: number
  /** The last HTTP status received. */
  httpStatus?: number
  /** What the provider answered on success. */
  data?: unknown
  /** Why it failed: an `HttpError`, `TimeoutError`, `NetworkError` or `IdstitchError` (`provider_unavailable` during a `Retry-After` wait), redacted. */
  error?: IdstitchError
  /** The last attempt reached the provider and got no answer (timed out, or aborted at the deadline): it may have been accepted. */
  maybeDelivered?: boolean
  /** How long the provider's `Retry-After` on the last attempt asked to wait, in ms. */
  retryAfterMs?: number
}

/**
 * Who waits for a job: `delivered(slot, delivery)` is called once per job. An
 * object and a slot number rather than a callback, so a burst of pending
 * identifies holds no closure per provider (see bench/).
 */
export interface DeliveryListener {
  delivered(slot: number, delivery: Delivery): void
  /** The identify's trace (or a queue job's), when telemetry follows it: its attempts' spans start under it. */
  readonly trace?: IdentifyTrace | JobTrace | undefined
}

/** One prepared item to deliver. */
export interface Job {
  item: unknown
  /** The item's JSON size, when the adapter measured it (batching needs it, and measures it otherwise). */
  bytes?: number | undefined
  deadline: Deadline
  listener: DeliveryListener
  /** Handed back to `listener.delivered`. */
  slot: number
}

/** A delivery lane: jobs in, one `delivered` call per job out. */
export interface DeliveryLane {
  /**
   * Queues one prepared item and calls `job.listener.delivered(job.slot, …)`
   * once, when it is delivered or has finally failed, by its deadline at the latest.
   */
  enqueue(job: Job): void
  /** Its state now, for the metrics. */
  state?(): LaneState
}

/** The outcome of one attempt: a final delivery, or a failure worth retrying (after `retryAfterMs`, when the server said). */
export interface Outcome {
  final: boolean
  delivery: Delivery
  retryAfterMs?: number | undefined
  /**
   * A batch's answer that refused some of its items: each one's failure by its
   * index in the flight's jobs. The others go on as `others` says: `accepted`
   * (then `delivery` is theirs), or sent again without the refused (`resend`).
   */
  split?: { refused: ReadonlyMap<number, Delivery>; others: 'accepted' | 'resend' }
}

/** Hands each job its outcome; one job's listener failing must not keep the others from theirs. */
export const finish = (jobs: readonly Job[], delivery: Delivery): void => {
  for (const job of jobs) {
    try {
      job.listener.delivered(job.slot, delivery)
    } catch {
      // The client's listeners do not throw; this only guards the lane.
    }
  }
}

/** A message out of time: `deadline_exceeded`, after `attempts` attempts. */
export const expired = (provider: string, deadline: Deadline, attempts = 0): Delivery => ({
  status: 'failed',
  attempts,
  error: new TimeoutError(provider, deadline.ms, 'deadline'),
})
