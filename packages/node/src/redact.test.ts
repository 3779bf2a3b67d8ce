import { defineProvider } from '@idstitch/core'
import { requireString } from '@idstitch/core/adapter'
import { JsonText } from '@idstitch/core/internal'
import { describe, expect, it } from 'vitest'
import { createRedactor } from './redact.js'

const acme = defineProvider<{ apiKey: string }, unknown>({
  name: 'acme',
  configure: (options, fail) => ({ apiKey: requireString(fail, 'apiKey', options.apiKey) }),
  secrets: (config) => [config.apiKey],
  prepare: (event) => ({ type: 'item', item: { id: event.userId } }),
  request: ([item]) => ({ method: 'POST', url: 'https://acme.test/identify', headers: {}, body: item }),
})

describe('the redactor', () => {
  const redact = createRedactor([acme({ apiKey: 'ak_live_secret' })])

  it("removes a provider's configured secret from text", () => {
    expect(redact.text('refused key ak_live_secret')).toBe('refused key [redacted]')
  })

  it('removes Bearer and Basic credentials, configured or not', () => {
    expect(redact.text('Authorization: Bearer abc.def-123 and Basic d2s6')).toBe('Authorization: Bearer [redacted] and Basic [redacted]')
  })

  it('redacts every string in a JSON value, and returns the value itself when nothing is secret', () => {
    const clean = { a: ['x'] }
    expect(redact.value(clean)).toBe(clean)
    expect(redact.value({ echo: { key: 'ak_live_secret' } })).toEqual({ echo: { key: '[redacted]' } })
    expect(redact.value(undefined)).toBeUndefined()
  })

  it('keeps a marker, not the value, for one nested past what JSON.stringify can write (JSON.parse reads it)', () => {
    const depth = 200_000
    const deep = JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`)
    expect(redact.value(deep)).toBe('[not kept: nested too deeply to copy]')
  })

  it('copies an error with its message redacted, keeping its name and code', () => {
    const original = Object.assign(new TypeError('fetch https://acme.test/?k=ak_live_secret failed'), { code: 'ECONNRESET' })
    const copy = redact.error(original)
    expect(copy).toMatchObject({ name: 'TypeError', code: 'ECONNRESET', message: 'fetch https://acme.test/?k=[redacted] failed' })
    expect(redact.error('ak_live_secret').message).toBe('[redacted]')
  })

  it('shows a request with secret headers, the URL and the body redacted, pre-serialised JSON as its value', () => {
    const shown = redact.request({
      method: 'POST',
      url: 'https://acme.test/identify?key=ak_live_secret',
      headers: { authorization: 'Token anything', 'x-api-key': 'k', 'content-type': 'application/json', 'x-echo': 'ak_live_secret' },
      body: new JsonText('{"key":"ak_live_secret","n":1}'),
    })
    expect(shown).toEqual({
      method: 'POST',
      url: 'https://acme.test/identify?key=[redacted]',
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', 'content-type': 'application/json', 'x-echo': '[redacted]' },
      body: { key: '[redacted]', n: 1 },
    })
  })
})
