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
