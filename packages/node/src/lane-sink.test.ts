import type { ProviderRequest } from '@idstitch/core'
import { pathbound } from '@idstitch/core/providers'
import { describe, expect, it, vi } from 'vitest'
import { createLaneSink } from './lane-sink.js'
import type { Transport } from './transport.js'

describe('the lane sink', () => {
  it('answers accept() with one delivery per item, in the items’ order, as any sink does', async () => {
    const sent: ProviderRequest[] = []
    const transport: Transport = { send: vi.fn(async (request: ProviderRequest) => (sent.push(request), { status: 200, headers: {}, body: { status: 'success' } })), close: vi.fn(async () => {}) }
    const providers = [pathbound({ apiKey: 'pb_one' }), pathbound({ apiKey: 'pb_two', name: 'pathbound-eu' })]
    const sink = createLaneSink(providers, transport, { concurrency: 2, timeoutMs: 1_000, retryLimit: 0, backoff: () => 0, maxRetryAfterMs: 0, now: Date.now, random: Math.random, redact: { text: (text) => text, value: (value) => value, error: (error) => error as Error } })
    const deadline = { at: Date.now() + 5_000, ms: 5_000 }
    const items = [
      { slot: 1, provider: providers[1] as (typeof providers)[number], item: { external_id: 'usr_2' }, bytes: undefined },
      { slot: 0, provider: providers[0] as (typeof providers)[number], item: { external_id: 'usr_1' }, bytes: undefined },
    ]
    const results = await sink.accept({ messageId: 'm', event: {} as never, deadline, items, fingerprint: '' })
    expect(results.map((result) => [result.provider, result.status, result.httpStatus])).toEqual([['pathbound-eu', 'delivered', 200], ['pathbound', 'delivered', 200]])
    expect(sent.map((request) => request.headers.authorization).sort()).toEqual(['Bearer pb_one', 'Bearer pb_two'])
    await sink.close?.()
    expect(transport.close).toHaveBeenCalledTimes(1)
  })
})
