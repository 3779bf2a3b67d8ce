// Runs route.ts under node:http against the provider sandbox, and shows the relay answering.
import { SANDBOX_CREDENTIALS, startSandbox } from '@idstitch/sandbox'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

const sandbox = await startSandbox()
process.env.PATHBOUND_API_KEY = SANDBOX_CREDENTIALS.pathbound
process.env.PATHBOUND_BASE_URL = sandbox.url
const { POST } = await import('./route.js')
const { toNodeHandler } = await import('@idstitch/node/node-http')

const server = createServer(toNodeHandler(POST)).listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/identify`

/** A browser's User-Agent: the relay refuses crawlers and scripts (Node's fetch says `node`) with 403 `bot`. */
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

const call = async (title: string, headers: Record<string, string>, body: unknown) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', origin: new URL(url).origin, 'user-agent': BROWSER, ...headers }, body: JSON.stringify(body) })
  console.log(`${title}: ${response.status} ${await response.text()}`)
}
await call('signed in', { cookie: 'signed_in=1; idstitch_external_contact_id=usr_8f3a2c9e' }, { anonymousId: 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd', traits: { plan: 'pro' } })
await call('no session', {}, { traits: {} })
await call('someone else', { cookie: 'signed_in=1; idstitch_external_contact_id=usr_8f3a2c9e' }, { userId: 'usr_other' })
await call('foreign origin', { origin: 'https://evil.test', cookie: 'signed_in=1; idstitch_external_contact_id=usr_8f3a2c9e' }, {})

server.close()
await sandbox.close()
