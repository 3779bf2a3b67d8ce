import { defineProvider, type ProviderRequest, type ProviderResponse } from '@idstitch/core'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { describe, expect, it } from 'vitest'
import { clientFactory } from './client.js'
import { openTelemetry } from './otel.js'
import type { Transport } from './transport.js'

// The contract tests (test/contract/otel.test.ts) run the built package against the stand-ins over HTTP; these
// run the source, with a transport that answers from a script, for what HTTP cannot easily show.
const createClient = clientFactory({ transport: () => { throw new Error('the tests pass a transport') } })

/** A provider that batches up to 10 identifies a request, and one that is the app's own endpoint (kind http). */
const batching = defineProvider<{ name?: string }, { id: string }>({
  name: 'batcher',
  configure: () => ({}),
  prepare: (event) => ({ type: 'item', item: { id: event.userId as string } }),
  request: (items) => ({ method: 'POST', url: 'https://batch.example.test:8443/v2/batch?key=secret', headers: {}, body: items }),
  batch: () => ({ maxItems: 10, maxBytes: 100_000 }),
})
const hook = defineProvider<{ name?: string }, { id: string }>({
  name: 'http',
  configure: () => ({}),
  prepare: (event) => ({ type: 'item', item: { id: event.userId as string } }),
  request: ([item]) => ({ method: 'PUT', url: 'http://hooks.example.test/T0/B0/secret-token', headers: {}, body: item }),
})
/** Answers each request with the next status of `statuses` (then 200). */
const scripted = (...statuses: number[]): Transport => ({
  send: async (_request: ProviderRequest): Promise<ProviderResponse> => ({ status: statuses.shift() ?? 200, headers: {}, body: {} }),
})
class Reader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}
const setup = () => {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] })
  const reader = new Reader()
  const telemetry = openTelemetry({ tracerProvider, meterProvider: new MeterProvider({ readers: [reader] }) })
  const finished = async () => {
    await tracerProvider.forceFlush()
    return spans.getFinishedSpans()
  }
  return { telemetry, finished, reader }
}

describe('openTelemetry()', () => {
  it("gives a batch's request one span, under its first identify's span and linked to the others'", async () => {
    const { telemetry, finished } = setup()
    const client = createClient({ providers: [batching({})], transport: scripted(), telemetry, logger: false })
    await Promise.all(['usr_1', 'usr_2', 'usr_3'].map((userId) => client.identify({ userId })))
    const all = await finished()
    const identifies = all.filter((span) => span.name === 'idstitch.identify')
    const [request] = all.filter((span) => span.name === 'POST /v2/batch')
    expect(identifies).toHaveLength(3)
    expect(request?.attributes).toMatchObject({ 'server.address': 'batch.example.test', 'server.port': 8443, 'url.template': '/v2/batch', 'idstitch.batch.size': 3 })
    expect(request?.parentSpanContext?.spanId).toBe(identifies[0]?.spanContext().spanId)
    expect(request?.links.map((link) => link.context.spanId)).toEqual(identifies.slice(1).map((span) => span.spanContext().spanId))
  })

  it("reports an app's own endpoint (kind http) by its host alone: its path may hold a secret", async () => {
    const { telemetry, finished } = setup()
    await createClient({ providers: [hook({ name: 'crm' })], transport: scripted(), telemetry, logger: false }).identify({ userId: 'usr_1' })
    const [request] = (await finished()).filter((span) => span.attributes['http.request.method'] === 'PUT')
    expect(request?.name).toBe('PUT')
    expect(request?.attributes).toMatchObject({ 'server.address': 'hooks.example.test', 'server.port': 80, 'idstitch.provider.kind': 'http', 'idstitch.provider.name': 'crm' })
    expect(JSON.stringify(request?.attributes)).not.toContain('secret')
  })

  it('never lets a throwing hook break delivery', async () => {
    const telemetry = {
      identify: () => {
        throw new Error('tracer down')
      },
      attempt: () => ({
        end: () => {
          throw new Error('exporter down')
        },
      }),
    }
    const result = await createClient({ providers: [batching({})], transport: scripted(503), telemetry, logger: false, retry: { backoff: 1 } }).identify({ userId: 'usr_1' })
    expect(result.results[0]).toMatchObject({ status: 'delivered', attempts: 2 })
  })
})
