import type { Deadline } from './sink.js'

/** Watchers of identifies' deadlines (see {@link createDeadlineWatch}). */
export interface DeadlineWatch<Watcher> {
  /** Watches `deadline` for `watcher`: it is late once the deadline passed (and the watch's grace), unless deleted first. No deadline (`at: Infinity`): never. */
  add(deadline: Deadline, watcher: Watcher): void
  /** Stops watching `deadline` for `watcher` (its answer came); the deadline's timer goes with its last watcher. */
  delete(deadline: Deadline, watcher: Watcher): void
}

/** The watchers waiting on one deadline, and its timer. */
interface Due<Watcher> {
  timer: ReturnType<typeof setTimeout>
  waiting: Set<Watcher>
}

/**
 * Watches identifies' deadlines with one timer per deadline, not one per identify: the pipeline gives the
 * identifies it starts in the same millisecond the same {@link Deadline}, and a timer, a promise of its own and a
 * `Promise.race` per identify cost a queue's enqueue ~4.5 us of CPU (bench section 6). A watcher is any value
 * (the pending identify itself, say), so a watch allocates nothing per identify; `late(watcher, deadline)` is
 * called for each still watched `graceMs` (default 0) past its deadline. A deadline's timer is cleared once
 * nothing watches it, so a process that is done exits at once. `@idstitch/queue`'s sink watches its adds with
 * it, and the pipeline a sink of the app's own (`createPipeline`).
 *
 * @example
 * const watch = createDeadlineWatch<{ settle(reason?: string): void }>((adding, deadline) => adding.settle(`no answer within ${deadline.ms} ms`))
 * watch.add(identify.deadline, adding)
 * // … once the answer came:
 * watch.delete(identify.deadline, adding)
 */
export const createDeadlineWatch = <Watcher>(late: (watcher: Watcher, deadline: Deadline) => void, graceMs = 0): DeadlineWatch<Watcher> => {
  const due = new Map<number, Due<Watcher>>()
  const expire = (deadline: Deadline): void => {
    const entry = due.get(deadline.at)
    due.delete(deadline.at)
    for (const watcher of entry?.waiting ?? []) late(watcher, deadline)
  }
  return {
    add(deadline, watcher) {
      if (!Number.isFinite(deadline.at)) return
      let entry = due.get(deadline.at)
      if (entry === undefined) {
        // At most `ms`: `at` is on the pipeline's clock, which does not step back when the wall clock does.
        const wait = Math.max(0, Math.min(deadline.ms, deadline.at - Date.now())) + graceMs
        entry = { timer: setTimeout(expire, wait, deadline), waiting: new Set() }
        due.set(deadline.at, entry)
      }
      entry.waiting.add(watcher)
    },
    delete(deadline, watcher) {
      // A deadline that passed is no longer here: its watchers were told, and deleting one changes nothing.
      const entry = due.get(deadline.at)
      if (entry === undefined || !entry.waiting.delete(watcher) || entry.waiting.size > 0) return
      clearTimeout(entry.timer)
      due.delete(deadline.at)
    },
  }
}
