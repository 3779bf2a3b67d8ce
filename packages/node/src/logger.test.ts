import { describe, expect, it } from 'vitest'
import { redactCredentials, safeLogger } from './logger.js'

describe('logger', () => {
  it('prefixes lines, redacts, and survives a throwing logger', () => {
    const lines: string[] = []
    const log = safeLogger({ warn: (line) => lines.push(line), error: () => { throw new Error('down') } }, (text) => text.replace('k_1', '[redacted]'))
    log.warn('key k_1 seen')
    log.error('ignored')
    log.debug('no debug method')
    expect(lines).toEqual(['[idstitch] key [redacted] seen'])
  })

  it('removes Bearer and Basic credentials', () => {
    expect(redactCredentials('Authorization: Bearer abc.def-123 and Basic d2s6')).toBe('Authorization: Bearer [redacted] and Basic [redacted]')
  })

  it('is silent with false', () => {
    const log = safeLogger(false, (text) => text)
    expect(() => log.error('x')).not.toThrow()
  })
})
