import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import { ConfigError } from '@idstitch/core'
import { appendCookies } from './append-cookies.js'
import type { RelayErrorCode } from './relay.js'
import { rememberSocketAddress } from './socket-address.js'

/** A request of `node:http` (Express, Connect) or of `node:http2`'s compatibility API (Fastify with `http2: true`). */
type NodeHttpRequest = IncomingMessage | Http2ServerRequest
/** The response that goes with a {@link NodeHttpRequest}. */
type NodeHttpResponse = ServerResponse | Http2ServerResponse

/** The Node request and response each Web request {@link toNodeHandler} made was made from and is answered on. */
const exchanges = new WeakMap<Request, { req: NodeHttpRequest; res: NodeHttpResponse }>()

/**
 * The Express or `node:http` request that {@link toNodeHandler} made `request`
 * from: where an app's middleware keeps what it knows of the user
 * (express-session's `req.session`, Passport's `req.user`), for the relay's
 * `authenticate()`. `undefined` for a request `toNodeHandler()` did not make.
 *
 * @example
 * authenticate: (request) => getNodeRequest<express.Request>(request)?.session.userId
 */
export const getNodeRequest = <NodeRequest extends IncomingMessage | Http2ServerRequest = IncomingMessage>(request: Request): NodeRequest | undefined =>
  exchanges.get(request)?.req as NodeRequest | undefined

/**
 * The Node response {@link toNodeHandler} answers `request` on, for an
 * `authenticate()` whose session library takes the response as well as the
 * request: next-auth v4's `getServerSession(req, res, authOptions)` on the
 * Pages Router, which renews its session cookie there. Cookies set on it are
 * sent beside the relay's; the relay then writes the status, its own headers
 * and the body, so `authenticate()` must not end it. `undefined` for a
 * request `toNodeHandler()` did not make.
 *
 * @example
 * authenticate: async (request) => {
 *   const req = getNodeRequest<NextApiRequest>(request)
 *   const res = getNodeResponse<NextApiResponse>(request)
 *   return req && res ? (await getServerSession(req, res, authOptions))?.user?.id : null
 * }
 */
export const getNodeResponse = <NodeResponse extends ServerResponse | Http2ServerResponse = ServerResponse>(request: Request): NodeResponse | undefined =>
  exchanges.get(request)?.res as NodeResponse | undefined

/**
 * Adapts a Web-standard handler to Express, `node:http` and `node:http2`'s
 * compatibility API: `app.post('/api/identify', toNodeHandler(handler))`.
 * Cookies and `Vary` an earlier middleware set are kept. Works behind Express's
 * body parsers, 4 and 5: after one that read the body (`express.json()`,
 * `express.text()`, `express.raw()`) it relays what the parser left in
 * `req.body`, and otherwise reads the request itself. A body read with
 * nothing left in `req.body` is answered 500 (`internal_error`), not relayed
 * empty. The handler's `authenticate()` reaches Express's own request (its
 * session) through {@link getNodeRequest}, and its response through
 * {@link getNodeResponse}. Throws a `ConfigError` naming `handler` when it is no function.
 *
 * @example
 * createServer(toNodeHandler(createIdentifyHandler({ client, authenticate })))
 */
export const toNodeHandler = (handler: (request: Request) => Promise<Response>) => {
  // No handler (a misnamed import) is the app's to mend at start-up, not a 500 at every request that blames idstitch.
  if (typeof handler !== 'function') throw new ConfigError('handler', `must be a function of a Web Request (the relay createIdentifyHandler() makes), got ${handler === null ? 'null' : typeof handler}`)
  return async (req: NodeHttpRequest & { body?: unknown }, res: NodeHttpResponse): Promise<void> => {
    try {
      const url = urlOf(req)
      if (url === undefined) return answer(res, 400, 'invalid_request', 'the Host header and the request target make no URL')
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        // HTTP/2's pseudo-headers (`:method`, `:authority`) are no header a `Request` takes; urlOf() reads `:authority`.
        if (value === undefined || name.startsWith(':')) continue
        for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
      }
      const body = bodyOf(req)
      if (body === CONSUMED) return answer(res, 500, 'internal_error', 'the request body was read before the relay, and no parsed req.body was left to relay')
      // A parsed body relayed in the stream's place has a length of its own.
      if (body !== undefined && body !== req) headers.delete('content-length')
      const request = new Request(url, { method: req.method, headers, body, ...(body === req ? { duplex: 'half' } : {}) } as RequestInit)
      exchanges.set(request, { req, res })
      rememberSocketAddress(request, req.socket?.remoteAddress)
      const response = await handler(request)
      res.statusCode = response.status
      copyHeaders(response.headers, res)
      res.end(Buffer.from(await response.arrayBuffer()))
    } catch {
      answer(res, 500, 'internal_error', 'the identify relay failed')
    }
  }
}

/**
 * The relay's headers onto `res`, keeping what an earlier middleware set there: its cookies (appended) and its
 * `Vary` (merged: the `cors` package's `Vary: Origin`, a cache's `Vary: Cookie`). Any other header is the relay's.
 */
const copyHeaders = (headers: Headers, res: NodeHttpResponse): void => {
  headers.forEach((value, name) => {
    if (name === 'vary') res.setHeader('vary', mergeVary(res.getHeader('vary'), value))
    else if (name !== 'set-cookie') res.setHeader(name, value)
  })
  appendCookies(res, headers.getSetCookie())
}

/** The field names of both `Vary` values, each once (compared without case), in the order first given. */
const mergeVary = (earlier: number | string | string[] | undefined, value: string): string => {
  const names = new Map<string, string>()
  for (const name of [...[earlier ?? []].flat(), value].join(',').split(',')) {
    const trimmed = name.trim()
    if (trimmed !== '' && !names.has(trimmed.toLowerCase())) names.set(trimmed.toLowerCase(), trimmed)
  }
  return [...names.values()].join(', ')
}

/** A body that something before the relay read, leaving nothing to relay in its place. */
const CONSUMED = Symbol('consumed')

/**
 * The body to relay: the request's stream, unless a body parser already read it (`req.readableEnded`), then
 * what it left as `req.body`: text and bytes as they are (`express.text()`, `express.raw()`), anything else as
 * JSON (`express.json()`). Express 4's parsers set `req.body = {}` even when another content type kept them
 * from reading the stream (`express.urlencoded()` alone, and a JSON POST): relaying that `{}` would drop the
 * visitor id and traits while the stream still held them. A stream read with nothing left in `req.body` (a
 * framework's own parser: Fastify keeps it on its request, not on `request.raw`) is {@link CONSUMED}.
 */
const bodyOf = (req: NodeHttpRequest & { body?: unknown }): RequestInit['body'] | typeof CONSUMED | undefined => {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined
  if (!req.readableEnded) return req as unknown as RequestInit['body']
  const { body } = req
  if (body === undefined) return CONSUMED
  return typeof body === 'string' || body instanceof Uint8Array ? (body as RequestInit['body']) : JSON.stringify(body)
}

/**
 * The URL the request reached this server at, or undefined when its `Host` and target make none a `Request` takes
 * (a client may send `Host: a b`, or `Host: user@host`: Node's server passes either on). Forwarded headers pass
 * through untouched; the handler honours them only with its `trustProxy` option.
 */
const urlOf = (req: NodeHttpRequest): string | undefined => {
  const protocol = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http'
  // HTTP/2 names the host `:authority` (node:http2's compatibility API, Fastify with `http2: true`).
  const host = req.headers.host ?? req.headers[':authority']
  const url = `${protocol}://${typeof host === 'string' ? host : 'localhost'}${req.url ?? '/'}`
  try {
    const { username, password } = new URL(url)
    return username === '' && password === '' ? url : undefined
  } catch {
    return undefined
  }
}

/** The relay's JSON error, in its own envelope; the status only while the head is not sent. */
const answer = (res: NodeHttpResponse, status: number, code: RelayErrorCode, message: string): void => {
  if (!res.headersSent) {
    res.statusCode = status
    res.setHeader('content-type', 'application/json')
  }
  res.end(JSON.stringify({ error: { code, message } }))
}
