// Calling the app's own functions (a logger, onError, a telemetry hook) so that nothing they do reaches the app
// as a failure of idstitch's: what they throw is caught, and so is what they reject with. Node ends a process on
// an unhandled rejection, and these are often `async` (an onError that reports to a service that is down).

const ignore = (): void => {}

/** `result`, with a rejection it may hold handled by `onRejected` (ignored by default). */
export const settled = <Result>(result: Result, onRejected: (error: unknown) => void = ignore): Result => {
  if (typeof (result as { then?: unknown } | null | undefined)?.then === 'function') (result as PromiseLike<unknown>).then(undefined, onRejected)
  return result
}

/** Calls the app's `call`; what it throws or rejects with goes to `failed`, with which of the two it was. */
export const callApp = (call: () => unknown, failed: (how: 'threw' | 'rejected', error: unknown) => void): void => {
  try {
    settled(call(), (error) => failed('rejected', error))
  } catch (error) {
    failed('threw', error)
  }
}

/** Calls a hook; one that throws or rejects is ignored (telemetry never takes delivery down). */
export const guarded = <Result>(hook: () => Result): Result | undefined => {
  try {
    return settled(hook())
  } catch {
    return undefined
  }
}
