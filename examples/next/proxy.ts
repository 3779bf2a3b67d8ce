// Issues the visitor cookie from the server: mints one when there is none, and
// re-issues it on every page so its lifetime is refreshed. Safari caps cookies
// written by scripts at 7 days; one set by the site's server lives its full year.
import { getVisitorId, visitorCookie } from '@idstitch/node'
import { NextResponse, type NextRequest } from 'next/server'

export function proxy(request: NextRequest) {
  const id = getVisitorId(request) ?? crypto.randomUUID()
  const response = NextResponse.next()
  response.headers.append('set-cookie', visitorCookie(id, { secure: request.nextUrl.protocol === 'https:' }))
  return response
}

export const config = { matcher: ['/', '/login'] }
