'use server'
// The login and logout server actions: the session, the idstitch cookies, and an identify
// that runs after the response (Next's `after`), so the login is not held up by the providers.
import { clearContactCookie, loginCookies } from '@idstitch/node'
import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'
import { after } from 'next/server'
import { idstitch, SESSION_COOKIE } from '../lib/idstitch'

export async function login(form: FormData): Promise<void> {
  const userId = String(form.get('user') ?? '')
  const jar = await cookies()
  const login = loginCookies(jar.toString(), userId, { secure: false })
  idstitch().identify({ userId, anonymousId: login.anonymousId, traits: { plan: 'pro' } }, { waitUntil: after })
  for (const cookie of login.cookies) jar.set(cookie.name, cookie.value, cookie.options)
  jar.set(SESSION_COOKIE, userId, { path: '/', httpOnly: true, sameSite: 'lax' })
  redirect('/login')
}

export async function logout(): Promise<void> {
  const jar = await cookies()
  jar.delete(SESSION_COOKIE)
  // clearContactCookie() is the Set-Cookie value; here, the name it clears.
  jar.delete(clearContactCookie().split('=')[0] as string)
  redirect('/login')
}
