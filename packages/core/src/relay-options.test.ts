import { describe, expect, it } from 'vitest'
import { ConfigError } from './errors.js'
import { checkRelayOptions } from './relay-options.js'

const base = { client: { identify: async () => ({}) }, authenticate: () => 'usr_1' }

/** The ConfigError `options` throw: its option and message. */
const refusalOf = (options: unknown) => {
  try {
    checkRelayOptions(options)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return { option: (error as ConfigError).option, message: (error as ConfigError).message }
  }
  throw new Error('the options were accepted')
}

describe("the relay's options", () => {
  it('fills in the defaults', () => {
    expect(checkRelayOptions(base)).toEqual({
      allowedOrigins: [],
      browserTraits: undefined,
      throttle: { limit: 5, windowMs: 60_000 },
      trustProxy: 0,
      clientIp: true,
      respectGpc: false,
      cookieDomain: undefined,
      maxBodyBytes: 65_536,
      bodyTimeoutMs: 10_000,
    })
    expect(checkRelayOptions({ ...base, throttle: false }).throttle).toBe(false)
    // How many proxies of the app's are in front: true is one.
    expect([true, false, 2].map((trustProxy) => checkRelayOptions({ ...base, trustProxy }).trustProxy)).toEqual([1, 0, 2])
    expect(checkRelayOptions({ ...base, throttle: { limit: 10 } }).throttle).toEqual({ limit: 10, windowMs: 60_000 })
  })

  it('takes origins as a browser sends them, in lower case and without a trailing slash', () => {
    const allowed = ['https://WWW.Example.com/', 'http://localhost:3000', 'https://shop.example.co.uk:8443', 'http://127.0.0.1:8080', 'http://[::1]:3000']
    expect(checkRelayOptions({ ...base, allowedOrigins: allowed }).allowedOrigins).toEqual([
      'https://www.example.com',
      'http://localhost:3000',
      'https://shop.example.co.uk:8443',
      'http://127.0.0.1:8080',
      'http://[::1]:3000',
    ])
  })

  it('refuses an origin no browser would send, which would never match: no scheme, a path, a default port, another scheme', () => {
    for (const [index, origin] of ['www.example.com', 'https://www.example.com/app', 'https://www.example.com:443', 'http://example.com:80', 'ftp://example.com', 'https://exämple.com', '*'].entries()) {
      const refusal = refusalOf({ ...base, allowedOrigins: ['https://ok.example.com', origin] })
      expect(refusal.option, String(index)).toBe('allowedOrigins[1]')
      expect(refusal.message).toContain(`got '${origin}'`)
    }
  })

  it('names the option at fault, for each option', () => {
    expect(refusalOf(undefined)).toEqual({ option: 'options', message: '[idstitch] invalid option `options`: must be an object' })
    expect(refusalOf({ ...base, client: {} }).option).toBe('client')
    expect(refusalOf({ authenticate: base.authenticate }).option).toBe('client')
    expect(refusalOf({ client: base.client }).message).toBe("[idstitch] invalid option `authenticate`: must be a function that returns the session's user id")
    expect(refusalOf({ ...base, allowedOrigins: 'https://www.example.com' }).option).toBe('allowedOrigins')
    expect(refusalOf({ ...base, browserTraits: ['plan', 3] }).option).toBe('browserTraits[1]')
    expect(refusalOf({ ...base, throttle: { limit: 0 } })).toEqual({ option: 'throttle.limit', message: '[idstitch] invalid option `throttle.limit`: must be an integer >= 1, got 0' })
    expect(refusalOf({ ...base, throttle: true }).option).toBe('throttle')
    expect(refusalOf({ ...base, trustProxy: 'yes' }).option).toBe('trustProxy')
    expect(refusalOf({ ...base, respectGpc: 1 }).option).toBe('respectGpc')
    expect(refusalOf({ ...base, cookieDomain: 'example.com; Path=/x' }).message).toBe("[idstitch] invalid option `cookieDomain`: must be a domain like 'example.com', got 'example.com; Path=/x'")
    expect(refusalOf({ ...base, maxBodyBytes: 1.5 }).option).toBe('maxBodyBytes')
    expect(refusalOf({ ...base, bodyTimeoutMs: -1 }).option).toBe('bodyTimeoutMs')
    // Past a timer's longest wait, the body's timer fired at once: every call a 408.
    expect(refusalOf({ ...base, bodyTimeoutMs: 2 ** 31 }).option).toBe('bodyTimeoutMs')
    expect(refusalOf({ ...base, throttle: { windowMs: 2 ** 31 } }).option).toBe('throttle.windowMs')
  })

  it('says to write a domain with letters other than ASCII\'s (an IDN) in punycode, as browsers send it', () => {
    const hint = "; write its domain in punycode ('xn--bcher-kva.example' for 'b\u00fccher.example'), as browsers send it"
    expect(refusalOf({ ...base, allowedOrigins: ['https://b\u00fccher.example'] })).toEqual({
      option: 'allowedOrigins[0]',
      message: `[idstitch] invalid option \`allowedOrigins[0]\`: must be an origin like 'https://www.example.com' (no path, no default port), got 'https://b\u00fccher.example'${hint}`,
    })
    expect(checkRelayOptions({ ...base, allowedOrigins: ['https://xn--bcher-kva.example'] }).allowedOrigins).toEqual(['https://xn--bcher-kva.example'])
    expect(refusalOf({ ...base, cookieDomain: '.b\u00fccher.example' }).message).toBe(`[idstitch] invalid option \`cookieDomain\`: must be a domain like 'example.com', got '.b\u00fccher.example'${hint}`)
    expect(refusalOf({ ...base, allowedOrigins: ['https://www.example.com/path'] }).message).not.toContain('punycode')
  })

  it('refuses an option it does not take, even inside throttle: an ignored one would leave its default in force', () => {
    expect(refusalOf({ ...base, allowedorigins: ['https://www.example.com'] })).toEqual({
      option: 'allowedorigins',
      message: '[idstitch] invalid option `allowedorigins`: is not an option; did you mean `allowedOrigins`?',
    })
    expect(refusalOf({ ...base, origins: ['https://www.example.com'] }).message).toBe(
      '[idstitch] invalid option `origins`: is not one of client, authenticate, allowedOrigins, browserTraits, throttle, trustProxy, clientIp, respectGpc, cookieDomain, maxBodyBytes, bodyTimeoutMs',
    )
    expect(refusalOf({ ...base, throttle: { limit: 2, window: 1_000 } })).toEqual({ option: 'throttle.window', message: '[idstitch] invalid option `throttle.window`: is not one of limit, windowMs' })
  })

  it('takes a cookie domain with or without its leading dot', () => {
    expect(checkRelayOptions({ ...base, cookieDomain: 'Example.com' }).cookieDomain).toBe('Example.com')
    expect(checkRelayOptions({ ...base, cookieDomain: '.example.com' }).cookieDomain).toBe('.example.com')
  })
})
