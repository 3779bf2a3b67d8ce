import type { Redis } from 'ioredis'

// Where idstitch's jobs live in Redis. One BullMQ queue per provider name, so
// that BullMQ's global rate limiter (one per queue) is one limiter per
// provider key: two keys of the same provider get two names (`name` option).

/** The default key prefix: every idstitch key in Redis starts with `idstitch:`. */
export const DEFAULT_PREFIX = 'idstitch'

/** The BullMQ queue of a provider. */
export const queueName = (provider: string): string => provider

/**
 * A job's id: the message id and the provider, so that enqueueing the same
 * identify again (a retried request, a replayed call) adds no second job
 * while the first is still in Redis.
 */
export const jobId = (provider: string, messageId: string): string => `${provider}.${messageId}`

/** The providers that have a queue under `prefix`, read from BullMQ's `<prefix>:<queue>:meta` keys. */
export const queueNamesIn = async (redis: Redis, prefix: string): Promise<string[]> => {
  const names = new Set<string>()
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*:meta`, 'COUNT', '500')
    for (const key of keys) names.add(key.slice(prefix.length + 1, -':meta'.length))
    cursor = next
  } while (cursor !== '0')
  return [...names].sort()
}
