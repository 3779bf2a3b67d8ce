// idstitch.linker.js, the linker's script tag (opt-in, before idstitch.js, on every one of the domains):
//   <script defer src="/idstitch.linker.js" data-link-domains="acme.app acmedocs.io"></script>
//   <script defer src="/idstitch.js"></script>
// It decorates links to the listed domains, adds idstitch.linkUrl(url) to the tracker's global, and hands
// idstitch.js the adoption of an arriving link (window.idstitchAdoptLink, read once as the tracker starts).
import { adoptLink } from './link.js'
import { createLinker } from './linker.js'
import type { IdstitchGlobal } from './script-tag.js'

window.idstitchAdoptLink = adoptLink
const data: DOMStringMap = ((document.currentScript as HTMLScriptElement | null) || { dataset: {} }).dataset
const linker = createLinker({
  domains: (data.linkDomains || '').split(/[\s,]+/),
  // Read at each navigation: the tracker (idstitch.js) may run after this file.
  getVisitorId: () => (window.idstitch && window.idstitch.getVisitorId ? window.idstitch.getVisitorId() : undefined),
})
/** What this file adds to `window.idstitch`. */
export interface LinkerGlobal {
  /** The URL decorated with the link parameter when it goes to one of `data-link-domains`. */
  linkUrl(url: string | URL): string
}

/** Puts linkUrl on the tracker's global: now, and again once every deferred script has run (the tracker replaces its stub). */
const expose = () => {
  if (window.idstitch) (window.idstitch as IdstitchGlobal & Partial<LinkerGlobal>).linkUrl = linker.linkUrl
}
expose()
addEventListener('DOMContentLoaded', expose)
