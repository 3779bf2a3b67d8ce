/** Thrown by {@link withDeadline} when `ms` ran out first. */
export class DeadlineError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'DeadlineError'
  }
}

/**
 * `promise`, or a `DeadlineError` after `ms`. What `promise` does later is
 * ignored (its rejection included), so nothing goes unhandled.
 */
export const withDeadline = <T>(promise: Promise<T>, ms: number): Promise<T> => {
  // No deadline (`deadlineMs: false`): a timer of Infinity would fire at once.
  if (!Number.isFinite(ms)) return promise
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(ms)), ms)
  })
  promise.catch(() => {})
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}
