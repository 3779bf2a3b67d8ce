import { refusesCredentials, refusesWrites, type RedisClient } from './redis.js'

// Where idstitch's jobs live in Redis. One BullMQ queue per provider name, so
// that BullMQ's global rate limiter (one per queue) is one limiter per
// provider key: two keys of the same provider get two names (`name` option).

/** The default key prefix: every idstitch key in Redis starts with `idstitch:`. */
export const DEFAULT_PREFIX = 'idstitch'

/**
 * The BullMQ queue of a provider: its name as a Redis Cluster hash tag, so that every key of the queue hashes to
 * one slot (BullMQ's scripts touch several keys at once, and a cluster refuses that across slots with
 * CROSSSLOT), while the queues of different providers spread over the cluster's nodes. Provider names hold no
 * braces (`@idstitch/node` checks them).
 */
export const queueName = (provider: string): string => `{${provider}}`

/**
 * A job's id: the message id and the provider, so that enqueueing the same
 * identify again (a retried request, a replayed call) adds no second job
 * while the first is still in Redis.
 */
export const jobId = (provider: string, messageId: string): string => `${provider}.${messageId}`

/** The registry of the providers with a queue under `prefix`: a set, one key, that the CLI reads. */
const registryKey = (prefix: string): string => `${prefix}:providers`

/**
 * Adds `providers` to the registry. Producers and workers do, when they connect: the CLI then finds the queues
 * without scanning the keyspace (a SCAN took about 1 s per million unrelated keys on a shared Redis, and on a
 * cluster saw only the keys of the node it asked).
 */
const register = async (redis: RedisClient, prefix: string, providers: readonly string[]): Promise<void> => {
  if (providers.length > 0) await redis.sadd(registryKey(prefix), ...providers)
}

/**
 * Keeps `providers` in the registry: each time the client connects, and reconnects, so that a Redis that came
 * after the app, or lost its data in a restart, lists them again (one SADD a connection). Failures go to `warn`.
 */
export const keepRegistered = (redis: RedisClient, prefix: string, providers: readonly string[], warn: (error: Error) => void): void => {
  const add = () => void register(redis, prefix, providers).catch(warn)
  redis.on('ready', add)
  if (redis.status === 'ready') add()
}

/** The providers that have a queue under `prefix`, from the registry. */
export const providersIn = async (redis: RedisClient, prefix: string): Promise<string[]> => (await redis.smembers(registryKey(prefix))).sort()

/**
 * Redis's refusal of what BullMQ does under `prefix`, or `undefined`: a script that writes one of its keys (an SREM
 * from the registry that removes nothing). A user the ACL does not let run scripts or write those keys (`NOPERM`),
 * or a Redis that refuses writes (`READONLY`, `NOREPLICAS`, `MISCONF`), is refused every job fetch, which a worker
 * otherwise hears only as errors in its loop.
 */
export const scriptRefusal = async (redis: RedisClient, prefix: string): Promise<Error | undefined> => {
  try {
    await redis.eval("return redis.call('SREM', KEYS[1], ARGV[1])", 1, registryKey(prefix), '')
    return undefined
  } catch (error) {
    return error instanceof Error && (refusesCredentials(error) || refusesWrites(error)) ? error : undefined
  }
}
