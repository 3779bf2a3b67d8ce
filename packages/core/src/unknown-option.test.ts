import { describe, expect, it } from 'vitest'
import { firstUnknownOption, unknownOptionMessage } from './unknown-option.js'

describe('unknownOptionMessage', () => {
  it('names the option meant when only case, _ or - tell them apart', () => {
    expect(unknownOptionMessage('dryrun', ['timeoutMs', 'dryRun'])).toBe('is not an option; did you mean `dryRun`?')
    expect(unknownOptionMessage('dry_run', ['timeoutMs', 'dryRun'])).toBe('is not an option; did you mean `dryRun`?')
    expect(unknownOptionMessage('baseURL', ['apiKey', 'baseUrl'])).toBe('is not an option; did you mean `baseUrl`?')
  })

  it('lists the options there are otherwise', () => {
    expect(unknownOptionMessage('timeout', ['timeoutMs', 'dryRun'])).toBe('is not one of timeoutMs, dryRun')
  })
})

describe('firstUnknownOption', () => {
  it('finds the first own name not known, present even when undefined', () => {
    expect(firstUnknownOption({ timeoutMs: 1, dryRun: true }, ['timeoutMs', 'dryRun'])).toBeUndefined()
    expect(firstUnknownOption({ timeoutMs: 1, retries: undefined, x: 1 }, ['timeoutMs'])).toBe('retries')
  })
})
