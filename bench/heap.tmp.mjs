import { fork } from 'node:child_process'
import v8 from 'node:v8'
const child = fork('throughput/sink.mjs', ['0'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
const { port } = await new Promise((r) => child.once('message', r))
const sink = `http://127.0.0.1:${port}`
const { createClient } = await import('@idstitch/node')
const { segment } = await import('@idstitch/node/providers')
const client = createClient({ providers: [segment({ writeKey: 'wk_bench', baseUrl: sink })] })
const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
global.gc?.()
const before = process.memoryUsage()
for (let i = 0; i < 20000; i++) client.identify({ userId: `usr_${i}`, anonymousId: VISITOR, traits: { plan: 'pro' } })
global.gc?.()
const after = process.memoryUsage()
console.log('heapUsed delta per msg', ((after.heapUsed - before.heapUsed) / 20000).toFixed(0), 'B; rss', (after.rss/1e6).toFixed(0), 'MB, heapTotal', (after.heapTotal/1e6).toFixed(0), 'external', (after.external/1e6).toFixed(1), 'arrayBuffers', (after.arrayBuffers/1e6).toFixed(1))
if (process.argv[2]) v8.writeHeapSnapshot('/tmp/h.heapsnapshot')
await client.flush()
console.log('rss end', (process.memoryUsage().rss/1e6).toFixed(0), 'maxRSS', (process.resourceUsage().maxRSS/1024).toFixed(0))
child.kill(); process.exit(0)
