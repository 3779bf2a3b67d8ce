import { ConfigError, ValidationError, isConfigError, isValidationError } from '@idstitch/core/cookies'
import { describe, expect, it } from 'vitest'
import { misconfigured, refusal } from './errors.js'

// The tracker's errors have core's classes' shape without being them: held to it here.
const fields = (error: Error) => ({ ...error, name: error.name, message: error.message })

describe("the tracker's errors", () => {
  it('refusal() is a ValidationError in all but its class', () => {
    const error = refusal('externalId', 'must be 1-100 cookie-safe characters')
    expect(error).toBeInstanceOf(Error)
    expect(fields(error)).toEqual(fields(new ValidationError([{ path: 'externalId', message: 'must be 1-100 cookie-safe characters' }], { source: 'identify()' })))
    expect(isValidationError(error)).toBe(true)
    expect(error.code).toBe('validation_failed')
  })

  it('misconfigured() is a ConfigError in all but its class', () => {
    const error = misconfigured('preset', "unknown preset 'x'")
    expect(fields(error)).toEqual(fields(new ConfigError('preset', "unknown preset 'x'")))
    expect(isConfigError(error)).toBe(true)
    expect(error.option).toBe('preset')
  })
})
