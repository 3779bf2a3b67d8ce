import { LINKED_COOKIE, OWNER_COOKIE, PRESETS, SERVED_COOKIE, type CookiePreset, isAnotherUser, isContactId, isUuid, ownerTag, type PresetName, type RelayBody, settingsFor, unknownPreset } from '@idstitch/core/cookies'
import type Cookies from 'js-cookie'
import { readCookie, removeCookie, writeCookie } from './cookies.js'
import { probeDomain } from './domain.js'
import { misconfigured, refusal } from './errors.js'
import { relay, type IdentifyOutcome } from './relay.js'
import { mintUuid } from './uuid.js'

/** Options of {@link createTracker}. Every cookie setting defaults to the preset's. */
export interface TrackerOptions {
  /** Cookie names and attributes of a provider's own tracker: `'idstitch'` (default), `'pathbound'` or `'datafast'`. */
  preset?: PresetName
  /** Overrides the preset's visitor cookie name. */
  visitorCookie?: string
  /** Overrides the preset's contact cookie name. */
  contactCookie?: string
  /** `'auto'` (default): the registrable domain, so `www.` and `app.` share the cookies; `'none'`: host-only; or a domain. */
  cookieDomain?: string
  /** Overrides the preset's cookie lifetime, in days; past 400, 400 (browsers keep a cookie no longer). */
  maxAgeDays?: number
  /** Your relay endpoint (`createIdentifyHandler()` from `@idstitch/node`): `identify()` POSTs `{ anonymousId, userId, traits }` to it. */
  endpoint?: string
  /**
   * `'required'`: write no cookie and relay nothing until `consent(true)`; the ids live in memory until then.
   * An `identify()` made before consent is not relayed later: call it again after `consent(true)`.
   * Any other value than `'granted'` (or none) fails closed: consent is required, with a console warning.
   */
  consent?: 'required' | 'granted'
  /** Write nothing and send nothing when a `pathbound_dnt=1` cookie or Global Privacy Control says so. */
  respectDnt?: boolean
  /**
   * Adopts the visitor id a cross-domain link brings: `adoptLink` from `@idstitch/tracker/linker` (the script
   * tag gets it from `idstitch.linker.js`, loaded before `idstitch.js`). Opt-in, so a site with one domain does
   * not pay for it.
   */
  adoptLink?: LinkAdopter
}

/** What adopts a cross-domain link's visitor id: given the tracker's cookie names, a cookie reader and writer, the id to start with, or `''`. */
export type LinkAdopter = (visitorCookie: string, contactCookie: string, read: (name: string) => string | undefined, write: (name: string, value: string) => unknown) => string

/** A tracker instance. */
export interface Tracker {
  /**
   * Writes the contact cookie (the same opaque id your server sends as the user
   * id) and, with `endpoint`, relays `{ anonymousId, userId, traits }` to it
   * (not before consent, nor under an opt-out).
   * Rejects, writing nothing, an id that is empty, over 100 characters, or has
   * characters unsafe in a cookie. A different user than the visitor's last one
   * gets a fresh visitor id first, so two people's histories never merge.
   */
  identify(externalId: string, traits?: Record<string, unknown>): Promise<IdentifyOutcome>
  /** On logout: deletes the contact cookie; `rotateVisitor` also starts a new visitor (a shared computer). */
  reset(options?: { rotateVisitor?: boolean }): void
  /**
   * The visitor id (a UUID): the visitor cookie's, so a new visitor another tab started (a logout with
   * `rotateVisitor`) shows at once; where there is no such cookie (before consent, or where cookies are off
   * limits), the id held in memory.
   */
  getVisitorId(): string
  /**
   * The contact id, when a user is identified: the contact cookie's, so a logout in another tab or by the server
   * shows at once; before consent, under an opt-out, or where cookies are off limits, the id held in memory.
   */
  getContactId(): string | undefined
  /** With `consent: 'required'`: `true` writes the cookies (same ids), `false` removes them. */
  consent(granted: boolean): void
}

/** The tracker's cookies: written only with consent and no opt-out, on the domain worked out on first use. */
const cookieJar = (options: TrackerOptions, sameSite: Cookies.CookieAttributes['sameSite'], expires: number, allowed: () => boolean) => {
  let attributes: Cookies.CookieAttributes | undefined
  // Worked out on the first write or removal (so nothing is probed before consent), then kept: the host does not change.
  const cookieAttributes = () => {
    if (!attributes) {
      const option = options.cookieDomain || 'auto'
      attributes = { domain: option == 'auto' ? probeDomain(location.hostname) : option == 'none' ? undefined : option, sameSite, secure: location.protocol == 'https:', expires }
    }
    return attributes
  }
  const optedOut = () =>
    options.respectDnt && (readCookie('pathbound_dnt') == '1' || (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl)
  /** Consent given and no opt-out: the tracker may write cookies. */
  const writable = () => allowed() && !optedOut()
  return {
    writable,
    write: (name: string, value?: string) => value && writable() && writeCookie(name, value, cookieAttributes()),
    remove(name: string) {
      // Only a cookie that is there is deleted, so nothing is written (not even a domain probe) for one that is not.
      // Host-only as well as on the domain: a server may have set it either way.
      if (readCookie(name) != null) {
        removeCookie(name)
        removeCookie(name, cookieAttributes().domain)
      }
    },
  }
}

/** The contact cookie's value, when it holds a valid contact id. */
const contactIn = (name: string): string | undefined => {
  const stored = readCookie(name)
  return isContactId(stored) ? stored : undefined
}

/** Whether consent is given from the start. Fails closed: a value that is neither 'granted' nor 'required' (a typo, 'true', '') means consent is required. */
const consentGiven = (consent: unknown): boolean => {
  const given = consent == null || consent == 'granted'
  if (!given && consent != 'required') console.warn('[idstitch] consent ' + JSON.stringify(consent) + " is neither 'granted' nor 'required': consent is required")
  return given
}

/** The relay's body, or a refusal for traits JSON cannot carry. */
const relayBody = (externalId: string, anonymousId: string, traits: Record<string, unknown> | undefined): string => {
  try {
    return JSON.stringify({ anonymousId, userId: externalId, traits } satisfies RelayBody)
  } catch (error) {
    throw refusal('traits', 'must be JSON, ' + error)
  }
}

/**
 * A tracker on `options` as they are: the script tag's, whose data-* attributes are its options beside those
 * other tools put on a script (Next's `data-nscript`, a consent manager's `data-cookieconsent`).
 */
export const startTracker = (options: TrackerOptions): Tracker => {
  const preset = (PRESETS as Record<string, CookiePreset | undefined>)[options.preset || 'idstitch']
  if (!preset) throw misconfigured('preset', unknownPreset(options.preset))
  const { visitorCookie: visitorName, contactCookie: contactName, sameSite, maxAgeDays } = settingsFor(preset, options)
  let allowed = consentGiven(options.consent)
  const { writable, write, remove } = cookieJar(options, sameSite, maxAgeDays, () => allowed)
  let visitor = options.adoptLink?.(visitorName, contactName, readCookie, write) || '', contact: string | undefined, owner: string | undefined

  /** Starts a new visitor, owned by nobody yet. The old cookie goes first, host-only too: left there, it would shadow the new one. */
  const rotate = (id = mintUuid()) => {
    remove(visitorName)
    remove(OWNER_COOKIE)
    // The visitor ids linked to the old visitor are its person's: joined to the next user, they would merge two people.
    remove(LINKED_COOKIE)
    owner = undefined
    write(visitorName, (visitor = id))
  }
  /**
   * The visitor cookie's id wins over memory: another tab (a logout that rotated it) or the server may have started
   * a new visitor. A new visitor's owner is its cookie's: the tag held for the last one can only name another user.
   */
  const follow = (stored = readCookie(visitorName)) => {
    if (isUuid(stored) && stored != visitor) {
      visitor = stored
      owner = readCookie(OWNER_COOKIE)
    }
    return visitor
  }
  /** Reads the cookies again (they win over memory), and refreshes the visitor cookie, unless the site's server keeps it (SERVED_COOKIE: a script's write would cap it at 7 days in Safari). */
  const sync = () => {
    const stored = readCookie(visitorName)
    // A tampered value must not shadow the new id (when writing is allowed: removing it probes the domain, a write).
    if (stored && !isUuid(stored) && writable()) remove(visitorName)
    visitor = follow(stored) || mintUuid()
    if (stored !== visitor || !readCookie(SERVED_COOKIE)) write(visitorName, visitor)
    owner = readCookie(OWNER_COOKIE) || owner
    if (allowed) contact = contactIn(contactName)
  }
  sync()
  // A logout in another tab, or by the server, clears the contact cookie: notice it when the page is seen again.
  document.addEventListener('visibilitychange', sync)

  return {
    // The executor runs synchronously: the cookies are written before identify() returns, and a refusal thrown in it is the rejection.
    identify: (externalId, traits) =>
      new Promise((resolve) => {
        if (!isContactId(externalId)) throw refusal('externalId', 'must be 1-100 cookie-safe characters')
        sync()
        // Another user than the visitor's last one: start a new visitor, so two people's histories never merge.
        const next = isAnotherUser(externalId, { visitor, contact, owner }) ? mintUuid() : visitor
        const body = relayBody(externalId, next, traits)
        if (next != visitor) rotate(next)
        write(contactName, (contact = externalId))
        write(OWNER_COOKIE, (owner = ownerTag(next, externalId)))
        // Before consent, and under an opt-out, nothing leaves the browser.
        resolve(options.endpoint && writable() ? relay(options.endpoint, body) : { ok: true, status: 0 })
      }),
    reset(resetOptions) {
      contact = undefined
      remove(contactName)
      if (resetOptions && resetOptions.rotateVisitor) rotate()
    },
    getVisitorId: () => follow(),
    getContactId: () => (writable() && readCookie(visitorName) ? contactIn(contactName) : contact),
    consent(granted) {
      allowed = granted
      if (granted) {
        write(visitorName, visitor)
        write(contactName, contact)
        write(OWNER_COOKIE, owner)
      } else [visitorName, contactName, OWNER_COOKIE, LINKED_COOKIE].forEach(remove)
    },
  }
}

/** What a tracker takes: another name is refused, not ignored with its default in force. */
const OPTIONS = ['preset', 'visitorCookie', 'contactCookie', 'cookieDomain', 'maxAgeDays', 'endpoint', 'consent', 'respectDnt', 'adoptLink']

/**
 * Creates a tracker: reads the visitor cookie, or mints a v4 UUID and writes it
 * (`path=/`, the preset's lifetime and SameSite, `Secure` on https, on the
 * registrable domain). A valid visitor id already there is never replaced.
 * Throws a `ConfigError` for an unknown preset, or an option it does not take:
 * `requireConsent: true` for `consent: 'required'` would write cookies before
 * consent, `domain` (the server's cookie helpers' name) for `cookieDomain` keep
 * the default domain.
 *
 * @example
 * const tracker = createTracker({ preset: 'pathbound', endpoint: '/api/identify' })
 * await tracker.identify(user.externalId, { email: user.email })
 */
export const createTracker = (options?: TrackerOptions): Tracker => {
  // null is no options, as the server's cookie helpers take it (`options={null}` from a config): not a TypeError.
  const given = options || {}
  for (const option of Object.keys(given)) if (OPTIONS.indexOf(option) < 0) throw misconfigured(option, 'is not one of ' + OPTIONS.join(', '))
  return startTracker(given)
}
