import * as z from 'zod/mini'

/** Built on first use, as every schema of the core (a cold start need not pay for it). */
let schema: z.ZodMiniType<string> | undefined

/**
 * True for an IPv4 or IPv6 address, as zod checks them: what a provider that
 * places users by address (`context.ip`) may be given.
 *
 * @example
 * isIpAddress('203.0.113.7') // true
 * isIpAddress('localhost')   // false
 */
export const isIpAddress = (value: string): boolean => (schema ??= z.union([z.ipv4(), z.ipv6()])).safeParse(value).success

/**
 * The user's address from `context.ip`, for a provider that places users by it: `{}` without one, `{ ip }`
 * for an address, `{ issue }` for anything else (naming `context.ip` and the provider's use of it).
 */
export const userIpOf = (context: Record<string, unknown>, provider: string): { ip?: string; issue?: { path: string; message: string } } => {
  const { ip } = context
  if (ip === undefined || ip === null || ip === '') return {}
  if (typeof ip === 'string' && isIpAddress(ip)) return { ip }
  return { issue: { path: 'context.ip', message: `must be an IPv4 or IPv6 address (the user's, for ${provider} to place them)` } }
}
