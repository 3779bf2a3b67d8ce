import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { selfSignedCertificate } from '../support/tls.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The built tracker files, as a browser loads them. */
const assets: Record<string, () => { type: string; body: string }> = {
  '/idstitch.js': () => ({ type: 'text/javascript', body: readFileSync(join(root, 'packages/tracker/dist/idstitch.js'), 'utf8') }),
  '/tracker.mjs': () => ({ type: 'text/javascript', body: readFileSync(join(root, 'packages/tracker/dist/index.js'), 'utf8') }),
  // js-cookie, as a provider's own tracker would use it, to check both read each other's cookies.
  '/js-cookie.mjs': () => ({ type: 'text/javascript', body: readFileSync(join(root, 'test/node_modules/js-cookie/dist/js.cookie.mjs'), 'utf8') }),
}

export interface RelayCall {
  host: string
  cookie: string
  origin: string | undefined
  body: unknown
}

export interface Site {
  /** `http://<host>:<port>` for a host under *.example.test, or 127.0.0.1. */
  http(host: string, path?: string): string
  https(host: string, path?: string): string
  /** Serves `html` at `path` on every host. */
  page(path: string, html: string): void
  /** POSTs received by /api/identify. */
  relayed: RelayCall[]
  close(): Promise<void>
}

/**
 * A static site on 127.0.0.1 (http and https) that serves the built tracker,
 * test pages, and a stand-in relay endpoint that records what it receives.
 * Chromium maps *.example.test to it with --host-resolver-rules.
 */
export const startSite = async (): Promise<Site> => {
  const pages = new Map<string, string>()
  const relayed: RelayCall[] = []
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://x')
    if (url.pathname === '/api/identify' && request.method === 'POST') {
      let text = ''
      request.on('data', (chunk: Buffer) => (text += chunk))
      request.on('end', () => {
        relayed.push({ host: String(request.headers.host), cookie: String(request.headers.cookie ?? ''), origin: request.headers.origin, body: JSON.parse(text) })
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ ok: true, results: [{ provider: 'sandbox', status: 'delivered' }] }))
      })
      return
    }
    if (url.pathname === '/favicon.ico') return void response.writeHead(204).end()
    const asset = assets[url.pathname]?.()
    const html = pages.get(url.pathname)
    if (asset) {
      response.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' })
      response.end(asset.body)
    } else if (html !== undefined) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      response.end(html)
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' })
      response.end('not found')
    }
  }
  const plain = createHttpServer(handle)
  const secure = createHttpsServer(selfSignedCertificate('example.test', 'DNS:example.test,DNS:*.example.test'), handle)
  await Promise.all([plain, secure].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))))
  const httpPort = (plain.address() as AddressInfo).port
  const httpsPort = (secure.address() as AddressInfo).port
  return {
    http: (host, path = '/') => `http://${host}:${httpPort}${path}`,
    https: (host, path = '/') => `https://${host}:${httpsPort}${path}`,
    page: (path, html) => void pages.set(path, html),
    relayed,
    close: async () => {
      for (const server of [plain, secure]) {
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
      }
    },
  }
}

/** The snippet from the README: the queue stub and the deferred script tag. */
export const scriptTagPage = (attributes = '', inline = '') => `<!doctype html>
<html><head>
<script>window.idstitch=window.idstitch||function(){(idstitch.q=idstitch.q||[]).push(arguments)}</script>
<script defer src="/idstitch.js" ${attributes}></script>
${inline ? `<script>${inline}</script>` : ''}
</head><body><h1>Marketing site</h1></body></html>`
