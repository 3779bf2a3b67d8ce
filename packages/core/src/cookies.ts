/**
 * The cookie contract that the browser tracker and the server helpers share:
 * names, presets, attribute defaults, the contact id rule, and the rule that a
 * different user starts a new visitor. Tiny, so the tracker can bundle it
 * (`@idstitch/core/cookies`). Only the string formatting differs per platform:
 * js-cookie writes the cookies in the browser, the `cookie` library on the
 * server, both with js-cookie's value encoding.
 */
import { ConfigError } from './errors.js'
import { isUuid } from './uuid.js'

/** Names and attributes a provider's own tracker uses, so idstitch reads and writes the same cookies. */
export interface CookiePreset {
  /** Holds the anonymous visitor id (a UUID). */
  visitorCookie: string
  /** Holds the external contact id (the same opaque id the server sends as the user id). */
  contactCookie: string
  sameSite: 'Lax' | 'Strict'
  /** Lifetime of the visitor and contact cookies, in days. */
  maxAgeDays: number
}

const preset = <SameSite extends CookiePreset['sameSite']>(visitor: string, contact: string, sameSite: SameSite) => ({
  visitorCookie: `${visitor}_visitor_id`,
  contactCookie: `${contact}_external_contact_id`,
  sameSite,
  maxAgeDays: 365,
})

/**
 * Built-in presets. `Secure` is added on https pages for every preset. No
 * prototype, so `PRESETS[name]` is `undefined` for any other name, even
 * `constructor` or `toString`.
 */
export const PRESETS = Object.assign(Object.create(null) as object, {
  /** The default: `idstitch_visitor_id`, `idstitch_external_contact_id`, `SameSite=Lax`. */
  idstitch: preset('idstitch', 'idstitch', 'Lax'),
  /** Pathbound's tracker: `pathbound_visitor_id`, `pathbound_external_contact_id`, `SameSite=Strict; Secure`. */
  pathbound: preset('pathbound', 'pathbound', 'Strict'),
  /**
   * DataFast's script: `datafast_visitor_id` for 365 days on the root domain.
   * DataFast has no contact cookie of its own, so idstitch's is used.
   */
  datafast: preset('datafast', 'idstitch', 'Lax'),
} satisfies Record<string, CookiePreset>)

/** The name of a built-in preset. */
export type PresetName = keyof typeof PRESETS

/**
 * The preset called `name` (default `'idstitch'`). Throws a `ConfigError`
 * (option `preset`) for any other name.
 *
 * @example
 * presetNamed('pathbound').visitorCookie // 'pathbound_visitor_id'
 */
export const presetNamed = (name: string | undefined): CookiePreset => {
  const found = (PRESETS as Record<string, CookiePreset | undefined>)[name || 'idstitch']
  if (!found) throw new ConfigError('preset', unknownPreset(name))
  return found
}

/** What a tracker or a server helper may override in a preset. */
export interface CookieOverrides {
  visitorCookie?: string | undefined
  contactCookie?: string | undefined
  maxAgeDays?: number | undefined
}

/** The cookie settings both platforms write with: the preset's, overridden, always at `path=/`. */
export interface CookieSettings {
  visitorCookie: string
  contactCookie: string
  sameSite: CookiePreset['sameSite']
  maxAgeDays: number
  path: '/'
}

/**
 * The cookie settings for a preset and overrides: the one place their
 * defaults are decided, for the tracker and the server helpers alike.
 *
 * @example
 * settingsFor(PRESETS.pathbound, { maxAgeDays: 30 }) // { visitorCookie: 'pathbound_visitor_id', …, sameSite: 'Strict', maxAgeDays: 30, path: '/' }
 */
export const settingsFor = (base: CookiePreset, overrides: CookieOverrides = {}): CookieSettings => ({
  visitorCookie: overrides.visitorCookie || base.visitorCookie,
  contactCookie: overrides.contactCookie || base.contactCookie,
  sameSite: base.sameSite,
  // A script tag's data-max-age-days arrives as a string, and the tracker has no schema to refuse it: a lifetime
  // that is not a number above 0 ('', 'abc', 0, -5) is the preset's, never cookies that expire as they are written
  // (a new visitor on every page). The server helpers refuse such a lifetime with a ConfigError before this.
  // One past 400 days is 400, where browsers cap a cookie's lifetime (RFC 6265bis, Chrome 104+): past what a
  // Date holds (1e9 days), js-cookie wrote `expires=Invalid Date`, and the browser kept a session cookie. (A
  // named constant here cost the edge bundle 75 B brotli, the literal nothing measurable.)
  maxAgeDays: Math.min(Math.max(0, Number(overrides.maxAgeDays)) || base.maxAgeDays, 400),
  path: '/',
})

/**
 * {@link settingsFor} the preset called `name` (default `'idstitch'`); a
 * `ConfigError` (option `preset`) for any other name.
 *
 * @example
 * cookieSettings('pathbound', { maxAgeDays: 30 }).visitorCookie // 'pathbound_visitor_id'
 */
export const cookieSettings = (name: string | undefined, overrides: CookieOverrides = {}): CookieSettings => settingsFor(presetNamed(name), overrides)

/** The message of the `ConfigError` for an unknown preset. */
export const unknownPreset = (name: string | undefined): string => `unknown preset '${name}'; use 'idstitch', 'pathbound' or 'datafast'`

/**
 * Set by the site's own server beside the visitor cookie (`visitorCookies()`, the visitor middleware), and
 * kept for the server's refresh window (a day): while it is there, the server keeps the visitor cookie's
 * lifetime, and the tracker does not write that cookie itself. Safari caps cookies written by scripts at
 * 7 days; one set by the site's first-party server keeps its full lifetime.
 */
export const SERVED_COOKIE = 'idstitch_visitor_served'

/**
 * Remembers, for the visitor id, which contact it was last bound to: a tag
 * of the contact id keyed with the visitor id ({@link ownerTag}), never the
 * id itself. It outlives logout, so that the next login by a *different*
 * user on the same browser starts a new visitor instead of merging two
 * people's histories.
 */
export const OWNER_COOKIE = 'idstitch_visitor_owner'

/**
 * 1..100 of the characters RFC 6265 allows in a cookie value unquoted: no
 * spaces, `"`, `,`, `;`, `\` or controls. 100 is Pathbound's `external_id`
 * limit, the strictest of the providers that read the contact cookie.
 */
// The same ranges as \x21 \x23-\x2B \x2D-\x3A \x3C-\x5B \x5D-\x7E, written with the characters (fewer bytes in the script tag).
const CONTACT_ID = /^[!#-+\--:<-[\]-~]{1,100}$/

/**
 * True when `id` can be a contact cookie value: 1..100 characters, none of
 * them a space, quote, comma, semicolon, backslash or control character.
 *
 * @example
 * isContactId('usr_8f3a') // true
 * isContactId('a;b')      // false
 */
export const isContactId = (id: unknown): id is string => typeof id === 'string' && CONTACT_ID.test(id)

/** Why {@link isContactId} refused an id, in words. */
export const CONTACT_ID_RULE = 'must be 1-100 cookie-safe characters (no space, quote, comma, semicolon or backslash)'

/** The 32-bit finaliser of MurmurHash3: every input bit reaches every output bit. */
const fmix = (hash: number): number => {
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b)
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35)
  return (hash ^ (hash >>> 16)) >>> 0
}

/**
 * The tag {@link OWNER_COOKIE} holds: 64 bits (two independent 32-bit lanes,
 * FNV-1a and a multiply-rotate, each finalised) of the contact id keyed with
 * the visitor id, as 14 base-36 characters. Two contact ids collide with a
 * chance of 1 in 2^64 (a 32-bit tag made `usr_208959` and `usr_1037240` one
 * owner), and the same contact gets another tag on every visitor, so the
 * cookie alone says nothing of the id: no table of tags of numeric ids can be
 * built in advance. It is not a cryptographic hash: the script tag needs it
 * synchronous and small, and a browser's only hash API (SubtleCrypto) is
 * asynchronous and absent from plain-http pages.
 *
 * @example
 * ownerTag('a3ab2331-989f-4cfa-91c6-2461c9e3c6bd', 'usr_8f3a') // 14 characters, the same every time
 */
export const ownerTag = (visitorId: string, contactId: string): string => hash64(visitorId + '\n' + contactId)

/** 64 bits of `text` (see {@link ownerTag}), as 14 base-36 characters. */
const hash64 = (text: string): string => {
  let a = 0x811c9dc5
  let b = 0x9e3779b9
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    a = Math.imul(a ^ code, 0x01000193)
    b = Math.imul(b ^ code, 0x5bd1e995)
    b = (b << 13) | (b >>> 19)
  }
  return fmix(a).toString(36).padStart(7, '0') + fmix(b ^ text.length).toString(36).padStart(7, '0')
}

/** What a browser's cookies say about who its visitor was last identified as. */
export interface VisitorOwnership {
  /** The visitor id the owner tag was made with. */
  visitor: string
  /** The contact cookie's value, when there is one. */
  contact?: string | undefined
  /** The owner cookie's value ({@link ownerTag} of the visitor and its last contact), when there is one. */
  owner?: string | undefined
}

/**
 * The rule "a different user starts a new visitor": true when the visitor
 * was last identified as someone other than `externalId` (a login without a
 * logout, or the next person on a shared browser), so that two people's
 * histories never merge. The contact cookie is gone after a logout; the
 * owner tag outlives it.
 *
 * @example
 * isAnotherUser('usr_2', { visitor, owner: ownerTag(visitor, 'usr_1') }) // true
 */
export const isAnotherUser = (externalId: string, { visitor, contact, owner }: VisitorOwnership): boolean =>
  !!((contact && contact !== externalId) || (owner && owner !== ownerTag(visitor, externalId)))

/** The JSON body the tracker's `identify()` posts to the relay endpoint, and all the relay accepts. */
export interface RelayBody {
  /** The visitor id (a UUID). */
  anonymousId?: string | null
  /** The external id; the relay checks it is the session's user. */
  userId?: string
  traits?: Record<string, unknown>
  /** Traits to set only while the profile has none of that name (first touch); the same rules as `traits` apply. */
  traitsOnce?: Record<string, unknown>
}

/** The fields a {@link RelayBody} may have. */
export const RELAY_BODY_FIELDS: readonly (keyof RelayBody)[] = ['anonymousId', 'userId', 'traits', 'traitsOnce']

/** The query parameter that carries a visitor id to another registrable domain (the cross-domain linker). */
export const LINK_PARAM = '_isl'

/** The cookie where a destination that had its own visitor id keeps the ids linked to it (up to {@link MAX_LINKED_IDS}, space-separated, the newest last). */
export const LINKED_COOKIE = 'idstitch_linked_ids'

/**
 * The most visitor ids {@link LINKED_COOKIE} keeps, and the most a server reads from it: each one is an identify
 * at login, and the browser can write the cookie itself, so a forged one holding a hundred ids must not make a
 * hundred identifies of one login or relay call.
 */
export const MAX_LINKED_IDS = 5

/** How long a decorated link may be adopted, in seconds: about two minutes, as long as a navigation takes. */
export const LINK_MAX_AGE_S = 120

/**
 * What the linker knows of a browser: its user agent and first language, hashed (never raw), so a link opened
 * by another browser (a shared URL, a bookmark, a crawler) is not adopted there.
 *
 * @example
 * browserOf(navigator.userAgent, navigator.language)                       // in the browser
 * browserOf(request.headers.get('user-agent'), request.headers.get('accept-language')) // on the server: the same
 */
export const browserOf = (userAgent: string | null | undefined, language: string | null | undefined): string =>
  hash64((userAgent || '') + '\n' + ((language || '').split(/[,;]/)[0] ?? '').trim().toLowerCase())

/**
 * The link parameter's value for `visitorId`: the id, when it was made (seconds, base 36) and the browser's hash.
 *
 * @example
 * url.searchParams.set(LINK_PARAM, linkValue(visitorId, Date.now(), browserOf(navigator.userAgent, navigator.language)))
 */
export const linkValue = (visitorId: string, nowMs: number, browser: string): string => visitorId + '.' + Math.floor(nowMs / 1000).toString(36) + '.' + browser

/**
 * The visitor id a link parameter carries, only when it may be adopted: a UUID, made at most
 * {@link LINK_MAX_AGE_S} ago (and not more than 30 s ahead: clocks differ), by this same browser.
 * `undefined` otherwise: a shared, bookmarked or indexed URL never makes a second person adopt the first
 * one's visitor id.
 */
export const linkedVisitor = (value: string | null | undefined, nowMs: number, browser: string): string | undefined => {
  const [id, made, from, extra] = (value || '').split('.')
  const age = nowMs / 1000 - parseInt(made || '', 36)
  return extra === undefined && from === browser && isUuid(id) && age >= -30 && age <= LINK_MAX_AGE_S ? id : undefined
}
