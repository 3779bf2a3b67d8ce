import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { ConfigError, HttpError, IdstitchError, TimeoutError, ValidationError, isConfigError, isHttpError, isIdstitchError, isTimeoutError, isValidationError } from './errors.js'

describe('errors', () => {
  it('have names equal to their class, stable codes and readable messages', () => {
    const config = new ConfigError('apiKey', 'is required', { provider: 'datafast' })
    expect(config).toMatchObject({ name: 'ConfigError', code: 'config_invalid', option: 'apiKey', provider: 'datafast' })
    expect(config.message).toBe('[idstitch] datafast: invalid option `apiKey`: is required')
    const validation = new ValidationError([{ provider: 'dfend', path: 'traits.phone', message: 'must be E.164' }, { provider: 'dfend', path: 'traits.email', message: 'x' }])
    expect(validation.message).toBe('[idstitch] dfend: traits.phone must be E.164 (and 1 more)')
    expect(new HttpError('pathbound', 403, 'scope missing')).toMatchObject({ name: 'HttpError', code: 'http_error', status: 403 })
    expect(new TimeoutError('x', 100, 'deadline').code).toBe('deadline_exceeded')
    expect(config).toBeInstanceOf(IdstitchError)
    expect(config).toBeInstanceOf(Error)
  })

  it('are recognised across realms by their guards', () => {
    const foreign = runInNewContext('Object.assign(new Error("x"), { name: "HttpError", code: "http_error", status: 500 })')
    expect(foreign instanceof HttpError).toBe(false)
    expect(isHttpError(foreign)).toBe(true)
    expect(isIdstitchError(foreign)).toBe(true)
    expect(isTimeoutError(foreign)).toBe(false)
    expect(isConfigError(new Error('x'))).toBe(false)
    expect(isValidationError({ name: 'ValidationError' })).toBe(false)
  })
})
