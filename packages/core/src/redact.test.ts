import { describe, expect, it } from 'vitest'
import { base64 } from './json.js'
import { http } from './providers/http.js'
import { monterosa } from './providers/monterosa.js'
import { segment } from './providers/segment.js'
import { createRedact } from './redact.js'

describe('createRedact', () => {
  const redact = createRedact(['sk_live/ab+c=', undefined, 'abc'])

  it('redacts a secret as is, percent-encoded and in base64, with and without the HTTP Basic colon', () => {
    for (const form of ['sk_live/ab+c=', encodeURIComponent('sk_live/ab+c='), base64('sk_live/ab+c='), base64('sk_live/ab+c=:')]) {
      expect(redact(`echo ${form} end`)).toBe('echo [redacted] end')
    }
  })

  it('redacts any Bearer, Basic or Token credential, and leaves secrets too short to matter alone', () => {
    expect(redact('Authorization: Bearer x.y-z and Basic d2s6 and Token t0k%3D')).toBe('Authorization: Bearer [redacted] and Basic [redacted] and Token [redacted]')
    expect(redact('abc is a word')).toBe('abc is a word')
  })
})

describe('what a provider treats as secret', () => {
  it("Segment's write key, even as the bare base64 of its Basic credential", () => {
    const provider = segment({ writeKey: 'wk_live_123', baseUrl: 'https://api.segment.io' })
    expect(provider.redact(`got ${base64('wk_live_123:')}`)).toBe('got [redacted]')
  })

  it('query values of a configured URL, and refuses credentials in a URL at construction', () => {
    const provider = http({ url: 'https://crm.example.test/hook?token=q_secret_1&v=2', body: () => ({}) })
    expect(provider.redact('https://crm.example.test/hook?token=q_secret_1')).toBe('https://crm.example.test/hook?token=[redacted]')
    expect(() => http({ url: 'https://user:pass@crm.example.test/hook', body: () => ({}) })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'url' }))
    expect(() => segment({ writeKey: 'wk_1', baseUrl: 'https://wk_1@api.segment.io' })).toThrowError(expect.objectContaining({ option: 'baseUrl' }))
  })

  it('every header value given to http(), whatever its name, but not the content type', () => {
    const provider = http({ url: 'https://crm.example.test/hook', headers: { 'x-tenant-auth': 'tenant_secret_9', 'content-type': 'application/json' }, body: () => ({}) })
    expect(provider.redact('tenant_secret_9 application/json')).toBe('[redacted] application/json')
  })

  it("per-user Monterosa tokens from token(), wherever they are echoed", () => {
    const provider = monterosa({ baseUrl: 'https://identify.example.test', projectId: '5d5b0676-ce0f-4058-b2bf-49af49f61cb5', provider: 'awsCognito', token: (event) => `tok_${event.userId}_secret` })
    const event = { messageId: 'm', userId: 'usr_1', traits: {}, context: {}, timestamp: new Date(0).toISOString(), library: { name: 'test', version: '0' } }
    expect(provider.prepare(event).type).toBe('item')
    expect(provider.redact('{"echo":"tok_usr_1_secret"}')).toBe('{"echo":"[redacted]"}')
  })
})
