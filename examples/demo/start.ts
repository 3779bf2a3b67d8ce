// pnpm demo: the marketing site, the app and the provider sandbox on localhost.
import { startDemo } from './demo.js'

// `pnpm demo --queue`: the app enqueues to a local redis-server and a worker delivers (@idstitch/queue).
const queue = process.argv.includes('--queue')
const demo = await startDemo({ queue }).catch((error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE' ? `[demo] port ${(error as { port?: number }).port} is in use: stop what runs there, or free ports 3000-3002.` : `[demo] ${error.message}`)
  process.exit(1)
})

const real = Object.entries(demo.where).filter(([, where]) => where === 'real').map(([name]) => name)
console.log(`
  idstitch demo

  1. Marketing site   ${demo.marketingUrl}   (the script tag mints your visitor id)
  2. App              ${demo.appUrl}   (log in: the server identifies you with that visitor id)
  3. Provider sandbox ${demo.sandboxUrl}   (watch each provider receive the identify)

  Delivery: ${demo.redisUrl ? `@idstitch/queue: the app enqueues to ${demo.redisUrl}, a worker delivers (see it: pnpm --filter @idstitch/demo exec idstitch-queue --redis ${demo.redisUrl} status)` : 'the in-memory client (pnpm demo --queue: through Redis and a worker)'}
  Providers: ${real.length ? `${real.join(', ')} real (keys from the environment); the rest in the sandbox` : 'all in the local sandbox (set DATAFAST_API_KEY, PATHBOUND_API_KEY, … to use real ones)'}
  Ctrl-C stops.
`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  console.log('\n  stopping…')
  await demo.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
