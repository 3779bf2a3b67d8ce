import type { IdentifyEvent } from '@idstitch/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createDedupe, fingerprintOf } from './dedupe.js'

const event = (traits: Record<string, unknown>, anonymousIds: Record<string, string> = {}): IdentifyEvent => ({
  messageId: 'm',
  userId: 'usr_1',
  anonymousIds,
  traits,
  context: {},
  timestamp: '2026-01-01T00:00:00.000Z',
  library: { name: 'test', version: '0' },
})

describe('the de-duplication memory', () => {
  it('fingerprints anonymous ids and traits in canonical key order, nested too', () => {
    expect(fingerprintOf(event({ a: 1, b: { y: 2, x: [1, { q: 1, p: 2 }] } }))).toBe(fingerprintOf(event({ b: { x: [1, { p: 2, q: 1 }], y: 2 }, a: 1 })))
    expect(fingerprintOf(event({ a: 1 }))).not.toBe(fingerprintOf(event({ a: '1' })))
    expect(fingerprintOf(event({}, { ga4: '1.2' }))).not.toBe(fingerprintOf(event({})))
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('keeps at most maxEntries pairs, the most recently used half always, and forgets after ttlMs', () => {
    vi.useFakeTimers({ now: 0 })
    const dedupe = createDedupe({ maxEntries: 10, ttlMs: 100 })
    dedupe.remember('p', 'u0', 'f')
    for (let i = 1; i < 100; i++) {
      dedupe.remember('p', `u${i}`, 'f')
      expect(dedupe.isDuplicate('p', 'u0', 'f')).toBe(true) // used all along: never evicted
    }
    // The most recent are kept; the long-gone are forgotten (a miss changes nothing).
    expect(['u99', 'u98', 'u97', 'u0'].map((user) => dedupe.isDuplicate('p', user, 'f'))).toEqual([true, true, true, true])
    expect(Array.from({ length: 90 }, (_, i) => `u${i + 1}`).filter((user) => dedupe.isDuplicate('p', user, 'f'))).toEqual([])
    expect(dedupe.isDuplicate('p', 'u99', 'other')).toBe(false)
    expect(dedupe.isDuplicate('q', 'u99', 'f')).toBe(false)
    vi.setSystemTime(100)
    expect(dedupe.isDuplicate('p', 'u99', 'f')).toBe(false)
  })
})
