import { describe, expect, it, vi } from 'vitest'
import { safeLogger } from './logger.js'

describe('logger', () => {
  it('prefixes lines, redacts, and survives a throwing logger', () => {
    const lines: string[] = []
    const log = safeLogger({ warn: (line) => lines.push(line), error: () => { throw new Error('down') } }, (text) => text.replace('k_1', '[redacted]'))
    log.warn('key k_1 seen')
    log.error('ignored')
    log.debug('no debug method')
    expect(lines).toEqual(['[idstitch] key [redacted] seen'])
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
})
