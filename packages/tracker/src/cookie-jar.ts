// document.cookie, read and written byte for byte as js-cookie 3 does, so a
// provider's own tracker built on js-cookie and a server using the `cookie`
// library read what idstitch writes, and the reverse. The tracker needs three
// of js-cookie's calls; js-cookie itself added ~400 B to a script tag whose
// budget is 1.6 kB. cookie-jar.test.ts holds this module to js-cookie's
// output. The value codec is js-cookie's, shared with the server helpers
// through @idstitch/core/cookies.
import { decodeCookieValue, encodeCookieValue } from '@idstitch/core/cookies'

/**
 * The value of cookie `name`, percent-escapes decoded and surrounding quotes
 * dropped; the first one wins when several match (the most specific path).
 * A cookie whose name or value is not valid percent-encoding is skipped.
 * Where the page may not read cookies at all, there are none.
 */
export const getCookie = (name: string): string | undefined => {
  // Reading (and writing) document.cookie throws in a sandboxed iframe without allow-same-origin:
  // the tracker then works in memory, as if every cookie were refused.
  try {
    for (const pair of document.cookie.split('; ')) {
      const [key, ...value] = pair.split('=')
      try {
        if (decodeURIComponent(key!) == name) return decodeCookieValue(value.join('='))
      } catch {}
    }
  } catch {}
}

/**
 * Writes cookie `name` with `path=/` and `attributes`, the rest of the cookie
 * string (`'; domain=example.com; samesite=Lax; secure; max-age=31536000'`).
 * The value is percent-encoded except for the characters a cookie value may
 * hold as they are (js-cookie's encoding), so `usr_8f3a` and a UUID are
 * written unchanged. Where the page may not write cookies, nothing is written
 * and nothing thrown.
 */
export const setCookie = (name: string, value: string, attributes = ''): void => {
  try {
    document.cookie = encodeURIComponent(name) + '=' + encodeCookieValue(value) + '; path=/' + attributes
  } catch {}
}

/** Deletes cookie `name` at `path=/`, host-only or on `domain`: a cookie is only removed with the domain it was set with. */
export const removeCookie = (name: string, domain?: string): void => setCookie(name, '', (domain ? '; domain=' + domain : '') + '; max-age=-1')
