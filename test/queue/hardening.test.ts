// @idstitch/queue against the second review's findings, on a real redis-server of its own: connection strings
// that hold a password, dead letters that outlive keepFailedMs, Redis settings that lose jobs, jobs written by
// hand, and a Monterosa provider with a static token.
import { connect as tcpConnect, createServer, type AddressInfo, type Socket } from 'node:net'
import { inspect } from 'node:util'
import { isConfigError } from '@idstitch/node'
import { monterosa, pathbound } from '@idstitch/node/providers'
import { createQueue, createWorker, type IdentifyQueue, type IdentifyWorker } from '@idstitch/queue'
import { monterosaRule, pathboundRule, startProviderServer, type ProviderServer } from '@idstitch/sandbox'
import { startRedis, type RedisServer } from '@idstitch/example-queue/redis-server'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { openAdmin } from '../../packages/queue/src/admin.js'
import { runCli } from '../../packages/queue/src/cli-program.js'
import { until } from './harness.js'

const KEY = 'pb_hardening_key_0123'
const PROJECT = '5d5b0676-ce0f-4058-b2bf-49af49f61cb5'
const STATIC_TOKEN = 'mtr_static_token_0123456789'
const UNLIMITED = { limit: 1_000_000, windowMs: 1_000 }
const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'

let redis: RedisServer
let client: Redis
let sandbox: ProviderServer
let prefix: string
let tests = 0
const opened: (IdentifyQueue | IdentifyWorker)[] = []

beforeAll(async () => {
  redis = await startRedis()
  client = new Redis(redis.url)
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((open) => open.close()))
  await sandbox?.close()
})
afterAll(async () => {
  client?.disconnect()
  await redis?.remove()
})

/** A port nothing listens on (until a test starts something there). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
const fresh = async () => {
  prefix = `h${++tests}`
  sandbox = await startProviderServer([pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }] }), monterosaRule({ projectId: PROJECT, tokens: [STATIC_TOKEN] })])
}
const track = <T extends IdentifyQueue | IdentifyWorker>(open: T): T => {
  opened.push(open)
  return open
}
/** Closes what the test opened, then removes the Redis of its own it used. */
const closeAllAndRemove = async (own: RedisServer) => {
  await Promise.all(opened.splice(0).map((open) => open.close()))
  await own.remove()
}
/**
 * A managed Redis's endpoint, as its DNS name behaves in a failover: new connections go to `target`, which the
 * failover moves to the new primary, while those already open stay where they were.
 */
const movableEndpoint = async (target: number) => {
  const sockets = new Set<Socket>()
  const endpoint = { target, port: 0, close: () => {} }
  const server = createServer((socket) => {
    const upstream = tcpConnect(endpoint.target, '127.0.0.1')
    for (const end of [socket, upstream]) {
      sockets.add(end)
      end.on('error', () => {}).on('close', () => sockets.delete(end))
    }
    socket.pipe(upstream).pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint.port = (server.address() as AddressInfo).port
  endpoint.close = () => {
    server.close()
    for (const socket of sockets) socket.destroy()
  }
  return endpoint
}
/** Makes `server` a replica of `primary` (or a primary again), and waits until it has synced. */
const replicaOf = async (server: RedisServer, primary: RedisServer | 'NO ONE') => {
  const admin = new Redis(server.url)
  try {
    if (primary === 'NO ONE') await admin.replicaof('NO', 'ONE')
    else {
      await admin.replicaof('127.0.0.1', String(primary.port))
      expect(await until(async () => (await admin.info('replication')).includes('master_link_status:up'), 10_000)).toBe(true)
    }
  } finally {
    admin.disconnect()
  }
}

/** Every key and value under the test's prefix, as text. */
const everythingInRedis = async (): Promise<string> => {
  const keys = await client.keys(`${prefix}:*`)
  const values = await Promise.all(keys.map(async (key) => JSON.stringify(await client.dump(key))))
  const hashes = await Promise.all(keys.map((key) => client.type(key).then((type) => (type === 'hash' ? client.hgetall(key) : {}))))
  const streams = await Promise.all(keys.map((key) => client.type(key).then((type) => (type === 'stream' ? client.xrange(key, '-', '+') : []))))
  return JSON.stringify([keys, values, hashes, streams])
}

describe('@idstitch/queue, second review', () => {
  it('refuses a connection string that does not parse with a ConfigError that never shows the password, and the CLI says so', async () => {
    for (const url of ['redis://app:S3cr#t@127.0.0.1:6379', 'redis://:pa/ss@127.0.0.1:6379', 'redis://:pa@ss@127.0.0.1:63a79', 'redis://:pa%E0%A4ss@127.0.0.1:6379']) {
      let thrown: unknown
      try {
        createQueue({ connection: url, logger: false, providers: [pathbound({ apiKey: KEY })] })
      } catch (error) {
        thrown = error
      }
      expect(isConfigError(thrown)).toBe(true)
      expect((thrown as { option: string }).option).toBe('connection')
      for (const shown of [String(thrown), inspect(thrown), JSON.stringify(thrown)]) expect(shown).not.toMatch(/S3cr|pa\/ss|pa@ss|pa%E0/)
      expect(() => createWorker({ connection: url, logger: false, providers: [pathbound({ apiKey: KEY })] })).toThrowError(expect.objectContaining({ option: 'connection' }))
    }
    const out: string[] = []
    const code = await runCli(['node', 'idstitch-queue', '--redis', 'redis://app:S3cr#t@127.0.0.1:6379', 'status'], { out: (line) => out.push(line), err: (line) => out.push(line) })
    expect(code).toBe(1)
    expect(out.join('\n')).toContain('Redis URL')
    expect(out.join('\n')).not.toContain('S3cr')
    // A % that is no percent-encoding: ioredis's bare URIError ended the CLI without a word.
    for (const target of [['--redis', 'redis://:pa%E0%A4ss@127.0.0.1:6379'], ['--cluster', 'redis://:pa%E0%A4ss@127.0.0.1:7000']]) {
      const said: string[] = []
      expect(await runCli(['node', 'idstitch-queue', ...target, 'status'], { out: (line) => said.push(line), err: (line) => said.push(line) })).toBe(1)
      expect(said.join('\n')).toContain('no percent-encoding')
      expect(said.join('\n')).not.toContain('pa%E0')
    }
    // Whatever else fails is said too, never an exit 1 without a word.
    const said: string[] = []
    const env = {
      get REDIS_URL(): string {
        throw new Error('the environment could not be read')
      },
    }
    expect(await runCli(['node', 'idstitch-queue', 'status'], { out: (line) => said.push(line), err: (line) => said.push(line) }, env)).toBe(1)
    expect(said).toEqual(['idstitch-queue: the environment could not be read'])
  })

  it('sweeps a dead letter once keepFailedMs is past, though no other job fails, and keeps neither traits nor paths in its reason', async () => {
    await fresh()
    const queue = track(createQueue({ connection: redis.url, prefix, keepFailedMs: 2_000, logger: false, providers: [pathbound({ apiKey: 'pb_wrong_key_0000', baseUrl: sandbox.url, rateLimit: UNLIMITED })] }))
    const worker = track(createWorker({ connection: redis.url, prefix, keepFailedMs: 2_000, logger: false, onError: () => {}, providers: [pathbound({ apiKey: 'pb_wrong_key_0000', baseUrl: sandbox.url, rateLimit: UNLIMITED })] }))
    await queue.identify({ userId: 'usr_dead', traits: { email: 'dead.letter@example.com', phone: '+15550100' } })
    expect(await until(() => worker.counts().pathbound?.deadLetters === 1, 10_000)).toBe(true)
    // The dead letter is there (with its traits, for an operator to retry), its reason a code alone.
    const failed = await new Queue('{pathbound}', { connection: client, prefix }).getFailed()
    expect(failed).toHaveLength(1)
    expect(failed[0]?.failedReason).toBe('[idstitch] pathbound: http_error (HTTP 401)')
    expect(JSON.stringify(failed[0]?.stacktrace)).not.toMatch(/node_modules|\/work\/|\.ts:|\.js:/)
    const stored = await everythingInRedis()
    expect(stored.match(/dead\.letter@example\.com/g)?.length).toBe(1) // in the job's data only: not in the events stream
    // Then gone, with nothing else failing to make BullMQ look.
    expect(await until(async () => !(await everythingInRedis()).includes('dead.letter@example.com'), 6_000)).toBe(true)
  }, 20_000)

  it('warns through the logger of Redis settings that can lose jobs, and BullMQ prints nothing of its own', async () => {
    await fresh()
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru')
    await client.config('SET', 'appendonly', 'no')
    const console = vi.spyOn(globalThis.console, 'warn')
    try {
      const warnings: string[] = []
      const logger = { warn: (line: string) => warnings.push(line), error: () => {} }
      track(createQueue({ connection: redis.url, prefix, logger, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url })] }))
      track(createWorker({ connection: redis.url, prefix, logger, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url })] }))
      expect(await until(() => warnings.filter((line) => line.includes('maxmemory-policy is allkeys-lru')).length === 2, 5_000)).toBe(true)
      expect(warnings.filter((line) => line.includes('appendonly no'))).toHaveLength(2)
      expect(console.mock.calls.flat().join('\n')).not.toContain('Eviction policy')
    } finally {
      console.mockRestore()
      await client.config('SET', 'maxmemory-policy', 'noeviction')
      await client.config('SET', 'appendonly', 'yes')
    }
  })

  it("says a Redis outage through the logger only: BullMQ prints none of its connection errors on the app's console", async () => {
    await fresh()
    // A Redis of its own, to take away.
    const away = await startRedis()
    const printed = [vi.spyOn(globalThis.console, 'error').mockImplementation(() => {}), vi.spyOn(globalThis.console, 'warn').mockImplementation(() => {})]
    let cli: Redis | undefined
    let admin: Awaited<ReturnType<typeof openAdmin>> | undefined
    try {
      const heard = { queue: [] as string[], worker: [] as string[] }
      const loggerOf = (lines: string[]) => ({ warn: (line: string) => lines.push(line), error: (line: string) => lines.push(line) })
      const providers = [pathbound({ apiKey: KEY, baseUrl: sandbox.url }), monterosa({ baseUrl: sandbox.url, projectId: PROJECT, provider: 'acme-sso', token: STATIC_TOKEN })]
      track(createQueue({ connection: away.url, prefix, logger: loggerOf(heard.queue), providers }))
      const worker = track(createWorker({ connection: away.url, prefix, logger: loggerOf(heard.worker), providers }))
      await worker.ready()
      // The CLI's view of the same queues, on a client whose errors the CLI hears itself.
      cli = new Redis(away.url).on('error', () => {})
      admin = await openAdmin(cli, prefix)
      expect(admin.names).toEqual(['monterosa', 'pathbound'])
      await away.stop()
      expect(await until(() => heard.worker.some((line) => line.includes('ECONNREFUSED')), 5_000)).toBe(true)
      // ioredis tries again at 50, 100, 150 ms and on: each try that fails reaches every BullMQ object on the connection.
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      expect(printed.flatMap((spy) => spy.mock.calls).map(String)).toEqual([])
      // One line per 10 s for each side's connection, not one more for each provider's worker, queue and sweep.
      expect(heard.worker).toEqual([expect.stringContaining('ECONNREFUSED')])
      expect(heard.queue).toEqual([expect.stringContaining('ECONNREFUSED')])
    } finally {
      for (const spy of printed) spy.mockRestore()
      await admin?.close()
      cli?.disconnect()
      await closeAllAndRemove(away)
    }
  })

  it('closes a worker whose Redis never answered, fails counts() then instead of waiting, and starts delivering once Redis comes', async () => {
    await fresh()
    const port = await freePort()
    const url = `redis://127.0.0.1:${port}`
    const providers = [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })]
    const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> => Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms))])
    // Nothing listens on the port: BullMQ's own close() waited for Redis for ever (bullmq#4656).
    const stranded = createWorker({ connection: url, prefix, logger: false, providers })
    const readying = stranded.ready()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await within(stranded.close(), 5_000)).toBeUndefined()
    await expect(readying).rejects.toMatchObject({ code: 'client_closed' })
    // A worker and a queue started before their Redis, as a deploy may start them.
    const worker = track(createWorker({ connection: url, prefix, logger: false, providers }))
    const queue = track(createQueue({ connection: url, prefix, logger: false, providers }))
    const counted = await within(queue.counts().then(() => 'counted', (error: Error) => error), 5_000)
    expect(counted).toMatchObject({ code: 'queue_unavailable', message: expect.stringContaining('ECONNREFUSED') })
    const late = await startRedis({ port })
    try {
      expect(await within(worker.ready(), 10_000)).toBeUndefined()
      expect(await queue.identify({ userId: 'usr_after_redis', anonymousId: VISITOR })).toMatchObject({ ok: true })
      expect(await until(() => sandbox.accepted.some((identify) => identify.userId === 'usr_after_redis'), 10_000)).toBe(true)
      expect(await queue.counts()).toMatchObject({ pathbound: { failed: 0 } })
    } finally {
      await closeAllAndRemove(late)
    }
  }, 40_000)

  it("rejects a worker's ready() when Redis refuses its password, logs it as an error, and opens once Redis takes it", async () => {
    await fresh()
    const own = await startRedis()
    const admin = new Redis(own.url)
    await admin.config('SET', 'requirepass', 'the-right-secret')
    admin.disconnect()
    const errors: string[] = []
    const logger = { error: (line: string) => errors.push(line), warn() {}, info() {}, debug() {} }
    const url = `redis://:the-old-secret@127.0.0.1:${own.port}`
    const providers = [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })]
    try {
      // ioredis retries a refused password as it does an outage: ready() waited for as long as the password was wrong.
      const worker = track(createWorker({ connection: url, prefix, logger, providers }))
      await expect(worker.ready()).rejects.toMatchObject({ code: 'queue_unavailable', message: expect.stringMatching(/refused the worker's credentials \(WRONGPASS/) })
      expect(errors).toEqual([expect.stringContaining('WRONGPASS')])
      const queue = track(createQueue({ connection: url, prefix, logger: false, providers }))
      const refused = await queue.identify({ userId: 'usr_refused', anonymousId: VISITOR })
      expect(refused.results[0]).toMatchObject({ status: 'failed', error: { code: 'queue_unavailable', message: expect.stringContaining('WRONGPASS') } })
      // The password rotated on Redis's side first: the same worker opens, and delivers.
      const rotate = new Redis({ port: own.port, password: 'the-right-secret' })
      await rotate.config('SET', 'requirepass', 'the-old-secret')
      rotate.disconnect()
      await worker.ready()
      const later = track(createQueue({ connection: url, prefix, logger: false, providers }))
      expect(await later.identify({ userId: 'usr_rotated', anonymousId: VISITOR })).toMatchObject({ ok: true })
      expect(await until(() => sandbox.accepted.some((identify) => identify.userId === 'usr_rotated'), 10_000)).toBe(true)
    } finally {
      await closeAllAndRemove(own)
    }
  }, 30_000)

  it("says a job was not added when Redis's ACL refuses the connection's user a command, and logs it as an error", async () => {
    await fresh()
    await client.acl('SETUSER', 'idstitch-reader', 'on', '>reader-secret', '~*', '&*', '+@read', '+@connection', '+info', '+client')
    const errors: string[] = []
    const logger = { error: (line: string) => errors.push(line), warn() {}, info() {}, debug() {} }
    const connection = `redis://idstitch-reader:reader-secret@127.0.0.1:${redis.port}`
    const providers = [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })]
    const queue = track(createQueue({ connection, prefix, logger, providers }))
    const result = await queue.identify({ userId: 'usr_reader', anonymousId: VISITOR })
    // It said the job "may still be added if Redis was slow": a refused command adds nothing.
    expect(result.results[0]).toMatchObject({ status: 'failed', error: { code: 'queue_unavailable', message: expect.stringMatching(/Redis refused the connection's user \(NOPERM [^)]*\): the job was not added/) } })
    const worker = track(createWorker({ connection, prefix, logger, providers }))
    // ready() resolved, and the worker then failed every fetch: a supervisor awaiting it learnt nothing.
    await expect(worker.ready()).rejects.toMatchObject({ code: 'queue_unavailable', message: expect.stringMatching(/ACL refused the worker's user what BullMQ needs \(NOPERM [^)]*'eval'/) })
    expect(await until(() => errors.some((line) => /^\[idstitch\] redis: NOPERM .*'(?:eval|evalsha)'/.test(line)), 10_000)).toBe(true)
    expect(await client.keys(`${prefix}:*`)).toEqual([])
    // A user who may run everything, but only on keys of another prefix.
    await client.acl('SETUSER', 'idstitch-elsewhere', 'on', '>elsewhere-secret', '~elsewhere:*', '&*', '+@all')
    const elsewhere = track(createWorker({ connection: `redis://idstitch-elsewhere:elsewhere-secret@127.0.0.1:${redis.port}`, prefix, logger: false, providers }))
    await expect(elsewhere.ready()).rejects.toMatchObject({ code: 'queue_unavailable', message: expect.stringMatching(/NOPERM [^)]*key/) })
    // Once the ACL lets the user do it, the same worker is ready, and delivers.
    await client.acl('SETUSER', 'idstitch-reader', '+@all')
    await worker.ready()
    const later = track(createQueue({ connection, prefix, logger: false, providers }))
    expect(await later.identify({ userId: 'usr_reader_later', anonymousId: VISITOR })).toMatchObject({ ok: true })
    // BullMQ tries a failed fetch again after its runRetryDelay, 15 s.
    expect(await until(() => sandbox.accepted.some((identify) => identify.userId === 'usr_reader_later'), 20_000)).toBe(true)
  }, 45_000)

  it("says a job was not added when the connection reaches a read-only replica, rejects the worker's ready(), and follows a failover", async () => {
    await fresh()
    const [first, second] = await Promise.all([startRedis(), startRedis()])
    const endpoint = await movableEndpoint(first.port)
    try {
      await replicaOf(second, first)
      const errors: string[] = []
      const logger = { error: (line: string) => errors.push(line), warn() {}, info() {}, debug() {} }
      const providers = [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })]
      // A reader's endpoint: the replica itself. It said the job "may still be added if Redis was slow", and ready() resolved.
      const reader = track(createQueue({ connection: second.url, prefix, logger, providers }))
      const refused = await reader.identify({ userId: 'usr_on_replica', anonymousId: VISITOR })
      expect(refused.results[0]).toMatchObject({ status: 'failed', error: { code: 'queue_unavailable', message: expect.stringMatching(/\(READONLY [^)]*\): the job was not added; the connection reached a read-only replica/) } })
      await expect(track(createWorker({ connection: second.url, prefix, logger: false, providers })).ready()).rejects.toMatchObject({ code: 'queue_unavailable', message: expect.stringContaining('read-only replica') })
      expect(errors.some((line) => line.includes('redis: READONLY'))).toBe(true)

      // The writer's endpoint, through a failover: the replica is promoted, the old primary follows it, and the
      // endpoint leads new connections to the new primary. Connections already open stayed on the old one.
      const url = `redis://127.0.0.1:${endpoint.port}`
      const queue = track(createQueue({ connection: url, prefix, logger: false, providers }))
      const worker = track(createWorker({ connection: url, prefix, logger: false, providers }))
      await worker.ready()
      expect(await queue.identify({ userId: 'usr_before_failover', anonymousId: VISITOR })).toMatchObject({ ok: true })
      expect(await until(() => sandbox.accepted.some((identify) => identify.userId === 'usr_before_failover'), 10_000)).toBe(true)
      await replicaOf(second, 'NO ONE')
      await replicaOf(first, second)
      endpoint.target = second.port
      // Refused at most once, by the old primary; then the connection reconnects to the new one (it was refused until a restart).
      let after = await queue.identify({ userId: 'usr_after_failover', anonymousId: VISITOR })
      if (!after.ok) expect(after.results[0]?.error?.message).toContain('read-only replica')
      if (!after.ok) after = await queue.identify({ userId: 'usr_after_failover', anonymousId: VISITOR })
      expect(after).toMatchObject({ ok: true })
      // The worker reconnects too (BullMQ tries a failed fetch again after 15 s).
      expect(await until(() => sandbox.accepted.some((identify) => identify.userId === 'usr_after_failover'), 40_000)).toBe(true)
    } finally {
      endpoint.close()
      await Promise.all(opened.splice(0).map((open) => open.close()))
      await Promise.all([first.remove(), second.remove()])
    }
  }, 90_000)

  // Refusals of a write that write nothing: the identify said its job "may still be added if Redis was slow", and
  // the worker's ready() resolved.
  const refusingWrites = [
    {
      refusal: 'NOREPLICAS, too few replicas for min-replicas-to-write',
      args: [],
      refuse: (admin: Redis) => admin.config('SET', 'min-replicas-to-write', '1'),
      mend: (admin: Redis) => admin.config('SET', 'min-replicas-to-write', '0'),
      says: /\(NOREPLICAS .*\): the job was not added; Redis takes writes only while min-replicas-to-write/,
    },
    {
      refusal: 'MISCONF, a failed save to disk',
      // RDB snapshots into a directory no file can be made in, as a full disk fails them.
      args: ['--appendonly', 'no', '--save', '3600 1', '--dir', '/proc'],
      async refuse(admin: Redis) {
        await admin.bgsave()
        expect(await until(async () => (await admin.info('persistence')).includes('rdb_last_bgsave_status:err'), 10_000)).toBe(true)
      },
      mend: (admin: Redis) => admin.config('SET', 'stop-writes-on-bgsave-error', 'no'),
      says: /\(MISCONF .*\): the job was not added; Redis cannot save its data to disk/,
    },
  ]
  it.each(refusingWrites)('says a job was not added when Redis refuses writes ($refusal), and rejects ready() until it takes them', async ({ args, refuse, mend, says }) => {
    await fresh()
    const own = await startRedis({ args })
    const admin = new Redis(own.url)
    try {
      await refuse(admin)
      const providers = [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })]
      const queue = track(createQueue({ connection: own.url, prefix, logger: false, providers }))
      const worker = track(createWorker({ connection: own.url, prefix, logger: false, providers }))
      const refused = await queue.identify({ userId: 'usr_refused_write', anonymousId: VISITOR })
      expect(refused.results[0]).toMatchObject({ status: 'failed', error: { code: 'queue_unavailable', message: expect.stringMatching(says) } })
      await expect(worker.ready()).rejects.toMatchObject({ code: 'queue_unavailable', message: expect.stringMatching(/^\[idstitch\] Redis refused the worker's writes/) })
      await mend(admin)
      await worker.ready()
      expect(await queue.identify({ userId: 'usr_refused_write', anonymousId: VISITOR })).toMatchObject({ ok: true })
    } finally {
      admin.disconnect()
      await Promise.all(opened.splice(0).map((open) => open.close()))
      // Stopped with saves on, Redis would try to save once more, fail, and not exit.
      await own.kill()
      await own.remove()
    }
  })

  it('connects a queue and a worker whose ioredis options say lazyConnect, and delivers', async () => {
    await fresh()
    const connection = { host: '127.0.0.1', port: redis.port, lazyConnect: true }
    const providers = [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })]
    const worker = track(createWorker({ connection, prefix, logger: false, providers }))
    const queue = track(createQueue({ connection, prefix, logger: false, providers }))
    expect(await queue.counts()).toMatchObject({ pathbound: { waiting: 0 } })
    await worker.ready()
    expect(await queue.identify({ userId: 'usr_lazy', anonymousId: VISITOR })).toMatchObject({ ok: true })
    expect(await until(() => sandbox.accepted.some((identify) => identify.userId === 'usr_lazy'), 10_000)).toBe(true)
  })

  it("lists a producer's queue for the CLI when its Redis came after it, and again after a Redis that lost its data", async () => {
    await fresh()
    const port = await freePort()
    const url = `redis://127.0.0.1:${port}`
    const queue = track(createQueue({ connection: url, prefix, logger: false, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url })] }))
    await new Promise((resolve) => setTimeout(resolve, 300))
    const late = await startRedis({ port })
    const status = async () => {
      const said: string[] = []
      await runCli(['node', 'idstitch-queue', '--redis', url, '--prefix', prefix, 'status'], { out: (line) => said.push(line), err: (line) => said.push(line) })
      return said.join('\n')
    }
    try {
      expect(await until(async () => (await queue.identify({ userId: 'usr_late', anonymousId: VISITOR })).ok, 10_000)).toBe(true)
      expect(await until(async () => /pathbound\s+1\s/.test(await status()), 5_000)).toBe(true)
      // A Redis that keeps nothing on disk, restarted: the producer lists its queue again when it reconnects.
      const plain = new Redis(url)
      await plain.flushall()
      plain.disconnect()
      await late.stop()
      await late.start()
      expect(await until(async () => (await queue.identify({ userId: 'usr_after_restart', anonymousId: VISITOR })).ok, 10_000)).toBe(true)
      expect(await until(async () => /pathbound\s+1\s/.test(await status()), 5_000)).toBe(true)
    } finally {
      await closeAllAndRemove(late)
    }
  }, 40_000)

  it('lets a job written by hand name no Redis key: the worker makes the de-duplication key itself, under its prefix', async () => {
    await fresh()
    const worker = track(createWorker({ connection: redis.url, prefix, logger: false, dedupe: { secret: 'hardening-dedupe-secret' }, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })] }))
    const raw = new Queue('{pathbound}', { connection: client, prefix })
    const item = { external_id: 'usr_forged', traits: {} }
    const digest = 'f'.repeat(64)
    await raw.add('identify', { v: 1, provider: 'pathbound', messageId: 'm-forged', userId: 'usr_forged', item, digest, dedupe: { key: 'someone-else:session:abc', fingerprint: 'f', ttlMs: 1_000 } })
    expect(await until(() => worker.counts().pathbound?.delivered === 1, 10_000)).toBe(true)
    expect(await client.exists('someone-else:session:abc')).toBe(0)
    expect(await client.keys(`${prefix}:dedupe:*`)).toHaveLength(1)
    // The same job again is a duplicate by the worker's own record.
    await raw.add('identify', { v: 1, provider: 'pathbound', messageId: 'm-forged-2', userId: 'usr_forged', item, digest })
    expect(await until(() => worker.counts().pathbound?.duplicates === 1, 10_000)).toBe(true)
    expect(sandbox.requests).toHaveLength(1)
  })

  it('queues a Monterosa provider configured with a static token (only a user\'s own token stays out of Redis)', async () => {
    await fresh()
    const providers = () => [monterosa({ baseUrl: sandbox.url, projectId: PROJECT, provider: 'acme-sso', token: STATIC_TOKEN })]
    const queue = track(createQueue({ connection: redis.url, prefix, logger: false, providers: providers() }))
    track(createWorker({ connection: redis.url, prefix, logger: false, providers: providers() }))
    const result = await queue.identify({ userId: 'usr_static', traits: { plan: 'pro' } })
    expect(result.results[0]?.status).toBe('queued')
    expect(await until(() => sandbox.accepted.some((identify) => identify.provider === 'monterosa' && identify.traits.plan === 'pro'), 10_000)).toBe(true)
    expect(await everythingInRedis()).not.toContain(STATIC_TOKEN)
  })

  it('reports a second enqueue of a messageId that says something else as message_id_conflict, and takes the same one again as queued', async () => {
    await fresh()
    const queue = track(createQueue({ connection: redis.url, prefix, logger: false, onError: () => {}, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url })] }))
    const first = await queue.identify({ userId: 'usr_same_id', traits: { plan: 'free' } }, { messageId: 'msg-1' })
    expect(first.results[0]?.status).toBe('queued')
    // The same identify again (an app retrying its request), another time: one job, as before.
    expect((await queue.identify({ userId: 'usr_same_id', traits: { plan: 'free' }, timestamp: new Date(Date.now() + 1_000) }, { messageId: 'msg-1' })).results[0]?.status).toBe('queued')
    // Another producer, the same message id, other traits: BullMQ kept the first and said nothing; idstitch says so.
    const second = await queue.identify({ userId: 'usr_same_id', traits: { plan: 'pro' } }, { messageId: 'msg-1' })
    expect(second.ok).toBe(false)
    expect(second.results[0]).toMatchObject({ status: 'failed', error: { code: 'message_id_conflict' } })
    expect(await new Queue('{pathbound}', { connection: client, prefix }).getJobCounts('waiting')).toEqual({ waiting: 1 })
  })

  it('dead-letters a job whose data in Redis is not JSON, instead of taking it up again forever', async () => {
    await fresh()
    const raw = new Queue('{pathbound}', { connection: client, prefix })
    await raw.add('identify', { v: 1 }, { jobId: 'garbled' })
    await client.hset(`${prefix}:{pathbound}:garbled`, 'data', 'not json{')
    const worker = track(createWorker({ connection: redis.url, prefix, logger: false, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })] }))
    expect(await until(() => worker.counts().pathbound?.deadLetters === 1, 10_000)).toBe(true)
    expect(await raw.getJobCounts('active', 'failed', 'waiting')).toEqual({ active: 0, failed: 1, waiting: 0 })
    expect(sandbox.requests).toHaveLength(0)
  })

  it("keeps a job's own words out of its dead letter, and the CLI sends no control character it read from Redis to the terminal", async () => {
    await fresh()
    // Whoever can write to this Redis chose these: an escape sequence sets the window title, another clears the screen.
    const hostile = '\u001b]0;owned\u0007\u001b[2J\u202e'
    const raw = new Queue('{pathbound}', { connection: client, prefix })
    await raw.add('identify', { v: 1, provider: `dfend${hostile}`, messageId: 'msg-1', userId: 'usr_hostile', item: {} }, { jobId: `job${hostile}` })
    const worker = track(createWorker({ connection: redis.url, prefix, logger: false, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })] }))
    expect(await until(() => worker.counts().pathbound?.deadLetters === 1, 10_000)).toBe(true)
    expect((await raw.getFailed())[0]?.failedReason).toBe('[idstitch] pathbound: not an idstitch job for this provider: its provider field names another provider')
    const out: string[] = []
    expect(await runCli(['node', 'idstitch-queue', '--redis', redis.url, '--prefix', prefix, 'failed'], { out: (line) => out.push(line), err: (line) => out.push(line) })).toBe(0)
    const printed = out.join('\n')
    expect(printed).toContain('job\\u001b]0;owned\\u0007\\u001b[2J\\u202e')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what must not be there.
    expect(printed).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/)
    expect(sandbox.requests).toHaveLength(0)
  })

  it("survives the app's async callbacks that reject (onError, the logger, telemetry's hooks): the worker delivers, and none is left unhandled", async () => {
    await fresh()
    const unhandled: unknown[] = []
    const note = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', note)
    try {
      const rejecting = (what: string) => async () => {
        throw new Error(what)
      }
      const logger = { debug: rejecting('log'), info: rejecting('log'), warn: rejecting('log'), error: rejecting('log') }
      const telemetry = { job: () => ({ end: rejecting('job end') }), queues: rejecting('queues'), identify: () => ({ end: rejecting('identify end') }), attempt: () => ({ end: rejecting('attempt end') }) }
      const queue = track(createQueue({ connection: redis.url, prefix, logger, telemetry, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url })] }))
      const worker = track(createWorker({ connection: redis.url, prefix, logger, telemetry, onError: rejecting('service down'), providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })] }))
      // One delivered, one dead letter at once (a redirect): onError is called for it.
      sandbox.faults.push({ status: 307, headers: { location: 'https://elsewhere.example.test/' } })
      await queue.identify({ userId: 'usr_async_1' })
      await queue.identify({ userId: 'usr_async_2' })
      expect(await until(() => (worker.counts().pathbound?.deadLetters ?? 0) + (worker.counts().pathbound?.delivered ?? 0) === 2, 10_000)).toBe(true)
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(worker.counts().pathbound).toMatchObject({ delivered: 1, deadLetters: 1 })
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', note)
    }
  })

  it('dead-letters at once a failure no later attempt can mend (a redirect, an answer over maxResponseBytes), by the one table of codes', async () => {
    await fresh()
    const queue = track(createQueue({ connection: redis.url, prefix, logger: false, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url })] }))
    const worker = track(createWorker({ connection: redis.url, prefix, logger: false, onError: () => {}, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED })] }))
    sandbox.faults.push({ status: 307, headers: { location: 'https://elsewhere.example.test/' } }, { bodyBytes: 2 * 1024 * 1024 })
    await queue.identify({ userId: 'usr_redirected' })
    await queue.identify({ userId: 'usr_huge_answer' })
    expect(await until(() => worker.counts().pathbound?.deadLetters === 2, 10_000)).toBe(true)
    expect(worker.counts().pathbound?.retried).toBe(0)
    expect(sandbox.requests).toHaveLength(2)
  })
})
