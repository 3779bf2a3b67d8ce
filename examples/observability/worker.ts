// An @idstitch/queue worker with traces and metrics (instrumentation.ts, imported first): a span per job
// under the identify that queued it, the attempts' spans under it, and on its own /metrics the jobs by
// outcome, the queue's jobs by state, and the delivery durations.
//   REDIS_URL=redis://127.0.0.1:6379 PATHBOUND_API_KEY=… METRICS_PORT=9465 tsx worker.ts
import { shutdownTelemetry } from './instrumentation.js'
import { openTelemetry } from '@idstitch/node/otel'
import { createWorker } from '@idstitch/queue'
import { providers } from './providers.js'

const worker = createWorker({
  connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  providers: providers(),
  telemetry: openTelemetry(),
})
await worker.ready()
console.log(`[worker] delivering · metrics on http://localhost:${process.env.METRICS_PORT ?? 9464}/metrics`)
process.send?.('ready')

// On a deploy or scale-down: finish the jobs in flight, flush the last spans, then exit.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    await worker.close()
    await shutdownTelemetry()
    process.exit(0)
  })
}
