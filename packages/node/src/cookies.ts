import { ValidationError, type Consent } from '@idstitch/core'
import { anonymousIdsFromCookies, checkCookieOptions, proxyHops } from '@idstitch/core/internal'
import { CONTACT_ID_RULE, LINKED_COOKIE, MAX_LINKED_IDS, OWNER_COOKIE, cookieSettings, isAnotherUser, isContactId, isUuid, ownerTag, type PresetName } from '@idstitch/core/cookies'
import { parse, serialize, type SerializeOptions } from 'cookie'
import Cookies from 'js-cookie'
import { clientIpOf, type ClientIpOptions, type ClientIpSource } from './client-ip.js'
import { gpcConsent } from './gpc.js'
import { headerValues } from './request-headers.js'

/**
 * Where to read cookies from: Node's `IncomingMessage` (Express, `node:http`),
 * a Fetch `Request` (Next.js route handlers, Hono, Workers), a `Headers`
 * object, or a raw `Cookie` header string.
 */
export type CookieSource = string | Headers | Request | { headers: Headers | Record<string, string | string[] | undefined> } | null | undefined

/** Options of {@link getVisitorId} and {@link getContactId}. */
export interface ReadCookieOptions {
  /** Whose cookie names to read: `'idstitch'` (default), `'pathbound'` or `'datafast'`, as in the tracker. */
  preset?: PresetName
  /** A cookie name that overrides the preset's. */
  name?: string
}

/** Options of {@link contactCookie}, {@link clearContactCookie} and {@link visitorCookie}. */
export interface SetCookieOptions extends ReadCookieOptions {
  /**
   * The domain to share the cookie with subdomains (`'example.com'` for `www.` and `app.`), as the
   * tracker's `cookieDomain: 'auto'` does. Default: host-only.
   */
  domain?: string
  /** Default `true`. Browsers drop `Secure` cookies on plain-http pages other than localhost. */
  secure?: boolean
  /** Default: the preset's lifetime (365 days). Past 400 days, 400: browsers keep a cookie no longer. */
  maxAgeDays?: number
}

/** The request's `Cookie` header (a raw string is one already). */
const cookieHeader = (source: CookieSource): string => (typeof source === 'string' ? source : headerValues(source, 'cookie').join('; '))

/** Every value the header holds for `name` (a host-only and a domain cookie may both be sent). */
export const valuesOf = (source: CookieSource, name: string): string[] =>
  cookieHeader(source)
    .split(';')
    .map((pair) => parse(pair)[name])
    .filter((value): value is string => value !== undefined)

/**
 * The one valid value among a cookie's: a browser sends every cookie of a name whose path and domain match
 * (one planted on `Path=/login`, beside the site's own), so two different valid values are two claims, and
 * neither is taken (a planted visitor id would otherwise be stitched to whoever logs in there).
 */
const onlyValue = (values: readonly string[], valid: (value: string) => boolean): string | undefined => {
  const distinct = new Set(values.filter(valid))
  return distinct.size === 1 ? (distinct.values().next().value as string) : undefined
}

/**
 * The visitor id from the request's visitor cookie, only when it is a UUID
 * (a tampered value gives `undefined`), and the only one the request holds
 * (two different ids, one of them planted on a narrower path, give `undefined`).
 *
 * @example
 * const anonymousId = getVisitorId(req, { preset: 'pathbound' })
 */
export const getVisitorId = (source: CookieSource, options?: ReadCookieOptions): string | undefined =>
  onlyValue(valuesOf(source, options?.name || cookieSettings(options?.preset).visitorCookie), isUuid)

/**
 * Each analytics tool's own anonymous id, from the cookies its browser SDK
 * writes, keyed by provider kind: Segment (`ajs_anonymous_id`), PostHog
 * (`ph_<key>_posthog`), Mixpanel (`mp_<token>_mixpanel`, its `$device_id`),
 * Amplitude (`AMP_<key>`, its `deviceId`), GA4 (`_ga`, its client id),
 * DataFast (`datafast_visitor_id`) and Pathbound (`pathbound_visitor_id`).
 * Pass it as the message's `anonymousIds`. A malformed or tampered cookie is
 * left out, never passed on.
 *
 * @example
 * getAnonymousIds(req) // { ga4: '1234567890.1700000000', posthog: '0190f3c2-…' }
 */
export const getAnonymousIds = (source: CookieSource): Record<string, string> =>
  anonymousIdsFromCookies(
    cookieHeader(source)
      .split(';')
      .flatMap((pair) => Object.entries(parse(pair, { decode: (value) => value })))
      .filter((entry): entry is [string, string] => entry[1] !== undefined),
  )

/**
 * The external contact id from the request's contact cookie, when it is a
 * valid one (1..100 cookie-safe characters) and the only one the request holds.
 *
 * @example
 * getContactId(request) // 'usr_8f3a2c9e'
 */
export const getContactId = (source: CookieSource, options?: ReadCookieOptions): string | undefined =>
  onlyValue(valuesOf(source, options?.name || cookieSettings(options?.preset).contactCookie), isContactId)

/** The shared cookie settings for `options`, with `name` (when given) as the cookie both names stand for. */
export const settingsOf = (options: SetCookieOptions = {}) =>
  cookieSettings(options.preset, { maxAgeDays: options.maxAgeDays, visitorCookie: options.name, contactCookie: options.name })

/** The `cookie` library's serialize options for the shared settings. */
export const attributes = (options: SetCookieOptions = {}): SerializeOptions => {
  const settings = settingsOf(options)
  return {
    // Values exactly as js-cookie, and so the tracker, writes them (`usr_8f3a@acme`, not `cookie`'s
    // default `usr_8f3a%40acme`), so a provider's tracker that reads document.cookie as it is sees
    // the same id either way.
    encode: (value) => Cookies.converter.write(value, ''),
    path: settings.path,
    sameSite: settings.sameSite === 'Strict' ? 'strict' : 'lax',
    secure: options.secure ?? true,
    ...(options.domain ? { domain: options.domain } : {}),
    maxAge: Math.round(settings.maxAgeDays * 86_400),
  }
}

/** Serialize options as a framework's cookie API takes them (no encoder; never HttpOnly: the tracker reads them). */
export const plainOptions = (serialized: SerializeOptions): CookieToSet['options'] => {
  const { encode: _encode, ...rest } = serialized
  return { ...(rest as CookieToSet['options']), httpOnly: false }
}

/**
 * `options`, once checked: a `ConfigError` names the option at fault (a `domain` that is no domain, `maxAgeDays: 0`).
 * `null` is no options, as in Node's own APIs: the defaults, not a `TypeError` from reading a property of it.
 */
export const checked = <T extends object>(options: T | undefined): T | undefined => {
  checkCookieOptions(options)
  return options ?? undefined
}

/** A `ValidationError` for a helper's argument: it names the helper, not a provider. */
const refuse = (helper: string, path: string, message: string): ValidationError =>
  new ValidationError([{ path, message }], { source: helper })

/**
 * The `Set-Cookie` value for the login route: the external contact cookie,
 * with the same name and attributes as the tracker's preset, readable by the
 * tracker (not HttpOnly). Throws a `ValidationError` for an id that is empty,
 * over 100 characters or unsafe in a cookie.
 *
 * @example
 * res.appendHeader('Set-Cookie', contactCookie(user.externalId, { domain: 'example.com' }))
 */
export const contactCookie = (externalId: string, options?: SetCookieOptions): string => contactOf(externalId, checked(options))

/** {@link contactCookie} for options already checked. */
const contactOf = (externalId: string, options: SetCookieOptions | undefined): string => {
  if (!isContactId(externalId)) throw refuse('contactCookie()', 'externalId', CONTACT_ID_RULE)
  return serialize(settingsOf(options).contactCookie, externalId, attributes(options))
}

/**
 * The `Set-Cookie` value for the logout route: deletes the contact cookie
 * (same name, path and domain it was set with).
 *
 * @example
 * res.appendHeader('Set-Cookie', clearContactCookie({ domain: 'example.com' }))
 */
export const clearContactCookie = (options?: SetCookieOptions): string => clearedContactOf(checked(options))

/** {@link clearContactCookie} for options already checked. */
const clearedContactOf = (options: SetCookieOptions | undefined): string =>
  serialize(settingsOf(options).contactCookie, '', { ...attributes(options), maxAge: 0, expires: new Date(0) })

/**
 * What the logout route sets, for a framework's cookie API (`cookies().set(name, value, options)` in Next.js,
 * SvelteKit, Remix) as well as for `Set-Cookie`: the contact cookie deleted, with the name, path and domain it
 * was set with. The visitor cookie stays: the same browser is the same visitor.
 *
 * @example
 * for (const cookie of logoutCookies({ domain: 'example.com' }).cookies) jar.set(cookie.name, cookie.value, cookie.options)
 */
export const logoutCookies = (options?: SetCookieOptions): { cookies: CookieToSet[]; setCookie: string[] } => {
  const settings = checked(options)
  return {
    cookies: [{ name: settingsOf(settings).contactCookie, value: '', options: { ...plainOptions(attributes(settings)), maxAge: 0 } }],
    setCookie: [clearedContactOf(settings)],
  }
}

/**
 * The `Set-Cookie` value that re-issues the visitor cookie from the server.
 * Safari caps cookies written by scripts at 7 days; one set by the site's own
 * server lives its full lifetime. Throws a `ValidationError` for an id that is
 * not a UUID.
 *
 * @example
 * const id = getVisitorId(req)
 * if (id) res.appendHeader('Set-Cookie', visitorCookie(id, { domain: 'example.com' }))
 */
export const visitorCookie = (id: string, options?: SetCookieOptions): string => {
  const settings = checked(options)
  if (!isUuid(id)) throw refuse('visitorCookie()', 'id', 'must be a UUID')
  return serialize(settingsOf(settings).visitorCookie, id, attributes(settings))
}

/**
 * The visitor ids cross-domain links brought to this browser beside `own` (the linked-ids cookie), each a UUID,
 * once: the newest {@link MAX_LINKED_IDS} (writers append), however many a forged cookie holds.
 */
export const linkedIdsOf = (source: CookieSource, own: string | undefined): string[] =>
  [...new Set(valuesOf(source, LINKED_COOKIE).join(' ').split(' '))].filter((id) => isUuid(id) && id !== own).slice(-MAX_LINKED_IDS)

/** Options of {@link loginCookies}: where the cookies go, and how to read the request. */
export interface LoginCookiesOptions extends Omit<SetCookieOptions, 'name'>, ClientIpOptions {
  /** Read `Sec-GPC: 1` (Global Privacy Control) into `consent`: no ad signals, analytics on. Default `false`. */
  respectGpc?: boolean
}

/** What {@link loginCookies} decided. */
export interface LoginCookies {
  /** The visitor id to send as `anonymousId` now; `undefined` when there is none, or it was just started (nothing to stitch yet). */
  anonymousId: string | undefined
  /** The visitor id the browser holds after this response. */
  visitorId: string | undefined
  /**
   * Each tool's own anonymous id from its cookie ({@link getAnonymousIds}), to send as
   * `anonymousIds`; empty when the browser was last another user's (those ids are theirs), even
   * when it has no idstitch visitor cookie.
   */
  anonymousIds: Record<string, string>
  /**
   * The visitor ids a cross-domain link brought to this browser while it had its own (another of your
   * domains, see `@idstitch/tracker/linker`): identify the user with each too, so every history joins them.
   * Empty when the browser was last another user's. The cookie that held them is cleared (`setCookie`).
   */
  linkedIds: string[]
  /** True when the visitor belonged to another user and a new visitor id was started. */
  rotated: boolean
  /** The client's address ({@link getClientIp}, with the `trustProxy` option), for `context.ip`. */
  ip: string | undefined
  /** With `respectGpc`, the consent a `Sec-GPC: 1` header gives (no ad signals), for the message's `consent`. */
  consent: Consent | undefined
  /** The `Set-Cookie` values to send: the contact cookie, the owner tag, and the visitor cookie (re-issued, or new). */
  setCookie: string[]
  /**
   * The same cookies as name, value and attributes, for frameworks that set
   * cookies through an API rather than headers (Next.js's `cookies().set`,
   * Hono's `setCookie`).
   */
  cookies: CookieToSet[]
}

/** One cookie to set, for a framework's cookie API. */
export interface CookieToSet {
  name: string
  value: string
  options: { path: string; maxAge: number; sameSite: 'lax' | 'strict'; secure: boolean; domain?: string; httpOnly: false }
}

/**
 * Everything a login route needs for the cookies, in one call: the visitor id
 * to identify with, and the `Set-Cookie` values. When the browser's visitor was
 * last identified as *another* user (a shared computer, a login without
 * logout), it starts a new visitor id instead of merging two people's
 * histories, exactly as the tracker's `identify()` does. Throws a
 * `ValidationError` for an unsafe external id.
 *
 * @example
 * const login = loginCookies(req, user.externalId, { domain: 'example.com', trustProxy: true })
 * await idstitch.identify({ userId: user.externalId, anonymousId: login.anonymousId, anonymousIds: login.anonymousIds, traits, context: { ip: login.ip } })
 * for (const anonymousId of login.linkedIds) await idstitch.identify({ userId: user.externalId, anonymousId })
 * res.appendHeader('Set-Cookie', login.setCookie)
 */
export const loginCookies = (source: ClientIpSource, externalId: string, options: LoginCookiesOptions = {}): LoginCookies => {
  const { name: _ignored, trustProxy, respectGpc, ...shared } = (checked(options) ?? {}) as SetCookieOptions & LoginCookiesOptions
  const contact = contactOf(externalId, shared)
  const current = getVisitorId(source, shared)
  // Several different owner tags (one planted) are no owner this user can be shown to be: another user's, to be safe.
  const owners = new Set(valuesOf(source, OWNER_COOKIE))
  const ownership = { visitor: current ?? '', contact: getContactId(source, shared), owner: owners.size > 1 ? 'ambiguous' : owners.values().next().value }
  // The browser was last someone else's: its contact cookie names another user, or (with or without a visitor
  // cookie) an owner tag that is not this user's with this visitor.
  const anotherUser = isAnotherUser(externalId, ownership)
  const rotated = current !== undefined && anotherUser
  const visitorId = rotated ? crypto.randomUUID() : current
  const settings = settingsOf(shared)
  const serialized = attributes(shared)
  const plain = plainOptions(serialized)
  const cookies: CookieToSet[] = [{ name: settings.contactCookie, value: externalId, options: plain }]
  // The owner tag binds a visitor to its contact: without a visitor there is nothing to bind.
  if (visitorId) {
    cookies.push(
      { name: OWNER_COOKIE, value: ownerTag(visitorId, externalId), options: plain },
      { name: settings.visitorCookie, value: visitorId, options: plain },
    )
  }
  // The linked ids are used now (by this login): the cookie that held them goes.
  if (valuesOf(source, LINKED_COOKIE).length > 0) cookies.push({ name: LINKED_COOKIE, value: '', options: { ...plain, maxAge: 0 } })
  const setCookie = [contact, ...cookies.slice(1).map((cookie) => serialize(cookie.name, cookie.value, { ...serialized, maxAge: cookie.options.maxAge }))]
  const linkedIds = anotherUser ? [] : linkedIdsOf(source, visitorId)
  // Another user's device history stays theirs: when the browser was someone else's, no tool's id is stitched
  // to this user (GA4's `_ga` says nothing of who used it last; only these cookies can).
  const anonymousIds = anotherUser ? {} : getAnonymousIds(source)
  const consent = respectGpc ? gpcConsent(source) : undefined
  return { anonymousId: rotated ? undefined : current, anonymousIds, linkedIds, visitorId, rotated, ip: clientIpOf(source, proxyHops(trustProxy)), consent, setCookie, cookies }
}
