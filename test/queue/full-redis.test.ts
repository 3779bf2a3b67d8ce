// A full Redis (maxmemory with noeviction, as idstitch asks for): producers stop at 90 % with a typed error
// that says the job was not added, workers keep the room to drain the queue, enqueueing works again once they
// have, and a Redis filled by something else refuses with the same typed error until maxmemory is raised.
import { pathbound } from '@idstitch/node/providers'
import { createQueue, createWorker, type IdentifyQueue, type IdentifyWorker } from '@idstitch/queue'
import { startRedis, type RedisServer } from '@idstitch/example-queue/redis-server'
import { pathboundRule, startProviderServer, type ProviderServer } from '@idstitch/sandbox'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { until } from './harness.js'

const KEY = 'pb_full_redis_key_0123'
const VISITOR = '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9'
const UNLIMITED = { limit: 1_000_000, windowMs: 1_000 }
const MAXMEMORY = 4 * 1024 * 1024

let redis: RedisServer
let sandbox: ProviderServer
let admin: Redis
let tests = 0
const opened: (IdentifyQueue | IdentifyWorker)[] = []

beforeAll(async () => {
  redis = await startRedis({ args: ['--maxmemory', String(MAXMEMORY), '--maxmemory-policy', 'noeviction'] })
  sandbox = await startProviderServer([pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }], rateLimit: UNLIMITED })])
  admin = new Redis(redis.url)
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((closable) => closable.close()))
  await admin.config('SET', 'maxmemory', String(MAXMEMORY))
  await admin.flushall()
})
afterAll(async () => {
  admin?.disconnect()
  await sandbox?.close()
  await redis?.remove()
})

const providers = () => [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })]
const queueFor = (prefix: string) => {
  const queue = createQueue({ connection: redis.url, prefix, providers: providers(), logger: false, deadlineMs: 2_000 })
  opened.push(queue)
  return queue
}
const workerFor = (prefix: string) => {
  const worker = createWorker({ connection: redis.url, prefix, providers: providers(), logger: false })
  opened.push(worker)
  return worker
}
const identify = (queue: IdentifyQueue, userId: string, noteBytes = 300) => queue.identify({ userId, anonymousId: VISITOR, traits: { plan: 'pro', note: 'n'.repeat(noteBytes) } })
const delivered = (prefix: string) => new Set(sandbox.accepted.filter((entry) => entry.userId.startsWith(`${prefix}_`)).map((entry) => entry.userId))
const memory = async () => Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))?.[1])

describe('@idstitch/queue when Redis is full', () => {
  // Pathbound's adapter does not measure its items (one request per identify): the guard measures them itself, so
  // that 3 KB of traits a job (about 4.5 KB in Redis) stop at 90 % as small ones do, not past maxmemory.
  it.each([
    { noteBytes: 300, atLeast: 500 },
    { noteBytes: 3_000, atLeast: 200 },
  ])('stops enqueueing at 90 % with queue_out_of_memory ($noteBytes B of traits), lets a worker drain everything it queued, then enqueues again', async ({ noteBytes, atLeast }) => {
    const prefix = `full${++tests}`
    const queue = queueFor(prefix)
    const queued = new Set<string>()
    let refusal: Awaited<ReturnType<typeof identify>>['results'][number] | undefined
    for (let index = 0; index < 20_000 && !refusal; index++) {
      const [result] = (await identify(queue, `${prefix}_${index}`, noteBytes)).results
      if (result?.status === 'queued') queued.add(`${prefix}_${index}`)
      else refusal = result
    }
    expect(queued.size).toBeGreaterThan(atLeast)
    expect(refusal).toMatchObject({ status: 'failed', error: { code: 'queue_out_of_memory', message: expect.stringContaining('90 % full') } })
    expect(refusal?.error?.message).toContain('was not added')
    expect(await memory()).toBeLessThan(MAXMEMORY)

    // Redis still has room for BullMQ's own scripts: a worker takes and removes every job.
    workerFor(prefix)
    expect(await until(() => delivered(prefix).size === queued.size, 20_000)).toBe(true)
    expect([...delivered(prefix)].every((userId) => queued.has(userId))).toBe(true)
    // With the room back (its next sample of Redis's memory, within a second), the queue enqueues again.
    expect(await until(async () => (await identify(queue, `${prefix}_again`)).results[0]?.status === 'queued', 5_000)).toBe(true)
  })

  it('reports a Redis that something else filled as queue_out_of_memory, and recovers once maxmemory is raised', async () => {
    const prefix = `full${++tests}`
    // Another tenant fills Redis to its limit.
    for (let index = 0; ; index++) {
      const refused = await admin.set(`other:${index}`, 'x'.repeat(64 * 1024)).then(() => false, (error: Error) => error.message.startsWith('OOM'))
      if (refused) break
    }
    // A new queue has not read Redis's memory yet: Redis itself refuses the job.
    const queue = queueFor(prefix)
    const [refused] = (await identify(queue, `${prefix}_1`)).results
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'queue_out_of_memory', message: expect.stringContaining('refused the job') } })
    expect(refused?.error?.message).toContain('until then no worker can take a job either')
    expect(refused?.error?.message).not.toContain('may still be added')

    await admin.config('SET', 'maxmemory', String(MAXMEMORY * 4))
    workerFor(prefix)
    // The wall clock steps back an hour (NTP, a VM resumed): the queue still reads Redis's memory again within a second.
    const wall = Date.now
    vi.spyOn(Date, 'now').mockImplementation(() => wall() - 3_600_000)
    try {
      expect(await until(async () => (await identify(queue, `${prefix}_2`)).results[0]?.status === 'queued', 5_000)).toBe(true)
    } finally {
      vi.restoreAllMocks()
    }
    expect(await until(() => delivered(prefix).has(`${prefix}_2`), 10_000)).toBe(true)
  })
})
