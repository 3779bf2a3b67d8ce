// The parts the option schemas share (a client's, a relay's), and how a failed check becomes a ConfigError.
import * as z from 'zod/mini'
import { ConfigError } from './errors.js'
import { NON_ASCII } from './json.js'
import { pathOf } from './message.js'
import { unknownOptionMessage } from './unknown-option.js'

type Issue = { path: readonly PropertyKey[]; message: string; code?: string; errors?: Issue[][]; keys?: readonly string[] }

/** An integer >= `min`, `fallback` when absent. */
export const count = (min: number, fallback: number) => {
  const error = (issue: { input?: unknown }) => `must be an integer >= ${min}, got ${String(issue.input)}`
  return z._default(z.int({ error }).check(z.gte(min, { error })), fallback)
}

/** The longest a timer waits: setTimeout's 2^31 - 1 ms, about 24.8 days. Past it, Node's fires at once and ky refuses the timeout. */
export const MAX_TIMER_MS = 2_147_483_647

/** A duration a timer waits, in ms: an integer from `min` to {@link MAX_TIMER_MS}, `fallback` when absent. */
export const ms = (min: number, fallback: number) => {
  const error = (issue: { input?: unknown }) => `must be an integer of ms from ${min} to ${MAX_TIMER_MS} (a timer's longest wait), got ${String(issue.input)}`
  return z._default(z.int({ error }).check(z.gte(min, { error }), z.lte(MAX_TIMER_MS, { error })), fallback)
}

export type AnyFunction = (...args: never[]) => unknown
export const isFunction = (value: unknown): value is AnyFunction => typeof value === 'function'
export const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null
/** An optional function. */
export const fn = () => z.optional(z.custom<AnyFunction>(isFunction, { error: 'must be a function' }))
/** An optional `true` or `false`. */
export const flag = () => z.optional(z.boolean({ error: 'must be true or false' }))

/** An optional `trustProxy`: `true` (a proxy of the app's in front), `false`, or how many of its proxies are in front. */
export const proxies = () => {
  const error = (issue: { input?: unknown }) => `must be true, false or how many proxies of yours are in front (an integer), got ${String(issue.input)}`
  return z.optional(z.union([z.boolean({ error }), z.int({ error }).check(z.gte(0, { error }))], { error }))
}

/** How many proxies a `trustProxy` says are in front: `true` is one. */
export const proxyHops = (trustProxy: boolean | number | undefined): number => (trustProxy === true ? 1 : trustProxy || 0)

/** A domain name (or IPv4 address): labels of letters, digits and hyphens (a browser sends an IDN in punycode). */
export const DOMAIN = String.raw`[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*`
/** A domain a cookie may name, with a leading dot or not (`example.com`, `.example.com`). */
const COOKIE_DOMAIN = new RegExp(String.raw`^\.?${DOMAIN}$`, 'i')
/** An optional cookie domain. */
export const cookieDomain = () =>
  z.optional(
    z.string({ error: 'must be a domain' }).check(
      z.regex(COOKIE_DOMAIN, { error: (issue) => `must be a domain like 'example.com', got '${String(issue.input)}'${punycodeHint(String(issue.input))}` }),
    ),
  )

/** For the error on a domain written with letters other than ASCII's (an IDN): browsers send it in punycode. */
export const punycodeHint = (value: string): string => (NON_ASCII.test(value) ? `; write its domain in punycode ('xn--bcher-kva.example' for 'b\u00fccher.example'), as browsers send it` : '')

/**
 * An object of these options and no others: an option it does not take (`dryrun`, `timeout`) is an
 * error naming it, not ignored while its default stays in force. `error` is for a value that is no object.
 */
export const optionsObject = <Shape extends z.core.$ZodLooseShape>(shape: Shape, error = 'must be an object') =>
  z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? unknownOptionMessage(String(issue.keys[0]), Object.keys(shape)) : error) })

/**
 * The issue to report: for `false` or an object (`retry`, `dedupe`), the one
 * inside the object (`retry.limit`), not the union's own "invalid input".
 */
const innermost = (issue: Issue | undefined): Issue => {
  if (!issue) return { path: [], message: 'is invalid' }
  const inside = issue.code === 'invalid_union' ? issue.errors?.flat().find((branch) => branch.path.length > 0 || branch.code === 'unrecognized_keys') : undefined
  if (inside) return innermost({ ...inside, path: [...issue.path, ...inside.path] })
  // An option not taken: the path names it (`retry.limits`), not the object it is in.
  return issue.code === 'unrecognized_keys' ? { ...issue, path: [...issue.path, ...(issue.keys ?? []).slice(0, 1)] } : issue
}

/** `options` as `schema` reads them, defaults filled in; or a `ConfigError` naming the first option at fault. */
export const parseOptions = <S extends z.ZodMiniType>(schema: S, options: unknown): z.output<S> => {
  const parsed = schema.safeParse(options)
  if (parsed.success) return parsed.data
  const issue = innermost(parsed.error.issues[0])
  throw new ConfigError(pathOf(issue.path) || 'options', issue.message)
}
