import { describe, expect, it } from 'vitest'
import { createRateLimiter } from './rate-limit.js'

describe('createRateLimiter', () => {
  it('allows `limit` starts per window, then says how long to wait', () => {
    const limiter = createRateLimiter({ limit: 3, windowMs: 10_000 })
    for (const at of [0, 1, 2]) {
      expect(limiter.wait(at)).toBe(0)
      limiter.record(at)
    }
    // The window has a 1% safety margin (at least 50 ms): 10,100 ms.
    expect(limiter.wait(5_000)).toBe(5_100)
    expect(limiter.wait(10_100)).toBe(0)
    limiter.record(10_100)
    expect(limiter.wait(10_100)).toBe(1)
  })
})
