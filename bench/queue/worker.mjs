// One worker process for bench §6, taking the jobs @idstitch/queue enqueued to Pathbound's queue:
//   idstitch: @idstitch/queue's createWorker (as examples/queue/worker.mjs, concurrency 32), its defaults;
//   dedupe:   the same with de-duplication on (a secret): a Redis GET before each send and a SET after;
//   raw:      a BullMQ Worker of its own, concurrency 32, doing one node:http request per job (keep-alive),
//             with no validation, no de-duplication, no answer reading beyond the status, no backoff of its own.
// Answers 'cpu' messages with its CPU time (µs) so far.
// Usage: node worker.mjs <redisUrl> <sinkUrl> [idstitch|dedupe|raw]
import { Agent, request } from 'node:http'
import { pathbound } from '@idstitch/node/providers'
import { createWorker } from '@idstitch/queue'
import { Worker } from 'bullmq'
import { Redis } from 'ioredis'

const [redisUrl, sinkUrl, mode = 'idstitch'] = process.argv.slice(2)
const CONCURRENCY = 32

/** One POST of `body` to the sink; resolves with its status once the answer is read. */
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
const post = (body) =>
  new Promise((resolve, reject) => {
    const text = JSON.stringify(body)
    const sent = request(`${sinkUrl}/v1/identify`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), authorization: 'Bearer pb_bench_key' } }, (response) => {
      response.resume()
      response.once('end', () => (response.statusCode < 300 ? resolve(response.statusCode) : reject(new Error(`HTTP ${response.statusCode}`))))
    })
    sent.once('error', reject)
    sent.end(text)
  })

const start = async () => {
  if (mode === 'raw') {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null })
    const worker = new Worker('{pathbound}', (job) => post(job.data.item), { connection, prefix: 'idstitch', concurrency: CONCURRENCY, skipVersionCheck: true })
    await worker.waitUntilReady()
    return async () => {
      await worker.close()
      connection.disconnect()
    }
  }
  const dedupe = mode === 'dedupe' ? { secret: 'bench-dedupe-secret-0123' } : false
  const worker = createWorker({ connection: redisUrl, logger: false, concurrency: CONCURRENCY, dedupe, providers: [pathbound({ apiKey: 'pb_bench_key', baseUrl: sinkUrl, rateLimit: { limit: 1e9, windowMs: 1000 } })] })
  await worker.ready()
  return () => worker.close()
}

const close = await start()
process.on('message', (message) => {
  if (message !== 'cpu') return
  const { user, system } = process.cpuUsage()
  process.send?.({ cpuUs: user + system })
})
process.send?.('ready')
process.once('SIGTERM', () => close().then(() => process.exit(0)))
