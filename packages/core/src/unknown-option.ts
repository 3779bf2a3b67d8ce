// Why an option is refused when a function does not take it: a misspelled option (`dryrun`, `baseURL`,
// `timeout`) silently ignored leaves its default in force, which an app finds out only in production.
import { ConfigError } from './errors.js'

/** Lower case, letters and digits only: `dry_run`, `dryrun` and `DryRun` all read `dryrun`. */
const squashed = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '')

/** The message for `option`, which is not among `known`: the one it was likely meant to be, or those there are. */
export const unknownOptionMessage = (option: string, known: readonly string[]): string => {
  const meant = known.find((name) => squashed(name) === squashed(option))
  return meant === undefined ? `is not one of ${known.join(', ')}` : `is not an option; did you mean \`${meant}\`?`
}

/** The first of `options`' own names that is not among `known`, if any. */
export const firstUnknownOption = (options: object, known: readonly string[]): string | undefined => Object.keys(options).find((option) => !known.includes(option))

/** Throws a `ConfigError` for the first of `options`' names that is not among `known` (what is no object is the schema's to refuse). */
export const refuseUnknownOptions = (options: unknown, known: readonly string[]): void => {
  const unknown = typeof options === 'object' && options !== null ? firstUnknownOption(options, known) : undefined
  if (unknown !== undefined) throw new ConfigError(unknown, unknownOptionMessage(unknown, known))
}
