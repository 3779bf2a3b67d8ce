// One worker process, as a user runs it: `createWorker` from the built
// @idstitch/queue, providers from @idstitch/node, credentials from the
// environment. Tells its parent 'ready' over IPC; SIGTERM closes it
// (finishing what is in flight).
import { pathbound, segment } from '@idstitch/node/providers'
import { createWorker } from '@idstitch/queue'

const { REDIS_URL, SANDBOX_URL, PATHBOUND_API_KEY, SEGMENT_WRITE_KEY, PATHBOUND_RATE_LIMIT, WORKER_OPTIONS } = process.env
const providers = []
if (PATHBOUND_API_KEY) providers.push(pathbound({ apiKey: PATHBOUND_API_KEY, baseUrl: SANDBOX_URL, ...(PATHBOUND_RATE_LIMIT ? { rateLimit: JSON.parse(PATHBOUND_RATE_LIMIT) } : {}) }))
if (SEGMENT_WRITE_KEY) providers.push(segment({ writeKey: SEGMENT_WRITE_KEY, baseUrl: SANDBOX_URL }))

const worker = createWorker({ connection: REDIS_URL, providers, logger: process.env.WORKER_LOG ? console : false, ...JSON.parse(WORKER_OPTIONS ?? '{}') })
await worker.ready()
process.send?.({ ready: true })
process.on('message', (message) => {
  if (message === 'counts') process.send?.({ counts: worker.counts() })
})
process.on('SIGTERM', () => {
  worker.close().then(() => process.exit(0))
})
