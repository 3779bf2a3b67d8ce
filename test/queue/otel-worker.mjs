// A queue worker process with OpenTelemetry's SDK, for test/queue/otel.test.ts: its finished spans go to the
// test over IPC as they end, and its metrics when the test sends 'collect'.
//   REDIS_URL=… PREFIX=… PATHBOUND_API_KEY=… PATHBOUND_BASE_URL=… node otel-worker.mjs
import { pathbound } from '@idstitch/node/providers'
import { openTelemetry } from '@idstitch/node/otel'
import { createWorker } from '@idstitch/queue'
import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())

/** Each ended span, as plain data, to the test. */
const exporter = {
  export(spans, done) {
    for (const span of spans) {
      const { traceId, spanId } = span.spanContext()
      const { name, kind, attributes, status, parentSpanContext } = span
      process.send?.({ span: { name, kind, traceId, spanId, parentSpanId: parentSpanContext?.spanId, attributes, status, events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })) } })
    }
    done({ code: 0 })
  },
  shutdown: async () => {},
}
class Reader extends MetricReader {
  async onShutdown() {}
  async onForceFlush() {}
}
const reader = new Reader()
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
const meterProvider = new MeterProvider({ readers: [reader] })

const env = process.env
const worker = createWorker({
  connection: env.REDIS_URL,
  prefix: env.PREFIX,
  providers: [pathbound({ apiKey: env.PATHBOUND_API_KEY, baseUrl: env.PATHBOUND_BASE_URL })],
  logger: false,
  telemetry: openTelemetry({ tracerProvider, meterProvider }),
})
await worker.ready()
process.on('message', async (message) => {
  if (message !== 'collect') return
  const { resourceMetrics } = await reader.collect()
  const points = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.flatMap((metric) => metric.dataPoints.map((point) => ({ name: metric.descriptor.name, attributes: point.attributes, value: point.value }))))
  process.send?.({ metrics: points })
})
process.send?.('ready')
process.once('SIGTERM', () => worker.close().then(() => process.exit(0)))
