// app/api/identify/route.ts in a Next.js app, or `app.post('/api/identify', (c) => POST(c.req.raw))` in Hono,
// or `export default { fetch: POST }` in a Worker: the same Web-standard handler everywhere.
import { createClient, createIdentifyHandler, getContactId } from '@idstitch/node'
import { pathbound } from '@idstitch/node/providers'

const idstitch = createClient({
  providers: [pathbound({ apiKey: process.env.PATHBOUND_API_KEY ?? '', ...(process.env.PATHBOUND_BASE_URL ? { baseUrl: process.env.PATHBOUND_BASE_URL } : {}) })],
  deadlineMs: 3_000, // a route handler should answer quickly
})

/**
 * Your session lookup goes here (next-auth's `auth()`, a JWT, a session store…).
 * This demo trusts a signed-in marker cookie only to stay self-contained.
 */
const session = (request: Request): string | undefined =>
  request.headers.get('cookie')?.includes('signed_in=1') ? getContactId(request) : undefined

export const POST = createIdentifyHandler({
  client: idstitch,
  authenticate: (request) => session(request),
  allowedOrigins: process.env.MARKETING_ORIGIN ? [process.env.MARKETING_ORIGIN] : [],
})
