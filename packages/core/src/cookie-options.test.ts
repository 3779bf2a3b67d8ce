import { describe, expect, it } from 'vitest'
import { checkCookieOptions } from './cookie-options.js'
import { ConfigError } from './errors.js'

/** The ConfigError `options` throw: its option and message. */
const refusalOf = (options: unknown) => {
  try {
    checkCookieOptions(options)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return { option: (error as ConfigError).option, message: (error as ConfigError).message }
  }
  throw new Error('the options were accepted')
}

describe("the cookie helpers' options", () => {
  it('takes none, and every option as the helpers document it', () => {
    expect(() => checkCookieOptions(undefined)).not.toThrow()
    expect(() => checkCookieOptions({ preset: 'pathbound', name: 'my_visitor-id', domain: 'example.com', secure: false, maxAgeDays: 30.5, refreshAfterMs: 60_000, trustProxy: true, respectGpc: false })).not.toThrow()
    expect(() => checkCookieOptions({ domain: '.Example.COM' })).not.toThrow()
  })

  it('names the option at fault: a domain or name that would make Set-Cookie another header, a lifetime that deletes the cookie', () => {
    expect(refusalOf({ domain: 'example.com; Path=/admin' })).toEqual({ option: 'domain', message: "[idstitch] invalid option `domain`: must be a domain like 'example.com', got 'example.com; Path=/admin'" })
    expect(refusalOf({ domain: 'https://example.com' }).option).toBe('domain')
    expect(refusalOf({ name: 'visitor id' }).option).toBe('name')
    expect(refusalOf({ name: 'a=b' }).option).toBe('name')
    expect(refusalOf({ maxAgeDays: 0 })).toEqual({ option: 'maxAgeDays', message: '[idstitch] invalid option `maxAgeDays`: must be more than 0 days, got 0' })
    expect(refusalOf({ maxAgeDays: -30 }).option).toBe('maxAgeDays')
    expect(refusalOf({ maxAgeDays: '30' }).option).toBe('maxAgeDays')
    expect(refusalOf({ refreshAfterMs: 10 }).option).toBe('refreshAfterMs')
    expect(refusalOf({ secure: 'false' }).option).toBe('secure')
    expect(refusalOf({ trustProxy: 1.5 }).option).toBe('trustProxy')
    expect(refusalOf({ respectGpc: 'yes' }).option).toBe('respectGpc')
    expect(refusalOf('example.com').option).toBe('options')
  })

  it('refuses an option no helper takes, which would leave its default in force: the one meant, or the list', () => {
    expect(refusalOf({ Domain: 'example.com' })).toEqual({ option: 'Domain', message: '[idstitch] invalid option `Domain`: is not an option; did you mean `domain`?' })
    expect(refusalOf({ max_age_days: 30 }).message).toContain('did you mean `maxAgeDays`?')
    expect(refusalOf({ maxAge: 30 })).toEqual({
      option: 'maxAge',
      message: '[idstitch] invalid option `maxAge`: is not one of preset, name, domain, secure, maxAgeDays, refreshAfterMs, trustProxy, respectGpc',
    })
  })
})
