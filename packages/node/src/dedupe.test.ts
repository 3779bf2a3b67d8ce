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
  /** Whether `identify` for `user` to `provider` (p) is a duplicate, the pair looked up as the pipeline does. */
  const isDuplicate = (dedupe: Dedupe, user: string, identify: Fingerprinted, provider = 'p') => dedupe.isDuplicate(dedupe.pair(provider, user), identify)
  /** Hands `identify` for `user` to p: the record it was sent under, and itself, as the pipeline keeps them. */
  const sent = (dedupe: Dedupe, user: string, identify: Fingerprinted) => ({ record: dedupe.sent(dedupe.pair('p', user), identify), identify })
  /** Its delivery finished. */
  const finish = (dedupe: Dedupe, { record, identify }: ReturnType<typeof sent>, delivered: boolean) => dedupe.finished(record, identify, delivered)
  /** Sends `fingerprint` for user u to p and finishes it at once. */
  const deliver = (dedupe: Dedupe, user: string, fingerprint: string, delivered = true) => finish(dedupe, sent(dedupe, user, fp(fingerprint)), delivered)

  it('remembers what was sent last, not what finished last: two in flight at once leave the next identify to be sent', () => {
    const dedupe = createDedupe()
    // free and pro sent together; pro lands first, free last. The provider may keep either.
    const free = sent(dedupe, 'u', fp('free'))
    const pro = sent(dedupe, 'u', fp('pro'))
    expect(isDuplicate(dedupe, 'u', fp('pro'))).toBe(false) // never while one is on its way
    finish(dedupe, pro, true)
    finish(dedupe, free, true)
    expect(isDuplicate(dedupe, 'u', fp('free'))).toBe(false)
    expect(isDuplicate(dedupe, 'u', fp('pro'))).toBe(false)
    // Once a single identify is sent and delivered, its fingerprint stands again.
    deliver(dedupe, 'u', 'pro')
    expect(isDuplicate(dedupe, 'u', fp('pro'))).toBe(true)
  })

  it('holds an identify only while it is in flight: a record outlives it, and would keep its event and results', () => {
    const dedupe = createDedupe()
    const one = sent(dedupe, 'u', fp('a'))
    expect(one.record.latest).toBe(one.identify)
    finish(dedupe, one, true)
    expect(one.record.latest).toBeUndefined()
    expect(isDuplicate(dedupe, 'u', fp('a'))).toBe(true)
  })

  it('lets no older identify, failed and retried past a newer one, overwrite it', () => {
    const dedupe = createDedupe()
    const older = sent(dedupe, 'u', fp('old'))
    const newer = sent(dedupe, 'u', fp('new'))
    finish(dedupe, newer, true)
    finish(dedupe, older, true) // its retry landed last
    expect(isDuplicate(dedupe, 'u', fp('old'))).toBe(false)
    expect(isDuplicate(dedupe, 'u', fp('new'))).toBe(false)
  })

  it("lets a send whose pair was forgotten while it was in flight change nothing of the pair's next record", () => {
    // Under a burst of other users, a pair still in flight (a retry's backoff) is evicted, and the user's next
    // identify starts a new record. Were the first send, finishing, to take that record for its own, it would be
    // remembered as accepted while the second was still on its way, so an identify saying the first again would be
    // skipped, and the provider kept the second.
    const dedupe = createDedupe({ maxEntries: 2 })
    const first = sent(dedupe, 'u', fp('A'))
    for (const other of ['x', 'y', 'z']) deliver(dedupe, other, 'other')
    const second = sent(dedupe, 'u', fp('B'))
    finish(dedupe, first, true)
    expect(isDuplicate(dedupe, 'u', fp('A'))).toBe(false)
    expect(isDuplicate(dedupe, 'u', fp('B'))).toBe(false)
    finish(dedupe, second, true)
    expect(isDuplicate(dedupe, 'u', fp('B'))).toBe(true)
    expect(isDuplicate(dedupe, 'u', fp('A'))).toBe(false)
  })

  it('forgets what a failed delivery may have changed', () => {
    const dedupe = createDedupe()
    deliver(dedupe, 'u', 'a')
    expect(isDuplicate(dedupe, 'u', fp('a'))).toBe(true)
    deliver(dedupe, 'u', 'b', false)
    expect(isDuplicate(dedupe, 'u', fp('a'))).toBe(false)
    expect(isDuplicate(dedupe, 'u', fp('b'))).toBe(false)
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
    expect(isDuplicate(dedupe, 'new', counted('f'))).toBe(false)
    const failed = sent(dedupe, 'new', counted('f'))
    finish(dedupe, failed, false)
    expect(reads).toBe(0)
    const delivered = sent(dedupe, 'new', counted('f'))
    expect(reads).toBe(0)
    finish(dedupe, delivered, true)
    expect(reads).toBe(1) // kept, to compare the next one with
    expect(isDuplicate(dedupe, 'new', counted('f'))).toBe(true)
    expect(reads).toBe(2)
  })

  it('keeps no fingerprint over MAX_FINGERPRINT: such identifies are always sent, and memory stays bounded', () => {
    const dedupe = createDedupe()
    const long = 'x'.repeat(MAX_FINGERPRINT + 1)
    deliver(dedupe, 'u', long)
    expect(isDuplicate(dedupe, 'u', fp(long))).toBe(false)
    deliver(dedupe, 'u', long.slice(1))
    expect(isDuplicate(dedupe, 'u', fp(long.slice(1)))).toBe(true)
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
      expect(isDuplicate(dedupe, 'u0', fp('f'))).toBe(true) // used all along: never evicted
    }
    // The most recent are kept; the long-gone are forgotten (a miss changes nothing).
    expect(['u99', 'u98', 'u97', 'u0'].map((user) => isDuplicate(dedupe, user, fp('f')))).toEqual([true, true, true, true])
    expect(Array.from({ length: 90 }, (_, i) => `u${i + 1}`).filter((user) => isDuplicate(dedupe, user, fp('f')))).toEqual([])
    expect(isDuplicate(dedupe, 'u99', fp('other'))).toBe(false)
    expect(isDuplicate(dedupe, 'u99', fp('f'), 'q')).toBe(false)
    vi.setSystemTime(100)
    expect(isDuplicate(dedupe, 'u99', fp('f'))).toBe(false)
  })

  it('measures ttlMs on the steady clock: a wall clock stepped back does not keep a record longer', () => {
    vi.useFakeTimers({ now: 3_600_000 })
    const dedupe = createDedupe({ ttlMs: 100 })
    deliver(dedupe, 'u', 'f')
    vi.setSystemTime(0) // NTP steps the clock back an hour
    expect(isDuplicate(dedupe, 'u', fp('f'))).toBe(true)
    vi.setSystemTime(99)
    expect(isDuplicate(dedupe, 'u', fp('f'))).toBe(true)
    vi.setSystemTime(100)
    expect(isDuplicate(dedupe, 'u', fp('f'))).toBe(false)
    // A send starts the record's time again.
    deliver(dedupe, 'u', 'f')
    vi.setSystemTime(199)
    expect(isDuplicate(dedupe, 'u', fp('f'))).toBe(true)
  })
})
