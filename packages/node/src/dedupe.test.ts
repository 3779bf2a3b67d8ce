import type { IdentifyEvent } from '@idstitch/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MAX_FINGERPRINT, createDedupe, fingerprintOf, type Dedupe, type Fingerprinted } from './dedupe.js'

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
  it('fingerprints anonymous ids and traits as JSON: equal text is one fingerprint, any difference another', () => {
    expect(fingerprintOf(event({ a: 1, b: { x: [1, { p: 2 }] } }))).toBe(fingerprintOf(event({ a: 1, b: { x: [1, { p: 2 }] } })))
    expect(fingerprintOf(event({ a: 1 }))).not.toBe(fingerprintOf(event({ a: '1' })))
    expect(fingerprintOf(event({}, { ga4: '1.2' }))).not.toBe(fingerprintOf(event({})))
    // Keys in another order: another fingerprint, so the identify is sent again (never wrongly skipped).
    expect(fingerprintOf(event({ a: 1, b: 2 }))).not.toBe(fingerprintOf(event({ b: 2, a: 1 })))
  })

  /** An identify with this fingerprint. */
  const fp = (fingerprint: string): Fingerprinted => ({ fingerprint })
  /** Sends `fingerprint` for user u to p and finishes it at once. */
  const deliver = (dedupe: Dedupe, user: string, fingerprint: string, delivered = true) => dedupe.finished(dedupe.sent('p', user, fp(fingerprint)), delivered)

  it('remembers what was sent last, not what finished last: two in flight at once leave the next identify to be sent', () => {
    const dedupe = createDedupe()
    // free and pro sent together; pro lands first, free last. The provider may keep either.
    const free = dedupe.sent('p', 'u', fp('free'))
    const pro = dedupe.sent('p', 'u', fp('pro'))
    expect(dedupe.isDuplicate('p', 'u', fp('pro'))).toBe(false) // never while one is on its way
    dedupe.finished(pro, true)
    dedupe.finished(free, true)
    expect(dedupe.isDuplicate('p', 'u', fp('free'))).toBe(false)
    expect(dedupe.isDuplicate('p', 'u', fp('pro'))).toBe(false)
    // Once a single identify is sent and delivered, its fingerprint stands again.
    deliver(dedupe, 'u', 'pro')
    expect(dedupe.isDuplicate('p', 'u', fp('pro'))).toBe(true)
  })

  it('lets no older identify, failed and retried past a newer one, overwrite it', () => {
    const dedupe = createDedupe()
    const older = dedupe.sent('p', 'u', fp('old'))
    const newer = dedupe.sent('p', 'u', fp('new'))
    dedupe.finished(newer, true)
    dedupe.finished(older, true) // its retry landed last
    expect(dedupe.isDuplicate('p', 'u', fp('old'))).toBe(false)
    expect(dedupe.isDuplicate('p', 'u', fp('new'))).toBe(false)
  })

  it("lets a send whose pair was forgotten while it was in flight change nothing of the pair's next record", () => {
    // Under a burst of other users, a pair still in flight (a retry's backoff) is evicted, and the user's next
    // identify starts a new record. The first send finishing took that record for its own (the same sequence
    // number, 1): it was remembered as accepted while the second was still on its way, so an identify saying the
    // first again was skipped, and the provider kept the second.
    const dedupe = createDedupe({ maxEntries: 2 })
    const first = dedupe.sent('p', 'u', fp('A'))
    for (const other of ['x', 'y', 'z']) deliver(dedupe, other, 'other')
    const second = dedupe.sent('p', 'u', fp('B'))
    dedupe.finished(first, true)
    expect(dedupe.isDuplicate('p', 'u', fp('A'))).toBe(false)
    expect(dedupe.isDuplicate('p', 'u', fp('B'))).toBe(false)
    dedupe.finished(second, true)
    expect(dedupe.isDuplicate('p', 'u', fp('B'))).toBe(true)
    expect(dedupe.isDuplicate('p', 'u', fp('A'))).toBe(false)
  })

  it('forgets what a failed delivery may have changed', () => {
    const dedupe = createDedupe()
    deliver(dedupe, 'u', 'a')
    expect(dedupe.isDuplicate('p', 'u', fp('a'))).toBe(true)
    deliver(dedupe, 'u', 'b', false)
    expect(dedupe.isDuplicate('p', 'u', fp('a'))).toBe(false)
    expect(dedupe.isDuplicate('p', 'u', fp('b'))).toBe(false)
  })

  it('reads a fingerprint only to compare it or keep it: a burst for new users holds none while in flight', () => {
    const dedupe = createDedupe()
    let reads = 0
    const counted = (fingerprint: string): Fingerprinted => ({
      get fingerprint() {
        reads++
        return fingerprint
      },
    })
    expect(dedupe.isDuplicate('p', 'new', counted('f'))).toBe(false)
    const failed = dedupe.sent('p', 'new', counted('f'))
    dedupe.finished(failed, false)
    expect(reads).toBe(0)
    const delivered = dedupe.sent('p', 'new', counted('f'))
    expect(reads).toBe(0)
    dedupe.finished(delivered, true)
    expect(reads).toBe(1) // kept, to compare the next one with
    expect(dedupe.isDuplicate('p', 'new', counted('f'))).toBe(true)
    expect(reads).toBe(2)
  })

  it('keeps no fingerprint over MAX_FINGERPRINT: such identifies are always sent, and memory stays bounded', () => {
    const dedupe = createDedupe()
    const long = 'x'.repeat(MAX_FINGERPRINT + 1)
    deliver(dedupe, 'u', long)
    expect(dedupe.isDuplicate('p', 'u', fp(long))).toBe(false)
    deliver(dedupe, 'u', long.slice(1))
    expect(dedupe.isDuplicate('p', 'u', fp(long.slice(1)))).toBe(true)
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('keeps at most maxEntries pairs, the most recently used half always, and forgets after ttlMs', () => {
    vi.useFakeTimers({ now: 0 })
    const dedupe = createDedupe({ maxEntries: 10, ttlMs: 100 })
    deliver(dedupe, 'u0', 'f')
    for (let i = 1; i < 100; i++) {
      deliver(dedupe, `u${i}`, 'f')
      expect(dedupe.isDuplicate('p', 'u0', fp('f'))).toBe(true) // used all along: never evicted
    }
    // The most recent are kept; the long-gone are forgotten (a miss changes nothing).
    expect(['u99', 'u98', 'u97', 'u0'].map((user) => dedupe.isDuplicate('p', user, fp('f')))).toEqual([true, true, true, true])
    expect(Array.from({ length: 90 }, (_, i) => `u${i + 1}`).filter((user) => dedupe.isDuplicate('p', user, fp('f')))).toEqual([])
    expect(dedupe.isDuplicate('p', 'u99', fp('other'))).toBe(false)
    expect(dedupe.isDuplicate('q', 'u99', fp('f'))).toBe(false)
    vi.setSystemTime(100)
    expect(dedupe.isDuplicate('p', 'u99', fp('f'))).toBe(false)
  })

  it('measures ttlMs on the steady clock: a wall clock stepped back does not keep a record longer', () => {
    vi.useFakeTimers({ now: 3_600_000 })
    const dedupe = createDedupe({ ttlMs: 100 })
    deliver(dedupe, 'u', 'f')
    vi.setSystemTime(0) // NTP steps the clock back an hour
    expect(dedupe.isDuplicate('p', 'u', fp('f'))).toBe(true)
    vi.setSystemTime(99)
    expect(dedupe.isDuplicate('p', 'u', fp('f'))).toBe(true)
    vi.setSystemTime(100)
    expect(dedupe.isDuplicate('p', 'u', fp('f'))).toBe(false)
    // A send starts the record's time again.
    deliver(dedupe, 'u', 'f')
    vi.setSystemTime(199)
    expect(dedupe.isDuplicate('p', 'u', fp('f'))).toBe(true)
  })
})
