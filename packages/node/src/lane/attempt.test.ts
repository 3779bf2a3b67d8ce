import type { Provider, ProviderResponse } from '@idstitch/core'
import { describe, expect, it } from 'vitest'
import type { Transport } from '../transport.js'
import { createAttempts } from './attempt.js'
import { board, depart, type Flight } from './flight.js'
import type { Outcome } from './job.js'

const provider: Provider = {
  name: 'acme',
  prepare: (event) => ({ type: 'item', item: { id: event.userId } }),
  request: () => ({ method: 'POST', url: 'http://127.0.0.1:1/identify', headers: {}, body: {} }),
  parse: (response: ProviderResponse) => (response.status < 300 ? { ok: true, data: response.body } : { ok: false, message: 'refused', ...(response.status === 422 ? { code: 'provider_rejected' as const } : {}) }),
  redact: (text) => text,
}
const keep = { text: (text: string) => text, value: (value: unknown) => value, error: (error: unknown) => error as Error }

/** One attempt of a fresh flight with `deadlineMs` left, through `transport`: its outcome. */
const attemptOnce = (transport: Transport, deadlineMs = 60_000, timeoutMs = 1_000, now = Date.now): Promise<Outcome> => {
  const send = createAttempts(provider, { transport, timeoutMs, now, redact: keep })
  const flight = board([{ item: {}, deadline: { at: now() + deadlineMs, ms: deadlineMs }, listener: { delivered: () => {} }, slot: 0 }])
  flight.request = provider.request([{}])
  depart(flight)
  return new Promise((resolve) => send(flight.request as NonNullable<Flight['request']>, flight, (_flight, outcome) => resolve(outcome)))
}
const answering = (response: ProviderResponse): Transport => ({ bounded: true, send: async () => response })

describe('one attempt', () => {
  it('reads an answer through the adapter: delivered, refused for good, or worth retrying after its Retry-After', async () => {
    await expect(attemptOnce(answering({ status: 200, headers: {}, body: { id: 7 } }))).resolves.toEqual({ final: true, delivery: { status: 'delivered', attempts: 1, httpStatus: 200, data: { id: 7 } } })
    await expect(attemptOnce(answering({ status: 422, headers: {}, body: {} }))).resolves.toMatchObject({ final: true, delivery: { status: 'failed', httpStatus: 422, error: { code: 'provider_rejected' } } })
    await expect(attemptOnce(answering({ status: 429, headers: { 'retry-after': '3' }, body: {} }))).resolves.toMatchObject({ final: false, retryAfterMs: 3_000, delivery: { httpStatus: 429, error: { code: 'http_error' } } })
  })

  it("reads a Retry-After date by the wall clock, though the lane's own clock is ahead of it (the wall clock stepped back)", async () => {
    const at = new Date(Date.now() + 4_000).toUTCString()
    const outcome = await attemptOnce(answering({ status: 503, headers: { 'retry-after': at }, body: {} }), 60_000, 1_000, () => Date.now() + 3_600_000)
    expect(outcome.retryAfterMs).toBeGreaterThan(2_000)
    expect(outcome.retryAfterMs).toBeLessThanOrEqual(4_000)
  })

  it('tells a timeout (maybe delivered) from a network error, and retries both', async () => {
    const timedOut = await attemptOnce({ bounded: true, send: () => Promise.reject(Object.assign(new Error('slow'), { name: 'TimeoutError' })) })
    expect(timedOut).toMatchObject({ final: false, delivery: { maybeDelivered: true, error: { code: 'timeout' } } })
    const refused = await attemptOnce({ bounded: true, send: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) })
    expect(refused).toMatchObject({ final: false, delivery: { error: { code: 'network_error' } } })
    expect(refused.delivery.maybeDelivered).toBeUndefined()
  })

  it('aborts a transport that is not bounded at the deadline, through its signal: deadline_exceeded, maybe delivered, final', async () => {
    let signal: AbortSignal | undefined
    const hanging: Transport = {
      send: (_request, limits) =>
        new Promise((_resolve, reject) => {
          signal = limits.signal
          limits.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })))
        }),
    }
    const outcome = await attemptOnce(hanging, 50)
    expect(signal?.aborted).toBe(true)
    expect(outcome).toMatchObject({ final: true, delivery: { maybeDelivered: true, error: { code: 'deadline_exceeded' } } })
  })
})
