// examples/observability as an operator runs it: the Express app on @idstitch/queue and a worker, each a
// process with OpenTelemetry's Node SDK (Prometheus endpoint, traces printed by OTEL_TRACES_EXPORTER=console),
// a real redis-server and the Pathbound stand-in. After a login, each /metrics is scraped, and the login
// request's trace is found again in the worker's spans.
import { type ChildProcess, fork } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { startRedis, type RedisServer } from '@idstitch/example-queue/redis-server'
import { pathboundRule, startProviderServer, type ProviderServer } from '@idstitch/sandbox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from './harness.js'

const KEY = 'pb_observability_key_01'
const VISITOR = '0f7c3b1e-6a2d-4c8b-9e5f-1a2b3c4d5e6f'
const example = fileURLToPath(new URL('../../examples/observability/', import.meta.url))

/** A port nothing listens on now. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

interface ExampleProcess {
  child: ChildProcess
  output(): string
}

/** Starts one of the example's scripts as `pnpm server` / `pnpm worker` would (tsx), once it says it is ready. */
const start = (script: string, env: Record<string, string>): Promise<ExampleProcess> =>
  new Promise((resolve, reject) => {
    const child = fork(`${example}${script}`, [], { cwd: example, execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    let output = ''
    child.stdout?.on('data', (chunk) => (output += chunk))
    child.stderr?.on('data', (chunk) => (output += chunk))
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 30 s:\n${output}`)), 30_000)
    child.once('message', () => {
      clearTimeout(timer)
      resolve({ child, output: () => output })
    })
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)))
  })

const stop = async (process: ExampleProcess | undefined) => {
  if (!process || process.child.exitCode !== null) return
  const exited = new Promise((resolve) => process.child.once('exit', resolve))
  process.child.kill('SIGTERM')
  await exited
}

/** The idstitch series of a /metrics page: `name{labels} value` lines. */
const scrape = async (port: number) => (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n').filter((line) => line.startsWith('idstitch_'))
/** The spans a process printed (ConsoleSpanExporter): each one's trace id, name and parent span id. */
const printedSpans = (output: string) =>
  [...output.matchAll(/traceId: '([0-9a-f]{32})',\n\s+parentSpanContext: (?:\{\n\s+traceId: '[0-9a-f]{32}',\n\s+spanId: '([0-9a-f]{16})'[\s\S]*?\}|undefined),[\s\S]*?\n\s+name: '([^']+)',\n\s+id: '([0-9a-f]{16})'/g)].map(
    ([, traceId, parent, name, id]) => ({ traceId, parent, name, id }),
  )

let redis: RedisServer
let sandbox: ProviderServer
let app: ExampleProcess | undefined
let worker: ExampleProcess | undefined

beforeAll(async () => {
  redis = await startRedis()
  sandbox = await startProviderServer([pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }] })])
})
afterAll(async () => {
  await Promise.all([stop(app), stop(worker)])
  await sandbox?.close()
  await redis?.remove()
})

describe('examples/observability', () => {
  it("shows idstitch's series on /metrics after a login, and the login's trace continued by the worker", async () => {
    const [appPort, appMetrics, workerMetrics] = [await freePort(), await freePort(), await freePort()]
    const env = { REDIS_URL: redis.url, PATHBOUND_API_KEY: KEY, PATHBOUND_BASE_URL: sandbox.url, OTEL_TRACES_EXPORTER: 'console', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' }
    ;[app, worker] = await Promise.all([
      start('server.ts', { ...env, PORT: String(appPort), METRICS_PORT: String(appMetrics), OTEL_SERVICE_NAME: 'acme-app' }),
      start('worker.ts', { ...env, METRICS_PORT: String(workerMetrics), OTEL_SERVICE_NAME: 'acme-idstitch-worker' }),
    ])

    const login = await fetch(`http://127.0.0.1:${appPort}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `idstitch_visitor_id=${VISITOR}` },
      body: 'user=alice',
      redirect: 'manual',
    })
    expect(login.status).toBe(303)
    expect(await until(() => sandbox.accepted.some((identify) => identify.anonymousId === VISITOR), 15_000)).toBe(true)

    // The app counts the identify queued; the worker its job delivered, the queue by state and the attempt's duration.
    expect(await scrape(appMetrics)).toContainEqual(expect.stringMatching(/^idstitch_identify_results_total\{idstitch_provider_name="pathbound",idstitch_result_status="queued".*\} 1$/))
    const series = await scrape(workerMetrics)
    expect(series).toContainEqual(expect.stringMatching(/^idstitch_queue_job_results_total\{idstitch_provider_name="pathbound",idstitch_provider_kind="pathbound",idstitch_job_outcome="delivered".*\} 1$/))
    expect(series).toContainEqual(expect.stringMatching(/^idstitch_queue_jobs\{.*idstitch_job_state="failed".*\} 0$/))
    expect(series).toContainEqual(expect.stringMatching(/^idstitch_delivery_duration_count\{idstitch_provider_name="pathbound".*http_response_status_code="200".*\} 1$/))
    expect(series.join('\n')).not.toMatch(new RegExp(`${VISITOR}|usr_3f9c2a71|alice|${KEY}`))

    // The spans are printed when they end: the worker's once its job is done, the app's once the response is.
    await Promise.all([stop(app), stop(worker)])
    const appSpans = printedSpans(app.output())
    const request = appSpans.find((span) => span.name === 'POST' && span.parent === undefined)
    expect(request).toBeDefined()
    const identify = appSpans.find((span) => span.name === 'idstitch.identify')
    expect(identify).toMatchObject({ traceId: request?.traceId, parent: request?.id })
    const workerSpans = printedSpans(worker.output())
    const job = workerSpans.find((span) => span.name === 'process pathbound')
    expect(job).toMatchObject({ traceId: request?.traceId, parent: identify?.id })
    expect(workerSpans.find((span) => span.name === 'POST /v1/identify')).toMatchObject({ traceId: request?.traceId, parent: job?.id })
  })
})
