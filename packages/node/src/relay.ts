import { RELAY_BODY_FIELDS, isUuid, type RelayBody } from '@idstitch/core/cookies'
import { isPlainObject } from '@idstitch/core/internal'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { IdstitchClient } from './client.js'
import type { ProviderResult } from './results.js'

/**
 * The logged-in user as `authenticate` may describe them: the id, plus what
 * only the server knows, added to the identify the browser asked for.
 */
export interface RelayIdentity {
  userId: string
  /** Traits the server vouches for (an email from the session, a plan); they win over the browser's traits of the same name. */
  traits?: Record<string, unknown>
  /**
   * Context that only the server has (user agent, IP, page, `source`), for the
   * providers that take one: Segment and Thrivestack forward it to their
   * backend, so it is no place for secrets. Never read from the browser,
   * never echoed back to it.
   */
  context?: Record<string, unknown>
}

/** Options of {@link createIdentifyHandler}. */
export interface IdentifyHandlerOptions {
  /** The client that delivers to the providers. */
  client: IdstitchClient
  /**
   * Finds the logged-in user from the request's session (cookie, JWT, …): their
   * id, or a {@link RelayIdentity} that adds server-side traits and context;
   * `null`/`undefined` when there is none. This, never the body alone, is the
   * user id sent to providers.
   */
  authenticate: (request: Request) => string | RelayIdentity | null | undefined | Promise<string | RelayIdentity | null | undefined>
  /** Origins allowed besides the request's own, like `'https://www.example.com'`. */
  allowedOrigins?: readonly string[]
  /** The largest body accepted. Default 64 KB. */
  maxBodyBytes?: number
}

/** The JSON the handler answers a successful relay with. */
export interface RelayResponseBody {
  ok: boolean
  results: { provider: string; status: ProviderResult['status']; reason?: string; error?: { code: string; message: string } }[]
}

type Fail = { status: number; code: string; message: string; headers?: Record<string, string> }

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } })

const fail = ({ status, code, message, headers }: Fail): Response => json(status, { error: { code, message } }, headers)

const ALLOWED_KEYS: ReadonlySet<string> = new Set(RELAY_BODY_FIELDS)

/** Reads at most `limit` bytes of the body; `undefined` when it is larger. */
const readBody = async (request: Request, limit: number): Promise<string | undefined> => {
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      return undefined
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

/**
 * The relay endpoint for the tracker's `identify()`: a Web-standard
 * `(request: Request) => Promise<Response>`, usable as a Next.js route
 * handler, in Hono or in a Worker (and in Express or `node:http` through
 * {@link toNodeHandler}).
 *
 * It accepts only same-origin (or allowed-origin) JSON POSTs of at most
 * `maxBodyBytes`, takes the user id from `authenticate(request)`, and
 * identifies with the body's `anonymousId` and `traits`. It answers 405 for
 * other methods, 403 for a foreign origin or a body `userId` that is not the
 * session's, 415 for a body that is not JSON, 413 past the size limit, 401
 * without a session, 400 for malformed JSON or invalid fields, and 200 with
 * the per-provider outcome. Nothing refused reaches a provider.
 *
 * @example
 * // app/api/identify/route.ts (Next.js)
 * export const POST = createIdentifyHandler({ client: idstitch, authenticate: async (request) => (await getSession(request))?.userId })
 */
export const createIdentifyHandler = (options: IdentifyHandlerOptions): ((request: Request) => Promise<Response>) => {
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024
  const allowed = new Set((options.allowedOrigins ?? []).map((origin) => origin.replace(/\/+$/, '').toLowerCase()))

  const check = (request: Request): Fail | undefined => {
    if (request.method !== 'POST') return { status: 405, code: 'method_not_allowed', message: 'use POST', headers: { allow: 'POST' } }
    const origin = request.headers.get('origin')
    const own = new URL(request.url)
    const sameOrigin = origin !== null && origin.toLowerCase() === own.origin.toLowerCase()
    if (!sameOrigin && !(origin !== null && allowed.has(origin.toLowerCase()))) {
      return { status: 403, code: 'forbidden_origin', message: origin === null ? 'the request has no Origin header' : `origin ${origin} is not allowed` }
    }
    if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? '')) {
      return { status: 415, code: 'unsupported_media_type', message: 'the body must be application/json' }
    }
    const length = Number(request.headers.get('content-length') ?? 0)
    if (length > maxBodyBytes) return { status: 413, code: 'body_too_large', message: `the body must be at most ${maxBodyBytes} bytes` }
    return undefined
  }

  return async (request) => {
    try {
      const refused = check(request)
      if (refused) return fail(refused)

      const found = await options.authenticate(request)
      if (found === null || found === undefined || found === '') return fail({ status: 401, code: 'unauthenticated', message: 'no session: log in first' })
      const identity: RelayIdentity = typeof found === 'string' ? { userId: found } : found
      // A bug in the app's authenticate(), not the browser's fault.
      if (typeof identity.userId !== 'string' || identity.userId === '') {
        return fail({ status: 500, code: 'internal_error', message: 'authenticate() returned neither a user id nor { userId }' })
      }
      for (const field of ['traits', 'context'] as const) {
        if (identity[field] !== undefined && !isPlainObject(identity[field])) {
          return fail({ status: 500, code: 'internal_error', message: `authenticate() returned ${field} that is not an object` })
        }
      }
      const { userId } = identity

      const text = await readBody(request, maxBodyBytes)
      if (text === undefined) return fail({ status: 413, code: 'body_too_large', message: `the body must be at most ${maxBodyBytes} bytes` })
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        return fail({ status: 400, code: 'invalid_json', message: 'the body is not valid JSON' })
      }
      if (!isPlainObject(body)) return fail({ status: 400, code: 'invalid_body', message: 'the body must be a JSON object' })
      const unknown = Object.keys(body).filter((key) => !ALLOWED_KEYS.has(key))
      if (unknown.length > 0) return fail({ status: 400, code: 'invalid_body', message: `unknown field ${unknown[0]}; send anonymousId, userId and traits` })
      if (body.userId !== undefined && body.userId !== userId) {
        return fail({ status: 403, code: 'user_mismatch', message: "userId is not the logged-in user's" })
      }
      const { anonymousId, traits } = body as RelayBody
      if (anonymousId != null && !isUuid(anonymousId)) return fail({ status: 400, code: 'invalid_body', message: 'anonymousId must be a UUID' })
      if (traits !== undefined && !isPlainObject(traits)) return fail({ status: 400, code: 'invalid_body', message: 'traits must be an object' })

      const result = await options.client.identify({
        userId,
        anonymousId: anonymousId as string | null | undefined,
        traits: identity.traits ? { ...(traits as Record<string, unknown> | undefined), ...identity.traits } : traits,
        ...(identity.context ? { context: identity.context } : {}),
      })
      const everyInvalid = result.results.every((entry) => entry.status === 'invalid')
      const first = result.results[0]?.error
      if (everyInvalid && first && 'issues' in first) {
        const issue = (first as { issues: { path: string; message: string }[] }).issues[0]
        return fail({ status: 400, code: 'invalid_body', message: issue ? `${issue.path} ${issue.message}` : first.message })
      }
      const response: RelayResponseBody = {
        ok: result.ok,
        results: result.results.map(({ provider, status, reason, error }) => ({
          provider,
          status,
          ...(reason ? { reason } : {}),
          ...(error ? { error: { code: error.code, message: error.message } } : {}),
        })),
      }
      return json(200, response)
    } catch {
      // authenticate() or the request stream failed: answer, never crash the app.
      return fail({ status: 500, code: 'internal_error', message: 'the identify relay failed' })
    }
  }
}

/**
 * Adapts a Web-standard handler to Express and `node:http`:
 * `app.post('/api/identify', toNodeHandler(handler))`. Works after
 * `express.json()` too (it then relays the parsed body).
 *
 * @example
 * createServer(toNodeHandler(createIdentifyHandler({ client, authenticate })))
 */
export const toNodeHandler =
  (handler: (request: Request) => Promise<Response>) =>
  async (req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void> => {
    try {
      const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true
      const forwarded = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim()
      const protocol = forwarded || (encrypted ? 'https' : 'http')
      const url = `${protocol}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined) continue
        for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
      let body: RequestInit['body'] | undefined
      if (hasBody && req.body !== undefined) {
        // A body parser already read the stream: relay what it parsed.
        body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body)
        headers.delete('content-length')
      } else if (hasBody) {
        body = req as unknown as RequestInit['body']
      }
      const request = new Request(url, { method: req.method, headers, body, ...(body ? { duplex: 'half' } : {}) } as RequestInit)
      const response = await handler(request)
      res.statusCode = response.status
      response.headers.forEach((value, name) => {
        res.setHeader(name, value)
      })
      res.end(Buffer.from(await response.arrayBuffer()))
    } catch {
      if (!res.headersSent) {
        res.statusCode = 500
        res.setHeader('content-type', 'application/json')
      }
      res.end(JSON.stringify({ error: { code: 'internal_error', message: 'the identify relay failed' } }))
    }
  }
