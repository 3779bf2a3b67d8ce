import { describe, expect, it, vi } from 'vitest'
import { pathbound } from '@idstitch/core/providers'
import { createLogger, safeLogger } from './logger.js'

describe('logger', () => {
  it('prefixes lines, redacts, and survives a throwing logger', () => {
    const lines: string[] = []
    const log = safeLogger({ warn: (line) => lines.push(line), error: () => { throw new Error('down') } }, (text) => text.replace('k_1', '[redacted]'))
    log.warn('key k_1 seen')
    log.error('ignored')
    log.debug('no debug method')
    expect(lines).toEqual(['[idstitch] key [redacted] seen'])
  })

  it('shows control characters as escapes, in the line and its fields: no forged line, no escape sequence', () => {
    const calls: unknown[][] = []
    const log = safeLogger({ warn: (...args: unknown[]) => calls.push(args) }, (text) => text)
    log.warn('traits.\u001b[2J\n[idstitch] all good is nested too deep', { provider: 'x\r\u202e', attempt: 1 })
    expect(calls).toEqual([['[idstitch] traits.\\u001b[2J\\u000a[idstitch] all good is nested too deep', { provider: 'x\\u000d\\u202e', attempt: 1 }]])
  })

  it('is silent with false: nothing reaches the console', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const log = safeLogger(false, (text) => text)
    log.error('x')
    log.warn('y')
    expect(error).not.toHaveBeenCalled()
    expect(warn).not.toHaveBeenCalled()
    vi.restoreAllMocks()
  })

  it('writes warnings and errors to the console by default', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    safeLogger(undefined, (text) => text).error('down')
    expect(error).toHaveBeenCalledWith('[idstitch] down')
    vi.restoreAllMocks()
  })

  it("gives a consumer's logger (a queue worker's) the console's debug lines when asked, with the key redacted", () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {})
    createLogger([pathbound({ apiKey: 'pb_secret_key_1' })], undefined, true).debug('sent with pb_secret_key_1', { event: 'delivered', provider: 'pathbound' })
    createLogger([pathbound({ apiKey: 'pb_secret_key_1' })]).debug('not shown')
    expect(debug.mock.calls).toEqual([['[idstitch] sent with [redacted]', { event: 'delivered', provider: 'pathbound' }]])
    vi.restoreAllMocks()
  })
})
