// Added latency in a login route: a server whose POST /login awaits identify() to
// two providers on a loopback sink that answers after 20 ms, against the same
// route sending the two requests with raw fetch in parallel.
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { percentile } from '../lib/measure.mjs'
import { startSink } from '../throughput/run.mjs'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'

const routes = async (sinkUrl) => {
  const { createClient } = await import('@idstitch/node')
  const { pathbound, dfend } = await import('@idstitch/node/providers')
  const client = createClient({ providers: [pathbound({ apiKey: 'pb_bench_key', baseUrl: sinkUrl, rateLimit: { limit: 1e9, windowMs: 1000 } }), dfend({ apiKey: 'sk_bench_key', baseUrl: `${sinkUrl}/dfend` })] })
  return {
    idstitch: async (i) => {
      await client.identify({ userId: `usr_${i}`, anonymousId: VISITOR, traits: { email: 'ada@example.com', plan: 'pro' } })
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
  return { p50: percentile(times, 50), p99: percentile(times, 99) }
}

export const runLatency = async ({ n = 300 } = {}) => {
  const sink = await startSink(20)
  try {
    const route = await routes(sink.url)
    // Interleave in halves so drift hits both alike.
    const idstitchA = await measureRoute(route.idstitch, n / 2)
    const fetchA = await measureRoute(route.fetch, n / 2)
    const idstitchB = await measureRoute(route.idstitch, n / 2)
    const fetchB = await measureRoute(route.fetch, n / 2)
    const mean = (a, b) => ({ p50: (a.p50 + b.p50) / 2, p99: (a.p99 + b.p99) / 2 })
    const ours = mean(idstitchA, idstitchB)
    const raw = mean(fetchA, fetchB)
    return {
      n,
      rows: [
        { name: 'login route with idstitch', ...ours, ours: true },
        { name: 'login route with raw fetch', ...raw },
      ],
      overheadP50: ours.p50 - raw.p50,
      target: 1,
    }
  } finally {
    sink.stop()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await runLatency({ n: Number(process.argv[2] ?? 200) }), null, 2))
