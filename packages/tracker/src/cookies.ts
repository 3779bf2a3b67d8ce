// The tracker's cookies, read and written by js-cookie. js-cookie touches
// document.cookie, which throws a SecurityError in a sandboxed iframe without
// allow-same-origin: there the tracker works in memory, as if every cookie
// were refused, and never throws into the page.
import Cookies from 'js-cookie'

/** The value of cookie `name` (js-cookie decodes it), or `undefined`. */
export const readCookie = (name: string): string | undefined => {
  try {
    return Cookies.get(name)
  } catch {}
}

/** Writes cookie `name` at `path=/` with `attributes`. */
export const writeCookie = (name: string, value: string, attributes?: Cookies.CookieAttributes): void => {
  try {
    Cookies.set(name, value, attributes)
  } catch {}
}

/** Deletes cookie `name` at `path=/`, host-only or on `domain`: a cookie is only removed with the domain it was set with. */
export const removeCookie = (name: string, domain?: string): void => {
  try {
    Cookies.remove(name, { domain })
  } catch {}
}
