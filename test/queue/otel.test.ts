// A queued identify followed from the login request to the worker process that delivers it, in one trace:
// the queue stores the identify's W3C trace context in its job (and nothing else of the request), a worker
// process with OpenTelemetry's SDK continues it, and reports its jobs by outcome and the queue by state.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { openTelemetry } from '@idstitch/node/otel'
import { pathbound } from '@idstitch/node/providers'
import { createQueue } from '@idstitch/queue'
import { pathboundRule, startProviderServer, type ProviderServer } from '@idstitch/sandbox'
import { startRedis, type RedisServer } from '@idstitch/example-queue/redis-server'
import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { until } from './harness.js'

const KEY = 'pb_queue_otel_key_0123'
const VISITOR = '5d0c8a52-3b7e-4f1a-9c2d-8e6f4a3b2c1d'
const EMAIL = 'traced@private.example'

interface WorkerSpan {
  name: string
  kind: number
  traceId: string
  spanId: string
  parentSpanId?: string
  attributes: Record<string, unknown>
  status: { code: number }
  events: { name: string; attributes?: Record<string, unknown> }[]
}
interface MetricPoint {
  name: string
  attributes: Record<string, unknown>
  value: unknown
}

/** The worker process: its spans as they end, and its metrics on request. */
const startTracedWorker = async (env: Record<string, string>) => {
  const script = fileURLToPath(new URL('./otel-worker.mjs', import.meta.url))
  const child: ChildProcess = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const spans: WorkerSpan[] = []
  let metrics: ((points: MetricPoint[]) => void) | undefined
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not start within 15 s')), 15_000)
    child.on('message', (message: 'ready' | { span?: WorkerSpan; metrics?: MetricPoint[] }) => {
      if (message === 'ready') {
        clearTimeout(timer)
        resolve()
      } else if (message.span) spans.push(message.span)
      else if (message.metrics) metrics?.(message.metrics)
    })
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}`)))
  })
  await ready
  onTestFinished(async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  })
  return {
    spans,
    collect: () =>
      new Promise<MetricPoint[]>((resolve) => {
        metrics = resolve
        child.send('collect')
      }),
  }
}

let redis: RedisServer
let sandbox: ProviderServer
let tests = 0
const spans = new InMemorySpanExporter()
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] })

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  redis = await startRedis()
  sandbox = await startProviderServer([pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }] })])
})
afterAll(async () => {
  context.disable()
  await sandbox?.close()
  await redis?.remove()
})

/** A queue on a prefix of its own, and `start()`, which starts a worker process for it. */
const pair = () => {
  const prefix = `otel${++tests}`
  const queue = createQueue({ connection: redis.url, prefix, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url })], logger: false, backoffMs: 10, telemetry: openTelemetry({ tracerProvider }) })
  onTestFinished(() => queue.close())
  const start = () => startTracedWorker({ REDIS_URL: redis.url, PREFIX: prefix, PATHBOUND_API_KEY: KEY, PATHBOUND_BASE_URL: sandbox.url })
  return { prefix, queue, start }
}

/** An identify enqueued inside a login request's span; the login's span and the job's data in Redis. */
const loginThrough = async (queue: ReturnType<typeof createQueue>, prefix: string, userId: string) => {
  spans.reset()
  const login = await tracerProvider.getTracer('app').startActiveSpan('POST /login', async (span) => {
    const result = await queue.identify({ userId, anonymousId: VISITOR, traits: { email: EMAIL } }, { messageId: `m-${userId}` })
    expect(result.ok).toBe(true)
    span.end()
    return span
  })
  const client = new Redis(redis.url)
  onTestFinished(() => client.disconnect())
  const data = JSON.parse((await client.hget(`${prefix}:{pathbound}:pathbound.m-${userId}`, 'data')) ?? '{}') as { trace?: Record<string, string> }
  await tracerProvider.forceFlush()
  return { login, data }
}

describe('@idstitch/queue with OpenTelemetry', () => {
  it("continues the login request's trace in the worker process that delivers the job", async () => {
    // The worker starts after the job is read from Redis: a running one may deliver and remove it first.
    const { prefix, queue, start } = pair()
    const { login, data } = await loginThrough(queue, prefix, 'usr_traced_1')
    const worker = await start()
    const traceId = login.spanContext().traceId
    const [identify] = spans.getFinishedSpans().filter((span) => span.name === 'idstitch.identify')
    expect(identify?.parentSpanContext?.spanId).toBe(login.spanContext().spanId)
    // The job carries the W3C trace context of the identify's span, and nothing else of the request.
    expect(data.trace).toEqual({ traceparent: `00-${traceId}-${identify?.spanContext().spanId}-01` })

    expect(await until(() => worker.spans.some((span) => span.name === 'process pathbound'), 10_000)).toBe(true)
    const job = worker.spans.find((span) => span.name === 'process pathbound') as WorkerSpan
    expect(job).toMatchObject({ traceId, parentSpanId: identify?.spanContext().spanId, kind: 4 })
    expect(job.attributes).toEqual({
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'pathbound',
      'idstitch.provider.name': 'pathbound',
      'idstitch.provider.kind': 'pathbound',
      'idstitch.attempt': 1,
      'idstitch.job.outcome': 'delivered',
    })
    expect(await until(() => worker.spans.some((span) => span.name === 'POST /v1/identify'), 5_000)).toBe(true)
    const attempt = worker.spans.find((span) => span.name === 'POST /v1/identify') as WorkerSpan
    expect(attempt).toMatchObject({ traceId, parentSpanId: job.spanId, kind: 2 })
    expect(attempt.attributes).toMatchObject({ 'http.response.status_code': 200, 'idstitch.provider.name': 'pathbound', 'idstitch.attempt': 1 })

    const metrics = await worker.collect()
    expect(metrics.filter((point) => point.name === 'idstitch.queue.job.results')).toEqual([{ name: 'idstitch.queue.job.results', attributes: { 'idstitch.provider.name': 'pathbound', 'idstitch.provider.kind': 'pathbound', 'idstitch.job.outcome': 'delivered' }, value: 1 }])
    expect(metrics.filter((point) => point.name === 'idstitch.queue.jobs').map((point) => [point.attributes['idstitch.job.state'], point.value])).toEqual([
      ['waiting', 0],
      ['active', 0],
      ['delayed', 0],
      ['failed', 0],
    ])
    expect(metrics.find((point) => point.name === 'idstitch.delivery.duration')).toMatchObject({ attributes: { 'idstitch.provider.name': 'pathbound', 'http.response.status_code': 200 } })
    // Nothing personal crossed into the worker's telemetry.
    const exported = JSON.stringify({ spans: worker.spans, metrics })
    for (const secret of ['usr_traced_1', VISITOR, EMAIL, KEY]) expect(exported).not.toContain(secret)
  })

  it('shows a retried job (a 500, then a 200) and a dead letter in the same trace, with their outcomes counted', async () => {
    const { prefix, queue, start } = pair()
    const worker = await start()
    sandbox.faults.push({ status: 500 })
    const { login } = await loginThrough(queue, prefix, 'usr_traced_2')
    const processed = () => worker.spans.filter((span) => span.name === 'process pathbound')
    expect(await until(() => processed().length === 2, 10_000)).toBe(true)
    expect(processed().map((span) => [span.traceId, span.attributes['idstitch.attempt'], span.attributes['idstitch.job.outcome'], span.attributes['error.type'] ?? null, span.status.code])).toEqual([
      [login.spanContext().traceId, 1, 'retry', 'http_error', 2],
      [login.spanContext().traceId, 2, 'delivered', null, 0],
    ])

    // A job that can never succeed (a 400 is permanent) is a dead letter at once.
    sandbox.faults.push({ status: 400 })
    await loginThrough(queue, prefix, 'usr_traced_3')
    expect(await until(() => processed().some((span) => span.attributes['idstitch.job.outcome'] === 'dead_letter'), 10_000)).toBe(true)
    const metrics = await worker.collect()
    const outcomes = Object.fromEntries(metrics.filter((point) => point.name === 'idstitch.queue.job.results').map((point) => [`${point.attributes['idstitch.job.outcome']}:${point.attributes['error.type'] ?? ''}`, point.value]))
    expect(outcomes).toEqual({ 'retry:http_error': 1, 'delivered:': 1, 'dead_letter:http_error': 1 })
    expect(metrics.find((point) => point.name === 'idstitch.queue.jobs' && point.attributes['idstitch.job.state'] === 'failed')?.value).toBe(1)
  })

  it('delivers a job whose trace context is hostile or broken, as if it carried none', async () => {
    const { prefix, start } = pair()
    const worker = await start()
    const client = new Redis(redis.url)
    onTestFinished(() => client.disconnect())
    const { Queue } = await import('bullmq')
    const raw = new Queue('{pathbound}', { connection: client, prefix, skipVersionCheck: true })
    onTestFinished(() => raw.close())
    const item = { external_id: 'usr_traced_4', anonymous_id: VISITOR }
    for (const trace of [{ traceparent: '00-zz-not-a-trace' }, { traceparent: `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01` }, { traceparent: 1 }, 'x'.repeat(10_000)]) {
      await raw.add('identify', { v: 1, provider: 'pathbound', messageId: `m-${Math.random().toString(36).slice(2)}`, userId: 'usr_traced_4', item, trace })
    }
    expect(await until(() => worker.spans.filter((span) => span.name === 'process pathbound').length === 4, 10_000)).toBe(true)
    for (const span of worker.spans.filter((span) => span.name === 'process pathbound')) {
      expect(span.parentSpanId).toBeUndefined()
      expect(span.attributes['idstitch.job.outcome']).toBe('delivered')
    }
  })
})
