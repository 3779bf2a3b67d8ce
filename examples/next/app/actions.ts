'use server'
// Login and logout: your session, then one line of idstitch each.
import { identifyOnLogin, resetOnLogout } from '@idstitch/next'
import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'
import { idstitch, SESSION_COOKIE } from '../lib/idstitch'

export async function login(form: FormData): Promise<void> {
  const userId = String(form.get('user') ?? '')
  // (A real app checks the password here.)
  ;(await cookies()).set(SESSION_COOKIE, userId, { path: '/', httpOnly: true, sameSite: 'lax' })
  await identifyOnLogin(idstitch, userId, { traits: { plan: 'pro' } })
  redirect('/login')
}

export async function logout(): Promise<void> {
  ;(await cookies()).delete(SESSION_COOKIE)
  await resetOnLogout()
  redirect('/login')
}
