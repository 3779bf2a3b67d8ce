import { CONTACT_ID_RULE, OWNER_COOKIE, PRESETS, isContactId, isUuid, ownerTag, type PresetName } from '@idstitch/core/cookies'
import Cookies from 'js-cookie'
import { probeDomain } from './domain.js'
import { mintUuid } from './uuid.js'

const refuse = (message: string): Promise<never> => Promise.reject(new TypeError('[idstitch] identify(): ' + message))

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
  /** Overrides the preset's cookie lifetime, in days. */
  maxAgeDays?: number
  /** Your relay endpoint (`createIdentifyHandler()` from `@idstitch/node`): `identify()` POSTs `{ anonymousId, userId, traits }` to it. */
  endpoint?: string
  /** `'required'`: write no cookie until `consent(true)`; the visitor id lives in memory until then. */
  consent?: 'required' | 'granted'
  /** Write nothing and send nothing when a `pathbound_dnt=1` cookie or Global Privacy Control says so. */
  respectDnt?: boolean
}

/** What `identify()` resolves to. `status` 0 means nothing was sent (no endpoint, or an opt-out), or no answer came (then `ok` is false). */
export interface IdentifyOutcome {
  ok: boolean
  status: number
  /** The endpoint's JSON answer. */
  data?: unknown
}

/** A tracker instance. */
export interface Tracker {
  /**
   * Writes the contact cookie (the same opaque id your server sends as the user
   * id) and, with `endpoint`, relays `{ anonymousId, userId, traits }` to it.
   * Rejects, writing nothing, an id that is empty, over 100 characters, or has
   * characters unsafe in a cookie. A different user than the visitor's last one
   * gets a fresh visitor id first, so two people's histories never merge.
   */
  identify(externalId: string, traits?: Record<string, unknown>): Promise<IdentifyOutcome>
  /** On logout: deletes the contact cookie; `rotateVisitor` also starts a new visitor (a shared computer). */
  reset(options?: { rotateVisitor?: boolean }): void
  /** The visitor id (a UUID). */
  getVisitorId(): string
  /** The contact id, when a user is identified. */
  getContactId(): string | undefined
  /** With `consent: 'required'`: `true` writes the cookies (same ids), `false` removes them. */
  consent(granted: boolean): void
}

/**
 * Creates a tracker: reads the visitor cookie, or mints a v4 UUID and writes it
 * (`path=/`, the preset's lifetime and SameSite, `Secure` on https, on the
 * registrable domain). A valid visitor id already there is never replaced.
 *
 * @example
 * const tracker = createTracker({ preset: 'pathbound', endpoint: '/api/identify' })
 * await tracker.identify(user.externalId, { email: user.email })
 */
export const createTracker = (options: TrackerOptions = {}): Tracker => {
  const preset = PRESETS[options.preset || 'idstitch']
  if (!preset) throw new Error('[idstitch] unknown preset ' + options.preset)
  const visitorName = options.visitorCookie || preset.visitorCookie
  const contactName = options.contactCookie || preset.contactCookie
  const cookieDomain = options.cookieDomain || 'auto'
  let allowed = options.consent != 'required'
  let visitor = ''
  let contact: string | undefined
  let owner: string | undefined

  const domain = () => (cookieDomain == 'auto' ? probeDomain(location.hostname) : cookieDomain == 'none' ? undefined : cookieDomain)
  const optedOut = () =>
    !!options.respectDnt && (Cookies.get('pathbound_dnt') == '1' || (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl == true)
  const write = (name: string, value: string | undefined) =>
    value &&
    allowed &&
    !optedOut() &&
    Cookies.set(name, value, {
      path: '/',
      domain: domain(),
      samesite: preset.sameSite,
      secure: location.protocol == 'https:',
      'max-age': '' + (options.maxAgeDays || preset.maxAgeDays) * 86400,
    })
  const remove = (name: string) => {
    // Host-only as well as on the domain: a server may have set it either way.
    Cookies.remove(name, { path: '/' })
    Cookies.remove(name, { path: '/', domain: domain() })
  }
  /** Starts a new visitor, owned by nobody yet. */
  const rotate = (id = mintUuid()) => {
    remove(OWNER_COOKIE)
    owner = undefined
    write(visitorName, (visitor = id))
  }
  /** Reads the cookies again (they win over memory), and refreshes the visitor cookie's lifetime. */
  const sync = () => {
    const stored = Cookies.get(visitorName)
    if (isUuid(stored)) visitor = stored
    else {
      // A tampered value, wherever it was written, must not shadow the new id.
      if (stored) remove(visitorName)
      if (!visitor) visitor = mintUuid()
    }
    write(visitorName, visitor)
    owner = Cookies.get(OWNER_COOKIE) || owner
    if (allowed) contact = Cookies.get(contactName)
  }

  sync()
  // A logout in another tab, or by the server, clears the contact cookie: notice it when the page is seen again.
  document.addEventListener('visibilitychange', () => document.visibilityState == 'visible' && sync())

  return {
    identify(externalId, traits) {
      if (!isContactId(externalId)) return refuse('the external id ' + CONTACT_ID_RULE)
      sync()
      const tag = ownerTag(externalId)
      // Another user than the visitor's last one: start a new visitor, so two people's histories never merge.
      const next = (contact && contact != externalId) || (owner && owner != tag) ? mintUuid() : visitor
      let body: string
      try {
        body = JSON.stringify({ anonymousId: next, userId: externalId, traits })
      } catch (error) {
        return refuse('traits must be JSON: ' + error)
      }
      if (next != visitor) rotate(next)
      contact = externalId
      owner = tag
      write(contactName, contact)
      write(OWNER_COOKIE, owner)
      if (!options.endpoint || optedOut()) return Promise.resolve({ ok: true, status: 0 })
      return fetch(options.endpoint, {
        method: 'POST',
        keepalive: true,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body,
      }).then(
        (response) =>
          response
            .json()
            .catch(() => undefined)
            .then((data: unknown) => ({ ok: response.ok, status: response.status, data })),
        () => ({ ok: false, status: 0 }),
      )
    },
    reset(resetOptions) {
      contact = undefined
      remove(contactName)
      if (resetOptions && resetOptions.rotateVisitor) rotate()
    },
    getVisitorId: () => visitor,
    getContactId: () => Cookies.get(contactName) || contact,
    consent(granted) {
      allowed = granted
      if (granted) {
        write(visitorName, visitor)
        write(contactName, contact)
        write(OWNER_COOKIE, owner)
      } else [visitorName, contactName, OWNER_COOKIE].forEach(remove)
    },
  }
}
