import { describe, expect, it } from 'vitest'
import { prepareEvent } from './message.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const library = { name: '@idstitch/test', version: '0.0.0' }
const stamp = { messageId: 'm-1', now: new Date('2026-05-01T12:00:00Z'), library }

describe('prepareEvent', () => {
  it('stamps a valid message with the id and time, and copies it', () => {
    const traits = { email: 'ada@example.com', at: new Date('2026-01-01T00:00:00Z') }
    const prepared = prepareEvent({ userId: 'usr_1', anonymousId: VISITOR, traits, context: { ip: '1.2.3.4' } }, stamp)
    expect(prepared).toEqual({
      ok: true,
      event: { messageId: 'm-1', userId: 'usr_1', anonymousId: VISITOR, anonymousIds: {}, traits: { email: 'ada@example.com', at: '2026-01-01T00:00:00.000Z' }, context: { ip: '1.2.3.4' }, timestamp: '2026-05-01T12:00:00.000Z', receivedAt: stamp.now.toISOString(), library },
    })
    expect(prepared.ok && prepared.event.traits).not.toBe(traits)
  })

  it('stamps each message with its own millisecond, however many share one', () => {
    const at = (iso: string) => {
      const prepared = prepareEvent({ userId: 'usr_1' }, { ...stamp, now: new Date(iso) })
      return prepared.ok && [prepared.event.receivedAt, prepared.event.timestamp]
    }
    expect(at('2026-05-01T12:00:00.001Z')).toEqual(['2026-05-01T12:00:00.001Z', '2026-05-01T12:00:00.001Z'])
    expect(at('2026-05-01T12:00:00.001Z')).toEqual(['2026-05-01T12:00:00.001Z', '2026-05-01T12:00:00.001Z'])
    expect(at('2026-05-01T12:00:00.002Z')).toEqual(['2026-05-01T12:00:00.002Z', '2026-05-01T12:00:00.002Z'])
    expect(at('2025-01-31T23:59:59.999Z')).toEqual(['2025-01-31T23:59:59.999Z', '2025-01-31T23:59:59.999Z'])
    // A clock that returns an invalid date fails the stamp, and leaves the next one right.
    expect(() => prepareEvent({ userId: 'usr_1' }, { ...stamp, now: new Date(Number.NaN) })).toThrow(RangeError)
    expect(at('2025-01-31T23:59:59.999Z')).toEqual(['2025-01-31T23:59:59.999Z', '2025-01-31T23:59:59.999Z'])
  })

  it('treats a null or missing anonymousId as none, and normalises timestamps to UTC', () => {
    const prepared = prepareEvent({ userId: 'u', anonymousId: null, timestamp: '2026-02-01T08:00:00+01:00' }, stamp)
    expect(prepared.ok && prepared.event).toEqual({ messageId: 'm-1', userId: 'u', anonymousIds: {}, traits: {}, context: {}, timestamp: '2026-02-01T07:00:00.000Z', receivedAt: stamp.now.toISOString(), library })
  })

  it('lists every issue with its path', () => {
    const prepared = prepareEvent({ userId: '', anonymousId: 5, traits: { n: 1n }, timestamp: 'soon' }, stamp)
    expect(prepared.ok).toBe(false)
    expect(!prepared.ok && prepared.issues.map((issue) => issue.path).sort()).toEqual(['anonymousId', 'timestamp', 'traits.n', 'userId'])
  })

  it("checks what the traits' and context's toJSON() return, which is what is sent: an object, without reserved keys", () => {
    const prepared = prepareEvent({ userId: 'u', traits: { toJSON: () => 'pro' }, context: { page: { toJSON: () => JSON.parse('{"constructor": 1}') } } }, stamp)
    expect(prepared).toEqual({
      ok: false,
      issues: [
        { path: 'traits', message: 'must be a plain object, and its toJSON() returns none' },
        { path: 'context.page.constructor', message: 'is a reserved key: __proto__, constructor and prototype are refused' },
      ],
    })
    const sent = prepareEvent({ userId: 'u', traits: { toJSON: () => ({ plan: 'pro' }) } }, stamp)
    expect(sent.ok && sent.event.traits).toEqual({ plan: 'pro' })
  })

  it('refuses an anonymousId that is not a UUID', () => {
    const prepared = prepareEvent({ userId: 'u', anonymousId: 'x'.repeat(36) }, stamp)
    expect(!prepared.ok && prepared.issues).toEqual([{ path: 'anonymousId', message: "must be a UUID (the visitor cookie's value)" }])
  })

  it("takes each tool's own anonymous id, keyed by provider kind, and refuses a malformed one by its path", () => {
    const prepared = prepareEvent({ userId: 'u', anonymousIds: { ga4: '1234567890.1700000000', posthog: '0190f3c2-7d0e-7c3a-9b1e-2f4a5b6c7d8e' } }, stamp)
    expect(prepared.ok && prepared.event.anonymousIds).toEqual({ ga4: '1234567890.1700000000', posthog: '0190f3c2-7d0e-7c3a-9b1e-2f4a5b6c7d8e' })
    const refused = prepareEvent({ userId: 'u', anonymousIds: { ga4: 'has space', 'Bad Kind': 'x' } }, stamp)
    expect(refused.ok ? [] : refused.issues.map((issue) => issue.path).sort()).toEqual(['anonymousIds.Bad Kind', 'anonymousIds.ga4'])
    expect(prepareEvent({ userId: 'u', anonymousIds: 'ga' }, stamp)).toMatchObject({ ok: false, issues: [{ path: 'anonymousIds' }] })
  })
})
