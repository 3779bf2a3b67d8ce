import { describe, expect, it } from 'vitest'
import { defaultParse, defineProvider, errorMessage, isHttpUrl, joinUrl } from './provider.js'

describe('defineProvider', () => {
  const acme = defineProvider<{ token: string }, string>({
    name: 'acme',
    configure: (options, fail) => (options.token ? options : fail('token', 'is required')),
    secrets: (config) => [config.token],
    prepare: (event) => ({ type: 'item', item: event.userId }),
    request: (items, config) => ({ method: 'POST', url: 'https://acme.test', headers: { authorization: `Bearer ${config.token}` }, body: items }),
  })

  it('makes a factory whose providers hide their credentials', () => {
    const provider = acme({ token: 'tok_secret' })
    expect(provider.name).toBe('acme')
    expect(JSON.stringify(provider)).toBe('{"name":"acme"}')
    expect(provider.redact('token tok_secret leaked')).toBe('token [redacted] leaked')
    expect(provider.parse({ status: 201, headers: {}, body: { id: 1 } }, 0)).toEqual({ ok: true, data: { id: 1 } })
  })

  it('names the provider and option in configuration errors, and validates names', () => {
    expect(() => acme({ token: '' })).toThrowError('[idstitch] acme: invalid option `token`: is required')
    expect(() => acme({ token: 't', name: 'has space' })).toThrowError(expect.objectContaining({ option: 'name' }))
    expect(() => acme(null as never)).toThrowError(expect.objectContaining({ option: 'options' }))
    expect(acme({ token: 'tok_1', name: 'acme-eu' }).name).toBe('acme-eu')
  })
})

describe('helpers', () => {
  it('read the common error envelopes', () => {
    expect(errorMessage({ status: 'error', error: { code: 400, message: 'bad uuid' } }, 400)).toBe('bad uuid')
    expect(errorMessage({ status: 'error', message: 'nope', error_code: 'X' }, 400)).toBe('nope')
    expect(errorMessage({ status: 'error', error: 'Rate limit' }, 429)).toBe('Rate limit')
    expect(errorMessage('<html>Bad gateway</html>', 502)).toBe('<html>Bad gateway</html>')
    expect(errorMessage(undefined, 500)).toBe('status 500')
    expect(defaultParse({ status: 429, headers: {}, body: {} })).toEqual({ ok: false, code: 'rate_limited', message: 'status 429' })
  })

  it('join URLs and recognise http(s) URLs', () => {
    expect(joinUrl('https://a.test/', '/v1/x')).toBe('https://a.test/v1/x')
    expect(joinUrl('https://a.test/base', 'v1')).toBe('https://a.test/base/v1')
    expect(isHttpUrl('http://127.0.0.1:8080')).toBe(true)
    expect(isHttpUrl('api.dfend.app')).toBe(false)
    expect(isHttpUrl('ftp://x')).toBe(false)
  })
})
