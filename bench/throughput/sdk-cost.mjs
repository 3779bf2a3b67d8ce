// What one identify costs idstitch itself, without HTTP: in its own process, a client whose transport
// answers at once, 32 identifies awaited at a time (as §2 drives the one-request clients). Prints JSON.
import { createClient } from '@idstitch/node'
import { openTelemetry } from '@idstitch/node/otel'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { loadInternals } from '../lib/internals.mjs'
import { pathbound } from '@idstitch/node/providers'

const n = Number(process.argv[2] ?? 20_000)
const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const message = (i) => ({ userId: `usr_${i}`, anonymousId: VISITOR, traits: { plan: 'pro' } })
const answered = { send: async () => ({ status: 200, headers: {}, body: { status: 'success' } }), bounded: true }

/** CPU µs per call of `run(i)`, after a warm-up of a tenth as many. */
const cpuPer = async (run) => {
  for (let i = 0; i < n / 10; i++) await run(i)
  const start = process.cpuUsage()
  let next = 0
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < n) await run(next++)
  }))
  const used = process.cpuUsage(start)
  return (used.user + used.system) / n
}

const clientCost = async (options) => {
  const client = createClient({ concurrency: 32, deadlineMs: false, logger: false, transport: answered, ...options, providers: [pathbound({ apiKey: 'pb_bench_key', baseUrl: 'http://127.0.0.1:9', rateLimit: { limit: 1e9, windowMs: 1_000 } })] })
  let k = 0
  const cost = await cpuPer(() => client.identify(message(k++)))
  await client.shutdown()
  return cost
}

const { createRedactor, fingerprintOf, stampEvent } = await loadInternals()
const redact = createRedactor([])
const library = { name: '@idstitch/node', version: 'bench' }
// A first round of each, uncounted: what follows is a warm process's cost, as in the HTTP runs.
await clientCost({})
await clientCost({ dedupe: false })
const withoutDedupe = await clientCost({ dedupe: false })
/**
 * Telemetry (#26), in alternated rounds, the median of each: none; `openTelemetry()` with no provider registered
 * (OpenTelemetry's API is a no-op); and with the SDK's tracer and meter providers, every span exported (to an
 * exporter that drops it, so the figure is idstitch's and the SDK's work, not an exporter's).
 */
const telemetryCost = async (rounds = 5) => {
  const dropping = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} }
  const sdk = openTelemetry({ tracerProvider: new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: dropping })] }), meterProvider: new MeterProvider() })
  const variants = { off: {}, noop: { telemetry: openTelemetry() }, sdk: { telemetry: sdk } }
  const runs = { off: [], noop: [], sdk: [] }
  for (let round = 0; round < rounds; round++) for (const [name, options] of Object.entries(variants)) runs[name].push(await clientCost(options))
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]
  return { off: median(runs.off), noop: median(runs.noop), sdk: median(runs.sdk) }
}
const report = {
  telemetry: await telemetryCost(),
  identify: await clientCost({}),
  identifyWithoutDedupe: withoutDedupe,
  // The message's validation and copy (zod, and the JSON-safety check), as identify() does it.
  validation: await cpuPer((i) => stampEvent(message(i), 'm', library, redact)),
  // The de-duplication fingerprint (canonical JSON of the ids and traits), of events validated beforehand.
  fingerprint: await (async () => {
    const events = Array.from({ length: 1_000 }, (_, i) => stampEvent(message(i), 'm', library, redact)).map((stamped) => (stamped.ok ? stamped.event : undefined))
    return cpuPer((i) => fingerprintOf(events[i % events.length]))
  })(),
}
process.stdout.write(JSON.stringify(report))
process.exit(0)
