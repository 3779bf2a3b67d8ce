import { isIpAddress } from '@idstitch/core/internal'
import { headerValues } from './request-headers.js'

/** Options of {@link getClientIp}. */
export interface ClientIpOptions {
  /**
   * Behind a proxy you run (a load balancer, Vercel, Cloudflare, nginx): take the address that proxy saw,
   * the last one of `X-Forwarded-For` (the one it appended), else `X-Real-IP`. Off by default: without a proxy
   * of yours in front, any browser can send these headers and name any address.
   */
  trustProxy?: boolean
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
 * address your proxy saw. `undefined` when there is none to read (a Fetch `Request` carries no socket: on
 * Workers, Vercel and behind any proxy, pass `trustProxy: true`).
 *
 * @example
 * await idstitch.identify({ userId, anonymousId, context: { ip: getClientIp(req, { trustProxy: true }) } })
 */
export const getClientIp = (source: ClientIpSource, options: ClientIpOptions = {}): string | undefined => {
  if (options.trustProxy) {
    const forwarded = headerValues(source, 'x-forwarded-for').join(',').split(',').at(-1)
    const proxied = addressIn(forwarded) ?? addressIn(headerValues(source, 'x-real-ip')[0])
    if (proxied) return proxied
  }
  const socket = source && typeof source === 'object' && 'socket' in source ? source.socket : undefined
  return addressIn(socket?.remoteAddress)
}
