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

  it("show a field's name in a ValidationError's message as printable text, and keep it as sent in its issues", () => {
    // A trait a browser named, through the relay: in an app's log, a raw newline would forge a line.
    const path = 'traits.\u001b[2J\n[idstitch] ok'
    const validation = new ValidationError([{ provider: 'pathbound', path, message: 'is nested more than 32 levels deep' }])
    expect(validation.message).toBe('[idstitch] pathbound: traits.\\u001b[2J\\u000a[idstitch] ok is nested more than 32 levels deep')
    expect(validation.issues[0]?.path).toBe(path)
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
