// The client, created on first use: `next build` imports this module without
// the provider keys, and a missing key still throws a ConfigError (naming the
// provider and option) on the first request.
import { createClient, type IdstitchClient } from '@idstitch/node'
import { pathbound } from '@idstitch/node/providers'

let client: IdstitchClient | undefined
export const idstitch = (): IdstitchClient =>
  (client ??= createClient({ providers: [pathbound({ apiKey: process.env.PATHBOUND_API_KEY ?? '', baseUrl: process.env.PATHBOUND_BASE_URL })] }))

/** The demo's session: the user id in an HttpOnly cookie the login action sets. */
export const SESSION_COOKIE = 'demo_session'
export const sessionUser = (cookieHeader: string | null): string | null => /(?:^|;\s*)demo_session=([\w-]+)/.exec(cookieHeader ?? '')?.[1] ?? null
