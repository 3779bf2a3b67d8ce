import { describe, expect, it } from 'vitest'
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

  it('is silent with false', () => {
    const log = safeLogger(false, (text) => text)
    expect(() => log.error('x')).not.toThrow()
  })
})
