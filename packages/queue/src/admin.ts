import { Queue } from 'bullmq'
import { jobCounts, type QueueCounts } from './counts.js'
import { providersIn, queueName } from './names.js'
import type { RedisClient } from './redis.js'

/** A dead letter, as the CLI lists it. */
export interface DeadLetter {
  provider: string
  jobId: string
  attempts: number
  failedAt: string | undefined
  reason: string
}

/** Counts per state of one provider's queue. */
export type StateCounts = QueueCounts

/**
 * The operator's view of every idstitch queue under a prefix, for the CLI:
 * counts, dead letters, replay. It reads the queues from Redis, so it needs
 * no provider configuration and no credential.
 */
export const openAdmin = async (redis: RedisClient, prefix: string) => {
  const names = await providersIn(redis, prefix)
  // A command that loses Redis fails with its own one-line message; without a listener, BullMQ would print each
  // connection error with console.error besides (the client's errors are the CLI's to report).
  const queues = new Map(names.map((name) => [name, new Queue(queueName(name), { connection: redis, prefix, skipVersionCheck: true }).on('error', () => {})]))
  const pick = (provider: string | undefined): [string, Queue][] => {
    if (provider !== undefined && !queues.has(provider)) throw new Error(`no idstitch queue for provider '${provider}' under prefix '${prefix}' (there are: ${names.join(', ') || 'none'})`)
    return [...queues].filter(([name]) => provider === undefined || name === provider)
  }
  return {
    names,
    async counts(provider?: string): Promise<Record<string, StateCounts>> {
      return Object.fromEntries(await Promise.all(pick(provider).map(async ([name, queue]) => [name, await jobCounts(queue)] as const)))
    },
    /** Each provider's newest dead letters, at most `limit` of them, and how many more there are that are not listed. */
    async deadLetters(provider?: string, limit = 100): Promise<{ letters: DeadLetter[]; unlisted: number }> {
      const lists = await Promise.all(
        pick(provider).map(async ([name, queue]) => {
          const [jobs, count] = await Promise.all([queue.getFailed(0, limit - 1), queue.getFailedCount()])
          const letters = jobs.map((job) => ({
            provider: name,
            jobId: String(job.id),
            attempts: job.attemptsMade,
            failedAt: job.finishedOn === undefined ? undefined : new Date(job.finishedOn).toISOString(),
            reason: job.failedReason,
          }))
          return { letters, unlisted: Math.max(0, count - letters.length) }
        }),
      )
      return { letters: lists.flatMap((list) => list.letters), unlisted: lists.reduce((sum, list) => sum + list.unlisted, 0) }
    },
    /**
     * Moves every dead letter there is as the command starts back to waiting, its attempts started afresh;
     * returns how many. One cutoff for the count and the move: BullMQ's failed set is scored by when each job
     * failed, and `retryJobs` moves them in batches, each up to its own `Date.now()` unless given one. Counted
     * apart (the set's size, then the move), a job failing in between was moved but not counted.
     */
    async retry(provider?: string): Promise<number> {
      const cutoff = Date.now()
      let moved = 0
      for (const [, queue] of pick(provider)) {
        moved += await redis.zcount(queue.toKey('failed'), 0, cutoff)
        await queue.retryJobs({ state: 'failed', timestamp: cutoff })
      }
      return moved
    },
    async close(): Promise<void> {
      await Promise.all([...queues.values()].map((queue) => queue.close()))
    },
  }
}
