// The adapters against the second review's findings: the same identity traits under every spelling, a `$` name
// that must not win over the plain one, a static token that need not travel with the item, and a webhook's
// path that holds a secret.
import { describe, expect, it } from 'vitest'
import { prepareEvent } from '../message.js'
import { ga4, http, mixpanel, monterosa } from './index.js'

const eventOf = (message: Record<string, unknown>) => {
  const prepared = prepareEvent({ userId: 'usr_1', ...message }, { messageId: 'm', now: new Date(0), library: { name: 'test', version: '0' } })
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.issues))
  return prepared.event
}
const PROJECT = '5d5b0676-ce0f-4058-b2bf-49af49f61cb5'

describe('the adapters, second review', () => {
  it('GA4 sends no identity trait under any spelling or case', () => {
    const prepared = ga4({ measurementId: 'G-ABC123', apiSecret: 'secret_0123' }).prepare(eventOf({ anonymousIds: { ga4: '1234567890.1700000000' }, traits: { Email: 'a@x.test', email_address: 'a@x.test', emailAddress: 'a@x.test', phoneNumber: '+1555', fullName: 'Ada L', plan: 'pro' } }))
    expect(prepared.type).toBe('item')
    expect(JSON.stringify(prepared)).not.toMatch(/a@x\.test|\+1555|Ada L/)
    expect(JSON.stringify(prepared)).toContain('pro')
  })

  it("Mixpanel: a plain trait wins over the same trait under its $ name ($email never replaces email)", () => {
    const provider = mixpanel({ token: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' })
    const prepared = provider.prepare(eventOf({ traits: { $email: 'mallory@evil.test', email: 'ada@example.com', $name: 'Mallory', plan: 'pro' } }))
    if (prepared.type !== 'item') throw new Error(prepared.type)
    const profile = provider.request([prepared.item]).next
    expect(JSON.stringify(profile?.body)).toContain('"$email":"ada@example.com"')
    expect(JSON.stringify(profile?.body)).not.toContain('mallory@evil.test')
  })

  it('Monterosa: a static token stays in the configuration (no symbol on the item); a per-user one travels with it', () => {
    const fixed = monterosa({ baseUrl: 'https://identify.example.test', projectId: PROJECT, provider: 'sso', token: 'mtr_static_0123' })
    const item = fixed.prepare(eventOf({ traits: { plan: 'pro' } }))
    if (item.type !== 'item') throw new Error(item.type)
    expect(Object.getOwnPropertySymbols(item.item)).toEqual([])
    expect(fixed.request([item.item]).headers.authorization).toBe('Bearer mtr_static_0123')
    const perUser = monterosa({ baseUrl: 'https://identify.example.test', projectId: PROJECT, provider: 'sso', token: () => 'mtr_user_0123' })
    const own = perUser.prepare(eventOf({}))
    if (own.type !== 'item') throw new Error(own.type)
    expect(Object.getOwnPropertySymbols(own.item)).toHaveLength(1)
    expect(perUser.request([own.item]).headers.authorization).toBe('Bearer mtr_user_0123')
  })

  it("http(): a secret in the URL's path (a webhook token) is redacted, plain words are not", () => {
    const provider = http({ url: 'https://hooks.example.test/services/T0123ABC/B0456DEF/xyzSecretValue1234/identify', body: (event) => ({ id: event.userId }) })
    const redacted = provider.redact('failed posting to https://hooks.example.test/services/T0123ABC/B0456DEF/xyzSecretValue1234/identify')
    expect(redacted).not.toMatch(/T0123ABC|B0456DEF|xyzSecretValue1234/)
    expect(redacted).toContain('services')
    expect(redacted).toContain('identify')
  })
})
