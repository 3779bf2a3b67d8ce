import type { ProviderRequest, ProviderResponse } from '@idstitch/core'
import { serializeBody } from '@idstitch/core/internal'
import { attemptTimedOut, flattenHeaders, parseBody, type AttemptLimits, type Transport } from './transport.js'

type Undici = typeof import('undici')
type Pool = InstanceType<Undici['Pool']>

/**
 * The Node transport: one undici `Pool` per origin (so per provider), with
 * keep-alive connections and at most `connections` sockets. It costs a
 * fraction of `fetch`'s CPU per request (see bench/README.md). undici is
 * loaded on the first request, not at import, so a cold start does not pay
 * for it.
 */
export const createUndiciTransport = ({ connections = 8 }: { connections?: number } = {}): Transport => {
  let undici: Promise<Undici> | undefined
  const pools = new Map<string, Pool>()
  return {
    async send(request: ProviderRequest, { timeoutMs, signal }: AttemptLimits): Promise<ProviderResponse> {
      const { Pool } = await (undici ??= import('undici'))
      const url = new URL(request.url)
      let pool = pools.get(url.origin)
      if (!pool) pools.set(url.origin, (pool = new Pool(url.origin, { connections, keepAliveTimeout: 30_000 })))
      let text: string
      let response: import('undici').Dispatcher.ResponseData
      try {
        response = await pool.request({
          path: url.pathname + url.search,
          method: request.method,
          headers: request.headers,
          body: serializeBody(request.body),
          signal,
          // undici's own timers: for the response's headers, and between chunks of its body.
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        })
        text = await response.body.text()
      } catch (error) {
        const code = (error as { code?: unknown }).code
        throw code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? attemptTimedOut(timeoutMs) : error
      }
      const headers = flattenHeaders(response.headers)
      return { status: response.statusCode, headers, body: parseBody(text, headers['content-type'] ?? null) }
    },
    async close() {
      const closing = [...pools.values()].map((pool) => pool.close())
      pools.clear()
      await Promise.all(closing)
    },
  }
}
