// The app every runtime test serves, and the README shows as it is: a fetch
// handler with the relay, the cookie helpers and a fire-and-forget identify
// kept alive by waitUntil. It is bundled from the packed tarballs with each
// runtime's export condition.
import { createClient, createIdentifyHandler, getVisitorId, loginCookies, withVisitorCookie, type IdstitchClient } from '@idstitch/node'
import { pathbound } from '@idstitch/node/providers'

export interface Env {
  SANDBOX_URL?: string
  PATHBOUND_API_KEY: string
}

// Your session lookup; in the tests, a header stands in for it.
const sessionUser = (request: Request): string | null => request.headers.get('x-user')

// Created on first use: nothing needs the key until a request comes.
let client: IdstitchClient | undefined
const idstitch = (env: Env): IdstitchClient =>
  (client ??= createClient({ providers: [pathbound({ apiKey: env.PATHBOUND_API_KEY, baseUrl: env.SANDBOX_URL })] }))

export const handle = async (request: Request, env: Env, waitUntil: (promise: Promise<unknown>) => void): Promise<Response> => {
  const { pathname } = new URL(request.url)
  if (pathname === '/api/identify') {
    return createIdentifyHandler({ client: idstitch(env), authenticate: sessionUser })(request)
  }
  if (pathname === '/login') {
    const userId = sessionUser(request) ?? ''
    const login = loginCookies(request, userId, { secure: false })
    // Not awaited: waitUntil keeps the function alive until the provider has answered.
    idstitch(env).identify({ userId, anonymousId: login.anonymousId, traits: { plan: 'pro' } }, { waitUntil })
    const headers = new Headers({ 'content-type': 'application/json' })
    for (const cookie of login.setCookie) headers.append('set-cookie', cookie)
    return new Response(JSON.stringify({ visitor: getVisitorId(request), rotated: login.rotated }), { status: 202, headers })
  }
  if (pathname === '/pricing') {
    // A marketing page: the site's own server keeps the visitor cookie (Safari does not cap it), bots get none.
    const page = new Response('<!doctype html><title>Pricing</title>', { headers: { 'content-type': 'text/html; charset=utf-8' } })
    return withVisitorCookie(request, page, { secure: false })
  }
  return new Response('not found', { status: 404 })
}
