import { describe, expect, it } from 'vitest'
import { createRetryPolicy, noRetries } from './retry-policy.js'

describe('the retry policy', () => {
  it('retries up to its limit, after the server’s Retry-After (capped) or a backoff with jitter', () => {
    const policy = createRetryPolicy({ retryLimit: 2, backoff: { baseMs: 200, maxMs: 1_000, maxRetryAfterMs: 3_000 }, random: () => 1 })
    expect(policy.delay(1, undefined)).toBe(200)
    expect(policy.delay(2, undefined)).toBe(400)
    expect(policy.delay(2, 10_000)).toBe(3_000)
    expect(policy.delay(3, undefined)).toBeUndefined()
  })

  it('takes a backoff function, which a Retry-After overrides', () => {
    const policy = createRetryPolicy({ retryLimit: 5, backoff: (retry) => retry * 10, random: Math.random })
    expect(policy.delay(3, undefined)).toBe(30)
    expect(policy.delay(3, 70)).toBe(70)
  })

  it('never retries as noRetries (a queue worker’s: BullMQ retries)', () => {
    expect(noRetries.delay(1, undefined)).toBeUndefined()
  })
})
