import { describe, expect, it } from 'vitest'
import { board, depart, land, lastStart, type LandingContext } from './flight.js'
import type { Job, Outcome } from './job.js'
import { createRetryPolicy } from './retry-policy.js'

const job = (at: number, ms: number): Job => ({ item: {}, deadline: { at, ms }, listener: { delivered: () => {} }, slot: 0 })
const retry = createRetryPolicy({ retryLimit: 2, backoff: () => 100, random: Math.random })
const requestAt = (step: number, body: unknown = {}) => ({ method: 'POST' as const, url: `http://127.0.0.1:1/step${step}`, headers: {}, body })

/** The landing context at `now`; the adapter's chain for a batch is one request a step, each naming its items. */
const at = (now: number, refusing = false): LandingContext => ({
  now,
  retry,
  refusing,
  // A two-step chain: the request after the answered one, or the answered one again.
  rebuild: (items, answered, others) => {
    const step = Number(answered.url.slice(-1)) + (others === 'accepted' ? 1 : 0)
    return step < 2 ? requestAt(step, items) : undefined
  },
  unbuildable: (_error, attempts) => ({ status: 'failed', attempts, error: { code: 'adapter_failed' } as never }),
})
const failed = (final: boolean, retryAfterMs?: number): Outcome => ({ final, delivery: { status: 'failed', attempts: 1, httpStatus: final ? 400 : 503 }, retryAfterMs })

describe('a flight', () => {
  it('boards with the soonest deadline of its jobs, and starts no attempt in the last tenth of a short one', () => {
    const flight = board([job(5_000, 5_000), job(1_000, 40), job(9_000, 9_000)])
    expect(flight.deadline).toEqual({ at: 1_000, ms: 40 })
    expect(lastStart(flight)).toBe(996)
    expect(lastStart(board([job(5_000, 5_000)]))).toBe(4_990)
  })

  it('lands finished when delivered, or on a final failure', () => {
    const flight = board([job(10_000, 10_000)])
    depart(flight)
    expect(land(flight, { final: true, delivery: { status: 'delivered', attempts: 1 } }, at(0))).toEqual({ next: 'finish', delivery: { status: 'delivered', attempts: 1 } })
    expect(land(flight, failed(true), at(0))).toMatchObject({ next: 'finish' })
  })

  it('lands to be retried after the policy’s delay, until the policy, the deadline or a refusing gate says no', () => {
    const flight = board([job(10_000, 10_000)])
    depart(flight)
    expect(land(flight, failed(false), at(0))).toEqual({ next: 'retry', delayMs: 100 })
    expect(land(flight, failed(false), at(0, true))).toMatchObject({ next: 'finish' })
    expect(land(flight, failed(false), at(9_950))).toMatchObject({ next: 'finish' })
    depart(flight)
    depart(flight)
    expect(land(flight, failed(false), at(0))).toMatchObject({ next: 'finish' })
  })

  it('keeps the Retry-After of a failure to be retried on its delivery, and waits that long', () => {
    const flight = board([job(10_000, 10_000)])
    depart(flight)
    const outcome = failed(false, 700)
    expect(land(flight, outcome, at(0))).toEqual({ next: 'retry', delayMs: 700 })
    expect(outcome.delivery.retryAfterMs).toBe(700)
    expect(flight.last).toBe(outcome.delivery)
  })

  it('advances along a chain with a fresh count of tries, and is delivered with every answer in order', () => {
    const flight = board([job(10_000, 10_000)])
    flight.request = { method: 'POST', url: 'http://127.0.0.1:1/a', headers: {}, body: {}, next: { method: 'POST', url: 'http://127.0.0.1:1/b', headers: {}, body: {} } }
    depart(flight)
    depart(flight)
    expect(land(flight, { final: true, delivery: { status: 'delivered', attempts: 2, data: 'first' } }, at(0))).toEqual({ next: 'advance' })
    expect(flight).toMatchObject({ step: 1, tries: 0, attempts: 2, request: { url: 'http://127.0.0.1:1/b' } })
    depart(flight)
    expect(land(flight, { final: true, delivery: { status: 'delivered', attempts: 3, data: 'second' } }, at(0))).toMatchObject({ next: 'finish', delivery: { data: ['first', 'second'] } })
  })

  it('lands the items a batch answer refused apart, each with its own failure, and sends the rest again without them', () => {
    const flight = board([job(10_000, 10_000), { ...job(10_000, 10_000), item: 'b' }, { ...job(10_000, 10_000), item: 'c' }])
    flight.request = requestAt(0)
    depart(flight)
    const refusedB = { status: 'failed' as const, attempts: 1, httpStatus: 400 }
    const landing = land(flight, { final: false, delivery: { status: 'failed', attempts: 1, httpStatus: 400 }, split: { refused: new Map([[1, refusedB]]), others: 'resend' } }, at(0))
    expect(landing).toMatchObject({ next: 'advance', refused: [{ job: { item: 'b' }, delivery: refusedB }] })
    expect(flight.jobs.map((kept) => kept.item)).toEqual([{}, 'c'])
    expect(flight).toMatchObject({ step: 0, tries: 0, request: { url: 'http://127.0.0.1:1/step0', body: [{}, 'c'] } })
  })

  it('takes what a batch answer accepted on along the chain built for those items alone, and finishes them at its end', () => {
    const flight = board([job(10_000, 10_000), { ...job(10_000, 10_000), item: 'b' }])
    flight.request = requestAt(0)
    depart(flight)
    const split = { refused: new Map([[0, { status: 'failed' as const, attempts: 1 }]]), others: 'accepted' as const }
    expect(land(flight, { final: true, delivery: { status: 'delivered', attempts: 1, data: 'imported' }, split }, at(0))).toMatchObject({ next: 'advance' })
    expect(flight).toMatchObject({ step: 1, request: { url: 'http://127.0.0.1:1/step1', body: ['b'] } })
    depart(flight)
    expect(land(flight, { final: true, delivery: { status: 'delivered', attempts: 2, data: 'profiled' } }, at(0))).toMatchObject({ next: 'finish', delivery: { data: ['imported', 'profiled'] } })

    const last = board([job(10_000, 10_000), { ...job(10_000, 10_000), item: 'b' }])
    last.step = 1
    last.request = requestAt(1)
    depart(last)
    // At the chain's end, what was accepted is delivered.
    expect(land(last, { final: true, delivery: { status: 'delivered', attempts: 1 }, split }, at(0))).toMatchObject({ next: 'finish', delivery: { status: 'delivered' }, refused: [{ job: { item: {} } }] })
  })
})
