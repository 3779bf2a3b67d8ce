import type { Agent, ClientRequest, IncomingMessage } from 'node:http'
import type { ProviderRequest, ProviderResponse } from '@idstitch/core'
import { checkTransportOptions, serializeBody } from '@idstitch/core/internal'
import { boundAttempt, capOf, createTargets, flattenHeaders, parseBody, responseTooLarge, type AttemptLimits, type Target, type Transport } from './transport.js'

type Stack = { request: typeof import('node:http').request; agent: Agent }

/** The protocols' modules and keep-alive agents, each loaded on first use. */
const createStacks = (options: { keepAlive: boolean; maxSockets: number; timeout: number }) => {
  const stacks = new Map<string, Promise<Stack>>()
  /** The stacks loaded so far, to send on without awaiting a promise per request. */
  const loaded = new Map<string, Stack>()
  return {
    loaded,
    stackFor(protocol: string): Promise<Stack> {
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
    },
    async close() {
      const closing = [...stacks.values()]
      stacks.clear()
      loaded.clear()
      for (const stack of await Promise.all(closing)) stack.agent.destroy()
    },
  }
}

/** One request on the wire: its timer, and the error that ended it early, which is the one to report. */
interface Pending {
  timer: ReturnType<typeof setTimeout> | undefined
  ended: Error | undefined
  resolve(response: ProviderResponse): void
  fail(error: unknown): void
}

/**
 * Reads `response` into `pending`: at most `cap` bytes are read (node:http decompresses nothing). Past
 * them, or when the length the provider declares is already past them, the connection is dropped and
 * the attempt fails.
 */
const receive = (pending: Pending, outgoing: ClientRequest, response: IncomingMessage, limits: AttemptLimits): void => {
  const cap = capOf(limits)
  const chunks: Buffer[] = []
  let size = 0
  // Destroyed without an error: a response that had already all arrived has handed its socket back to the
  // agent, where an error emitted on it would have no listener (an uncaught exception). The error is ours.
  const tooLarge = () => {
    pending.ended = responseTooLarge(cap)
    response.destroy()
    outgoing.destroy()
    pending.fail(pending.ended)
  }
  response.on('error', pending.fail)
  if (Number(response.headers['content-length']) > cap) {
    tooLarge()
    return
  }
  response.on('data', (chunk: Buffer) => {
    if (pending.ended) return
    size += chunk.length
    if (size > cap) tooLarge()
    else chunks.push(chunk)
  })
  response.on('end', () => {
    if (pending.ended) {
      pending.fail(pending.ended)
      return
    }
    try {
      clearTimeout(pending.timer)
      const received = flattenHeaders(response.headers)
      const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')
      pending.resolve({ status: response.statusCode ?? 0, headers: received, body: parseBody(text, received['content-type'] ?? null) })
    } catch (error) {
      pending.fail(error)
    }
  })
  // The socket closed, or the timer destroyed the request, before the whole body came.
  response.on('close', () => response.complete || pending.fail(new Error('the response ended early')))
}

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
    const pending: Pending = {
      timer: undefined,
      ended: undefined,
      resolve,
      fail: (error) => {
        clearTimeout(pending.timer)
        reject(pending.ended ?? error)
      },
    }
    const outgoing = stack.request(
      { hostname: target.hostname, port: target.port, path: target.path, method: request.method, headers: request.headers, agent: stack.agent, ...(limits.signal ? { signal: limits.signal } : {}) },
      (response) => receive(pending, outgoing, response, limits),
    )
    pending.timer = boundAttempt(limits, (error) => {
      pending.ended = error
      outgoing.destroy(error)
    })
    outgoing.on('error', pending.fail)
    // Node sets Content-Length itself for a body given whole to end().
    outgoing.end(serializeBody(request.body))
  })

/**
 * The Node transport: `node:http` and `node:https` with keep-alive agents, at
 * most `connections` sockets per origin. It costs a fraction of `fetch`'s CPU
 * per request and, being built into Node, next to nothing to load (undici's
 * Pool, as fast per request, costs ~100 ms of CPU to load, which a cold
 * start's first identify would pay; see bench/README.md). `node:http` and
 * `node:https` are imported on first use, so other runtimes can import the SDK.
 * Throws a `ConfigError` naming the option at fault.
 */
export const createNodeHttpTransport = (options: { connections?: number } = {}): Transport => {
  // Checked now: Node's agent would refuse a bad count only on the first request, failing identifies.
  const { connections } = checkTransportOptions(options)
  // An idle socket closes after 30 s, or a second before the server's `Keep-Alive: timeout=` hint
  // (Node honours the hint only when `timeout` is set), so a request rarely lands on a socket the
  // server is closing (an ECONNRESET that would cost an attempt).
  const stacks = createStacks({ keepAlive: true, maxSockets: connections, timeout: 30_000 })
  const targetOf = createTargets()
  return {
    bounded: true,
    send(request: ProviderRequest, limits: AttemptLimits): Promise<ProviderResponse> {
      try {
        const target = targetOf(request.url)
        const stack = stacks.loaded.get(target.protocol)
        return stack ? sendOn(stack, target, request, limits) : stacks.stackFor(target.protocol).then((ready) => sendOn(ready, target, request, limits))
      } catch (error) {
        return Promise.reject(error)
      }
    },
    close: stacks.close,
  }
}
