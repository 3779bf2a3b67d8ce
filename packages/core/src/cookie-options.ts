// The options of @idstitch/node's cookie helpers (loginCookies, contactCookie, visitorCookies and the rest),
// checked with zod as every input idstitch takes. The preset's name is checked where it is read (presetNamed).
import * as z from 'zod/mini'
import { cookieDomain, flag, optionsObject, parseOptions, proxies } from './option-schema.js'

/** A cookie name (RFC 6265's token): letters, digits and ``!#$%&'*+-.^_`|~``. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

let schema: ReturnType<typeof buildSchema> | undefined
/** Built on first use: zod's schema objects cost a cold start that an app which never sets a cookie should not pay. */
const buildSchema = () =>
  optionsObject(
    {
      preset: z.optional(z.string({ error: "must be 'idstitch', 'pathbound' or 'datafast'" })),
      name: z.optional(z.string({ error: 'must be a cookie name' }).check(z.regex(COOKIE_NAME, { error: (issue) => `must be a cookie name (letters, digits and !#$%&'*+-.^_\`|~), got '${String(issue.input)}'` }))),
      domain: cookieDomain(),
      secure: flag(),
      maxAgeDays: z.optional(z.number({ error: 'must be a number of days' }).check(z.positive({ error: (issue) => `must be more than 0 days, got ${String(issue.input)}` }))),
      refreshAfterMs: z.optional(z.int({ error: 'must be an integer of ms' }).check(z.gte(1_000, { error: (issue) => `must be at least 1,000 ms, got ${String(issue.input)}` }))),
      trustProxy: proxies(),
      respectGpc: flag(),
    },
  )

/**
 * Checks a cookie helper's options: the cookie's `name`, `domain`, `secure` and `maxAgeDays`, and the
 * `refreshAfterMs`, `trustProxy` and `respectGpc` of the helpers that take them. Throws a `ConfigError`
 * naming the first option at fault (`domain`), or one no helper takes (`maxAge`, `Domain`).
 */
export const checkCookieOptions = (options: unknown): void => {
  parseOptions((schema ??= buildSchema()), options ?? {})
}
