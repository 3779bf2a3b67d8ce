import { Cluster, type Redis } from 'ioredis'
import type { FirstAnswer } from './first-answer.js'
import type { RedisClient } from './redis.js'

/**
 * What in Redis's settings can lose queued jobs, in words for a log line; empty when nothing can. Read once
 * when a queue or a worker connects. A managed Redis that refuses `CONFIG` (ElastiCache, Upstash) gets no
 * verdict: its provider's own settings page says what it keeps.
 *
 * - `maxmemory-policy` other than `noeviction`: a full Redis evicts keys, jobs among them (3,000 identifies
 *   answered `queued` into 4 MB of `allkeys-lru`, and 257 were delivered).
 * - neither an append-only file nor RDB snapshots: a restart empties Redis (0 of 200 delivered).
 *
 * BullMQ prints its own eviction warning with `console.warn`, whatever the logger; idstitch turns BullMQ's
 * check off (`skipVersionCheck`) and reports through the logger instead.
 */
export const riskySettings = async (redis: RedisClient): Promise<string[]> => {
  if (redis instanceof Cluster) return clusterRisks(redis)
  return nodeRisks(redis)
}

/** Every master's risks, once each (a cluster is as safe as its least safe master). */
const clusterRisks = async (cluster: Cluster): Promise<string[]> => {
  const risks = await Promise.all(cluster.nodes('master').map((node) => nodeRisks(node)))
  return [...new Set(risks.flat())]
}

const nodeRisks = async (redis: Redis): Promise<string[]> => {
  let settings: Record<string, string>
  try {
    const pairs = (await redis.config('GET', 'maxmemory-policy')) as string[]
    const persistence = [...((await redis.config('GET', 'appendonly')) as string[]), ...((await redis.config('GET', 'save')) as string[])]
    settings = Object.fromEntries([...pairs, ...persistence].flatMap((_, index, all) => (index % 2 === 0 ? [[all[index], all[index + 1]]] : [])))
  } catch {
    return []
  }
  const risks: string[] = []
  const policy = settings['maxmemory-policy']
  if (policy !== undefined && policy !== 'noeviction') {
    risks.push(`maxmemory-policy is ${policy}: when Redis is full it evicts keys, queued identifies among them; set it to noeviction`)
  }
  if (settings.appendonly === 'no' && (settings.save ?? '').trim() === '') {
    risks.push('Redis keeps nothing on disk (appendonly no, no RDB save): a restart loses every queued identify; turn on appendonly yes')
  }
  return risks
}

/** Logs each risky setting once, as a warning, when the client first answers (never blocking or failing the app). */
export const warnOfRiskySettings = (redis: RedisClient, first: FirstAnswer, warn: (message: string) => void): void => {
  first.whenAnswered(() => {
    riskySettings(redis).then(
      (risks) => {
        for (const risk of risks) warn(`redis: ${risk}`)
      },
      () => {},
    )
  })
}
