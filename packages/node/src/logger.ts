import { ConfigError, type Provider } from '@idstitch/core'
import { createRedactor } from './redact.js'

/**
 * Where idstitch writes what it does. Every method is optional; lines start
 * with `[idstitch]` and never contain a key or token: the client redacts every
 * configured secret, and any `Bearer`/`Basic` credential, before calling it.
 */
export interface Logger {
  debug?(message: string): void
  info?(message: string): void
  warn?(message: string): void
  error?(message: string): void
}

/** Warnings and errors to the console; nothing else. */
export const consoleLogger: Logger = {
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
}

/** Wraps a logger so every line is prefixed and passed through `redact`, and a throwing logger cannot break delivery. */
export const safeLogger = (logger: Logger | false | undefined, redact: (text: string) => string): Required<Logger> => {
  const target = logger === false ? {} : (logger ?? consoleLogger)
  const level = (name: keyof Logger) => (message: string) => {
    const write = target[name]
    if (!write) return
    try {
      write.call(target, redact(message.startsWith('[idstitch]') ? message : `[idstitch] ${message}`))
    } catch {
      // A logger that throws must not take delivery down with it.
    }
  }
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') }
}

/**
 * The logger of a sink's consumer (a queue worker), as the pipeline's: every line prefixed `[idstitch]`,
 * every provider credential in it redacted, and a logger that throws harmless. `false` for silence.
 *
 * @example
 * const log = createLogger(providers, process.env.NODE_ENV === 'test' ? false : undefined)
 * log.warn('paused for 30 s')
 */
export const createLogger = (providers: readonly Provider[], logger?: Logger | false): Required<Logger> => {
  if (logger !== undefined && logger !== false && (typeof logger !== 'object' || logger === null)) throw new ConfigError('logger', 'must be an object with warn/error methods, or false')
  return safeLogger(logger, createRedactor(providers).text)
}
