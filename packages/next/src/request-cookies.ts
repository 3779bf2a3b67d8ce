import type { CookieToSet } from '@idstitch/node'

/**
 * The request's `cookie` header with `cookies` set in it (a value replaces the one of the same name; a deleted
 * cookie goes): what the page rendering this request should see of what the response sets.
 */
export const cookieHeaderWith = (header: string | null, cookies: readonly CookieToSet[]): string => {
  const pairs = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0) pairs.set(part.slice(0, at).trim(), part.slice(at + 1).trim())
  }
  for (const { name, value, options } of cookies) {
    if (options.maxAge > 0 && value !== '') pairs.set(name, value)
    else pairs.delete(name)
  }
  return [...pairs].map(([name, value]) => `${name}=${value}`).join('; ')
}
