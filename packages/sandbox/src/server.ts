import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Writable } from 'node:stream'
import { createGzip, type Gzip } from 'node:zlib'
import { appendKept, checkKeep } from './history.js'
import type { AcceptedIdentify, ProviderRule, SandboxRequest, SandboxResponse } from './types.js'

/** A scripted misbehaviour for the next request. */
export type Fault =
  | { status: number; body?: unknown; text?: string; headers?: Record<string, string> }
  | { hang: true }
  | { reset: true }
  /** Answers 200 with a `content-length` longer than the body, then closes the connection mid-body. */
  | { truncate: true }
  /** Waits `delayMs` before the request is handled. */
  | { delayMs: number }
  /**
   * Handles the request by its rule at once (an identify is accepted then), and answers after `answerDelayMs`: a
   * provider slow to say so, whose answers may come back in another order than it processed the requests.
   */
  | { answerDelayMs: number }
  /**
   * Answers 200 with a body of `bodyBytes` bytes (`x`s), streamed in 64 KB chunks with no
   * length declared, until the client hangs up; `gzip`: compressed (`content-encoding: gzip`), so a few KB
   * on the wire inflate to `bodyBytes` (a decompression bomb).
   */
  | { bodyBytes: number; gzip?: boolean }

/**
 * Transient failures at a given rate, decided per request by a hash of its
 * key (by default its raw body) and how many times that key was seen: the
 * same requests fail in every run, whatever order they arrive in, and a
 * retried request fails again only by the same chance as a new one.
 */
export interface Flakiness {
  rate: number
  /** Default 500. */
  status?: number
  key?: (request: SandboxRequest) => string
}

export interface ProviderServer {
  /** When set, requests fail at this rate (after the scripted faults). */
  flaky?: Flakiness | undefined
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Every request received, in order (faulted ones included): the newest `keep` ({@link ProviderServerOptions.keep}). */
  requests: SandboxRequest[]
  /** Every identify the rules accepted: the newest `keep`. */
  accepted: AcceptedIdentify[]
  /** Faults applied to the next requests, first in first out. */
  faults: Fault[]
  /**
   * Called with each accepted identify, before the provider answers: the app's to set (the sandbox keeps its own
   * listener apart). One that throws is said on the console; the answer stays what the rules decided.
   */
  onAccepted?: ((identify: AcceptedIdentify) => void) | undefined
  close(): Promise<void>
}

const MAX_BODY = 8 * 1024 * 1024

/** A hash of `text` in [0, 1): FNV-1a, then murmur3's finaliser, so that texts differing in one character land far apart. */
const chance = (text: string): number => {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193)
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b)
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35)
  return ((hash ^ (hash >>> 16)) >>> 0) / 2 ** 32
}

const readBody = (request: IncomingMessage): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        resolve(undefined)
        request.resume()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })

const send = (response: ServerResponse, { status, body, text = body === undefined ? '' : JSON.stringify(body), headers = {} }: SandboxResponse): void => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(text)
}

/** A 200 whose body is `bytes` long (before compression), written chunk by chunk while the client reads; stops when it hangs up. */
const streamBody = (response: ServerResponse, bytes: number, gzip: boolean): void => {
  response.writeHead(200, { 'content-type': 'text/plain', ...(gzip ? { 'content-encoding': 'gzip' } : {}) })
  const sink: Writable = gzip ? createGzip() : response
  if (gzip) (sink as Gzip).pipe(response)
  const chunk = Buffer.alloc(64 * 1024, 'x')
  let left = bytes
  let closed = false
  response.on('close', () => {
    closed = true
  })
  const write = (): void => {
    while (!closed && left > 0) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left)
      left -= part.length
      if (!sink.write(part)) return void sink.once('drain', write)
    }
    if (!closed) sink.end()
  }
  write()
}

/** Where a client reaches a server bound to `host`: a wildcard is reached on 127.0.0.1, an IPv6 address in brackets. */
const reachableHost = (host: string): string => {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

/** Options of {@link startProviderServer}. */
export interface ProviderServerOptions {
  /** 0 (default) picks a free port. */
  port?: number
  /** Default `127.0.0.1`. */
  host?: string
  /** Serves other paths (pages, streams) before the rules; returns true when it answered. */
  routes?: (request: SandboxRequest, response: ServerResponse) => boolean
  /** Told of each accepted identify before `onAccepted`, which setting `onAccepted` does not replace (the sandbox's inspector and waits). */
  observe?: (identify: AcceptedIdentify) => void
  /**
   * How many of the newest `requests` and `accepted` identifies are kept: past it, the oldest are forgotten (an
   * eighth of it at a time), so a server left running under load holds bounded memory. What the rules know (a
   * provider's contacts, its rate-limit window) is not forgotten. Default `Infinity`: everything.
   */
  keep?: number
}

/**
 * The request as the rules see it: its path, query, headers, and body as JSON (undefined when it is not); undefined
 * for a request target that is no URL (Node's server passes on whatever a client sends, `//[` too).
 */
const incomingOf = (request: IncomingMessage, raw: string): SandboxRequest | undefined => {
  let url: URL
  try {
    url = new URL(request.url ?? '/', 'http://127.0.0.1')
  } catch {
    return undefined
  }
  let body: unknown
  try {
    body = raw === '' ? undefined : JSON.parse(raw)
  } catch {
    body = undefined
  }
  return { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: request.headers, body, raw, at: Date.now() }
}

/** Plays a scripted fault that ends the exchange (a hang, a reset, a truncated or huge body, a status); false for none, or a delay alone. */
const playFault = async (fault: Fault | undefined, request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
  if (!fault) return false
  if ('hang' in fault) return true
  if ('reset' in fault) {
    request.socket.destroy()
    return true
  }
  if ('truncate' in fault) {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '64' })
    response.write('{"id":"cut')
    setTimeout(() => request.socket.destroy(), 20)
    return true
  }
  if ('bodyBytes' in fault) {
    streamBody(response, fault.bodyBytes, fault.gzip === true)
    return true
  }
  if ('delayMs' in fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
  if (!('status' in fault)) return false
  send(response, fault)
  return true
}

/** A flaky server: how often each request was seen, and whether this time it fails. */
const flakiness = (state: Pick<ProviderServer, 'flaky'>) => {
  const seen = new Map<string, number>()
  return (incoming: SandboxRequest): boolean => {
    const flaky = state.flaky
    if (!flaky) return false
    const key = flaky.key?.(incoming) ?? incoming.raw
    const count = (seen.get(key) ?? 0) + 1
    seen.set(key, count)
    return chance(`${key}#${count}`) < flaky.rate
  }
}

/** How a rule's answer goes out: who hears of an accepted identify (the server's own `observe`, then the app's `onAccepted`), and how long the answer waits. */
type Answering = { server: ProviderServer; observe: ProviderServerOptions['observe']; answerDelayMs: number; keep: number }

/** The rule's answer to `incoming`, recording what it accepted. */
const answerByRule = (rules: ProviderRule[], incoming: SandboxRequest, response: ServerResponse, answering: Answering): void => {
  const rule = rules.find((candidate) => candidate.path === incoming.path)
  if (!rule) send(response, { status: 404, body: { error: `No provider serves ${incoming.path}` } })
  else if (rule.method !== incoming.method) send(response, { status: 405, body: { error: `Use ${rule.method}` }, headers: { allow: rule.method } })
  else answerWith(rule, incoming, response, answering)
}

/** Tells the app's `onAccepted` of `identify`; its failure is the app's, said on the console, and never the provider's answer. */
const tellApp = (server: ProviderServer, identify: AcceptedIdentify): void => {
  try {
    server.onAccepted?.(identify)
  } catch (error) {
    console.error('[idstitch sandbox] onAccepted threw; the identify was accepted all the same:', error)
  }
}

/** What `rule` answers `incoming`, and the identifies it accepted. */
const answerWith = (rule: ProviderRule, incoming: SandboxRequest, response: ServerResponse, { server, observe, answerDelayMs, keep }: Answering): void => {
  const { response: answer, accepted = [] } = rule.handle(incoming)
  for (const identify of accepted) {
    appendKept(server.accepted, identify, keep)
    observe?.(identify)
    tellApp(server, identify)
  }
  if (answerDelayMs > 0) setTimeout(() => send(response, answer), answerDelayMs)
  else send(response, answer)
}

/**
 * Listens on `port` and `host`, or rejects with what stopped it (a port in use), keeping Node's `code`, `address`
 * and `port`: a server's 'error' event with no listener would end the app's process instead.
 */
const listen = (server: Server, port: number, host: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'the port is in use' : error.message
      reject(Object.assign(new Error(`the sandbox cannot listen on ${host}:${port}: ${why}`), { code: error.code, address: host, port }))
    }
    server.once('error', failed)
    server.listen(port, host, () => {
      server.off('error', failed)
      resolve()
    })
  })

/**
 * Serves provider rules on 127.0.0.1 over real HTTP, with scripted faults
 * (5xx bursts, 429s, hangs, resets) for delivery tests.
 *
 * @example
 * const server = await startProviderServer([pathboundRule({ keys: [{ key: 'pb_test', scopes: ['contacts:write'] }] })])
 * server.faults.push({ status: 503 }, { reset: true })
 */
export const startProviderServer = async (rules: ProviderRule[], { port = 0, host = '127.0.0.1', routes, observe, keep = Number.POSITIVE_INFINITY }: ProviderServerOptions = {}): Promise<ProviderServer> => {
  checkKeep(keep)
  const sockets = new Set<Socket>()
  const state: Omit<ProviderServer, 'url' | 'close'> = { requests: [], accepted: [], faults: [] }
  const flakes = flakiness(state)
  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const raw = await readBody(request).catch(() => undefined)
    if (raw === undefined) return send(response, { status: 413, body: { error: 'Payload too large' } })
    const incoming = incomingOf(request, raw)
    if (!incoming) return send(response, { status: 400, body: { error: 'Bad request target' } })
    if (routes?.(incoming, response)) return
    appendKept(state.requests, incoming, keep)
    const fault = state.faults.shift()
    if (await playFault(fault, request, response)) return
    if (!fault && flakes(incoming)) return send(response, { status: state.flaky?.status ?? 500, body: { error: 'Transient failure, try again' } })
    const answerDelayMs = fault && 'answerDelayMs' in fault ? fault.answerDelayMs : 0
    answerByRule(rules, incoming, response, { server: result, observe, answerDelayMs, keep })
  }
  // A request the sandbox cannot answer is a 500 to that request; a test run's other requests go on.
  const server = createServer((request, response) => {
    serve(request, response).catch(() => {
      if (response.headersSent) response.destroy()
      else send(response, { status: 500, body: { error: 'The sandbox failed to answer this request' } })
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await listen(server, port, host)
  const { port: bound } = server.address() as AddressInfo
  const result: ProviderServer = Object.assign(state, {
    url: `http://${reachableHost(host)}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  })
  return result
}
