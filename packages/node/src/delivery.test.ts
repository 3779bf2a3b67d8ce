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

describe('a chain of requests (an API that takes an identify in several calls)', () => {
  const chained: Provider = {
    ...provider,
    request: () => ({ method: 'POST', url: 'http://127.0.0.1:1/first', headers: {}, body: {}, next: { method: 'POST', url: 'http://127.0.0.1:1/second', headers: {}, body: {} } }),
    parse: (response, step) => (response.status < 300 ? { ok: true, data: step } : { ok: false, message: `step ${step} refused` }),
  }
  /** A lane whose transport answers each URL from a script, on a clock that moves 100 ms per request. */
  const chainLane = (answers: Record<string, number[]>, retryLimit: number) => {
    let now = 1_000_000
    const sent: string[] = []
    const send = async (request: { url: string }): Promise<ProviderResponse> => {
      sent.push(request.url.slice(-6))
      now += 100
      return { status: answers[request.url.slice(-6)]?.shift() ?? 200, headers: {}, body: {} }
    }
    const created = createDeliveryLane(chained, { transport: { send }, concurrency: 1, timeoutMs: 1_000, retryLimit, backoff: () => 0, maxRetryAfterMs: 10_000, now: () => now, random: Math.random, redact: keep })
    const deliver = (ms: number) => new Promise<Delivery>((resolve) => created.enqueue({ item: {}, deadline: { at: now + ms, ms }, listener: { delivered: (_slot, delivery) => resolve(delivery) }, slot: 0 }))
    return { sent, deliver }
  }

  it('sends each request once it has the answer to the one before, and is delivered with every answer', async () => {
    const { sent, deliver } = chainLane({}, 0)
    await expect(deliver(5_000)).resolves.toMatchObject({ status: 'delivered', attempts: 2, data: [0, 1] })
    expect(sent).toEqual(['/first', 'second'])
  })

  it('retries a failed request on its own, with the whole retry budget, never the ones already accepted', async () => {
    const { sent, deliver } = chainLane({ '/first': [503], second: [503, 503] }, 2)
    await expect(deliver(5_000)).resolves.toMatchObject({ status: 'delivered', attempts: 5 })
    expect(sent).toEqual(['/first', '/first', 'second', 'second', 'second'])
  })

  it('fails with the failing request’s error when it runs out of retries, or of time: an accepted first request never makes it delivered', async () => {
    const refused = chainLane({ second: [400] }, 2)
    await expect(refused.deliver(5_000)).resolves.toMatchObject({ status: 'failed', attempts: 2, httpStatus: 400, error: { message: expect.stringContaining('step 1 refused') } })
    const late = chainLane({ second: [503, 503, 503] }, 5)
    await expect(late.deliver(150)).resolves.toMatchObject({ status: 'failed', httpStatus: 503 })
    expect(late.sent).toEqual(['/first', 'second'])
  })
})
