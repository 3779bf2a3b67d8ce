/** Counts identifies accepted and not finished, and resolves `idle()` when none are left. */
export const createInFlight = () => {
  let count = 0
  let waiters: (() => void)[] = []
  const wake = (): void => {
    if (count > 0) return
    const woken = waiters
    waiters = []
    for (const resolve of woken) resolve()
  }
  return {
    get count() {
      return count
    },
    started: (): void => void count++,
    // Wakes idle() after a macrotask, so the callbacks the app chained on the identify run first.
    finished: (): void => {
      if (--count === 0 && waiters.length > 0) setTimeout(wake, 0)
    },
    idle: (): Promise<void> => (count === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
  }
}
