import { createNodeHttpTransport } from './node-http-transport.js'
import type { Transport } from './transport.js'
import { createUndiciTransport } from './undici-transport.js'

/**
 * Sends the first `after` requests through `first`, every later one through
 * `then` (which, being lazy, loads nothing until then).
 */
export const switchingTransport = (first: Transport, then: Transport, after: number): Transport => {
  let sent = 0
  return {
    send: (request, limits) => (++sent > after ? then : first).send(request, limits),
    async close() {
      await Promise.all([first.close?.(), then.close?.()])
    },
  }
}

/**
 * Node's default transport. `node:http` keep-alive agents cost nothing to load
 * but ~60 µs more CPU per request than undici's `Pool`, which costs ~100 ms of
 * CPU to load: undici pays for itself after some 1,600 requests. So a client
 * starts on `node:http` (a login route's cold start, and a batching provider's
 * few requests, never load undici) and moves to undici pools once it has sent
 * `poolAfter` requests (default 1,000): a busy server or a backfill gets the
 * cheaper requests. Measured in bench/README.md.
 */
export const createNodeTransport = ({ connections = 8, poolAfter = 1_000 }: { connections?: number; poolAfter?: number } = {}): Transport =>
  switchingTransport(createNodeHttpTransport({ connections }), createUndiciTransport({ connections }), poolAfter)
