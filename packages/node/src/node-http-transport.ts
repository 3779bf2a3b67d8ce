import type { Agent, IncomingMessage } from 'node:http'
import type { ProviderRequest, ProviderResponse } from '@idstitch/core'
import { serializeBody } from '@idstitch/core/internal'
import { attemptTimedOut, flattenHeaders, parseBody, type AttemptLimits, type Transport } from './transport.js'

/** Reads a response to the end; rejects when it stops short (the socket closed, or the signal aborted). */
const readBody = (response: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    response.on('data', (chunk: Buffer) => chunks.push(chunk))
    response.on('error', reject)
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    response.on('close', () => response.complete || reject(new Error('the response ended early')))
  })

type Stack = { request: typeof import('node:http').request; agent: Agent }

/**
 * The Node transport: `node:http` and `node:https` with keep-alive agents, at
 * most `connections` sockets per origin. It costs a fraction of `fetch`'s CPU
 * per request and, being built into Node, next to nothing to load (undici's
 * Pool, as fast per request, costs ~100 ms of CPU to load, which a cold
 * start's first identify would pay; see bench/README.md). `node:http` and
 * `node:https` are imported on first use, so other runtimes can import the SDK.
 */
export const createNodeHttpTransport = ({ connections = 8 }: { connections?: number } = {}): Transport => {
  // An idle socket closes after 30 s, or a second before the server's `Keep-Alive: timeout=` hint
  // (Node honours the hint only when `timeout` is set), so a request rarely lands on a socket the
  // server is closing (an ECONNRESET that would cost an attempt).
  const options = { keepAlive: true, maxSockets: connections, timeout: 30_000 }
  const stacks = new Map<string, Promise<Stack>>()
  const stackFor = (protocol: string): Promise<Stack> => {
    let stack = stacks.get(protocol)
    if (!stack) {
      const module = protocol === 'https:' ? import('node:https') : import('node:http')
      stacks.set(protocol, (stack = module.then(({ request, Agent }) => ({ request, agent: new Agent(options) }))))
    }
    return stack
  }
  // Parsed once per URL: a built-in provider sends every request to the same one. Bounded,
  // for custom adapters that put an id in the path.
  const targets = new Map<string, { protocol: string; hostname: string; port: string; path: string }>()
  const targetOf = (href: string) => {
    let target = targets.get(href)
    if (!target) {
      if (targets.size >= 64) targets.clear()
      const url = new URL(href)
      // Brackets off an IPv6 literal: node:http wants the bare address.
      targets.set(href, (target = { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: url.pathname + url.search }))
    }
    return target
  }
  return {
    async send(request: ProviderRequest, { timeoutMs, signal }: AttemptLimits): Promise<ProviderResponse> {
      const target = targetOf(request.url)
      const stack = await stackFor(target.protocol)
      const body = serializeBody(request.body)
      const headers = { 'content-length': Buffer.byteLength(body), ...request.headers }
      return new Promise((resolve, reject) => {
        const outgoing = stack.request(
          { hostname: target.hostname, port: target.port, path: target.path, method: request.method, headers, agent: stack.agent, signal },
          (response) => {
            readBody(response).then((text) => {
              const received = flattenHeaders(response.headers)
              resolve({ status: response.statusCode ?? 0, headers: received, body: parseBody(text, received['content-type'] ?? null) })
            }, reject)
          },
        )
        // The socket's idle timer: no byte of the response for timeoutMs ends the attempt.
        outgoing.setTimeout(timeoutMs, () => outgoing.destroy(attemptTimedOut(timeoutMs)))
        outgoing.on('error', reject)
        outgoing.end(body)
      })
    },
    async close() {
      const closing = [...stacks.values()]
      stacks.clear()
      for (const stack of await Promise.all(closing)) stack.agent.destroy()
    },
  }
}
