// One client, in its own process: sends N identifies to the sink and reports
// wall time, CPU time and peak RSS. Usage: node client.mjs <kind> <sinkUrl> <n> <tight|yield>
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { loadInternals } from '../lib/internals.mjs'

const [kind, sink, countArg, mode = 'tight', warmArg = '0'] = process.argv.slice(2)
/** How many identifies the current run sends (the warm-up's, then the measured run's). */
let n = Number(warmArg)
const CONCURRENCY = 32
const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const body = (i) => JSON.stringify({ external_id: `usr_${i}`, anonymous_id: VISITOR, traits: { plan: 'pro' } })
const headers = { 'content-type': 'application/json', authorization: 'Bearer pb_bench_key' }

/** Runs `send(i)` for i in [0, n) with at most CONCURRENCY in flight. */
const pool = async (send) => {
  let next = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await send(next++)
  }))
}

/**
 * Calls `call(i)` n times: all at once ('tight'), yielding to the event loop every 100 calls ('yield'),
 * or awaiting each, CONCURRENCY at a time, as the one-request peers are driven ('pool').
 */
const loop = async (call) => {
  if (mode === 'pool') return pool(call)
  for (let i = 0; i < n; i++) {
    call(i)
    if (mode === 'yield' && i % 100 === 99) await new Promise((resolve) => setImmediate(resolve))
  }
}

/** idstitch's identifies, one request each, to a Pathbound-shaped sink (no rate limit to wait for, no deadline), over `options.transport` or the default. */
const pathboundIdentifies = async (options) => {
  const { createClient } = await import('@idstitch/node')
  const { pathbound } = await import('@idstitch/node/providers')
  const client = createClient({ concurrency: CONCURRENCY, deadlineMs: false, ...options, providers: [pathbound({ apiKey: 'pb_bench_key', baseUrl: sink, rateLimit: { limit: 1e9, windowMs: 1000 } })] })
  await loop((i) => client.identify({ userId: `usr_${i}`, anonymousId: VISITOR, traits: { plan: 'pro' } }))
  await client.shutdown()
}

const clients = {
  async fetch() {
    await pool(async (i) => {
      const response = await fetch(`${sink}/v1/identify`, { method: 'POST', headers, body: body(i) })
      await response.text()
    })
  },
  async ky() {
    const { default: ky } = await import('ky')
    await pool((i) => ky.post(`${sink}/v1/identify`, { headers, body: body(i), retry: 0 }).text())
  },
  async 'node-http'() {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
    const url = new URL(`${sink}/v1/identify`)
    await pool((i) => new Promise((resolve, reject) => {
      const request = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent }, (response) => {
        response.resume()
        response.on('end', resolve)
      })
      request.on('error', reject)
      request.end(body(i))
    }))
    agent.destroy()
  },
  // The bare client above, validating each message first as identify() does (zod, and the JSON-safety check and copy): what
  // the validation alone costs beside real HTTP, for bench/README.md's breakdown. Its body is built from the validated copy.
  async 'node-http-validated'() {
    const { createRedactor, stampEvent } = await loadInternals()
    const redact = createRedactor([])
    const library = { name: '@idstitch/node', version: 'bench' }
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
    const url = new URL(`${sink}/v1/identify`)
    await pool((i) => new Promise((resolve, reject) => {
      const { event } = stampEvent({ userId: `usr_${i}`, anonymousId: VISITOR, traits: { plan: 'pro' } }, crypto.randomUUID(), library, redact)
      const request = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent }, (response) => {
        response.resume()
        response.on('end', resolve)
      })
      request.on('error', reject)
      request.end(JSON.stringify({ external_id: event.userId, anonymous_id: event.anonymousId, traits: event.traits }))
    }))
    agent.destroy()
  },
  async 'undici-pool'() {
    const { Pool } = await import('undici')
    const undici = new Pool(sink, { connections: CONCURRENCY })
    await pool(async (i) => {
      const { body: response } = await undici.request({ path: '/v1/identify', method: 'POST', headers, body: body(i) })
      await response.text()
    })
    await undici.close()
  },
  'idstitch-pathbound': () => pathboundIdentifies({}),
  // The same client over the opt-in undici transport (@idstitch/node/undici), loaded before the run starts, as an app would at start-up.
  async 'idstitch-undici'() {
    const { createUndiciTransport } = await import('@idstitch/node/undici')
    await pathboundIdentifies({ transport: createUndiciTransport({ connections: CONCURRENCY }) })
  },
  // The layers under idstitch-pathbound, for bench/README.md's breakdown: its node:http transport alone (each
  // answer read and parsed), then the delivery lane over it (queue, retries, deadline, rate limit), with no
  // validation, adapter preparation, de-duplication or result. Internals, driven here only to be measured.
  async 'idstitch-transport'() {
    const { createNodeHttpTransport } = await import('@idstitch/node/node-http')
    const transport = createNodeHttpTransport({ connections: CONCURRENCY })
    const url = `${sink}/v1/identify`
    const limits = { timeoutMs: 5_000, deadlineMs: Number.POSITIVE_INFINITY }
    await pool((i) => transport.send({ method: 'POST', url, headers: { ...headers }, body: { external_id: `usr_${i}`, anonymous_id: VISITOR, traits: { plan: 'pro' } } }, limits))
    await transport.close()
  },
  async 'idstitch-lane'() {
    const { createNodeHttpTransport } = await import('@idstitch/node/node-http')
    const { createDeliveryLane } = await loadInternals()
    const { pathbound } = await import('@idstitch/node/providers')
    const transport = createNodeHttpTransport({ connections: CONCURRENCY })
    const provider = pathbound({ apiKey: 'pb_bench_key', baseUrl: sink, rateLimit: { limit: 1e9, windowMs: 1000 } })
    const identity = { text: (text) => text, value: (value) => value, error: (error) => error }
    const lane = createDeliveryLane(provider, { transport, concurrency: CONCURRENCY, timeoutMs: 5_000, retryLimit: 4, backoff: { baseMs: 200, maxMs: 5_000, maxRetryAfterMs: 10_000 }, maxRetryAfterMs: 10_000, now: Date.now, random: Math.random, redact: identity })
    const deadline = { at: Number.POSITIVE_INFINITY, ms: Number.POSITIVE_INFINITY }
    await pool((i) => new Promise((resolve) => lane.enqueue({ item: { external_id: `usr_${i}`, anonymous_id: VISITOR, traits: { plan: 'pro' } }, deadline, slot: 0, listener: { delivered: resolve } })))
    await transport.close()
  },
  async 'idstitch-defaults'() {
    // Every option at its default (concurrency 8, 3 retries, a 10 s deadline), one request per identify.
    const { createClient } = await import('@idstitch/node')
    const { dfend } = await import('@idstitch/node/providers')
    const client = createClient({ logger: false, providers: [dfend({ apiKey: 'sk_bench_key', baseUrl: sink })] })
    await loop((i) => client.identify({ userId: `usr_${i}`, traits: { plan: 'pro' } }))
    await client.flush()
  },
  async 'idstitch-segment'() {
    const { createClient } = await import('@idstitch/node')
    const { segment } = await import('@idstitch/node/providers')
    // Defaults, but for maxQueue: a burst of more than 50,000 in one tight loop (the 200,000 run) needs room for all of it.
    const client = createClient({ maxQueue: Math.max(50_000, n), providers: [segment({ writeKey: 'wk_bench', baseUrl: sink })] })
    await loop((i) => client.identify({ userId: `usr_${i}`, anonymousId: VISITOR, traits: { plan: 'pro' } }))
    await client.flush()
  },
  // The floor for a batching client: each identify a Segment-shaped message (ids, traits, message id, time) pushed
  // to a batch; 100 to a batch, POSTed to /v1/batch with fetch, 8 batches in flight (idstitch's default
  // concurrency). No validation, retry or result: what any batching client must at least do.
  async 'fetch-batch'() {
    const inFlight = new Set()
    let batch = []
    const post = async (messages) => {
      while (inFlight.size >= 8) await Promise.race(inFlight)
      const sent = fetch(`${sink}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Basic d2tfYmVuY2g6' }, body: JSON.stringify({ batch: messages }) }).then((response) => response.text())
      inFlight.add(sent)
      sent.finally(() => inFlight.delete(sent))
    }
    const queued = []
    await loop((i) => {
      batch.push({ type: 'identify', userId: `usr_${i}`, anonymousId: VISITOR, traits: { plan: 'pro' }, messageId: crypto.randomUUID(), timestamp: new Date().toISOString() })
      if (batch.length === 100) {
        queued.push(batch)
        batch = []
      }
    })
    if (batch.length) queued.push(batch)
    for (const messages of queued) await post(messages)
    await Promise.all(inFlight)
  },
  async 'segment-node'() {
    const { Analytics } = await import('@segment/analytics-node')
    const analytics = new Analytics({ writeKey: 'wk_bench', host: sink })
    await loop((i) => analytics.identify({ userId: `usr_${i}`, anonymousId: VISITOR, traits: { plan: 'pro' } }))
    await analytics.closeAndFlush({ timeout: 120_000 })
  },
  async 'posthog-node'() {
    const { PostHog } = await import('posthog-node')
    const posthog = new PostHog('phc_bench', { host: sink })
    await loop((i) => posthog.identify({ distinctId: `usr_${i}`, properties: { plan: 'pro', $anon_distinct_id: VISITOR } }))
    await posthog.shutdown(120_000)
  },
  async 'rudder-node'() {
    const { default: Analytics } = await import('@rudderstack/rudder-sdk-node')
    const client = new Analytics('wk_bench', { dataPlaneUrl: sink, logLevel: 'error' })
    await loop((i) => client.identify({ userId: `usr_${i}`, anonymousId: VISITOR, traits: { plan: 'pro' } }))
    await client.flush()
  },
}

// Warm-up: the same client code runs first, uncounted (the sink forgets what it received), so that what is measured
// is the steady state of a long-running server, for every client alike: code compiled by the JIT, modules loaded.
if (n > 0) {
  await clients[kind]()
  await fetch(`${sink}/zero`)
}
n = Number(countArg)
const cpu0 = process.cpuUsage()
const t0 = performance.now()
await clients[kind]()
const wallMs = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
process.stdout.write(JSON.stringify({ wallMs, cpuUs: cpu.user + cpu.system, maxRssMB: process.resourceUsage().maxRSS / 1024 }))
process.exit(0)
