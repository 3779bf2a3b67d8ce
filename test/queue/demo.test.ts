// `pnpm demo --queue`: the demo's app enqueues to a local redis-server and a
// worker delivers to every provider of the sandbox.
import { startDemo, type Demo } from '@idstitch/demo'
import { BUILT_IN_PROVIDERS } from '@idstitch/node/providers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from './harness.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
let demo: Demo

beforeAll(async () => {
  demo = await startDemo({ queue: true, ports: { marketing: 0, app: 0, sandbox: 0 }, env: {} })
})
afterAll(async () => {
  await demo?.close()
})

describe('pnpm demo --queue', () => {
  it('stitches a login through Redis and a worker to every provider', async () => {
    expect(demo.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/)
    // The marketing page's pageview, as its script reports it (DataFast stitches only visitors it has seen).
    await fetch(`${demo.sandboxUrl}pageview`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitorId: VISITOR }) })
    const response = await fetch(`${demo.appUrl}login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `idstitch_visitor_id=${VISITOR}; _ga=GA1.1.1234567890.1700000000` },
      body: 'user=alice',
      redirect: 'manual',
    })
    expect(response.status).toBe(303)
    const providers = () => new Set(demo.sandbox.accepted.filter((identify) => identify.userId.startsWith('usr_3f9c2a71')).map((identify) => identify.provider))
    expect(await until(() => providers().size === Object.keys(BUILT_IN_PROVIDERS).length, 15_000)).toBe(true)
  })
})
