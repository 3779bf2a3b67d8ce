import type { Provider, ProviderResponse } from '@idstitch/core'
import { describe, expect, it, vi } from 'vitest'
import { createDeliveryLane, type Deadline, type Delivery } from './delivery.js'

const provider: Provider = {
  name: 'acme',
  prepare: (event) => ({ type: 'item', item: { id: event.userId } }),
  request: () => ({ method: 'POST', url: 'http://127.0.0.1:1/identify', headers: {}, body: {} }),
  parse: (response: ProviderResponse) => (response.status < 300 ? { ok: true } : { ok: false, message: 'refused' }),
  redact: (text) => text,
}

const keep = { text: (text: string) => text, value: (value: unknown) => value, error: (error: unknown) => error as Error }

/** One lane, on a clock the test sets, with a transport that answers 200 at once. */
const lane = (now: number) => {
  const send = vi.fn(async (): Promise<ProviderResponse> => ({ status: 200, headers: {}, body: {} }))
  const created = createDeliveryLane(provider, { transport: { send }, concurrency: 1, timeoutMs: 1_000, retryLimit: 0, backoff: () => 0, maxRetryAfterMs: 10_000, now: () => now, random: Math.random, redact: keep })
  const deliver = (deadline: Deadline) =>
    new Promise<Delivery>((resolve) => created.enqueue({ item: {}, deadline, listener: { delivered: (_slot, delivery) => resolve(delivery) }, slot: 0 }))
  return { send, deliver }
}

describe('the delivery lane at the deadline', () => {
  it('starts no attempt with less than 10 ms left: nothing reaches the provider, the result is deadline_exceeded', async () => {
    const { send, deliver } = lane(1_000_000)
    const delivery = await deliver({ at: 1_000_009, ms: 400 })
    expect(delivery).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'deadline_exceeded' } })
    expect(send).not.toHaveBeenCalled()
  })

  it('still sends with 10 ms or more left, or a tenth of a deadline shorter than 100 ms', async () => {
    const roomy = lane(1_000_000)
    await expect(roomy.deliver({ at: 1_000_010, ms: 400 })).resolves.toMatchObject({ status: 'delivered', attempts: 1 })
    const short = lane(1_000_000)
    await expect(short.deliver({ at: 1_000_004, ms: 40 })).resolves.toMatchObject({ status: 'delivered', attempts: 1 })
  })
})
