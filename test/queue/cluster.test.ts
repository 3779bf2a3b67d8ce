// @idstitch/queue on a real local Redis Cluster: three masters (redis-server --cluster-enabled yes, joined by
// redis-cli --cluster create), producers given the cluster's nodes or an ioredis Cluster of their own, two
// workers de-duplicating (their Redis scripts run on whichever node holds a user's record), a node killed and
// restarted, and a decoy standalone Redis that must receive nothing (on 6379 when that port is free: where a
// spread Cluster used to connect).
import { createServer } from 'node:net'
import type { Provider } from '@idstitch/node'
import { pathbound, segment } from '@idstitch/node/providers'
import { createQueue, createWorker, type IdentifyQueue, type IdentifyWorker } from '@idstitch/queue'
import { startRedis, type RedisServer } from '@idstitch/example-queue/redis-server'
import { pathboundRule, segmentRule, startProviderServer, type ProviderServer } from '@idstitch/sandbox'
import { Cluster } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../packages/queue/src/cli-program.js'
import { run, runOrThrow } from '../support/run.js'
import { startWorker, until, type WorkerProcess } from './harness.js'

const KEY = 'pb_cluster_key_0123456789'
const WRITE_KEY = 'wk_cluster_segment_0123'
const VISITOR = '7e1c2d3a-4b5f-4a6e-8d9c-0b1a2c3d4e5f'
const UNLIMITED = { limit: 1_000_000, windowMs: 1_000 }
const DEDUPE = { secret: 'cluster-dedupe-secret-0123' }

let nodes: RedisServer[] = []
let decoy: RedisServer
let sandbox: ProviderServer
let tests = 0
const opened: (IdentifyQueue | IdentifyWorker)[] = []
const clients: Cluster[] = []
const processes: WorkerProcess[] = []

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
const clusterState = async (node: RedisServer) => (await run('redis-cli', ['-p', String(node.port), 'cluster', 'info'])).stdout
const clusterIsUp = async () => (await Promise.all(nodes.map(clusterState))).every((info) => info.includes('cluster_state:ok'))

beforeAll(async () => {
  nodes = await Promise.all([0, 1, 2].map(() => startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'] })))
  await runOrThrow('redis-cli', ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'])
  expect(await until(clusterIsUp, 20_000)).toBe(true)
  decoy = await startRedis({ port: (await portIsFree(6379)) ? 6379 : 0 })
  sandbox = await startProviderServer([pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }], rateLimit: UNLIMITED }), segmentRule({ writeKeys: [WRITE_KEY] })])
}, 60_000)
afterEach(async () => {
  await Promise.all([...opened.splice(0).map((closable) => closable.close()), ...processes.splice(0).map((started) => started.stop())])
  for (const client of clients.splice(0)) client.disconnect()
})
afterAll(async () => {
  await sandbox?.close()
  await Promise.all([...nodes, decoy].map((server) => server?.remove()))
})

const seeds = () => nodes.slice(0, 1).map((node) => ({ host: '127.0.0.1', port: node.port }))
const providers = (): Provider[] => [pathbound({ apiKey: KEY, baseUrl: sandbox.url, rateLimit: UNLIMITED }), segment({ writeKey: WRITE_KEY, baseUrl: sandbox.url })]
const producer = (prefix: string, connection: Parameters<typeof createQueue>[0]['connection']) => {
  const queue = createQueue({ connection, prefix, providers: providers(), logger: false, deadlineMs: 3_000, backoffMs: 200 })
  opened.push(queue)
  return queue
}
const worker = async (prefix: string) => {
  const created = createWorker({ connection: { cluster: seeds() }, prefix, providers: providers(), logger: false, batchWindowMs: 5, maxBackoffMs: 1_000, dedupe: DEDUPE })
  opened.push(created)
  await created.ready()
  return created
}
/** The example worker process (examples/queue/worker.mjs), given some of the cluster's nodes in REDIS_CLUSTER, as the CLI takes them. */
const workerProcess = async (prefix: string) => {
  const started = await startWorker({
    REDIS_CLUSTER: seeds().map(({ host, port }) => `${host}:${port}`).join(','),
    PATHBOUND_API_KEY: KEY,
    PATHBOUND_BASE_URL: sandbox.url,
    PATHBOUND_RATE_LIMIT: JSON.stringify(UNLIMITED),
    SEGMENT_WRITE_KEY: WRITE_KEY,
    SEGMENT_BASE_URL: sandbox.url,
    IDSTITCH_WORKER: JSON.stringify({ prefix, logger: false, batchWindowMs: 5, maxBackoffMs: 1_000, dedupe: DEDUPE }),
  })
  processes.push(started)
}
const accepted = (provider: string, prefix: string) => new Set(sandbox.accepted.filter((identify) => identify.provider === provider && identify.userId.startsWith(`${prefix}_`)).map((identify) => identify.userId))
/** Enqueues `count` identifies; the user ids each provider's result says are `queued`. */
const enqueue = async (queue: IdentifyQueue, prefix: string, from: number, count: number) => {
  const queued = { pathbound: new Set<string>(), segment: new Set<string>() }
  const results = await Promise.all(Array.from({ length: count }, (_, i) => queue.identify({ userId: `${prefix}_${from + i}`, anonymousId: VISITOR })))
  results.forEach((result, i) => {
    for (const entry of result.results) if (entry.status === 'queued') queued[entry.provider as 'pathbound' | 'segment'].add(`${prefix}_${from + i}`)
  })
  return { queued, results }
}
const decoyKeys = async () => Number((await runOrThrow('redis-cli', ['-p', String(decoy.port), 'dbsize'])).trim())

describe('@idstitch/queue on a Redis Cluster', () => {
  it('routes every job through the cluster, from producers given its nodes or a Cluster of their own, to two workers (one the example worker process); the CLI sees every queue', async () => {
    const prefix = `c${++tests}`
    const own = new Cluster(seeds())
    clients.push(own)
    const [first, second] = [producer(prefix, { cluster: seeds() }), producer(prefix, own)]
    const a = await enqueue(first, prefix, 0, 150)
    const b = await enqueue(second, prefix, 150, 150)
    expect([...a.results, ...b.results].every((result) => result.ok)).toBe(true)
    await Promise.all([worker(prefix), workerProcess(prefix)])
    expect(await until(() => accepted('pathbound', prefix).size === 300 && accepted('segment', prefix).size === 300, 20_000)).toBe(true)
    // The same identifies again: each worker's de-duplication scripts run on whichever node holds the user's
    // record, and skip them all; nothing more reaches the providers.
    const requests = sandbox.requests.length
    expect((await enqueue(first, prefix, 0, 50)).results.every((result) => result.ok)).toBe(true)
    const settled = async () => Object.values(await first.counts()).every((count) => count.waiting + count.active + count.delayed === 0)
    expect(await until(settled, 20_000)).toBe(true)
    expect(sandbox.requests.length).toBe(requests)
    // The user's own client is theirs: idstitch duplicated it, and closing the queue leaves it connected.
    await second.close()
    expect(await own.ping()).toBe('PONG')

    const out: string[] = []
    const code = await runCli(['node', 'idstitch-queue', '--cluster', `127.0.0.1:${nodes[1]?.port}`, '--prefix', prefix, 'status'], { out: (line) => out.push(line), err: (line) => out.push(line) }, {})
    expect(code).toBe(0)
    expect(out.join('\n')).toMatch(/^pathbound\s+0\s+0\s+0\s+0$/m)
    expect(out.join('\n')).toMatch(/^segment\s+0\s+0\s+0\s+0$/m)
    expect(await decoyKeys()).toBe(0)
  })

  it("says why when the cluster refuses the password: the nodes' own WRONGPASS, not only ioredis's 'Failed to refresh slots cache.'", async () => {
    // A user of its own on every node, so that the other tests' default user is left as it is.
    for (const node of nodes) await runOrThrow('redis-cli', ['-p', String(node.port), 'acl', 'setuser', 'idstitch-refused', 'on', '>the-right-secret', '~*', '&*', '+@all'])
    const errors: string[] = []
    const logger = { error: (line: string) => errors.push(line), warn() {}, info() {}, debug() {} }
    const connection = { cluster: seeds(), clusterOptions: { redisOptions: { username: 'idstitch-refused', password: 'the-old-secret' } } }
    const refused = createWorker({ connection, prefix: 'c-refused', providers: providers(), logger })
    opened.push(refused)
    await expect(refused.ready()).rejects.toMatchObject({ code: 'queue_unavailable', message: expect.stringContaining('(Failed to refresh slots cache. (WRONGPASS') })
    const queue = createQueue({ connection, prefix: 'c-refused', providers: providers(), logger: false })
    opened.push(queue)
    const result = await queue.identify({ userId: 'usr_refused', anonymousId: VISITOR })
    expect(result.results[0]).toMatchObject({ status: 'failed', error: { code: 'queue_unavailable', message: expect.stringContaining('WRONGPASS') } })
    expect(errors[0]).toMatch(/^\[idstitch\] redis: Failed to refresh slots cache\. \(WRONGPASS/)
    // The CLI, whose Cluster gives up after three attempts, said only "None of startup nodes is available".
    const said: string[] = []
    const node = `redis://idstitch-refused:the-old-secret@127.0.0.1:${nodes[0]?.port}`
    expect(await runCli(['node', 'idstitch-queue', '--cluster', node, 'status'], { out: (line) => said.push(line), err: (line) => said.push(line) }, {})).toBe(1)
    expect(said.join('\n')).toMatch(/^idstitch-queue: None of startup nodes is available \(the connection's last error: Failed to refresh slots cache\. \(WRONGPASS/)
    expect(said.join('\n')).not.toContain('the-old-secret')
  })

  it("loses nothing it said was queued when the node holding a provider's queue is killed and restarted", async () => {
    const prefix = `c${++tests}`
    const queue = producer(prefix, { cluster: seeds() })
    const before = await enqueue(queue, prefix, 0, 100)
    expect(before.results.every((result) => result.ok)).toBe(true)

    // The master whose slots hold {pathbound}'s keys.
    const probe = new Cluster(seeds())
    clients.push(probe)
    const slot = Number(await probe.cluster('KEYSLOT', `${prefix}:{pathbound}:wait`))
    const ranges = await probe.cluster('SLOTS')
    const port = ranges.find(([start, end]) => slot >= start && slot <= end)?.[2]?.[1]
    const owner = nodes.find((node) => node.port === port) as RedisServer
    await owner.kill()
    // While it is down, identifies fail with a typed error by their deadline, or are queued (and then kept).
    const during = await enqueue(queue, prefix, 100, 20)
    for (const result of during.results) for (const entry of result.results) expect(['queued', 'queue_unavailable']).toContain(entry.status === 'queued' ? 'queued' : entry.error?.code)
    await owner.start()
    expect(await until(clusterIsUp, 20_000)).toBe(true)

    const after = await enqueue(queue, prefix, 120, 50)
    expect(after.results.every((result) => result.ok)).toBe(true)
    await Promise.all([worker(prefix), worker(prefix)])
    for (const provider of ['pathbound', 'segment'] as const) {
      const queued = new Set([...before.queued[provider], ...during.queued[provider], ...after.queued[provider]])
      expect(queued.size).toBeGreaterThanOrEqual(150)
      expect(await until(() => [...queued].every((userId) => accepted(provider, prefix).has(userId)), 30_000)).toBe(true)
      // Nothing delivered that was not queued: nothing misrouted.
      expect([...accepted(provider, prefix)].filter((userId) => !queued.has(userId))).toEqual([])
    }
    expect(await decoyKeys()).toBe(0)
  })
})
