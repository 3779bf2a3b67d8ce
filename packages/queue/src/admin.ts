import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { queueNamesIn } from './names.js'

/** A dead letter, as the CLI lists it. */
export interface DeadLetter {
  provider: string
  jobId: string
  attempts: number
  failedAt: string | undefined
  reason: string
}

/** Counts per state of one provider's queue. */
export type StateCounts = Record<'waiting' | 'active' | 'delayed' | 'failed', number>

/**
 * The operator's view of every idstitch queue under a prefix, for the CLI:
 * counts, dead letters, replay. It reads the queues from Redis, so it needs
 * no provider configuration and no credential.
 */
export const openAdmin = async (redis: Redis, prefix: string) => {
  const names = await queueNamesIn(redis, prefix)
  const queues = new Map(names.map((name) => [name, new Queue(name, { connection: redis, prefix })]))
  const pick = (provider: string | undefined): [string, Queue][] => {
    if (provider !== undefined && !queues.has(provider)) throw new Error(`no idstitch queue for provider '${provider}' under prefix '${prefix}' (there are: ${names.join(', ') || 'none'})`)
    return [...queues].filter(([name]) => provider === undefined || name === provider)
  }
  const countsOf = async (queue: Queue): Promise<StateCounts> => {
    const { waiting = 0, prioritized = 0, active = 0, delayed = 0, failed = 0 } = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed')
    return { waiting: waiting + prioritized, active, delayed, failed }
  }
  return {
    names,
    async counts(provider?: string): Promise<Record<string, StateCounts>> {
      return Object.fromEntries(await Promise.all(pick(provider).map(async ([name, queue]) => [name, await countsOf(queue)] as const)))
    },
    async deadLetters(provider?: string, limit = 100): Promise<DeadLetter[]> {
      const lists = await Promise.all(
        pick(provider).map(async ([name, queue]) =>
          (await queue.getFailed(0, limit - 1)).map((job) => ({
            provider: name,
            jobId: String(job.id),
            attempts: job.attemptsMade,
            failedAt: job.finishedOn === undefined ? undefined : new Date(job.finishedOn).toISOString(),
            reason: job.failedReason,
          })),
        ),
      )
      return lists.flat()
    },
    /** Moves every dead letter back to waiting, its attempts started afresh; returns how many. */
    async retry(provider?: string): Promise<number> {
      let moved = 0
      for (const [, queue] of pick(provider)) {
        moved += await queue.getFailedCount()
        await queue.retryJobs({ state: 'failed' })
      }
      return moved
    },
    async close(): Promise<void> {
      await Promise.all([...queues.values()].map((queue) => queue.close()))
    },
  }
}
