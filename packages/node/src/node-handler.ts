import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RelayErrorCode } from './relay.js'

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
      const url = urlOf(req)
      if (url === undefined) return answer(res, 400, 'invalid_request', 'the Host header and the request target make no URL')
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
        if (name !== 'set-cookie') res.setHeader(name, value)
      })
      // Each cookie its own header: forEach would leave only the last (setHeader replaces).
      const cookies = response.headers.getSetCookie()
      if (cookies.length > 0) res.setHeader('set-cookie', cookies)
      res.end(Buffer.from(await response.arrayBuffer()))
    } catch {
      answer(res, 500, 'internal_error', 'the identify relay failed')
    }
  }

/**
 * The URL the request reached this server at, or undefined when its `Host` and target make none a `Request` takes
 * (a client may send `Host: a b`, or `Host: user@host`: Node's server passes either on). Forwarded headers pass
 * through untouched; the handler honours them only with its `trustProxy` option.
 */
const urlOf = (req: IncomingMessage): string | undefined => {
  const protocol = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http'
  const url = `${protocol}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`
  try {
    const { username, password } = new URL(url)
    return username === '' && password === '' ? url : undefined
  } catch {
    return undefined
  }
}

/** The relay's JSON error, in its own envelope; the status only while the head is not sent. */
const answer = (res: ServerResponse, status: number, code: RelayErrorCode, message: string): void => {
  if (!res.headersSent) {
    res.statusCode = status
    res.setHeader('content-type', 'application/json')
  }
  res.end(JSON.stringify({ error: { code, message } }))
}
