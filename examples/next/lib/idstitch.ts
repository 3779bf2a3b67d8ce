// The client, created on its first identify: `next build` imports this module without the provider keys.
import { createClient } from '@idstitch/node'
import { pathbound } from '@idstitch/node/providers'
import { lazyClient } from '@idstitch/next'

export const idstitch = lazyClient(() => createClient({ providers: [pathbound({ apiKey: process.env.PATHBOUND_API_KEY ?? '', baseUrl: process.env.PATHBOUND_BASE_URL })] }))

/** The demo's session: the user id in an HttpOnly cookie the login action sets. */
export const SESSION_COOKIE = 'demo_session'
export const sessionUser = (cookieHeader: string | null): string | null => /(?:^|;\s*)demo_session=([\w-]+)/.exec(cookieHeader ?? '')?.[1] ?? null
