import { Redis, type RedisOptions } from 'ioredis'
import { ConfigError } from '@idstitch/node'

/** Where Redis is: a `redis://` or `rediss://` URL, or ioredis options. */
export type Connection = string | RedisOptions

/** `url` with its password (the user-info part) replaced: safe to print. */
// Up to the last `@`: a password may hold an unencoded `#`, `/` or `@` itself.
export const redactedUrl = (url: string): string => url.replace(/^(rediss?:\/\/).*@/i, '$1[redacted]@')

/**
 * Why a Redis connection string cannot be used, in words that never hold it (it holds the password), or
 * `undefined` when it can. A password with an unencoded `#`, `/` or `@`, or a port that is not a number,
 * made ioredis throw a TypeError whose `input` was the whole URL, password included.
 */
export const redisUrlProblem = (url: string): string | undefined => {
  if (!/^rediss?:\/\//i.test(url)) return 'must be a redis:// or rediss:// URL'
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'is not a URL that parses: percent-encode a password with #, /, ? or @ in it (encodeURIComponent), and check the port'
  }
  if (parsed.hostname === '') return 'has no host'
  if (parsed.port !== '' && !(Number(parsed.port) > 0 && Number(parsed.port) < 65_536)) return 'has a port out of range'
  if (parsed.pathname.length > 1 && !/^\/\d{1,2}$/.test(parsed.pathname)) return 'may name only a database number after the host (redis://host:6379/0): percent-encode a / in the password'
  return undefined
}

/** A Redis client for `connection` with `overrides`; its errors go to `onError`, never unhandled (an EventEmitter's unheard 'error' would crash the app). */
export const connect = (connection: Connection, overrides: RedisOptions, onError: (error: Error) => void): Redis => {
  let client: Redis
  try {
    client = typeof connection === 'string' ? new Redis(connection, overrides) : new Redis({ ...connection, ...overrides })
  } catch (error) {
    // Never the raw error: ioredis puts the URL, password included, in it.
    const detail = error instanceof Error ? redactedUrl(error.message).replace(/rediss?:\/\/\S*/gi, (url) => redactedUrl(url)) : 'it threw'
    throw new ConfigError('connection', `ioredis refused it: ${typeof connection === 'string' ? detail.split(connection).join(redactedUrl(connection)) : detail}`)
  }
  client.on('error', onError)
  return client
}

/** At most one log line per `everyMs` for a failing connection, which ioredis reports at every reconnect attempt. */
export const throttled = (log: (message: string) => void, everyMs = 10_000) => {
  let last = -Infinity
  return (error: Error): void => {
    const now = Date.now()
    if (now - last < everyMs) return
    last = now
    log(`redis: ${error.message}`)
  }
}
