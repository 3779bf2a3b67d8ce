import type { Deadline } from '@idstitch/node/sink'

/** What a {@link createDeadlines} watcher is told when its deadline came first. */
export class DeadlineError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'DeadlineError'
  }
}

/** The watchers waiting on one deadline, and its timer. */
interface Due {
  timer: ReturnType<typeof setTimeout>
  waiting: Set<(error: DeadlineError) => void>
}

/** Stops a watch: its `late` is not called any more, and the deadline's timer goes with its last watcher. */
export type Cancel = () => void

const nothing: Cancel = () => {}

/**
 * Watches identifies' deadlines with one timer per deadline, not one per identify: the pipeline gives
 * identifies started in the same millisecond the same deadline record, and a timer, a promise of its own and
 * a `Promise.race` per enqueue cost ~4.5 us of its CPU (bench section 6). A watch is a callback, not a
 * promise: an enqueue's answer then takes one promise step from Redis's acknowledgement to the identify's
 * result instead of four (~1 us, bench section 6). A deadline's timer is cleared once nothing watches it,
 * so a process that is done exits at once.
 */
export const createDeadlines = () => {
  const due = new Map<number, Due>()
  const expire = (at: number, ms: number): void => {
    const entry = due.get(at)
    due.delete(at)
    for (const late of entry?.waiting ?? []) late(new DeadlineError(ms))
  }
  const dueAt = (at: number, ms: number): Due => {
    let entry = due.get(at)
    if (entry === undefined) {
      // At most `ms`: `at` is on the pipeline's clock, which does not step back when the wall clock does.
      entry = { timer: setTimeout(expire, Math.max(0, Math.min(ms, at - Date.now())), at, ms), waiting: new Set() }
      due.set(at, entry)
    }
    return entry
  }
  /**
   * Calls `late` once `deadline` passed, unless the returned `Cancel` was called first. No deadline
   * (`at: Infinity`): never.
   */
  return ({ at, ms }: Deadline, late: (error: DeadlineError) => void): Cancel => {
    if (!Number.isFinite(at)) return nothing
    const entry = dueAt(at, ms)
    entry.waiting.add(late)
    return () => {
      if (!entry.waiting.delete(late) || entry.waiting.size > 0 || due.get(at) !== entry) return
      clearTimeout(entry.timer)
      due.delete(at)
    }
  }
}
