// The options of @idstitch/node's relay (createIdentifyHandler), checked with zod as every input idstitch takes.
import * as z from 'zod/mini'
import { DOMAIN, cookieDomain, count, flag, isFunction, isObject, ms, optionsObject, parseOptions, proxies, proxyHops, punycodeHint } from './option-schema.js'

/** The relay's options as checked, defaults filled in. `client` and `authenticate` are checked for their shape only, and typed by the caller. */
export interface CheckedRelayOptions {
  /** Lower case, without a trailing slash, as a browser's `Origin` header has them. */
  allowedOrigins: readonly string[]
  browserTraits: readonly string[] | undefined
  throttle: { limit: number; windowMs: number } | false
  /** How many proxies of the app's are in front: `trustProxy: true` is one, `false` none. */
  trustProxy: number
  clientIp: boolean
  respectGpc: boolean
  cookieDomain: string | undefined
  maxBodyBytes: number
  bodyTimeoutMs: number
}

/** A host a URL may name: a domain, or an IPv6 address in brackets. */
const HOST = String.raw`(?:${DOMAIN}|\[[0-9a-f:.]+\])`
/** An origin as a browser's `Origin` header names it: scheme, host and a port, never the scheme's default port. */
const ORIGIN = new RegExp(String.raw`^(https?)://${HOST}(?::(\d{1,5}))?$`)

/** `value` as a browser's `Origin` header would name it (lower case, no trailing slash), when it is an http(s) origin; `undefined` otherwise. */
const originOf = (value: string): string | undefined => {
  const origin = value.replace(/\/+$/, '').toLowerCase()
  const [, scheme, port] = ORIGIN.exec(origin) ?? []
  if (scheme === undefined) return undefined
  return port === undefined || Number(port) !== (scheme === 'https' ? 443 : 80) ? origin : undefined
}

let schema: ReturnType<typeof buildSchema> | undefined
/** Built on first use: zod's schema objects cost a cold start that an app without a relay should not pay. */
const buildSchema = () => {
  const origin = z.string({ error: 'must be a string' }).check(
    z.refine((value: string) => originOf(value) !== undefined, {
      error: (issue) => `must be an origin like 'https://www.example.com' (no path, no default port), got '${String(issue.input)}'${punycodeHint(String(issue.input))}`,
    }),
  )
  const throttle = optionsObject({ limit: count(1, 5), windowMs: ms(1, 60_000) }, 'must be an object or false')
  return optionsObject(
    {
      client: z.custom<object>((value) => isObject(value) && isFunction((value as { identify?: unknown }).identify), { error: 'must be a client from createClient() or a queue from createQueue()' }),
      authenticate: z.custom<object>(isFunction, { error: "must be a function that returns the session's user id" }),
      allowedOrigins: z._default(z.array(origin, { error: 'must be a list of origins' }), []),
      browserTraits: z.optional(z.array(z.string({ error: 'must be a trait name' }), { error: 'must be a list of trait names' })),
      throttle: z.prefault(z.union([z.literal(false), throttle], { error: 'must be an object or false' }), {}),
      trustProxy: proxies(),
      clientIp: flag(),
      respectGpc: flag(),
      cookieDomain: cookieDomain(),
      maxBodyBytes: count(1, 64 * 1024),
      bodyTimeoutMs: ms(1, 10_000),
    },
  )
}

/** Checks the relay's options and fills in the defaults. Throws a `ConfigError` naming the first option at fault. */
export const checkRelayOptions = (options: unknown): CheckedRelayOptions => {
  const checked = parseOptions((schema ??= buildSchema()), options)
  return {
    allowedOrigins: checked.allowedOrigins.map((origin) => originOf(origin) as string),
    browserTraits: checked.browserTraits,
    throttle: checked.throttle,
    trustProxy: proxyHops(checked.trustProxy),
    clientIp: checked.clientIp !== false,
    respectGpc: checked.respectGpc === true,
    cookieDomain: checked.cookieDomain,
    maxBodyBytes: checked.maxBodyBytes,
    bodyTimeoutMs: checked.bodyTimeoutMs,
  }
}
