import { describe, expect, it } from 'vitest'
import { BREAKER_THRESHOLD, breakerGate, pauseGate, rateLimitGate, unavailableGate } from './gates.js'
import type { Outcome } from './job.js'

const delivered: Outcome = { final: true, delivery: { status: 'delivered', attempts: 1, httpStatus: 200 } }
const unavailable: Outcome = { final: false, delivery: { status: 'failed', attempts: 1, httpStatus: 503 } }
const refused: Outcome = { final: true, delivery: { status: 'failed', attempts: 1, httpStatus: 400 } }
const askedToWait = (ms: number, final = false): Outcome => ({ final, delivery: { status: 'failed', attempts: 1, httpStatus: 429 }, retryAfterMs: ms })

describe('the rate-limit gate', () => {
  it('gives each attempt its turn in a sliding window, and names the limit when it refuses', () => {
    const gate = rateLimitGate({ limit: 2, windowMs: 1_000 })
    expect(gate.kind).toBe('turn')
    gate.pass?.(0)
    expect(gate.wait(0)).toBe(0)
    gate.pass?.(10)
    // Full until the first start leaves the window (plus its 50 ms margin).
    expect(gate.wait(20)).toBe(1_030)
    expect(gate.wait(1_050)).toBe(0)
    expect(gate.refusal?.(0)).toEqual({ code: 'client_rate_limited', why: expect.stringContaining('2 requests per 1 s') })
  })
})

describe('the Retry-After gates', () => {
  it('pauses for a Retry-After up to its maximum, and ignores a longer one, a final failure and a success', () => {
    const gate = pauseGate(5_000)
    expect(gate.kind).toBe('pause')
    gate.observe?.(askedToWait(6_000), 0)
    gate.observe?.(askedToWait(2_000, true), 0)
    gate.observe?.(delivered, 0)
    expect(gate.wait(0)).toBe(0)
    gate.observe?.(askedToWait(2_000), 100)
    expect(gate.wait(1_100)).toBe(1_000)
    expect(gate.wait(2_100)).toBe(0)
  })

  it('refuses everything for a Retry-After past the maximum, saying how long', () => {
    const gate = unavailableGate(5_000)
    expect(gate.kind).toBe('refuse')
    gate.observe?.(askedToWait(5_000), 0)
    expect(gate.wait(0)).toBe(0)
    gate.observe?.(askedToWait(60_000), 0)
    expect(gate.wait(10_000)).toBe(50_000)
    expect(gate.refusal?.(10_000)).toEqual({ code: 'provider_unavailable', why: expect.stringContaining('50 s') })
  })
})

describe('the circuit breaker gate', () => {
  it(`opens after ${BREAKER_THRESHOLD} failing attempts in a row, not after refusals, a Retry-After or the message's own deadline`, () => {
    const gate = breakerGate()
    const fail = (times: number, outcome: Outcome, at = 0) => {
      for (let i = 0; i < times; i++) gate.observe?.(outcome, at)
    }
    fail(BREAKER_THRESHOLD - 1, unavailable)
    fail(5, { final: true, delivery: { status: 'failed', attempts: 1, error: { code: 'deadline_exceeded' } as never } })
    expect(gate.wait(0)).toBe(0)
    // A refusal of the message, or a 429 that says when to come back, is the provider at work: the count starts again.
    fail(1, refused)
    fail(BREAKER_THRESHOLD - 1, unavailable)
    fail(1, askedToWait(1_000))
    fail(BREAKER_THRESHOLD - 1, unavailable)
    expect(gate.wait(0)).toBe(0)
    fail(1, unavailable)
    expect(gate.wait(0)).toBe(5_000)
    expect(gate.refusal?.(1_000)).toEqual({ code: 'circuit_open', why: expect.stringContaining('no request for 4 s') })
  })

  it('reopens for twice as long on the first failure after its cooldown, and closes on a success', () => {
    const gate = breakerGate()
    for (let i = 0; i < BREAKER_THRESHOLD; i++) gate.observe?.(unavailable, 0)
    expect(gate.tripped?.()).toBe(true)
    gate.observe?.(unavailable, 5_000)
    expect(gate.wait(5_000)).toBe(10_000)
    // Past its cooldown it lets an attempt through, still tripped until one succeeds.
    expect(gate.wait(15_000)).toBe(0)
    expect(gate.tripped?.()).toBe(true)
    gate.observe?.(delivered, 15_000)
    expect(gate.tripped?.()).toBe(false)
    gate.observe?.(unavailable, 15_000)
    expect(gate.wait(15_000)).toBe(0)
  })
})
