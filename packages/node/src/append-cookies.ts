/** What appending cookies needs of Node's (or Express's) response. */
export interface HeaderWriter {
  getHeader(name: string): number | string | string[] | undefined
  setHeader(name: string, value: string | string[]): unknown
}

/**
 * Adds `cookies` to those `response` already sets (an earlier middleware's `res.cookie()`), each its own
 * `Set-Cookie` header: `setHeader` alone would replace them.
 */
export const appendCookies = (response: HeaderWriter, cookies: readonly string[]): void => {
  if (cookies.length === 0) return
  const earlier = response.getHeader('set-cookie')
  response.setHeader('set-cookie', [...(earlier === undefined ? [] : Array.isArray(earlier) ? earlier : [String(earlier)]), ...cookies])
}
