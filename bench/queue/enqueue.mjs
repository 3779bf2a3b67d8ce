// One app instance enqueueing N identifies, 100 at a time, in its own process, after `warm` uncounted;
// reports wall time, CPU time and peak RSS of the counted ones.
//   idstitch: @idstitch/queue's identify() (validation, preparation, the job's digest, the add);
//   raw:      BullMQ's own queue.add() of the same job (what idstitch stores), with the same job options.
// Usage: node enqueue.mjs <redisUrl> <sinkUrl> <n> [idstitch|raw] [warm]
import { performance } from 'node:perf_hooks'
import { pathbound } from '@idstitch/node/providers'
import { createQueue } from '@idstitch/queue'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'

const [redisUrl, sinkUrl, countArg, mode = 'idstitch', warmArg = '0'] = process.argv.slice(2)
const n = Number(countArg)
const warm = Number(warmArg)
const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
// What idstitch's job carries besides (the SHA-256 of what the identify says, base64url): the raw add stores the
// same bytes, and working it out is idstitch's cost, not the raw add's.
const DIGEST = 'uh16QZvyqcomkHs8I7ieL48L08dU7GthO7DXdI4gOwg'

/** identify(i) for the mode, and how to close it. */
const enqueuer = () => {
  if (mode === 'raw') {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
    const queue = new Queue('{pathbound}', { connection, prefix: 'idstitch', skipVersionCheck: true, streams: { events: { maxLen: 1_000 } }, defaultJobOptions: { attempts: 20, backoff: { type: 'idstitch', delay: 5_000 }, removeOnComplete: true, removeOnFail: { age: 604_800 } } })
    return {
      identify: (i) => {
        const messageId = crypto.randomUUID()
        const item = { external_id: `usr_${i}`, anonymous_id: VISITOR, traits: { plan: 'pro' } }
        return queue.add('identify', { v: 1, provider: 'pathbound', messageId, userId: `usr_${i}`, item, text: false, digest: DIGEST }, { jobId: `pathbound.${messageId}` })
      },
      close: async () => {
        await queue.close()
        connection.disconnect()
      },
    }
  }
  const queue = createQueue({ connection: redisUrl, logger: false, providers: [pathbound({ apiKey: 'pb_bench_key', baseUrl: sinkUrl, rateLimit: { limit: 1e9, windowMs: 1000 } })] })
  return { identify: (i) => queue.identify({ userId: `usr_${i}`, anonymousId: VISITOR, traits: { plan: 'pro' } }).then((result) => result.ok || Promise.reject(new Error(result.results[0]?.error?.message))), close: () => queue.close() }
}

const { identify, close } = enqueuer()
const run = async (from, count) => {
  for (let start = from; start < from + count; start += 100) await Promise.all(Array.from({ length: Math.min(100, from + count - start) }, (_, i) => identify(start + i)))
}
await run(n, warm)
const cpuBefore = process.cpuUsage()
const started = performance.now()
await run(0, n)
const wallMs = performance.now() - started
const { user, system } = process.cpuUsage(cpuBefore)
await close()
console.log(JSON.stringify({ wallMs, cpuUs: user + system, maxRssMB: process.resourceUsage().maxRSS / 1024, failed: 0 }))
