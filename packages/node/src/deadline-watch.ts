import type { Deadline } from './sink.js'

/** Stops a watch: its `late` is not called any more, and the deadline's timer goes with its last watcher. */
export type CancelWatch = () => void

/**
 * Calls `late` once `deadline` passed, `graceMs` later (default 0), unless the returned {@link CancelWatch} is
 * called first. No deadline (`at: Infinity`): never.
 */
export type DeadlineWatch = (deadline: Deadline, late: () => void, graceMs?: number) => CancelWatch

/** The watchers waiting on one moment, and its timer. */
interface Due {
  timer: ReturnType<typeof setTimeout>
  waiting: Set<() => void>
}

const nothing: CancelWatch = () => {}

/**
 * Watches identifies' deadlines with one timer per deadline, not one per identify: the pipeline gives the
 * identifies it starts in the same millisecond the same {@link Deadline}, and a timer, a promise of its own and a
 * `Promise.race` per identify cost a queue's enqueue ~4.5 us of CPU (bench section 6). A watch is a callback, not a
 * promise: an answer then takes one promise step to the identify's result instead of four. A deadline's timer
 * is cleared once nothing watches it, so a process that is done exits at once. `@idstitch/queue`'s sink
 * watches each enqueue with it, and the pipeline each sink of its own (`createPipeline`).
 *
 * @example
 * const watch = createDeadlineWatch()
 * const cancel = watch(identify.deadline, () => settle('no answer by the deadline'))
 * // … once the answer came:
 * cancel()
 */
export const createDeadlineWatch = (): DeadlineWatch => {
  const due = new Map<number, Due>()
  const expire = (at: number): void => {
    const entry = due.get(at)
    due.delete(at)
    for (const late of entry?.waiting ?? []) late()
  }
  const dueAt = (at: number, ms: number, graceMs: number): Due => {
    const key = at + graceMs
    let entry = due.get(key)
    if (entry === undefined) {
      // At most `ms`: `at` is on the pipeline's clock, which does not step back when the wall clock does.
      entry = { timer: setTimeout(expire, Math.max(0, Math.min(ms, at - Date.now())) + graceMs, key), waiting: new Set() }
      due.set(key, entry)
    }
    return entry
  }
  return ({ at, ms }, late, graceMs = 0) => {
    if (!Number.isFinite(at)) return nothing
    const entry = dueAt(at, ms, graceMs)
    entry.waiting.add(late)
    return () => {
      if (!entry.waiting.delete(late) || entry.waiting.size > 0 || due.get(at + graceMs) !== entry) return
      clearTimeout(entry.timer)
      due.delete(at + graceMs)
    }
  }
}
