// Added latency in a login route: a server whose POST /login awaits identify() to
// two providers on a loopback sink that answers after 20 ms, against the same
// route sending the two requests in parallel with raw fetch, and with a bare
// node:http keep-alive client (the floor).
import { Agent, createServer, request as httpRequest } from 'node:http'
import { fileURLToPath } from 'node:url'
import { percentile } from '../lib/measure.mjs'
import { startSink } from '../throughput/run.mjs'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'

const routes = async (sinkUrl) => {
  const { createClient } = await import('@idstitch/node')
  const { pathbound, dfend } = await import('@idstitch/node/providers')
  const agent = new Agent({ keepAlive: true, maxSockets: 8 })
  // dedupe: false: the logins of the two interleaved halves repeat user ids, and every login must send (that is what is timed).
  const client = createClient({ dedupe: false, providers: [pathbound({ apiKey: 'pb_bench_key', baseUrl: sinkUrl, rateLimit: { limit: 1e9, windowMs: 1000 } }), dfend({ apiKey: 'sk_bench_key', baseUrl: `${sinkUrl}/dfend` })] })
  return {
    idstitch: async (i) => {
      await client.identify({ userId: `usr_${i}`, anonymousId: VISITOR, traits: { email: 'ada@example.com', plan: 'pro' } })
    },
    'node:http': async (i) => {
      const post = (path, headers, body) =>
        new Promise((resolve, reject) => {
          const url = new URL(`${sinkUrl}${path}`)
          const outgoing = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (response) => {
            response.resume()
            response.on('end', resolve)
          })
          outgoing.on('error', reject)
          outgoing.end(body)
        })
      await Promise.all([
        post('/v1/identify', { authorization: 'Bearer pb_bench_key' }, JSON.stringify({ external_id: `usr_${i}`, anonymous_id: VISITOR, traits: { email: 'ada@example.com', plan: 'pro' } })),
        post('/dfend/identity', { 'x-api-key': 'sk_bench_key' }, JSON.stringify({ userId: `usr_${i}`, email: 'ada@example.com', merge: true, metadata: { plan: 'pro' } })),
      ])
    },
    fetch: async (i) => {
      const json = { 'content-type': 'application/json' }
      await Promise.all([
        fetch(`${sinkUrl}/v1/identify`, { method: 'POST', headers: { ...json, authorization: 'Bearer pb_bench_key' }, body: JSON.stringify({ external_id: `usr_${i}`, anonymous_id: VISITOR, traits: { email: 'ada@example.com', plan: 'pro' } }) }).then((r) => r.text()),
        fetch(`${sinkUrl}/dfend/identity`, { method: 'POST', headers: { ...json, 'x-api-key': 'sk_bench_key' }, body: JSON.stringify({ userId: `usr_${i}`, email: 'ada@example.com', merge: true, metadata: { plan: 'pro' } }) }).then((r) => r.text()),
      ])
    },
  }
}

/** Serves POST /login with `work`, then times `n` sequential logins from this process. */
const measureRoute = async (work, n) => {
  let i = 0
  const server = createServer(async (request, response) => {
    request.resume()
    await work(i++)
    response.end('ok')
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}/login`
  const times = []
  for (let run = 0; run < n + 20; run++) {
    const started = performance.now()
    await (await fetch(url, { method: 'POST', body: '{}' })).text()
    if (run >= 20) times.push(performance.now() - started) // the first 20 warm up
  }
  server.close()
  return { p50: percentile(times, 50), p99: percentile(times, 99), p999: percentile(times, 99.9), max: Math.max(...times) }
}

export const runLatency = async ({ n = 300 } = {}) => {
  const sink = await startSink(20)
  try {
    const route = await routes(sink.url)
    // Interleave in halves so drift hits every route alike.
    const halves = { idstitch: [], fetch: [], 'node:http': [] }
    for (let half = 0; half < 2; half++) for (const name of Object.keys(halves)) halves[name].push(await measureRoute(route[name], n / 2))
    const mean = ([a, b]) => ({ p50: (a.p50 + b.p50) / 2, p99: (a.p99 + b.p99) / 2, p999: Math.max(a.p999, b.p999), max: Math.max(a.max, b.max) })
    const ours = mean(halves.idstitch)
    const raw = mean(halves.fetch)
    const bare = mean(halves['node:http'])
    return {
      n,
      rows: [
        { name: 'login route with idstitch', ...ours, ours: true },
        { name: 'login route with raw fetch', ...raw },
        { name: 'login route with bare node:http', ...bare },
      ],
      overheadP50: ours.p50 - raw.p50,
      // The route's own time over the sink's 20 ms, against the bare node:http route's.
      tailRatio: (ours.p99 - 20) / Math.max(0.001, bare.p99 - 20),
      tailRatio999: (ours.p999 - 20) / Math.max(0.001, bare.p999 - 20),
      target: 1,
    }
  } finally {
    sink.stop()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await runLatency({ n: Number(process.argv[2] ?? 200) }), null, 2))
