import { Cluster, type Redis } from 'ioredis'
import type { RedisClient } from './redis.js'

/**
 * Producers stop adding jobs when Redis is this full, so that workers always have room to take jobs and
 * finish them. On a Redis that is really full (`maxmemory`, `noeviction`), BullMQ's own scripts get OOM
 * errors too: a worker could neither take a job nor remove a delivered one, and the queue could not drain
 * itself (0 of 1,067 jobs delivered until `maxmemory` was raised). Taking and finishing a job frees more
 * memory than it uses (the job is removed once delivered), so a tenth of `maxmemory` left free is enough.
 */
const HIGH_WATER = 0.9
/** How often Redis's memory is read (INFO), at most, and never awaited by an enqueue. */
const SAMPLE_EVERY_MS = 1_000
/**
 * What a waiting job takes in Redis besides its item, rounded up from what bench §6 measures (1,132 B for a small one).
 * Its item takes about its JSON size again (a job with 3 KB of traits takes about 4.5 KB): the guard counts both.
 */
const JOB_BYTES = 1_500

/** `used_memory` and `maxmemory` of one node. */
const memoryOf = async (node: Redis): Promise<{ used: number; max: number }> => {
  const info = await node.info('memory')
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0)
  return { used: field('used_memory'), max: field('maxmemory') }
}

/** The fullest node's memory (a cluster is full when any master is: a provider's queue lives on one). */
const fullestOf = async (redis: RedisClient): Promise<{ used: number; max: number }> => {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis]
  const memories = await Promise.all(nodes.map(memoryOf))
  const ratio = ({ used, max }: { used: number; max: number }) => (max > 0 ? used / max : 0)
  return memories.reduce((fullest, memory) => (ratio(memory) > ratio(fullest) ? memory : fullest), { used: 0, max: 0 })
}

/**
 * Tells a producer when Redis is too full for another job: from a sample of its memory taken at most every
 * second (in the background), plus an estimate of what the jobs added since then take.
 */
export const memoryGuard = (redis: RedisClient) => {
  let memory = { used: 0, max: 0 }
  let added = 0
  let sampledAt = -Infinity
  let sampling = false
  const sample = () => {
    sampling = true
    fullestOf(redis)
      .then((read) => {
        memory = read
        added = 0
      }, () => {})
      .finally(() => {
        sampledAt = Date.now()
        sampling = false
      })
  }
  return {
    /**
     * Whether a job whose item takes `itemBytes()` would pass the high-water mark; counts it in when it would not.
     * The size is asked for only when Redis has a `maxmemory` and room left: measuring it is work an enqueue
     * otherwise need not do.
     */
    full(itemBytes: () => number): boolean {
      // Either way: a wall clock stepped back (NTP, a VM resumed) must not keep a full reading for the step's length.
      if (!sampling && Math.abs(Date.now() - sampledAt) > SAMPLE_EVERY_MS) sample()
      if (memory.max === 0) return false
      if (memory.used + added > memory.max * HIGH_WATER) return true
      added += JOB_BYTES + itemBytes()
      return false
    },
  }
}
