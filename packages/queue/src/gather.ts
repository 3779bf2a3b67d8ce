/**
 * Holds what arrives within `windowMs` and hands it over in one call, so that
 * a batching provider's lane puts the jobs a worker fetched one by one into
 * one request. With `windowMs` 0 every item goes at once.
 */
export const gather = <T>(windowMs: number, flush: (items: T[]) => void) => {
  let held: T[] = []
  let waiting = false
  const release = (): void => {
    waiting = false
    const items = held
    held = []
    flush(items)
  }
  return (item: T): void => {
    held.push(item)
    if (windowMs === 0) release()
    else if (!waiting) {
      waiting = true
      setTimeout(release, windowMs)
    }
  }
}
