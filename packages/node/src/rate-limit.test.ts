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

  it('keeps counting right past thousands of starts, as old ones leave the window', () => {
    const limiter = createRateLimiter({ limit: 5_000, windowMs: 1_000 })
    const started: number[] = []
    // Five tries a ms for 3 s: each allowed exactly when fewer than 5,000 starts lie within the last 1,050 ms.
    for (let at = 0; at < 3_000; at++) {
      for (let attempt = 0; attempt < 5; attempt++) {
        // The last 5,000 starts decide it: all within the window means the limit is reached.
        const inWindow = started.slice(-5_000).filter((start) => start > at - 1_050).length
        const allowed = limiter.wait(at) === 0
        expect(allowed).toBe(inWindow < 5_000)
        if (allowed) {
          limiter.record(at)
          started.push(at)
        }
      }
    }
    // The window filled in its first 1,000 ms, then stayed shut until the first starts left it at 1,050 ms.
    expect(started.filter((start) => start >= 1_000 && start < 1_050)).toEqual([])
    expect(started.length).toBeGreaterThan(10_000)
  })
})
