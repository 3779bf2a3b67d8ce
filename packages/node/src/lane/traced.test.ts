import { describe, expect, it } from 'vitest'
import { BREAKER_THRESHOLD, breakerGate } from './gates.js'
import type { Outcome } from './job.js'
import { attemptEnd, gateStateAt } from './traced.js'

const delivered: Outcome = { final: true, delivery: { status: 'delivered', attempts: 1, httpStatus: 200 } }
const unavailable: Outcome = { final: false, delivery: { status: 'failed', attempts: 1, httpStatus: 503, error: { code: 'http_error' } as never } }

/** The attempt's end as the lane reports it: the gates' state before and after they saw its outcome. */
const ended = (gate: ReturnType<typeof breakerGate>, outcome: Outcome, now: number) => {
  const before = gateStateAt([gate], now)
  gate.observe?.(outcome, now)
  return attemptEnd(outcome, { next: 'finish', delivery: outcome.delivery }, before, gateStateAt([gate], now))
}

describe("what telemetry is told of the circuit breaker's changes", () => {
  it('the attempt that opens it, and the success that closes it again after its cooldown', () => {
    const gate = breakerGate()
    for (let attempt = 1; attempt < BREAKER_THRESHOLD; attempt++) expect(ended(gate, unavailable, 0)).not.toHaveProperty('refusing')
    expect(ended(gate, unavailable, 0)).toMatchObject({ status: 'failed', refusing: 'circuit_open' })
    // Past the cooldown, one attempt goes through: its success closes the circuit, and says so once.
    expect(ended(gate, delivered, 5_000)).toEqual({ status: 'delivered', httpStatus: 200, next: 'finish', circuitClosed: true })
    expect(ended(gate, delivered, 5_001)).toEqual({ status: 'delivered', httpStatus: 200, next: 'finish' })
  })
})
