import { describe, expect, it } from 'vitest'
import { isRetryableStatus, parseRetryAfter, retryDelay } from './retry.js'

describe('retry policy', () => {
  it('retries 408, 429 and 5xx only', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true)
    expect([200, 400, 401, 403, 404, 409, 413, 422].some(isRetryableStatus)).toBe(false)
  })

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-05-01T12:00:00Z')
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter('0.5', now)).toBe(500)
    expect(parseRetryAfter('Fri, 01 May 2026 12:00:10 GMT', now)).toBe(10_000)
    expect(parseRetryAfter('Fri, 01 May 2026 11:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })

  it('backs off exponentially with jitter, capped, and honours a capped Retry-After', () => {
    const policy = { baseMs: 100, maxMs: 1_000, maxRetryAfterMs: 5_000 }
    expect([1, 2, 3].map((retry) => retryDelay(retry, undefined, policy, 0))).toEqual([50, 100, 200])
    expect([1, 2, 3].map((retry) => retryDelay(retry, undefined, policy, 0.999))).toEqual([100, 200, 400])
    expect(retryDelay(10, undefined, policy, 0.999)).toBe(1_000)
    expect(retryDelay(1, 2_000, policy, 0.5)).toBe(2_000)
    expect(retryDelay(1, 60_000, policy, 0.5)).toBe(5_000)
  })
})
