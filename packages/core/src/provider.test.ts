import { describe, expect, it } from 'vitest'
import { defaultParse, defineProvider, errorMessage, isHttpUrl, joinUrl, requireString, requireUrl } from './provider.js'

describe('defineProvider', () => {
  const definition = {
    name: 'acme',
    configure: (options: { token: string }, fail: (option: string, message: string) => never) => (options.token ? options : fail('token', 'is required')),
    secrets: (config: { token: string }) => [config.token],
    prepare: (event: { userId: string }) => ({ type: 'item' as const, item: event.userId }),
    request: (items: readonly string[], config: { token: string }) => ({ method: 'POST' as const, url: 'https://acme.test', headers: { authorization: `Bearer ${config.token}` }, body: items }),
  }
  const acme = defineProvider<{ token: string }, string>(definition)

  it('makes a factory whose providers hide their credentials', () => {
    const provider = acme({ token: 'tok_secret' })
    expect(provider.name).toBe('acme')
    expect(JSON.stringify(provider)).toBe('{"name":"acme","kind":"acme"}')
    expect(provider.redact('token tok_secret leaked')).toBe('token [redacted] leaked')
    expect(provider.parse({ status: 201, headers: {}, body: { id: 1 } }, 0, provider.request(['u']))).toEqual({ ok: true, data: { id: 1 } })
  })

  it('names the provider and option in configuration errors, and validates names', () => {
    expect(() => acme({ token: '' })).toThrowError('[idstitch] acme: invalid option `token`: is required')
    expect(() => acme({ token: 't', name: 'has space' })).toThrowError(expect.objectContaining({ option: 'name' }))
    expect(() => acme(null as never)).toThrowError(expect.objectContaining({ option: 'options' }))
    expect(acme({ token: 'tok_1', name: 'acme-eu' }).name).toBe('acme-eu')
  })

  it('refuses an option its definition does not list, naming it and the ones it takes; without a list, takes any', () => {
    const listed = defineProvider<{ token: string; host?: string }, string>({ ...definition, name: 'listed', options: ['token', 'host'] })
    expect(listed({ token: 't', host: 'https://eu.acme.test', name: 'listed-eu' }).name).toBe('listed-eu')
    expect(() => listed({ token: 't', hostUrl: 'https://eu.acme.test' } as never)).toThrowError(
      expect.objectContaining({ name: 'ConfigError', provider: 'listed', option: 'hostUrl', message: '[idstitch] listed: invalid option `hostUrl`: is not one of token, host, name' }),
    )
    expect(() => listed({ token: 't', HOST: 'https://eu.acme.test' } as never)).toThrowError('[idstitch] listed: invalid option `HOST`: is not an option; did you mean `host`?')
    expect(() => listed({ token: 't', host: undefined, extra: undefined } as never)).toThrowError(expect.objectContaining({ option: 'extra' }))
    expect(acme({ token: 't', anything: 1 } as never).name).toBe('acme')
  })

  it('fails a 2xx web page when the API answers JSON: the request reached another server', () => {
    const json = defineProvider<{ token: string }, string>({ ...definition, name: 'json', answersJson: true })({ token: 't' })
    const answer = (status: number, type: string | undefined, body: unknown) => json.parse({ status, headers: type ? { 'content-type': type } : {}, body }, 0, json.request(['u']))
    const page = '<!doctype html><title>Welcome to nginx!</title>'
    expect(answer(200, 'text/html; charset=utf-8', page)).toEqual({ ok: false, code: 'provider_rejected', message: expect.stringMatching(/^a web page, not the API's JSON: .*check the base URL/) })
    expect(answer(200, 'application/json', { id: 1 })).toEqual({ ok: true, data: { id: 1 } })
    // No body, whatever its type (GA4's 204), is no page, nor is JSON labelled text/html; an error status stays the status's failure.
    expect(answer(204, 'text/html', '')).toEqual({ ok: true, data: '' })
    expect(answer(200, 'text/html', '{"status":"success"}')).toEqual({ ok: true, data: '{"status":"success"}' })
    expect(answer(502, 'text/html', page)).toMatchObject({ ok: false, code: 'http_error' })
    // An API of the app's own may answer a page (Express's res.send('OK') is text/html): without the flag, success.
    expect(acme({ token: 't' }).parse({ status: 200, headers: { 'content-type': 'text/html' }, body: 'OK' }, 0, acme({ token: 't' }).request(['u']))).toEqual({ ok: true, data: 'OK' })
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

describe('the shared option checks', () => {
  const fail = (option: string, message: string): never => {
    throw new Error(`${option}: ${message}`)
  }

  it('takes a key that is a non-empty string without stray whitespace, and names what is wrong otherwise', () => {
    expect(requireString(fail, 'apiKey', 'df_1')).toBe('df_1')
    expect(() => requireString(fail, 'apiKey', undefined)).toThrow('apiKey: is required (is the environment variable set?)')
    expect(() => requireString(fail, 'apiKey', null)).toThrow('apiKey: is required (is the environment variable set?)')
    expect(() => requireString(fail, 'apiKey', '')).toThrow('apiKey: is required (is the environment variable set?)')
    expect(() => requireString(fail, 'apiKey', 42)).toThrow('apiKey: must be a string, got number')
    expect(() => requireString(fail, 'apiKey', 'df_1\n')).toThrow('apiKey: has leading or trailing whitespace')
  })

  it('takes an absolute http(s) URL without credentials in it', () => {
    expect(requireUrl(fail, 'baseUrl', 'https://api.example.test/v1?x=1')).toBe('https://api.example.test/v1?x=1')
    for (const url of ['api.example.test', 'ftp://api.example.test', 'https://', 3]) expect(() => requireUrl(fail, 'baseUrl', url)).toThrow('baseUrl: must be an absolute http(s) URL')
    expect(() => requireUrl(fail, 'baseUrl', 'https://key:secret@api.example.test')).toThrow('baseUrl: must not hold credentials')
  })
})
