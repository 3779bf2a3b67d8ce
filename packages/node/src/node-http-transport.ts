import type { Agent } from 'node:http'
import type { ProviderRequest, ProviderResponse } from '@idstitch/core'
import { serializeBody } from '@idstitch/core/internal'
import { boundAttempt, capOf, createTargets, flattenHeaders, parseBody, responseTooLarge, type AttemptLimits, type Target, type Transport } from './transport.js'

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
  /** The stacks loaded so far, to send on without awaiting a promise per request. */
  const loaded = new Map<string, Stack>()
  const stackFor = (protocol: string): Promise<Stack> => {
    let stack = stacks.get(protocol)
    if (!stack) {
      const module = protocol === 'https:' ? import('node:https') : import('node:http')
      stack = module.then(({ request, Agent }) => {
        const ready = { request, agent: new Agent(options) }
        loaded.set(protocol, ready)
        return ready
      })
      stacks.set(protocol, stack)
    }
    return stack
  }
  const targetOf = createTargets()
  /**
   * One request. Its one timer ends it at `timeoutMs` or the deadline, whichever comes first: no
   * AbortSignal (in Node, a signal on each request costs a third of a keep-alive request's CPU) and
   * no socket idle timer, which a response trickling in byte by byte would keep alive. The answer is
   * read into the request's own promise, with no promise of its own: every promise and closure on
   * this path is paid once per request (see bench/README.md).
   */
  const sendOn = (stack: Stack, target: Target, request: ProviderRequest, limits: AttemptLimits): Promise<ProviderResponse> =>
    new Promise((resolve, reject) => {
      // The timer's error is the one to report: destroying the request can also surface as the response's own
      // "aborted" error first (Node 22 and later), which would read as a network failure.
      let ended: Error | undefined
      const fail = (error: unknown): void => {
        clearTimeout(timer)
        reject(ended ?? error)
      }
      const outgoing = stack.request(
        { hostname: target.hostname, port: target.port, path: target.path, method: request.method, headers: request.headers, agent: stack.agent, ...(limits.signal ? { signal: limits.signal } : {}) },
        (response) => {
          // At most `cap` bytes are read (node:http decompresses nothing): past them, or when the length the
          // provider declares is already past them, the connection is dropped and the attempt fails.
          const cap = capOf(limits)
          const chunks: Buffer[] = []
          let size = 0
          // Destroyed without an error: a response that had already all arrived has handed its socket back to the
          // agent, where an error emitted on it would have no listener (an uncaught exception). The error is ours.
          const tooLarge = () => {
            ended = responseTooLarge(cap)
            response.destroy()
            outgoing.destroy()
            fail(ended)
          }
          response.on('error', fail)
          if (Number(response.headers['content-length']) > cap) return tooLarge()
          response.on('data', (chunk: Buffer) => {
            if (ended) return
            size += chunk.length
            if (size > cap) return tooLarge()
            chunks.push(chunk)
          })
          response.on('end', () => {
            if (ended) return fail(ended)
            try {
              clearTimeout(timer)
              const received = flattenHeaders(response.headers)
              const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')
              resolve({ status: response.statusCode ?? 0, headers: received, body: parseBody(text, received['content-type'] ?? null) })
            } catch (error) {
              fail(error)
            }
          })
          // The socket closed, or the timer destroyed the request, before the whole body came.
          response.on('close', () => response.complete || fail(new Error('the response ended early')))
        },
      )
      const timer = boundAttempt(limits, (error) => {
        ended = error
        outgoing.destroy(error)
      })
      outgoing.on('error', fail)
      // Node sets Content-Length itself for a body given whole to end().
      outgoing.end(serializeBody(request.body))
    })
  return {
    bounded: true,
    send(request: ProviderRequest, limits: AttemptLimits): Promise<ProviderResponse> {
      try {
        const target = targetOf(request.url)
        const stack = loaded.get(target.protocol)
        return stack ? sendOn(stack, target, request, limits) : stackFor(target.protocol).then((ready) => sendOn(ready, target, request, limits))
      } catch (error) {
        return Promise.reject(error)
      }
    },
    async close() {
      const closing = [...stacks.values()]
      stacks.clear()
      loaded.clear()
      for (const stack of await Promise.all(closing)) stack.agent.destroy()
    },
  }
}
