/**
 * The cookie contract that the browser tracker and the server helpers share:
 * names, attributes and value rules. Tiny and dependency-free, so the tracker
 * can bundle it (`@idstitch/core/cookies`).
 */

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
 * Remembers, for the visitor id, which contact it was last bound to: a short
 * hash of the contact id, never the id itself. It outlives logout, so that the
 * next login by a *different* user on the same browser starts a new visitor
 * instead of merging two people's histories.
 */
export const OWNER_COOKIE = 'idstitch_visitor_owner'

/** The longest contact id accepted (Pathbound's `external_id` limit). */
export const MAX_CONTACT_ID_LENGTH = 100

/** 1..100 of the characters RFC 6265 allows in a cookie value unquoted: no spaces, `"`, `,`, `;`, `\` or controls. */
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

/** A short, stable, non-reversible tag of a contact id for {@link OWNER_COOKIE} (FNV-1a, 32 bits, base 36). */
export const ownerTag = (contactId: string): string => {
  let hash = 0x811c9dc5
  for (let index = 0; index < contactId.length; index++) {
    hash ^= contactId.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0).toString(36)
}

/**
 * A cookie value as js-cookie writes it, and so as the tracker and the server
 * helpers write it: percent-encoded, except for the characters a cookie value
 * may hold as they are. A UUID and a contact id come out unchanged, but for
 * `%` (written `%25`).
 *
 * @example
 * encodeCookieValue('usr_8f3a@acme') // 'usr_8f3a@acme'
 * encodeCookieValue('100%')          // '100%25'
 */
// js-cookie's write converter (MIT, see THIRD_PARTY_NOTICES.md).
export const encodeCookieValue = (value: string): string =>
  encodeURIComponent(value).replace(/%(2[346BF]|3[AC-F]|40|5[BDE]|60|7[BCD])/g, decodeURIComponent)

/**
 * A cookie value back from what a browser, js-cookie, the tracker or a
 * server (`cookie.serialize` encodes every escape) wrote: surrounding quotes
 * dropped and percent-escapes decoded. Throws a `URIError` on an escape that
 * is not UTF-8; the tracker then skips the cookie, as js-cookie does.
 *
 * @example
 * decodeCookieValue('usr_8f3a%40acme') // 'usr_8f3a@acme'
 */
// js-cookie's read converter (MIT).
export const decodeCookieValue = (value: string): string =>
  (value[0] == '"' ? value.slice(1, -1) : value).replace(/(%[\dA-F]{2})+/gi, decodeURIComponent)
