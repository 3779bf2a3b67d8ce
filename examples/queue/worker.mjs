// An @idstitch/queue worker process: run one or more beside your app, with the
// same providers and their credentials (jobs in Redis never hold a key).
//   REDIS_URL=redis://127.0.0.1:6379 PATHBOUND_API_KEY=… node worker.mjs
// On a Redis Cluster, some of its nodes instead, as the idstitch-queue CLI takes them:
//   REDIS_CLUSTER=10.0.0.1:6379,10.0.0.2:6379 PATHBOUND_API_KEY=… node worker.mjs
import { pathbound, segment } from '@idstitch/node/providers'
import { createWorker } from '@idstitch/queue'

const env = process.env
const providers = []
if (env.PATHBOUND_API_KEY) {
  const rateLimit = env.PATHBOUND_RATE_LIMIT ? JSON.parse(env.PATHBOUND_RATE_LIMIT) : undefined // only if Pathbound granted your key another limit
  providers.push(pathbound({ apiKey: env.PATHBOUND_API_KEY, baseUrl: env.PATHBOUND_BASE_URL, rateLimit }))
}
if (env.SEGMENT_WRITE_KEY) providers.push(segment({ writeKey: env.SEGMENT_WRITE_KEY, baseUrl: env.SEGMENT_BASE_URL ?? 'https://api.segment.io' }))

/** `host:port`, comma-separated (a cluster with a password or TLS: give `connection` in IDSTITCH_WORKER instead). */
const clusterNodes = (list) =>
  list.split(',').map((node) => {
    const [host, port] = node.trim().split(':')
    return { host, port: Number(port) || 6379 }
  })

const worker = createWorker({
  connection: env.REDIS_CLUSTER ? { cluster: clusterNodes(env.REDIS_CLUSTER) } : (env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
  providers,
  ...JSON.parse(env.IDSTITCH_WORKER ?? '{}'), // any other createWorker option: { "concurrency": 32, "prefix": "idstitch" }
})
await worker.ready()
console.log(`[worker] delivering ${providers.map((provider) => provider.name).join(', ')}`)
process.send?.('ready')

// On a deploy or scale-down: finish what is in flight, then exit. A worker killed outright
// (SIGKILL, a lost host) loses nothing: its jobs go back to the queue when their lock expires.
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => worker.close().then(() => process.exit(0)))
