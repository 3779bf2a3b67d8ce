// @idstitch/queue end to end: the built package, a real redis-server (AOF on),
// worker processes, and the Pathbound and Segment stand-ins over real HTTP.
import { createHash, createHmac } from 'node:crypto'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { createIdentifyHandler, type Provider } from '@idstitch/node'
import { mixpanel, pathbound, segment } from '@idstitch/node/providers'
import { createQueue, createWorker, type IdentifyQueue, type IdentifyWorker } from '@idstitch/queue'
import { mixpanelRules, pathboundRule, segmentRule, startProviderServer, type ProviderServer } from '@idstitch/sandbox'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRedis, type RedisServer } from '@idstitch/example-queue/redis-server'
import { run, workspaceBin } from '../support/run.js'
import { runCli } from '../../packages/queue/src/cli-program.js'
import { queueName } from '../../packages/queue/src/names.js'
import { startWorker, until, type WorkerProcess } from './harness.js'

const KEY = 'pb_queue_key_0123456789'
const WRITE_KEY = 'wk_queue_segment_0123'
const MIXPANEL_TOKEN = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const UNLIMITED = { limit: 1_000_000, windowMs: 1_000 }
const DEDUPE_SECRET = 'queue-test-dedupe-secret-0123'
const cli = workspaceBin('idstitch-queue')

let redis: RedisServer
let sandbox: ProviderServer
let prefix: string
let tests = 0
const workers: WorkerProcess[] = []
const inProcess: IdentifyWorker[] = []
const queues: IdentifyQueue[] = []

beforeAll(async () => {
  redis = await startRedis()
})
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill()))
  await Promise.all(inProcess.splice(0).map((worker) => worker.close()))
  await Promise.all(queues.splice(0).map((queue) => queue.close()))
  await sandbox?.close()
})
afterAll(async () => {
  await redis?.remove()
})

/** A fresh stand-in and key prefix for each test, so no test sees another's jobs or limits. */
const fresh = async (rateLimit = UNLIMITED) => {
  prefix = `t${++tests}`
  sandbox = await startProviderServer([pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }], rateLimit }), segmentRule({ writeKeys: [WRITE_KEY] }), ...mixpanelRules({ tokens: [MIXPANEL_TOKEN] })])
}
const queueFor = (options: { rateLimit?: typeof UNLIMITED; segment?: boolean; attempts?: number; backoffMs?: number; deadlineMs?: number; connection?: string } = {}) => {
  const providers: Provider[] = [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: options.rateLimit ?? UNLIMITED })]
  if (options.segment) providers.push(segment({ writeKey: WRITE_KEY, baseUrl: sandbox.url }))
  const queue = createQueue({ connection: options.connection ?? redis.url, prefix, providers, logger: false, attempts: options.attempts, backoffMs: options.backoffMs, deadlineMs: options.deadlineMs })
  queues.push(queue)
  return queue
}
const worker = async (options: { rateLimit?: typeof UNLIMITED; segment?: boolean; worker?: Record<string, unknown> } = {}) => {
  const started = await startWorker({
    REDIS_URL: redis.url,
    PATHBOUND_API_KEY: KEY,
    PATHBOUND_BASE_URL: sandbox.url,
    PATHBOUND_RATE_LIMIT: JSON.stringify(options.rateLimit ?? UNLIMITED),
    ...(options.segment ? { SEGMENT_WRITE_KEY: WRITE_KEY, SEGMENT_BASE_URL: sandbox.url } : {}),
    IDSTITCH_WORKER: JSON.stringify({ prefix, logger: false, ...options.worker }),
  })
  workers.push(started)
  return started
}
const enqueue = async (queue: IdentifyQueue, count: number, from = 0) => {
  for (let start = from; start < from + count; start += 100) {
    const results = await Promise.all(Array.from({ length: Math.min(100, from + count - start) }, (_, i) => queue.identify({ userId: `usr_${start + i}`, anonymousId: VISITOR, traits: { plan: 'pro' } })))
    for (const result of results) expect(result.ok).toBe(true)
  }
}
const accepted = (provider = 'pathbound') => new Set(sandbox.accepted.filter((identify) => identify.provider === provider).map((identify) => identify.userId))
/** The idstitch-queue command, as its bin runs it (a process). */
const idstitchCliBin = (...args: string[]) => run(cli, ['--redis', redis.url, '--prefix', prefix, ...args])
/** The same command in this process (its code counted by coverage): the exit code and what it printed. */
const idstitchCli = async (...args: string[]) => {
  const out: string[] = []
  const code = await runCli(['node', 'idstitch-queue', '--redis', redis.url, '--prefix', prefix, ...args], { out: (line) => out.push(line), err: (line) => out.push(line) })
  return { code, stdout: out.join('\n') }
}

/** Everything idstitch keeps in Redis under the test's prefix, as text. */
const everythingInRedis = async (): Promise<string> => {
  const client = new Redis(redis.url)
  try {
    const keys = await client.keys(`${prefix}:*`)
    const values = await Promise.all(
      keys.map(async (key) => {
        const type = await client.type(key)
        if (type === 'hash') return JSON.stringify(await client.hgetall(key))
        if (type === 'list') return JSON.stringify(await client.lrange(key, 0, -1))
        if (type === 'zset') return JSON.stringify(await client.zrange(key, '0', '-1'))
        if (type === 'set') return JSON.stringify(await client.smembers(key))
        if (type === 'stream') return JSON.stringify(await client.xrange(key, '-', '+'))
        if (type === 'string') return String(await client.get(key))
        return ''
      }),
    )
    return keys.join('\n') + values.join('\n')
  } finally {
    client.disconnect()
  }
}

describe('@idstitch/queue on a real Redis', () => {
  it('enqueues one job per provider with a deterministic id, refuses invalid input at once, keeps no credential in Redis, and delivers', async () => {
    await fresh()
    const queue = queueFor({ segment: true })
    const first = await queue.identify({ userId: 'usr_ada', anonymousId: VISITOR, traits: { email: 'ada@example.com' } }, { messageId: 'msg-1' })
    expect(first).toMatchObject({ ok: true, messageId: 'msg-1', results: [{ provider: 'pathbound', status: 'queued', jobId: 'pathbound.msg-1' }, { provider: 'segment', status: 'queued', jobId: 'segment.msg-1' }] })
    // The same message again (a retried login request): no second job.
    expect((await queue.identify({ userId: 'usr_ada', anonymousId: VISITOR, traits: { email: 'ada@example.com' } }, { messageId: 'msg-1' })).ok).toBe(true)
    expect(await queue.counts()).toEqual({ pathbound: { waiting: 1, active: 0, delayed: 0, failed: 0 }, segment: { waiting: 1, active: 0, delayed: 0, failed: 0 } })

    const invalid = await queue.identify({ userId: 'x'.repeat(101), anonymousId: 'not-a-uuid' })
    expect(invalid.ok).toBe(false)
    expect(invalid.results.map((result) => [result.status, result.error?.code])).toEqual([['invalid', 'validation_failed'], ['invalid', 'validation_failed']])
    expect((await queue.identify({ userId: 'usr_1' }, { messageId: 'bad id:1' })).results[0]).toMatchObject({ status: 'invalid', error: { issues: [{ path: 'messageId' }] } })
    // A misspelled option is refused, not ignored (a retried login would be two jobs), and a null one is none; neither throws.
    expect((await queue.identify({ userId: 'usr_1' }, { messageID: 'msg-2' } as never)).results[0]).toMatchObject({ status: 'invalid', error: { issues: [{ path: 'messageID', message: 'is not an option; did you mean `messageId`?' }] } })
    expect((await queue.identify({ userId: 'usr_1' }, null as never)).results[0]).toMatchObject({ status: 'queued' })
    expect((await queue.counts()).pathbound?.waiting).toBe(2)
    // A message that throws when read (a lazy ORM record, a Proxy) is invalid, never a rejection.
    const hostile = new Proxy({}, { get: () => { throw new Error(`boom ${KEY}`) }, ownKeys: () => { throw new Error('boom') } })
    const refused = await queue.identify(hostile as never)
    expect(refused.results.map((result) => result.status)).toEqual(['invalid', 'invalid'])
    expect(JSON.stringify(refused.results.map((result) => result.error?.message))).not.toContain(KEY)

    const stored = await everythingInRedis()
    expect(stored).toContain('usr_ada')
    expect(stored).not.toContain(KEY)
    expect(stored).not.toContain(WRITE_KEY)

    await worker({ segment: true })
    expect(await until(() => accepted('pathbound').has('usr_ada') && accepted('segment').has('usr_ada'), 10_000)).toBe(true)
    // Delivered jobs are removed: the traits do not stay at rest.
    expect(await until(async () => !(await everythingInRedis()).includes('ada@example.com'), 5_000)).toBe(true)
  }, 30_000)

  it('skips an identify a provider already accepted for the user, across instances, keeping only hashes in Redis', async () => {
    await fresh()
    const [app1, app2] = [queueFor(), queueFor()]
    const delivering = createWorker({ connection: redis.url, prefix, logger: false, dedupe: { secret: DEDUPE_SECRET }, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })] })
    inProcess.push(delivering)
    expect((await app1.identify({ userId: 'usr_same', anonymousId: VISITOR, traits: { plan: 'pro' } })).results[0]?.status).toBe('queued')
    expect(await until(() => accepted().has('usr_same'), 10_000)).toBe(true)
    // Another instance, the same identify: enqueued (a producer spends nothing on de-duplication, and needs no
    // secret), and the worker, which checks just before sending, skips it: nothing reaches the provider.
    expect((await app2.identify({ userId: 'usr_same', anonymousId: VISITOR, traits: { plan: 'pro' } })).results[0]?.status).toBe('queued')
    expect(await until(() => delivering.counts().pathbound?.duplicates === 1, 10_000)).toBe(true)
    expect(sandbox.requests).toHaveLength(1)
    // What changed is sent.
    expect((await app2.identify({ userId: 'usr_same', anonymousId: VISITOR, traits: { plan: 'team' } })).results[0]?.status).toBe('queued')
    expect(await until(() => sandbox.requests.length === 2, 10_000)).toBe(true)
    const stored = await everythingInRedis()
    // Keyed by an HMAC with the deployment's secret: a SHA-256 of a guessed id finds nothing.
    expect(stored).toContain(`${prefix}:dedupe:${createHmac('sha256', DEDUPE_SECRET).update('pathbound\u0000usr_same').digest('base64url')}`)
    for (const encoding of ['hex', 'base64url'] as const) expect(stored).not.toContain(createHash('sha256').update('pathbound\u0000usr_same').digest(encoding))
    expect(stored).not.toContain('usr_same')
    expect(stored).not.toContain('team')
  })

  it('forgets what the provider accepted for a user once a delivery fails, which may have landed: the same identify is sent again', async () => {
    await fresh()
    const app = queueFor({ attempts: 1 })
    const delivering = createWorker({ connection: redis.url, prefix, logger: false, timeoutMs: 500, dedupe: { secret: DEDUPE_SECRET }, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })] })
    inProcess.push(delivering)
    const plans = () => sandbox.accepted.filter((identify) => identify.userId === 'usr_flaky').map((identify) => identify.traits?.plan)
    await app.identify({ userId: 'usr_flaky', anonymousId: VISITOR, traits: { plan: 'pro' } })
    expect(await until(() => plans().length === 1, 10_000)).toBe(true)
    // The provider takes 'team' after the worker stopped waiting (a timeout): it holds 'team', which the worker cannot know.
    sandbox.faults.push({ delayMs: 1_500 })
    await app.identify({ userId: 'usr_flaky', anonymousId: VISITOR, traits: { plan: 'team' } })
    expect(await until(() => delivering.counts().pathbound?.deadLetters === 1 && plans().length === 2, 10_000)).toBe(true)
    // 'pro' again is news to the provider: it was skipped as a duplicate of the last delivery, and the provider kept 'team'.
    await app.identify({ userId: 'usr_flaky', anonymousId: VISITOR, traits: { plan: 'pro' } })
    expect(await until(() => plans().length === 3, 10_000)).toBe(true)
    expect(plans()).toEqual(['pro', 'team', 'pro'])
    expect(delivering.counts().pathbound?.duplicates).toBe(0)
  })

  it('remembers nothing when two deliveries of a user overlap: the provider keeps the one it processed last, whichever answer came back last', async () => {
    await fresh()
    const app = queueFor()
    const delivering = createWorker({ connection: redis.url, prefix, logger: false, concurrency: 4, dedupe: { secret: DEDUPE_SECRET }, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })] })
    inProcess.push(delivering)
    const plans = () => sandbox.accepted.filter((identify) => identify.userId === 'usr_twice').map((identify) => identify.traits?.plan)
    // The first request to arrive is accepted at once and answered a second later; the second, accepted after it
    // (so the provider holds it), is answered at once: the first one's answer comes back last.
    sandbox.faults.push({ answerDelayMs: 1_000 })
    await Promise.all(['pro', 'team'].map((plan) => app.identify({ userId: 'usr_twice', anonymousId: VISITOR, traits: { plan } })))
    expect(await until(() => delivering.counts().pathbound?.delivered === 2, 10_000)).toBe(true)
    const [first, kept] = plans()
    expect(new Set([first, kept])).toEqual(new Set(['pro', 'team']))
    // What the first said is news to the provider, which holds the second: it is sent, not skipped.
    await app.identify({ userId: 'usr_twice', anonymousId: VISITOR, traits: { plan: first } })
    expect(await until(() => plans().length === 3, 10_000)).toBe(true)
    expect(plans()).toEqual([first, kept, first])
    expect(delivering.counts().pathbound?.duplicates).toBe(0)
    // And once nothing overlaps, the same again is skipped.
    await app.identify({ userId: 'usr_twice', anonymousId: VISITOR, traits: { plan: first } })
    expect(await until(() => delivering.counts().pathbound?.duplicates === 1, 10_000)).toBe(true)
    expect(plans()).toHaveLength(3)
  })

  it('enqueues the front end\'s identify when the relay endpoint is given the queue as its client', async () => {
    await fresh()
    const queue = queueFor()
    const relay = createIdentifyHandler({ client: queue, authenticate: () => 'usr_relay' })
    const origin = 'https://app.example.test'
    const response = await relay(new Request(`${origin}/api/identify`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ anonymousId: VISITOR }) }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true, results: [{ provider: 'pathbound', status: 'queued' }] })
    expect((await queue.counts()).pathbound?.waiting).toBe(1)
  })

  // The workers keep a margin of a tenth of the window (at most 1 s) for the time between a job's start and its
  // request's arrival: a 4 s window tolerates 400 ms of that on this shared 2-core machine (a 2 s one, 200 ms, which a
  // busy CI run exceeded now and then).
  it('keeps a provider limit across two worker processes: never more than 10 requests in any 4 s, no 429, all 40 delivered', async () => {
    const limit = { limit: 10, windowMs: 4_000 }
    await fresh(limit)
    const queue = queueFor({ rateLimit: limit })
    await Promise.all([worker({ rateLimit: limit }), worker({ rateLimit: limit })])
    await enqueue(queue, 40)
    expect(await until(() => accepted().size === 40, 60_000)).toBe(true)
    const times = sandbox.requests.map((request) => request.at).sort((a, b) => a - b)
    expect(times).toHaveLength(40) // no 429 (it would have cost a retry), no duplicate
    const busiest = Math.max(...times.map((at) => times.filter((other) => other >= at && other < at + limit.windowMs).length))
    expect(busiest).toBeLessThanOrEqual(10)
  }, 90_000)

  it('delivers every job at least once when a worker is killed mid-delivery, none more than twice', async () => {
    await fresh()
    const queue = queueFor()
    const crashing = { lockDurationMs: 2_000, stalledIntervalMs: 1_000, concurrency: 8 }
    // The first requests hang for 3 s: the worker dies with them in flight.
    sandbox.faults.push(...Array.from({ length: 8 }, () => ({ delayMs: 3_000 })))
    await enqueue(queue, 40)
    const doomed = await worker({ worker: crashing })
    expect(await until(() => sandbox.requests.length >= 8, 10_000)).toBe(true)
    await doomed.kill()
    await worker({ worker: crashing })
    expect(await until(() => accepted().size === 40, 30_000)).toBe(true)
    const seen = new Map<string, number>()
    for (const request of sandbox.requests) {
      const userId = (request.body as { external_id: string }).external_id
      seen.set(userId, (seen.get(userId) ?? 0) + 1)
    }
    expect(Math.max(...seen.values())).toBeLessThanOrEqual(2)
  }, 60_000)

  it('delivers all 1,000 jobs waiting when redis-server stops and starts again (AOF)', async () => {
    await fresh()
    const queue = queueFor()
    await enqueue(queue, 1_000)
    await redis.stop()
    await redis.start()
    // The producer reconnects too.
    expect(await until(async () => (await queue.identify({ userId: 'usr_after_restart' })).ok, 10_000)).toBe(true)
    await worker({ worker: { concurrency: 32 } })
    expect(await until(() => accepted().size === 1_001, 60_000)).toBe(true)
  }, 120_000)

  it('retries through a 20 s provider outage (503) and delivers everything once it recovers', async () => {
    await fresh()
    const queue = queueFor({ attempts: 30, backoffMs: 500 })
    sandbox.flaky = { rate: 1, status: 503 }
    const recoversAt = Date.now() + 20_000
    setTimeout(() => (sandbox.flaky = undefined), 20_000)
    await worker({ worker: { maxBackoffMs: 4_000 } })
    await enqueue(queue, 20)
    expect(await until(() => accepted().size === 20, 75_000)).toBe(true)
    expect(sandbox.requests.length).toBeGreaterThan(20)
    expect(sandbox.accepted.every((identify) => Date.parse(identify.at) >= recoversAt - 50)).toBe(true)
    // The stand-in answers before the worker marks the last job done: wait for the queue to settle.
    const settled = { pathbound: { waiting: 0, active: 0, delayed: 0, failed: 0 } }
    await until(async () => JSON.stringify(await queue.counts()) === JSON.stringify(settled), 5_000)
    expect(await queue.counts()).toEqual(settled)
  }, 100_000)

  it('keeps rejected jobs (400) as dead letters with their redacted errors, lists them within --limit, and `idstitch-queue retry` delivers them once fixed', async () => {
    await fresh()
    const queue = queueFor()
    const refusal = { status: 400, body: { status: 'error', error: `Validation failed for key ${KEY}`, details: [{ field: 'traits', message: 'refused' }] } }
    sandbox.faults.push(refusal, refusal)
    await worker()
    await queue.identify({ userId: 'usr_dead', anonymousId: VISITOR })
    await queue.identify({ userId: 'usr_dead_too', anonymousId: VISITOR })
    expect(await until(async () => (await queue.counts()).pathbound?.failed === 2, 10_000)).toBe(true)

    const status = await idstitchCliBin('status')
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(/pathbound\s+0\s+0\s+0\s+2/)
    const failed = await idstitchCli('failed')
    expect(failed.stdout).toContain('pathbound.')
    expect(failed.stdout).toContain('HTTP 400')
    expect(failed.stdout).not.toContain(KEY)
    expect(failed.stdout).not.toContain('not listed')
    const limited = await idstitchCli('failed', '--limit', '1')
    expect(limited.stdout.split('\n').filter((line) => line.startsWith('pathbound '))).toHaveLength(1)
    expect(limited.stdout).toContain('and 1 older dead letter not listed (--limit 1 per provider)')
    expect(await everythingInRedis()).not.toContain(KEY)

    // A dead letter that fails as `retry` runs (its failure time after the command's start) is neither moved nor counted; the next `retry` takes it.
    const client = new Redis(redis.url)
    try {
      const failedKey = `${prefix}:${queueName('pathbound')}:failed`
      const [lateId] = await client.zrange(failedKey, 0, 0)
      await client.zadd(failedKey, Date.now() + 60_000, lateId as string)
      expect((await idstitchCli('retry', '--provider', 'pathbound')).stdout).toMatch(/^re-enqueued 1 dead letter$/m)
      expect((await queue.counts()).pathbound?.failed).toBe(1)
      await client.zadd(failedKey, Date.now() - 1, lateId as string)
    } finally {
      await client.quit()
    }
    expect((await idstitchCli('retry')).stdout).toMatch(/^re-enqueued 1 dead letter$/m)
    const drained = await idstitchCli('drain', '--timeout', '20')
    expect(drained.code).toBe(0)
    expect(accepted().has('usr_dead') && accepted().has('usr_dead_too')).toBe(true)
    expect((await queue.counts()).pathbound?.failed).toBe(0)
    expect(await idstitchCli('retry', '--provider', 'nobody')).toMatchObject({ code: 1, stdout: expect.stringContaining("no idstitch queue for provider 'nobody'") })
    expect(await idstitchCli('failed')).toMatchObject({ code: 0, stdout: 'no dead letters' })
    expect((await idstitchCli('drain', '--timeout', 'soon')).code).toBe(1)
    expect((await runCli(['node', 'idstitch-queue', 'status'], { out: () => {}, err: () => {} }, {}))).toBe(1)
  }, 60_000)

  it('resolves queue_unavailable within its deadline when Redis is down or never answers, and never throws', async () => {
    await fresh()
    const down = await startRedis()
    await down.remove()
    const refused = queueFor({ connection: down.url, deadlineMs: 1_000 })
    let started = Date.now()
    // Nothing listens: the add fails with the connection's error, and is not left waiting in memory for a Redis to come.
    const result = await refused.identify({ userId: 'usr_nowhere', anonymousId: VISITOR })
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(result.ok).toBe(false)
    expect(result.results[0]).toMatchObject({ provider: 'pathbound', status: 'failed', error: { code: 'queue_unavailable', message: expect.stringMatching(/has not answered since the queue was created \(connect ECONNREFUSED [^)]*\): the job was not added/) } })
    // A server that takes the connection and never says a word: the deadline ends the wait.
    const silent = createServer(() => {}).listen(0, '127.0.0.1')
    await once(silent, 'listening')
    try {
      const mute = queueFor({ connection: `redis://127.0.0.1:${(silent.address() as AddressInfo).port}`, deadlineMs: 1_000 })
      started = Date.now()
      const waited = await mute.identify({ userId: 'usr_nowhere', anonymousId: VISITOR })
      expect(Date.now() - started).toBeLessThan(1_500)
      expect(waited.results[0]).toMatchObject({ provider: 'pathbound', status: 'failed', error: { code: 'queue_unavailable', message: expect.stringContaining('(no answer within 1000 ms)') } })
    } finally {
      silent.close()
    }
  }, 15_000)

  it('sends the jobs of a batching provider that are ready together as one request, and counts what each worker did', async () => {
    await fresh()
    const queue = queueFor({ segment: true })
    await enqueue(queue, 20)
    const worker = createWorker({ connection: redis.url, prefix, logger: false, concurrency: 32, batchWindowMs: 50, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED }), segment({ writeKey: WRITE_KEY, baseUrl: sandbox.url })] })
    inProcess.push(worker)
    await worker.ready()
    expect(await until(() => accepted('pathbound').size === 20 && accepted('segment').size === 20, 15_000)).toBe(true)
    const batches = sandbox.requests.filter((request) => request.path === '/v1/batch')
    expect(batches.length).toBeLessThan(20)
    // The stand-in has every request; the worker counts each once it has read the answer, a moment later.
    expect(await until(() => worker.counts().segment?.delivered === 20 && worker.counts().pathbound?.delivered === 20, 2_000)).toBe(true)
    expect(worker.counts()).toEqual({ pathbound: { delivered: 20, retried: 0, deadLetters: 0, paused: 0, duplicates: 0 }, segment: { delivered: 20, retried: 0, deadLetters: 0, paused: 0, duplicates: 0 } })
  }, 30_000)

  it('delivers a provider that takes an identify in two requests (Mixpanel), its token never in Redis; a retried job sends the same merge event again', async () => {
    await fresh()
    const providers = [mixpanel({ token: MIXPANEL_TOKEN, host: sandbox.url })]
    const queue = createQueue({ connection: redis.url, prefix, providers, logger: false, backoffMs: 100 })
    queues.push(queue)
    expect((await queue.identify({ userId: 'usr_mp', anonymousId: VISITOR, traits: { plan: 'pro' } })).results[0]?.status).toBe('queued')
    const stored = await everythingInRedis()
    expect(stored).toContain('usr_mp')
    expect(stored).not.toContain(MIXPANEL_TOKEN)
    // The profile update fails once: BullMQ retries the job, which sends the chain from its start.
    sandbox.faults.push({ delayMs: 0 }, { status: 503 })
    const worker = createWorker({ connection: redis.url, prefix, logger: false, providers, maxBackoffMs: 200 })
    inProcess.push(worker)
    expect(await until(() => sandbox.accepted.some((identify) => identify.provider === 'mixpanel' && identify.traits.plan === 'pro'), 10_000)).toBe(true)
    expect(sandbox.requests.map((request) => request.path)).toEqual(['/import', '/engage', '/import', '/engage'])
    // Mixpanel de-duplicates the merge event by its $insert_id: the second import is the same event.
    const insertIds = sandbox.requests.filter((request) => request.path === '/import').map((request) => (request.body as { properties: { $insert_id: string } }[])[0]?.properties.$insert_id)
    expect(new Set(insertIds).size).toBe(1)
    expect(await until(() => worker.counts().mixpanel?.delivered === 1, 2_000)).toBe(true)
  }, 30_000)

  it("hands a dead letter's error to the worker's onError, its key redacted, and pauses every worker for a Retry-After", async () => {
    await fresh()
    const queue = queueFor()
    const errors: { code: string; message: string; context: unknown }[] = []
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '1' } }, { status: 401, body: { status: 'error', error: `Invalid API key ${KEY}` } })
    const worker = createWorker({ connection: redis.url, prefix, logger: false, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })], onError: (error, context) => errors.push({ code: error.code, message: error.message, context }) })
    inProcess.push(worker)
    const { messageId } = await queue.identify({ userId: 'usr_refused' })
    expect(await until(() => errors.length === 1, 10_000)).toBe(true)
    expect(errors[0]).toMatchObject({ code: 'http_error', context: { provider: 'pathbound', userId: 'usr_refused', jobId: `pathbound.${messageId}` } })
    expect(errors[0]?.message).toContain('HTTP 401')
    expect(errors[0]?.message).not.toContain(KEY)
    expect(worker.counts().pathbound).toEqual({ delivered: 0, retried: 0, deadLetters: 1, paused: 1, duplicates: 0 })
    // The 429 paused the queue for its Retry-After before the second attempt.
    const [first, second] = sandbox.requests.map((request) => request.at)
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(900)
  }, 30_000)
})

describe("the queue's page (docs/queue.md)", () => {
  it('shows the worker these tests run, as it is', () => {
    const readme = readFileSync(new URL('../../docs/queue.md', import.meta.url), 'utf8')
    const worker = readFileSync(new URL('../../examples/queue/worker.mjs', import.meta.url), 'utf8')
    expect(readme).toContain(`// examples/queue/worker.mjs\n${worker}`)
  })
})
