// Sets the visitor cookie from the server: Safari caps cookies written by
// scripts at 7 days; one set by the site's own server keeps its full year. A
// new id on a first page view, the same id with a fresh expiry once a day, and
// nothing for bots, assets or a visitor refreshed within the day.
import { visitorCookies } from '@idstitch/node'
import { NextResponse, type NextRequest } from 'next/server'

export function proxy(request: NextRequest) {
  const response = NextResponse.next()
  for (const cookie of visitorCookies(request, { secure: request.nextUrl.protocol === 'https:' }).setCookie) {
    response.headers.append('set-cookie', cookie)
  }
  return response
}

export const config = { matcher: ['/', '/login'] }
