import { readCookie, removeCookie, writeCookie } from './cookies.js'

const PROBE = 'idstitch_probe'

/**
 * The registrable domain of `host` (`example.co.uk` for `www.shop.example.co.uk`),
 * found the way the browser decides it: write a test cookie on each parent
 * domain, highest level first, and keep the first one the browser accepts
 * (it refuses public suffixes such as `co.uk`). `undefined` (host-only
 * cookies) on localhost and IP hosts. The tracker memoises it.
 */
export const probeDomain = (host: string): string | undefined => {
  const labels = host.split('.')
  // `localhost` has one label, so the loop never starts; IP hosts are skipped.
  for (let index = /^[\d.]+$|^\[|localhost$/.test(host) ? 0 : labels.length - 1; index-- > 0; ) {
    const domain = labels.slice(index).join('.')
    writeCookie(PROBE, '1', { domain })
    if (readCookie(PROBE)) return removeCookie(PROBE, domain), domain
  }
}
