import Cookies from 'js-cookie'

const PROBE = 'idstitch_probe'
const found: Record<string, string | undefined> = {}

/**
 * The registrable domain of `host` (`example.co.uk` for `www.shop.example.co.uk`),
 * found the way the browser decides it: write a test cookie on each parent
 * domain, highest level first, and keep the first one the browser accepts
 * (it refuses public suffixes such as `co.uk`). `undefined` (host-only
 * cookies) on localhost and IP hosts. Memoised per host.
 */
export const probeDomain = (host: string): string | undefined => {
  if (host in found) return found[host]
  let domain: string | undefined
  if (host.includes('.') && !/^[\d.]+$|^\[|localhost$/.test(host)) {
    const labels = host.split('.')
    for (let index = labels.length - 2; index >= 0 && !domain; index--) {
      const candidate = labels.slice(index).join('.')
      Cookies.set(PROBE, '1', { domain: candidate, path: '/' })
      if (Cookies.get(PROBE)) {
        domain = candidate
        Cookies.remove(PROBE, { domain: candidate, path: '/' })
      }
    }
  }
  return (found[host] = domain)
}
