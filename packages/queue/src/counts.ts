import type { Queue } from 'bullmq'

/** Job counts of one provider's queue. */
export interface QueueCounts {
  waiting: number
  active: number
  delayed: number
  /** The dead letters: jobs that failed for good, kept for `keepFailedMs`. */
  failed: number
}

/** A queue's jobs by state, as BullMQ counts them (a prioritized job is waiting too). */
export const jobCounts = async (queue: Queue): Promise<QueueCounts> => {
  const { waiting = 0, active = 0, delayed = 0, failed = 0, prioritized = 0 } = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized')
  return { waiting: waiting + prioritized, active, delayed, failed }
}
