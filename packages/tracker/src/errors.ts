import type { ConfigError, ValidationError } from '@idstitch/core/cookies'

/**
 * The tracker's errors: plain `Error`s with the same `name`, `code`, `message`
 * and fields as `@idstitch/core`'s `ConfigError` and `ValidationError`, which
 * the `isConfigError()`/`isValidationError()` guards recognise. Not the
 * classes themselves: the tracker exports no error class (its types only), so
 * nothing can tell the difference, and the classes cost the script tag about
 * 200 B brotli (bench §1). A test holds the two to the same shape.
 */
const shaped = <T extends Error>(name: T['name'], code: string, message: string, fields: object): T =>
  Object.assign(new Error('[idstitch] ' + message), { name, code }, fields) as unknown as T

/** A `ValidationError` from `identify()`, naming the argument at fault. */
export const refusal = (path: string, message: string): ValidationError =>
  shaped('ValidationError', 'validation_failed', 'identify(): ' + path + ' ' + message, { issues: [{ path, message }], source: 'identify()' })

/** A `ConfigError` naming the option at fault. */
export const misconfigured = (option: string, message: string): ConfigError => shaped('ConfigError', 'config_invalid', 'invalid option `' + option + '`: ' + message, { option })
