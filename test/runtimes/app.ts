// The app every runtime test serves, as a user would write it for Workers,
// Vercel Edge, Bun or Deno: a fetch handler with the relay, the cookie helpers
// and a fire-and-forget identify kept alive by waitUntil. It is bundled from
// the packed tarballs with each runtime's export condition.
import { createClient, createIdentifyHandler, getVisitorId, loginCookies, type IdstitchClient } from '@idstitch/node'
import { pathbound } from '@idstitch/node/providers'

export interface Env {
  SANDBOX_URL: string
  PATHBOUND_API_KEY: string
}

/** Created on first use, so that nothing needs the key until a request comes (as at build time in Next.js). */
let client: IdstitchClient | undefined
const idstitch = (env: Env): IdstitchClient =>
  (client ??= createClient({ logger: false, providers: [pathbound({ apiKey: env.PATHBOUND_API_KEY, baseUrl: env.SANDBOX_URL })] }))

export const handle = async (request: Request, env: Env, waitUntil: (promise: Promise<unknown>) => void): Promise<Response> => {
  const { pathname } = new URL(request.url)
  if (pathname === '/api/identify') {
    const relay = createIdentifyHandler({ client: idstitch(env), authenticate: (incoming) => incoming.headers.get('x-user') })
    return relay(request)
  }
  if (pathname === '/login') {
    // The login route: the cookies, and an identify that is not awaited but outlives the response.
    const userId = request.headers.get('x-user') ?? ''
    const login = loginCookies(request, userId, { secure: false })
    idstitch(env).identify({ userId, anonymousId: login.anonymousId, traits: { plan: 'pro' } }, { waitUntil })
    const headers = new Headers({ 'content-type': 'application/json' })
    for (const cookie of login.setCookie) headers.append('set-cookie', cookie)
    return new Response(JSON.stringify({ visitor: getVisitorId(request), rotated: login.rotated }), { status: 202, headers })
  }
  return new Response('not found', { status: 404 })
}
