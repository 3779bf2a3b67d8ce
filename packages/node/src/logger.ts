import { ConfigError, type Provider } from '@idstitch/core'
import { printable } from '@idstitch/core/internal'
import { settled } from './callbacks.js'
import { createRedactor } from './redact.js'

/**
 * Where idstitch writes what it does. Every method is optional; lines start
 * with `[idstitch]` and never contain a key or token: the client redacts every
 * configured secret, and any `Bearer`/`Basic` credential, before calling it.
 */
export interface Logger {
  /** `fields`: the line's facts as data (provider, attempt, status, code, …), for a structured logger. */
  debug?(message: string, fields?: LogFields): void
  info?(message: string, fields?: LogFields): void
  warn?(message: string, fields?: LogFields): void
  error?(message: string, fields?: LogFields): void
}

/**
 * The facts of a log line, beside its message: providers, hosts, paths, statuses, codes, counts and timings,
 * never a user id, a trait or a secret. winston takes them as its `meta`; for pino, which takes the object
 * first, pass `{ debug: (message, fields) => pino.debug(fields, message), … }`.
 */
export type LogFields = Record<string, string | number | boolean | undefined>

/** Warnings and errors to the console; nothing else. */
export const consoleLogger: Logger = {
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
}

/** With `debug`, the console's debug lines too, their fields beside them. */
const debugConsole: Logger = { ...consoleLogger, debug: (message, fields) => (fields ? console.debug(message, fields) : console.debug(message)) }

/** `fields` with every string value passed through `redact`, and printable. */
const redactFields = (fields: LogFields, redact: (text: string) => string): LogFields =>
  Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, typeof value === 'string' ? printable(redact(value)) : value]))

/**
 * Wraps a logger so every line is prefixed, passed through `redact` (its fields too) and made printable (a
 * control character shows as its escape, `\u001b`), and a throwing logger cannot break delivery. With `debug`
 * and no logger given, the console also gets the debug lines.
 */
export const safeLogger = (logger: Logger | false | undefined, redact: (text: string) => string, debug = false): Required<Logger> => {
  const target = logger === false ? {} : (logger ?? (debug ? debugConsole : consoleLogger))
  const level = (name: keyof Logger) => (message: string, fields?: LogFields) => {
    const write = target[name]
    if (!write) return
    try {
      // printable: a line may quote what a browser sent (a trait's name in a validation issue) or a provider said.
      const line = printable(redact(message.startsWith('[idstitch]') ? message : `[idstitch] ${message}`))
      settled(fields ? write.call(target, line, redactFields(fields, redact)) : write.call(target, line))
    } catch {
      // A logger that throws (or rejects: settled) must not take delivery down with it.
    }
  }
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') }
}

/**
 * The logger of a sink's consumer (a queue worker), as the pipeline's: every line prefixed `[idstitch]`,
 * every provider credential in it redacted, and a logger that throws harmless. `false` for silence. With
 * `debug` and no logger given, the console gets the debug lines too.
 *
 * @example
 * const log = createLogger(providers, process.env.NODE_ENV === 'test' ? false : undefined)
 * log.warn('paused for 30 s')
 */
export const createLogger = (providers: readonly Provider[], logger?: Logger | false, debug = false): Required<Logger> => {
  if (logger !== undefined && logger !== false && (typeof logger !== 'object' || logger === null)) throw new ConfigError('logger', 'must be an object with warn/error methods, or false')
  return safeLogger(logger, createRedactor(providers).text, debug)
}
