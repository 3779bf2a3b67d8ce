import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, isPermanentFailure } from './error-codes.js'

describe('the one table of error codes', () => {
  it('says which failures no later attempt can mend, by code, and by status for an HTTP answer', () => {
    expect(isPermanentFailure('redirect_refused', 307)).toBe(true)
    expect(isPermanentFailure('response_too_large')).toBe(true)
    expect(isPermanentFailure('provider_rejected', 200)).toBe(true)
    expect(isPermanentFailure('http_error', 400)).toBe(true)
    expect(isPermanentFailure('http_error', 503)).toBe(false)
    expect(isPermanentFailure('rate_limited', 429)).toBe(false)
    expect(isPermanentFailure('network_error')).toBe(false)
    expect(isPermanentFailure('deadline_exceeded')).toBe(false)
    expect(isPermanentFailure(undefined, 404)).toBe(true)
  })

  it("is the reference's (docs/reference.md): every code is in its table of errors, with its class", () => {
    const readme = readFileSync(new URL('../../../docs/reference.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf('## Errors'), readme.indexOf('```', readme.indexOf('## Errors')))
    const rows = section.split('\n').filter((line) => line.startsWith('| `'))
    for (const [code, { error }] of Object.entries(ERROR_CODES)) {
      const row = rows.find((line) => line.includes(`\`${code}\``))
      expect(row, `docs/reference.md's errors table lacks ${code}`).toBeDefined()
      expect(row?.startsWith(`| \`${error}\``), `docs/reference.md gives ${code} another class than ${error}`).toBe(true)
    }
  })
})
