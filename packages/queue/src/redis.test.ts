import { type Cluster, Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, type RedisClient } from './redis.js'

const opened: RedisClient[] = []
afterEach(() => {
  for (const client of opened.splice(0)) client.disconnect()
})
/** A client for `connection` that never connects (lazyConnect), to read its options. */
const clientOf = (connection: Parameters<typeof connect>[0]): RedisClient => {
  const client = connect(connection, { lazyConnect: true }, () => {})
  opened.push(client)
  return client
}
const readonly = new Error("READONLY You can't write against a read only replica.")

describe('connect', () => {
  it('reconnects on READONLY, where a failover left the connection on the old primary, unless the app says otherwise', () => {
    const own = () => 2 as const
    const fromUrl = clientOf('redis://127.0.0.1:6399') as Redis
    expect(fromUrl.options.reconnectOnError?.(readonly)).toBe(1)
    expect(fromUrl.options.reconnectOnError?.(new Error('ERR unknown command'))).toBe(false)
    expect((clientOf({ host: '127.0.0.1', port: 6399 }) as Redis).options.reconnectOnError?.(readonly)).toBe(1)
    expect((clientOf({ host: '127.0.0.1', port: 6399, reconnectOnError: own }) as Redis).options.reconnectOnError).toBe(own)
    const apps = new Redis({ port: 6399, lazyConnect: true, reconnectOnError: own })
    opened.push(apps)
    expect((clientOf(apps) as Redis).options.reconnectOnError).toBe(own)
    const plain = new Redis({ port: 6399, lazyConnect: true })
    opened.push(plain)
    expect((clientOf(plain) as Redis).options.reconnectOnError?.(readonly)).toBe(1)
    // A Cluster follows its failovers itself (MOVED).
    const cluster = clientOf({ cluster: [6399] }) as Cluster
    expect(cluster.options.redisOptions?.reconnectOnError).toBeUndefined()
  })
})
