import { describe, expect, it } from 'vitest'
import { board, depart, land, lastStart } from './flight.js'
import type { Job, Outcome } from './job.js'
import { createRetryPolicy } from './retry-policy.js'

const job = (at: number, ms: number): Job => ({ item: {}, deadline: { at, ms }, listener: { delivered: () => {} }, slot: 0 })
const retry = createRetryPolicy({ retryLimit: 2, backoff: () => 100, random: Math.random })
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
    expect(land(flight, { final: true, delivery: { status: 'delivered', attempts: 1 } }, { now: 0, retry, refusing: false })).toEqual({ next: 'finish', delivery: { status: 'delivered', attempts: 1 } })
    expect(land(flight, failed(true), { now: 0, retry, refusing: false })).toMatchObject({ next: 'finish' })
  })

  it('lands to be retried after the policy’s delay, until the policy, the deadline or a refusing gate says no', () => {
    const flight = board([job(10_000, 10_000)])
    depart(flight)
    expect(land(flight, failed(false), { now: 0, retry, refusing: false })).toEqual({ next: 'retry', delayMs: 100 })
    expect(land(flight, failed(false), { now: 0, retry, refusing: true })).toMatchObject({ next: 'finish' })
    expect(land(flight, failed(false), { now: 9_950, retry, refusing: false })).toMatchObject({ next: 'finish' })
    depart(flight)
    depart(flight)
    expect(land(flight, failed(false), { now: 0, retry, refusing: false })).toMatchObject({ next: 'finish' })
  })

  it('keeps the Retry-After of a failure to be retried on its delivery, and waits that long', () => {
    const flight = board([job(10_000, 10_000)])
    depart(flight)
    const outcome = failed(false, 700)
    expect(land(flight, outcome, { now: 0, retry, refusing: false })).toEqual({ next: 'retry', delayMs: 700 })
    expect(outcome.delivery.retryAfterMs).toBe(700)
    expect(flight.last).toBe(outcome.delivery)
  })

  it('advances along a chain with a fresh count of tries, and is delivered with every answer in order', () => {
    const flight = board([job(10_000, 10_000)])
    flight.request = { method: 'POST', url: 'http://127.0.0.1:1/a', headers: {}, body: {}, next: { method: 'POST', url: 'http://127.0.0.1:1/b', headers: {}, body: {} } }
    depart(flight)
    depart(flight)
    expect(land(flight, { final: true, delivery: { status: 'delivered', attempts: 2, data: 'first' } }, { now: 0, retry, refusing: false })).toEqual({ next: 'advance' })
    expect(flight).toMatchObject({ step: 1, tries: 0, attempts: 2, request: { url: 'http://127.0.0.1:1/b' } })
    depart(flight)
    expect(land(flight, { final: true, delivery: { status: 'delivered', attempts: 3, data: 'second' } }, { now: 0, retry, refusing: false })).toMatchObject({ next: 'finish', delivery: { data: ['first', 'second'] } })
  })
})
