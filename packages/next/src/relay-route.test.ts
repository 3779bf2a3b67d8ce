import type { IdstitchClient } from '@idstitch/node'
import { describe, expect, it, vi } from 'vitest'
import { lazyClient } from './lazy-client.js'
import { relayRoute } from './relay-route.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'

/** A client that records what it is asked, standing for createClient()'s. */
const recording = () => {
  const identified: unknown[] = []
  const client: IdstitchClient = {
    identify: async (message) => {
      identified.push(message)
      return { ok: true, messageId: 'm', results: [{ provider: 'pathbound', status: 'delivered', attempts: 1 }] }
    },
    flush: async () => {},
    shutdown: async () => {},
  }
  return { client, identified }
}

describe('lazyClient()', () => {
  it('creates the client on its first identify, once, and flushes or shuts down nothing before', async () => {
    const { client, identified } = recording()
    const create = vi.fn(() => client)
    const lazy = lazyClient(create)
    await lazy.flush()
    await lazy.shutdown()
    expect(create).not.toHaveBeenCalled()
    await lazy.identify({ userId: 'usr_1' })
    await lazy.identify({ userId: 'usr_2' })
    expect(create).toHaveBeenCalledTimes(1)
    expect(identified).toHaveLength(2)
  })

  it("surfaces a missing key's error on the first identify, not at import", () => {
    const lazy = lazyClient(() => {
      throw new Error('pathbound: invalid option `apiKey`')
    })
    expect(() => lazy.identify({ userId: 'usr_1' })).toThrow('apiKey')
  })
})

describe('relayRoute()', () => {
  it("relays the browser's identify for the signed-in user, trusting Next's X-Forwarded-Host for the origin check", async () => {
    const { client, identified } = recording()
    // Behind `next start`, the URL is the address Next binds; the browser's host arrives in X-Forwarded-Host.
    const request = () =>
      new Request('http://127.0.0.1:3000/api/identify', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://www.example.test', 'x-forwarded-host': 'www.example.test', 'x-forwarded-proto': 'https', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0 Safari/537.36' },
        body: JSON.stringify({ anonymousId: VISITOR, traits: { plan: 'pro' } }),
      })
    expect((await relayRoute({ client, authenticate: () => 'usr_ada' }).POST(request())).status).toBe(200)
    expect(identified).toEqual([expect.objectContaining({ userId: 'usr_ada', anonymousId: VISITOR, traits: { plan: 'pro' } })])
    // Without trustProxy, the origin does not match the bound address: refused, as createIdentifyHandler's default is.
    expect((await relayRoute({ client, authenticate: () => 'usr_ada', trustProxy: false }).POST(request())).status).toBe(403)
  })
})
