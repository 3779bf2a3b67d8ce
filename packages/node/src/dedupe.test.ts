import type { IdentifyEvent } from '@idstitch/core'
import { describe, expect, it } from 'vitest'
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

  it('keeps at most maxEntries pairs, the least recently used going first, and forgets after ttlMs', () => {
    let now = 0
    const dedupe = createDedupe({ maxEntries: 2, ttlMs: 100 }, () => now)
    dedupe.remember('p', 'u1', 'f')
    dedupe.remember('p', 'u2', 'f')
    expect(dedupe.isDuplicate('p', 'u1', 'f')).toBe(true) // u1 is now the most recent
    dedupe.remember('p', 'u3', 'f') // evicts u2
    expect(dedupe.isDuplicate('p', 'u2', 'f')).toBe(false)
    expect(dedupe.isDuplicate('p', 'u1', 'f')).toBe(true)
    expect(dedupe.isDuplicate('q', 'u1', 'f')).toBe(false)
    now = 100
    expect(dedupe.isDuplicate('p', 'u1', 'f')).toBe(false)
  })
})
