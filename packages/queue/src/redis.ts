import { Redis, type RedisOptions } from 'ioredis'
import type { Connection } from './options.js'

/** A Redis client for `connection` with `overrides`; its errors go to `onError`, never unhandled (an EventEmitter's unheard 'error' would crash the app). */
export const connect = (connection: Connection, overrides: RedisOptions, onError: (error: Error) => void): Redis => {
  const client = typeof connection === 'string' ? new Redis(connection, overrides) : new Redis({ ...connection, ...overrides })
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
