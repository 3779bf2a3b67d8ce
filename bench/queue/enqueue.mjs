// One app instance enqueueing N identifies to @idstitch/queue, 100 at a time,
// in its own process; reports wall time, CPU time and peak RSS.
// Usage: node enqueue.mjs <redisUrl> <sinkUrl> <n>
import { performance } from 'node:perf_hooks'
import { pathbound } from '@idstitch/node/providers'
import { createQueue } from '@idstitch/queue'

const [redisUrl, sinkUrl, countArg] = process.argv.slice(2)
const n = Number(countArg)
const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const queue = createQueue({ connection: redisUrl, logger: false, providers: [pathbound({ apiKey: 'pb_bench_key', baseUrl: sinkUrl, rateLimit: { limit: 1e9, windowMs: 1000 } })] })
const started = performance.now()
let failed = 0
for (let from = 0; from < n; from += 100) {
  const results = await Promise.all(Array.from({ length: Math.min(100, n - from) }, (_, i) => queue.identify({ userId: `usr_${from + i}`, anonymousId: VISITOR, traits: { plan: 'pro' } })))
  failed += results.filter((result) => !result.ok).length
}
const wallMs = performance.now() - started
await queue.close()
const { user, system } = process.cpuUsage()
console.log(JSON.stringify({ wallMs, cpuUs: user + system, maxRssMB: process.resourceUsage().maxRSS / 1024, failed }))
