// The Express example's app on @idstitch/queue, with traces and metrics (instrumentation.ts, imported first).
//   REDIS_URL=redis://127.0.0.1:6379 PATHBOUND_API_KEY=… PORT=3001 METRICS_PORT=9464 tsx server.ts
import { shutdownTelemetry } from './instrumentation.js'
import { createApp } from '@idstitch/example-express'
import { openTelemetry } from '@idstitch/node/otel'
import { createQueue } from '@idstitch/queue'
import { providers } from './providers.js'

const queue = createQueue({
  connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  providers: providers(),
  // A span per identify under the login request's, its W3C trace context in each job, and the
  // idstitch.identify.results counter (status queued, or why not).
  telemetry: openTelemetry(),
})

const port = Number(process.env.PORT ?? 3001)
const server = createApp({ client: queue }).listen(port, () => {
  console.log(`[app] on http://localhost:${port}/ · metrics on http://localhost:${process.env.METRICS_PORT ?? 9464}/metrics`)
  process.send?.('ready')
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => server.close(async () => {
    await queue.close()
    await shutdownTelemetry()
    process.exit(0)
  }))
}
