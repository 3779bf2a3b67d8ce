import type { Provider } from '@idstitch/core'
import { utf8Length } from '@idstitch/core/internal'
import { createFifo } from '../fifo.js'
import type { Job } from './job.js'

/** Room left in a batch body for its wrapper (`{"batch":[…]}`) and separators. */
const BATCH_OVERHEAD = 64

/** The jobs waiting for a request, in order, and how they are taken: one a request, or as many as a batch holds. */
export interface Batcher {
  readonly size: number
  /** Queues a job (measuring its item's JSON, for a provider that batches, when the adapter did not). */
  push(job: Job): void
  /** The next request's jobs: the first waiting, and as many more as the provider's batch limits allow. */
  take(): Job[]
  /** The soonest deadline of what waits, at the head (`Infinity`: nothing waits). */
  nextDeadline(): number
  /** Takes the first job when its deadline is at or before `at`. */
  takeDue(at: number): Job | undefined
}

export const createBatcher = (batch: Provider['batch']): Batcher => {
  const queue = createFifo<Required<Job>>()
  return {
    get size() {
      return queue.size
    },
    push(job) {
      job.bytes = batch ? (job.bytes ?? utf8Length(JSON.stringify(job.item))) : 0
      queue.push(job as Required<Job>)
    },
    take() {
      const first = queue.shift() as Required<Job>
      const jobs: Job[] = [first]
      if (!batch) return jobs
      let bytes = first.bytes + BATCH_OVERHEAD
      while (queue.size > 0 && jobs.length < batch.maxItems) {
        const next = queue.peek() as Required<Job>
        if (bytes + next.bytes + 1 > batch.maxBytes) break
        bytes += next.bytes + 1
        jobs.push(queue.shift() as Required<Job>)
      }
      return jobs
    },
    nextDeadline: () => queue.peek()?.deadline.at ?? Number.POSITIVE_INFINITY,
    takeDue: (at) => ((queue.peek()?.deadline.at ?? Number.POSITIVE_INFINITY) <= at && queue.size > 0 ? queue.shift() : undefined),
  }
}
