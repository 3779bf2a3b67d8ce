import { checkCookieOptions, isIpAddress, proxyHops } from '@idstitch/core/internal'
import { headerValues } from './request-headers.js'

/** Options of {@link getClientIp}. */
export interface ClientIpOptions {
  /**
   * Behind a proxy you run (a load balancer, Vercel, Cloudflare, nginx): take the address that proxy saw,
   * the last one of `X-Forwarded-For` (the one it appended), else `X-Real-IP`. Behind more than one (a CDN in
   * front of a load balancer), how many: `2` takes the address the second from the app saw, the last but one
   * of `X-Forwarded-For`, as Express's `trust proxy` counts hops. Off by default: without a proxy of yours in
   * front, any browser can send these headers and name any address.
   */
  trustProxy?: boolean | number
}

/** A request to read the client's address from: what the cookie helpers read (`CookieSource`), and Node's socket when it has one. */
export type ClientIpSource = string | Headers | Request | { headers: Headers | Record<string, string | string[] | undefined>; socket?: { remoteAddress?: string | undefined } | null } | null | undefined

/** The address in `value` when it is one (`::ffff:` IPv4-mapped addresses as plain IPv4). */
const addressIn = (value: string | undefined): string | undefined => {
  const address = value?.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')
  return address && isIpAddress(address) ? address : undefined
}

/**
 * The client's IP address, for `context.ip` (the providers that place users by address take it from there,
 * and without it never take the server's own). Node's socket address by default; with `trustProxy`, the
 * address your proxy saw (behind several, the farthest of them). `undefined` when there is none to read (a
 * Fetch `Request` carries no socket: on Workers, Vercel and behind any proxy, pass `trustProxy: true`).
 * Throws a `ConfigError` for a `trustProxy` that is neither a boolean nor a whole number of proxies.
 *
 * @example
 * await idstitch.identify({ userId, anonymousId, context: { ip: getClientIp(req, { trustProxy: true }) } })
 */
export const getClientIp = (source: ClientIpSource, options?: ClientIpOptions): string | undefined => {
  // `null` is no options, as in the cookie helpers.
  const trustProxy = options?.trustProxy
  checkCookieOptions({ trustProxy })
  return clientIpOf(source, proxyHops(trustProxy))
}

/**
 * {@link getClientIp} with its options checked: the address the farthest of `hops` proxies saw (`X-Forwarded-For`
 * counted from its end; the first entry when it has fewer), else `X-Real-IP`, else the socket's.
 */
export const clientIpOf = (source: ClientIpSource, hops: number): string | undefined => {
  if (hops > 0) {
    const forwarded = headerValues(source, 'x-forwarded-for').join(',').split(',')
    const proxied = addressIn(forwarded[Math.max(0, forwarded.length - hops)]) ?? addressIn(headerValues(source, 'x-real-ip')[0])
    if (proxied) return proxied
  }
  const socket = source && typeof source === 'object' && 'socket' in source ? source.socket : undefined
  return addressIn(socket?.remoteAddress)
}
