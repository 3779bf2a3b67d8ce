// The cross-domain linker, opt-in: the main script tag is at its size budget (about 2.4 kB brotli), and
// only companies with several registrable domains need it. It decorates navigations to the listed domains
// with the visitor id, a timestamp and a hash of this browser; on the destination, the tracker adopts it
// through adoptLink (link.ts).
import { LINK_PARAM, browserOf, linkValue } from '@idstitch/core/cookies'

export { adoptLink } from './link.js'
export type { LinkAdopter } from './tracker.js'

/** Options of {@link createLinker}. */
export interface LinkerOptions {
  /** The registrable domains to carry the visitor to (`['acme.app', 'acmedocs.io']`); their subdomains too. */
  domains: readonly string[]
  /** The visitor id to carry: the tracker's `getVisitorId`. */
  getVisitorId: () => string | undefined
}

/** The linker {@link createLinker} returns. */
export interface Linker {
  /** `url` with the link parameter when it goes to one of the domains, `url` as it was otherwise. */
  linkUrl(url: string | URL): string
  /** Stops decorating clicks and form submissions. */
  stop(): void
}

/**
 * Decorates navigations to `domains`: links when they are clicked (or opened with a middle click), forms
 * when they are submitted. The parameter lives about two minutes and only in this browser: a decorated
 * URL that is shared, bookmarked or indexed is not adopted elsewhere.
 *
 * @example
 * import { createTracker } from '@idstitch/tracker'
 * import { adoptLink, createLinker } from '@idstitch/tracker/linker'
 *
 * const tracker = createTracker({ adoptLink })
 * createLinker({ domains: ['acme.app'], getVisitorId: tracker.getVisitorId })
 */
export const createLinker = ({ domains, getVisitorId }: LinkerOptions): Linker => {
  const listed = domains.map((domain) => domain.toLowerCase().replace(/^\.+/, '')).filter(Boolean)
  const linkUrl = (input: string | URL): string => {
    let url: URL
    // A link the browser cannot parse (`http://[`; its href is then the attribute as written) goes nowhere we list.
    try {
      url = new URL(input, location.href)
    } catch {
      return String(input)
    }
    const host = url.hostname
    const id = getVisitorId()
    if (!id || host == location.hostname || !/^https?:$/.test(url.protocol) || !listed.some((domain) => host == domain || host.endsWith('.' + domain))) return String(input)
    url.searchParams.set(LINK_PARAM, linkValue(id, Date.now(), browserOf(navigator.userAgent, navigator.language)))
    return url.href
  }
  const onClick = (event: Event) => {
    const link = (event.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null
    if (link) link.href = linkUrl(link.href)
  }
  const onSubmit = (event: Event) => {
    const form = event.target as HTMLFormElement
    const action = linkUrl(form.action)
    if (action == form.action) return
    // A GET form's own query replaces the action's: the parameter goes in as a field.
    if (form.method == 'get') form.append(Object.assign(document.createElement('input'), { type: 'hidden', name: LINK_PARAM, value: new URL(action).searchParams.get(LINK_PARAM) }))
    else form.action = action
  }
  const events: [string, (event: Event) => void][] = [['mousedown', onClick], ['click', onClick], ['keydown', onClick], ['submit', onSubmit]]
  for (const [name, listener] of events) document.addEventListener(name, listener, true)
  return {
    linkUrl,
    stop() {
      for (const [name, listener] of events) document.removeEventListener(name, listener, true)
    },
  }
}
