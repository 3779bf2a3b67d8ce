import { type IdentifyMessage, type IdstitchClient, type LoginCookiesOptions, loginCookies, logoutCookies, type SetCookieOptions, type CookieToSet } from '@idstitch/node'
import { cookies, headers } from 'next/headers.js'
import { after } from 'next/server.js'

/** Options of {@link identifyOnLogin}. */
export interface IdentifyOnLoginOptions extends LoginCookiesOptions {
  /** The user's traits (email, plan, …), as the providers take them. */
  traits?: IdentifyMessage['traits']
  /** More of the message's context. The client's `ip` is added from the request, unless this has an `ip` of its own. */
  context?: IdentifyMessage['context']
  /**
   * The message's id, as `identify(message, { messageId })` takes it: your login request's own id, so that a login
   * sent twice (a double click, a retry) is one message where the provider keeps one copy (Segment, PostHog,
   * Mixpanel, Amplitude). Default: a new UUID. The linked visitor ids' identifies get their own.
   */
  messageId?: string
}

/** What {@link identifyOnLogin} did: the ids it identified the user with. The delivery runs after the response. */
export interface LoginIdentified {
  /** The visitor id identified with, when the browser had one that was not another user's. */
  anonymousId: string | undefined
  /** The browser's visitor id from now on: a new one when it was another user's (`rotated`). */
  visitorId: string | undefined
  /** Whether the browser's visitor was another user's, and a new visitor id was started. */
  rotated: boolean
  /** Visitor ids cross-domain links brought beside this one, identified with the user too. */
  linkedIds: string[]
}

/** The request as the cookie helpers read it: its headers (cookies, `X-Forwarded-*`, `User-Agent`). */
const requestOf = async (): Promise<{ headers: Headers }> => ({ headers: new Headers(await headers()) })

/** Sets cookies on the response through Next's cookie API (server actions and route handlers only). */
const setAll = async (toSet: readonly CookieToSet[]): Promise<void> => {
  const jar = await cookies()
  for (const { name, value, options } of toSet) jar.set(name, value, options)
}

/** `Secure` when the browser used https (Next sets `X-Forwarded-Proto`), unless the options say. */
const secureOf = (request: { headers: Headers }, options: SetCookieOptions): boolean =>
  options.secure ?? request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https'

/**
 * In a server action or route handler, after your own login: reads the idstitch cookies through `next/headers`,
 * sets the contact cookie (and re-issues the visitor cookie, a new one when the browser was another user's) on the
 * response, and hands the identify to `after()`, so the login's response does not wait for the providers. The
 * visitor ids cross-domain links brought are identified too. `trustProxy` defaults to `true` (Next sets the
 * `X-Forwarded-*` headers), for the user's address in `context.ip`. Rejects with a `ValidationError`, setting
 * nothing, for a user id that cannot be a cookie's value (empty, over 100 characters, a space, quote, comma,
 * semicolon, backslash or non-ASCII letter), as `loginCookies()` does.
 *
 * @example
 * 'use server'
 * export async function login(form: FormData) {
 *   const user = await signIn(form)
 *   await identifyOnLogin(idstitch, user.id, { traits: { email: user.email } })
 *   redirect('/account')
 * }
 */
export const identifyOnLogin = async (client: Pick<IdstitchClient, 'identify'>, userId: string, options: IdentifyOnLoginOptions = {}): Promise<LoginIdentified> => {
  const { traits, context, messageId, ...cookieOptions } = options
  const request = await requestOf()
  const login = loginCookies(request, userId, { trustProxy: true, ...cookieOptions, secure: secureOf(request, cookieOptions) })
  await setAll(login.cookies)
  // The app's own context.ip (a CDN's header for the visitor's address) wins over the one read from the request.
  const message = { userId, traits, context: { ip: login.ip, ...context }, ...(login.consent ? { consent: login.consent } : {}) }
  after(async () => {
    // identify() never rejects: a provider's failure is its result, reported through the client's logger and onError.
    await client.identify({ ...message, anonymousId: login.anonymousId, anonymousIds: login.anonymousIds }, messageId === undefined ? undefined : { messageId })
    for (const anonymousId of login.linkedIds) await client.identify({ ...message, anonymousId })
  })
  return { anonymousId: login.anonymousId, visitorId: login.visitorId, rotated: login.rotated, linkedIds: login.linkedIds }
}

/**
 * In the logout server action or route handler: deletes the contact cookie (with the name, path and domain it was
 * set with). The visitor cookie stays. A page with `<IdstitchProvider>` that renders after it shows no contact,
 * and tells the user's other tabs.
 */
export const resetOnLogout = async (options: SetCookieOptions = {}): Promise<void> => {
  const request = await requestOf()
  await setAll(logoutCookies({ ...options, secure: secureOf(request, options) }).cookies)
}
