import type { Provider, ProviderResponse } from '@idstitch/core'
import { describe, expect, it, vi } from 'vitest'
import { createDeliveryLane, type Deadline, type Delivery } from './delivery.js'
import { createRedactor } from './redact.js'

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

describe('starting and ending an attempt', () => {
  const options = { concurrency: 2, timeoutMs: 1_000, retryLimit: 0, backoff: () => 0, maxRetryAfterMs: 10_000, now: Date.now, random: Math.random, redact: keep }
  const deadline = { at: Number.POSITIVE_INFINITY, ms: Number.POSITIVE_INFINITY }
  const deliver = (created: ReturnType<typeof createDeliveryLane>) =>
    new Promise<Delivery>((resolve) => created.enqueue({ item: {}, deadline, listener: { delivered: (_slot, delivery) => resolve(delivery) }, slot: 0 }))

  it('sends at once for a provider that takes one item a request, and waits for the tick to end for one that batches', async () => {
    const send = vi.fn(async (): Promise<ProviderResponse> => ({ status: 200, headers: {}, body: {} }))
    const single = createDeliveryLane(provider, { ...options, transport: { send } })
    const delivered = deliver(single)
    expect(send).toHaveBeenCalledTimes(1)
    await expect(delivered).resolves.toMatchObject({ status: 'delivered' })

    const batchSend = vi.fn(async (): Promise<ProviderResponse> => ({ status: 200, headers: {}, body: {} }))
    const batching = createDeliveryLane({ ...provider, batch: { maxItems: 10, maxBytes: 10_000 } }, { ...options, transport: { send: batchSend } })
    const both = Promise.all([deliver(batching), deliver(batching)])
    expect(batchSend).not.toHaveBeenCalled()
    await expect(both).resolves.toMatchObject([{ status: 'delivered' }, { status: 'delivered' }])
    expect(batchSend).toHaveBeenCalledTimes(1)
  })

  it('fails the attempt, never the caller, when the transport throws instead of rejecting', async () => {
    const send = () => {
      throw new Error('socket exploded')
    }
    const created = createDeliveryLane(provider, { ...options, transport: { send } })
    await expect(deliver(created)).resolves.toMatchObject({ status: 'failed', attempts: 1, error: { code: 'network_error', message: expect.stringContaining('socket exploded') } })
  })

  it('fails the message, without retrying, when the adapter cannot read an answer, and the lane goes on', async () => {
    let calls = 0
    const unreadable: Provider = {
      ...provider,
      parse: () => {
        if (++calls === 1) throw new Error('unexpected answer')
        return { ok: true }
      },
    }
    const created = createDeliveryLane(unreadable, { ...options, retryLimit: 3, transport: { send: async () => ({ status: 200, headers: {}, body: 'garbled' }) } })
    // Not retried, though the lane would retry 3 times: the provider may have acted on it.
    await expect(deliver(created)).resolves.toMatchObject({ status: 'failed', attempts: 1, httpStatus: 200, maybeDelivered: true, error: { code: 'adapter_failed', message: expect.stringContaining('adapter failed reading the answer: unexpected answer') } })
    await expect(deliver(created)).resolves.toMatchObject({ status: 'delivered' })
  })
})

describe('the delivery lane, second review', () => {
  const deadline = { at: Number.POSITIVE_INFINITY, ms: Number.POSITIVE_INFINITY }
  const deliverOnce = (sending: Provider, answer: () => Promise<ProviderResponse>) => {
    const created = createDeliveryLane(sending, { transport: { send: vi.fn(answer) }, concurrency: 1, timeoutMs: 1_000, retryLimit: 2, backoff: () => 0, maxRetryAfterMs: 10_000, now: Date.now, random: Math.random, redact: keep })
    return new Promise<Delivery>((resolve) => created.enqueue({ item: {}, deadline, listener: { delivered: (_slot, delivery) => resolve(delivery) }, slot: 0 }))
  }

  it("redacts a request's own credential from what answered it (a user's own token, however many users there are)", async () => {
    // One of thousands of per-user tokens, which no list of recent ones could keep up with.
    const token = `user-token-${Math.random().toString(36).slice(2)}`
    const perUser: Provider = { ...provider, request: () => ({ method: 'PUT', url: 'http://127.0.0.1:1/v1/user', headers: { authorization: `Bearer ${token}` }, body: {} }) }
    const refused = await deliverOnce(perUser, async () => ({ status: 401, headers: {}, body: { message: `token ${token} is not valid` } }))
    expect(refused.status).toBe('failed')
    expect(JSON.stringify([refused.error?.message, (refused.error as { body?: unknown }).body])).not.toContain(token)
    const unreachable = await deliverOnce(perUser, async () => Promise.reject(Object.assign(new Error(`socket hang up sending ${token}`), { code: 'ECONNRESET' })))
    expect(JSON.stringify([unreachable.error?.message, String((unreachable.error as { cause?: unknown }).cause)])).not.toContain(token)
  })

  it('fails a redirect as redirect_refused, naming the origin alone, and does not retry it', async () => {
    const send = vi.fn(async (): Promise<ProviderResponse> => ({ status: 307, headers: { location: 'https://elsewhere.example.test/collect?key=leak' }, body: '' }))
    const created = createDeliveryLane(provider, { transport: { send }, concurrency: 1, timeoutMs: 1_000, retryLimit: 3, backoff: () => 0, maxRetryAfterMs: 10_000, now: Date.now, random: Math.random, redact: keep })
    const delivery = await new Promise<Delivery>((resolve) => created.enqueue({ item: {}, deadline, listener: { delivered: (_slot, done) => resolve(done) }, slot: 0 }))
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, httpStatus: 307, error: { code: 'redirect_refused' } })
    expect(delivery.error?.message).toContain('https://elsewhere.example.test')
    expect(delivery.error?.message).not.toContain('leak')
    expect(send).toHaveBeenCalledTimes(1)
  })

  it("retries a 500 whose body is nested past what JSON.stringify writes, as the 500 it is, not as the adapter's failure", async () => {
    const depth = 200_000
    const send = vi.fn(async (): Promise<ProviderResponse> => ({ status: 500, headers: {}, body: JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) }))
    const created = createDeliveryLane(provider, { transport: { send }, concurrency: 1, timeoutMs: 1_000, retryLimit: 2, backoff: () => 0, maxRetryAfterMs: 10_000, now: Date.now, random: Math.random, redact: createRedactor([provider]) })
    const delivery = await new Promise<Delivery>((resolve) => created.enqueue({ item: {}, deadline, listener: { delivered: (_slot, done) => resolve(done) }, slot: 0 }))
    expect(delivery).toMatchObject({ status: 'failed', attempts: 3, httpStatus: 500, error: { code: 'http_error', body: '[not kept: nested too deeply to copy]' } })
    expect(send).toHaveBeenCalledTimes(3)
  })

  it('fails an answer over maxResponseBytes as response_too_large, maybe delivered, not retried', async () => {
    const send = vi.fn(async (): Promise<ProviderResponse> => Promise.reject(Object.assign(new Error('the answer passed 10 bytes'), { name: 'ResponseTooLargeError' })))
    const created = createDeliveryLane(provider, { transport: { send }, concurrency: 1, timeoutMs: 1_000, retryLimit: 3, backoff: () => 0, maxRetryAfterMs: 10_000, now: Date.now, random: Math.random, redact: keep, maxResponseBytes: 10 })
    const delivery = await new Promise<Delivery>((resolve) => created.enqueue({ item: {}, deadline, listener: { delivered: (_slot, done) => resolve(done) }, slot: 0 }))
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, maybeDelivered: true, error: { code: 'response_too_large' } })
    expect(send).toHaveBeenCalledTimes(1)
    expect(send.mock.calls[0]).toEqual([expect.anything(), expect.objectContaining({ maxResponseBytes: 10 })])
  })
})

describe('the circuit breaker, on a burst that is only unlucky', () => {
  it('stays closed through a run of 19 failures among 30 % failing at random, and opens at 20 in a row', async () => {
    // Attempts fail by a fixed pattern: 3 in 10 (runs of 3), and a run of 19 in the middle. Ten in a row opened it
    // before; a burst of 20,000 identifies at 30 % failures met such a run about one time in nine.
    let attempt = 0
    const fails = (n: number) => (n >= 500 && n < 519) || n % 10 < 3
    const send = vi.fn(async (): Promise<ProviderResponse> => ({ status: fails(attempt++) ? 503 : 200, headers: {}, body: {} }))
    const created = createDeliveryLane(provider, { transport: { send }, concurrency: 8, timeoutMs: 1_000, retryLimit: 6, backoff: () => 0, maxRetryAfterMs: 10_000, now: Date.now, random: Math.random, redact: keep })
    const deadline = { at: Number.POSITIVE_INFINITY, ms: Number.POSITIVE_INFINITY }
    const deliveries = await Promise.all(Array.from({ length: 2_000 }, () => new Promise<Delivery>((resolve) => created.enqueue({ item: {}, deadline, listener: { delivered: (_slot, done) => resolve(done) }, slot: 0 }))))
    expect(deliveries.filter((delivery) => delivery.error?.code === 'circuit_open')).toEqual([])
    expect(deliveries.every((delivery) => delivery.status === 'delivered')).toBe(true)

    const down = vi.fn(async (): Promise<ProviderResponse> => ({ status: 503, headers: {}, body: {} }))
    const failing = createDeliveryLane(provider, { transport: { send: down }, concurrency: 1, timeoutMs: 1_000, retryLimit: 0, backoff: () => 0, maxRetryAfterMs: 10_000, now: Date.now, random: Math.random, redact: keep })
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => new Promise<Delivery>((resolve) => failing.enqueue({ item: {}, deadline, listener: { delivered: (_slot, done) => resolve(done) }, slot: 0 }))))
    expect(down).toHaveBeenCalledTimes(20)
    expect(outcomes.filter((outcome) => outcome.error?.code === 'circuit_open')).toHaveLength(10)
  })
})

describe('a Retry-After pause', () => {
  it('holds what waits, with no deadline at all (deadlineMs: false), and sends it when the pause ends', async () => {
    const answers = [{ status: 429, headers: { 'retry-after': '0.2' }, body: {} }]
    const sentAt: number[] = []
    const send = vi.fn(async (): Promise<ProviderResponse> => {
      sentAt.push(Date.now())
      return answers.shift() ?? { status: 200, headers: {}, body: {} }
    })
    const created = createDeliveryLane(provider, { transport: { send }, concurrency: 1, timeoutMs: 1_000, retryLimit: 0, backoff: () => 0, maxRetryAfterMs: 10_000, now: Date.now, random: Math.random, redact: keep })
    const never = { at: Number.POSITIVE_INFINITY, ms: Number.POSITIVE_INFINITY }
    const deliver = () => new Promise<Delivery>((resolve) => created.enqueue({ item: {}, deadline: never, listener: { delivered: (_slot, done) => resolve(done) }, slot: 0 }))
    const [first, second] = await Promise.all([deliver(), deliver()])
    expect(first).toMatchObject({ status: 'failed', httpStatus: 429, retryAfterMs: 200 })
    expect(second).toMatchObject({ status: 'delivered' })
    expect((sentAt[1] as number) - (sentAt[0] as number)).toBeGreaterThanOrEqual(190)
  })
})
