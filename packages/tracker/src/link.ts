// The destination side of the cross-domain linker (opt-in, with the linker): a link decorated by another of
// the company's domains brings its visitor id. The rules are the core's (linkedVisitor): about two minutes
// old at most, made by this same browser.
import { LINK_PARAM, LINKED_COOKIE, MAX_LINKED_IDS, browserOf, isUuid, linkedVisitor } from '@idstitch/core/cookies'
import type { LinkAdopter } from './tracker.js'

/** The link parameter, taken out of the address bar at once (the URL that is shared or bookmarked is clean), and the visitor id it brings, when it may be adopted. */
const takeLink = (): string | undefined => {
  const url = new URL(location.href)
  const value = url.searchParams.get(LINK_PARAM)
  if (value == null) return
  url.searchParams.delete(LINK_PARAM)
  history.replaceState(history.state, '', url.href)
  return linkedVisitor(value, Date.now(), browserOf(navigator.userAgent, navigator.language))
}

/**
 * For `createTracker({ adoptLink })`: the visitor id to start with, the linked one when the browser has none here. A browser that has its own
 * keeps it and remembers the linked one (up to 5), for the login to join both histories. Nothing is adopted
 * while someone is logged in here (a contact cookie): that visitor is theirs.
 */
export const adoptLink: LinkAdopter = (visitorCookie, contactCookie, read, write) => {
  const linked = takeLink()
  if (!linked || read(contactCookie)) return ''
  const own = read(visitorCookie)
  if (!isUuid(own)) return linked
  const kept = (read(LINKED_COOKIE) || '').split(' ').filter((id) => isUuid(id) && id != linked)
  if (own != linked) write(LINKED_COOKIE, [...kept, linked].slice(-MAX_LINKED_IDS).join(' '))
  return ''
}
