// @idstitch/node/otel with OpenTelemetry's SDK and in-memory exporters, against the stand-ins over HTTP:
// a delivered identify inside a login request's trace, a retried one, a 429 with Retry-After, an open
// circuit, an invalid message, and every provider's adapter fed hostile values, none of which may appear
// in any exported span, event or metric.
import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { type DataPoint, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { createClient, type ClientOptions } from '@idstitch/node'
import { openTelemetry } from '@idstitch/node/otel'
import { amplitude, datafast, dfend, ga4, http, mixpanel, monterosa, pathbound, posthog, segment, thrivestack } from '@idstitch/node/providers'
import { pathboundRule, sandboxOptions } from '@idstitch/sandbox'
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { fast, useSandbox, useStandIn, VISITOR } from './helpers.js'

const KEY = 'pb_otel_key_0123'
const standIn = useStandIn(pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }] }))
const sandbox = useSandbox()

/** A metric reader the test collects from when it wants. */
class Reader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

const spans = new InMemorySpanExporter()
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] })
let reader: Reader
let meterProvider: MeterProvider
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
})
afterAll(() => context.disable())
beforeEach(() => {
  spans.reset()
  reader = new Reader()
  meterProvider = new MeterProvider({ readers: [reader] })
})

const client = (options: Partial<ClientOptions> = {}) => {
  const created = createClient({ ...fast, providers: [pathbound({ apiKey: KEY, baseUrl: standIn.url })], telemetry: openTelemetry({ tracerProvider, meterProvider }), ...options })
  onTestFinished(() => created.shutdown())
  return created
}
/** The SDK exports an ended span asynchronously: wait for it. */
const flush = () => tracerProvider.forceFlush()
const named = (name: string) => spans.getFinishedSpans().filter((span) => span.name === name)
const attempts = () => spans.getFinishedSpans().filter((span) => span.attributes['http.request.method'] !== undefined)
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId
const collect = async (): Promise<ResourceMetrics> => (await reader.collect()).resourceMetrics
const points = (metrics: ResourceMetrics, name: string): DataPoint<unknown>[] =>
  metrics.scopeMetrics.flatMap((scope) => scope.metrics.filter((metric) => metric.descriptor.name === name).flatMap((metric) => metric.dataPoints as DataPoint<unknown>[]))

describe('@idstitch/node/otel', () => {
  it("puts an identify's span inside the login request's trace, and an HTTP client span per attempt under it", async () => {
    const tracer = tracerProvider.getTracer('app')
    await tracer.startActiveSpan('POST /login', async (login) => {
      const result = await client().identify({ userId: 'usr_otel_1', anonymousId: VISITOR })
      expect(result.ok).toBe(true)
      login.end()
    })
    await flush()
    const [login] = named('POST /login')
    const [identify] = named('idstitch.identify')
    const [attempt] = attempts()
    expect(parentOf(identify as ReadableSpan)).toBe(login?.spanContext().spanId)
    expect(identify?.spanContext().traceId).toBe(login?.spanContext().traceId)
    expect(parentOf(attempt as ReadableSpan)).toBe(identify?.spanContext().spanId)
    expect(attempt?.name).toBe('POST /v1/identify')
    expect(attempt?.attributes).toEqual({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(standIn.url).port),
      'url.template': '/v1/identify',
      'http.response.status_code': 200,
      'idstitch.provider.name': 'pathbound',
      'idstitch.provider.kind': 'pathbound',
      'idstitch.attempt': 1,
      'idstitch.batch.size': 1,
      'idstitch.result.status': 'delivered',
    })
    expect(identify?.events.map((event) => event.attributes)).toEqual([{ 'idstitch.provider.name': 'pathbound', 'idstitch.result.status': 'delivered' }])
    const metrics = await collect()
    expect(points(metrics, 'idstitch.identify.results')).toEqual([expect.objectContaining({ attributes: { 'idstitch.provider.name': 'pathbound', 'idstitch.result.status': 'delivered' }, value: 1 })])
    expect(points(metrics, 'idstitch.delivery.duration')).toEqual([expect.objectContaining({ attributes: expect.objectContaining({ 'idstitch.provider.name': 'pathbound', 'http.response.status_code': 200 }), value: expect.objectContaining({ count: 1 }) })])
    expect(points(metrics, 'idstitch.lane.queued')).toEqual([expect.objectContaining({ attributes: { 'idstitch.provider.name': 'pathbound', 'idstitch.provider.kind': 'pathbound' }, value: 0 })])
  })

  it('shows a retried attempt (a 500, then a 200) as two attempt spans, the first with its error and a retry event', async () => {
    standIn.faults.push({ status: 500 })
    expect((await client().identify({ userId: 'usr_otel_2', anonymousId: VISITOR })).ok).toBe(true)
    await flush()
    const [first, second] = attempts()
    expect(first?.attributes).toMatchObject({ 'idstitch.attempt': 1, 'http.response.status_code': 500, 'error.type': 'http_error' })
    expect(first?.status.code).toBe(2)
    expect(first?.events.map((event) => event.name)).toEqual(['idstitch.retry'])
    expect(second?.attributes).toMatchObject({ 'idstitch.attempt': 2, 'http.response.status_code': 200 })
    expect(parentOf(first as ReadableSpan)).toBe(parentOf(second as ReadableSpan))
  })

  it("records a 429's Retry-After pause on the attempt that got it", async () => {
    standIn.faults.push({ status: 429, headers: { 'retry-after': '1' } })
    expect((await client().identify({ userId: 'usr_otel_3', anonymousId: VISITOR })).ok).toBe(true)
    await flush()
    const [limited, after] = attempts()
    expect(limited?.attributes).toMatchObject({ 'http.response.status_code': 429, 'error.type': 'rate_limited' })
    expect(limited?.events.map((event) => [event.name, event.attributes])).toEqual([
      ['idstitch.retry', { 'idstitch.retry.delay_ms': expect.any(Number) }],
      ['idstitch.retry_after.pause', { 'idstitch.pause.duration_ms': 1_000 }],
    ])
    expect(after?.attributes['http.response.status_code']).toBe(200)
  })

  it('marks the attempt that opens the circuit, counts what it refuses, and reports the circuit open', async () => {
    const idstitch = client({ retry: false, concurrency: 1 })
    for (let fault = 0; fault < 20; fault++) standIn.faults.push({ status: 503 })
    for (let index = 0; index < 20; index++) await idstitch.identify({ userId: `usr_otel_breaker_${index}`, anonymousId: VISITOR })
    const refused = await idstitch.identify({ userId: 'usr_otel_refused', anonymousId: VISITOR })
    expect(refused.results[0]?.error?.code).toBe('circuit_open')
    await flush()
    const opened = attempts().filter((span) => span.events.some((event) => event.name === 'idstitch.circuit.open'))
    expect(opened.map((span) => span.attributes['idstitch.attempt'])).toEqual([1])
    expect(attempts()).toHaveLength(20)
    const metrics = await collect()
    expect(points(metrics, 'idstitch.circuit.state')).toEqual([expect.objectContaining({ value: 1 })])
    expect(points(metrics, 'idstitch.identify.results')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ attributes: { 'idstitch.provider.name': 'pathbound', 'idstitch.result.status': 'failed', 'error.type': 'http_error' }, value: 20 }),
        expect.objectContaining({ attributes: { 'idstitch.provider.name': 'pathbound', 'idstitch.result.status': 'failed', 'error.type': 'circuit_open' }, value: 1 }),
      ]),
    )
  })

  it('traces an invalid message: its span ends in error with each result, and no attempt is made', async () => {
    const result = await client().identify({ userId: '' })
    expect(result.ok).toBe(false)
    await flush()
    const [identify] = named('idstitch.identify')
    expect(identify?.status.code).toBe(2)
    expect(identify?.events.map((event) => event.attributes)).toEqual([{ 'idstitch.provider.name': 'pathbound', 'idstitch.result.status': 'invalid', 'error.type': 'validation_failed' }])
    expect(attempts()).toEqual([])
  })

  it('costs nothing and changes nothing without a registered provider (the API is a no-op)', async () => {
    const result = await createClient({ ...fast, providers: [pathbound({ apiKey: KEY, baseUrl: standIn.url })], telemetry: openTelemetry() }).identify({ userId: 'usr_otel_noop', anonymousId: VISITOR })
    expect(result.ok).toBe(true)
    await flush()
    expect(spans.getFinishedSpans()).toEqual([])
  })
})

describe('what telemetry never carries', () => {
  // Every value below is personal or secret; none may appear in a span, an event or a metric.
  const hostile = {
    userId: 'usr_hostile_7f3a9c2b',
    anonymousId: '6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    email: 'victim@private.example',
    ip: '203.0.113.77',
    cookie: 'session=s3cr3t-cookie',
    token: 'tok_hostile_webhook_secret',
  }

  it("reports every provider's adapter without a user id, anonymous id, trait, address, cookie, key, token or query", async () => {
    const options = sandboxOptions(sandbox.url)
    await fetch(`${sandbox.url}/pageview`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitorId: hostile.anonymousId }) })
    const idstitch = createClient({
      ...fast,
      telemetry: openTelemetry({ tracerProvider, meterProvider }),
      providers: [
        datafast(options.datafast),
        dfend(options.dfend),
        thrivestack(options.thrivestack),
        pathbound(options.pathbound),
        monterosa(options.monterosa),
        segment(options.segment),
        posthog(options.posthog),
        ga4(options.ga4),
        amplitude(options.amplitude),
        mixpanel(options.mixpanel),
        // An app's own endpoint, with a secret in its path and its query.
        http({ name: 'crm', url: `${sandbox.url}/hooks/${hostile.token}?key=${hostile.token}`, body: (event) => ({ id: event.userId }) }),
      ],
    })
    onTestFinished(() => idstitch.shutdown())
    const message = { userId: hostile.userId, anonymousId: hostile.anonymousId, anonymousIds: { ga4: '1234567890.1700000000' }, traits: { email: hostile.email, note: hostile.cookie }, context: { ip: hostile.ip } }
    const result = await idstitch.identify(message)
    await flush()
    // The sandbox has no such hook: crm's request is made and refused (404), as good a test of what it reports.
    expect(result.results.filter((entry) => entry.status !== 'delivered').map((entry) => [entry.provider, entry.httpStatus])).toEqual([['crm', 404]])
    expect(attempts().length).toBeGreaterThanOrEqual(11)
    const exported = JSON.stringify({ spans: spans.getFinishedSpans().map(({ name, attributes, events, links, status }) => ({ name, attributes, events, links, status })), metrics: await collect() })
    const secrets = [...Object.values(hostile), ...Object.values(options).flatMap((entry) => Object.entries(entry).filter(([option]) => option !== 'baseUrl' && option !== 'host' && option !== 'serverUrl').map(([, value]) => value)), 'api_secret', '?']
    expect(secrets.filter((secret) => exported.includes(secret))).toEqual([])
    // The app's own URL is reported by its host alone.
    expect(attempts().find((span) => span.attributes['idstitch.provider.name'] === 'crm')?.attributes).not.toHaveProperty('url.template')
  })
})

