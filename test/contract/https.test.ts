import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selfSignedCertificate } from '../support/tls.js'

// Real providers are https: each Node transport (undici's too) sends one identify to a local
// TLS server, from a child process that trusts the server's throwaway
// certificate through NODE_EXTRA_CA_CERTS (as an app behind a corporate CA would).
const tls = selfSignedCertificate('localhost', 'DNS:localhost,IP:127.0.0.1')

const received: { path: string; body: unknown; servername: string | false | null }[] = []
let server: Server
let url = ''
beforeAll(async () => {
  server = createServer(tls, (request, response) => {
    let text = ''
    request.on('data', (chunk: Buffer) => (text += chunk))
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: JSON.parse(text), servername: (request.socket as import('node:tls').TLSSocket).servername })
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end('{"accepted":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `https://localhost:${(server.address() as AddressInfo).port}/hooks/identify?v=1`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const sendFromChild = (transport: string): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const code = `
      import { createClient, createKyTransport } from '@idstitch/node'
      import { createNodeHttpTransport } from '@idstitch/node/node-http'
      import { http } from '@idstitch/node/providers'
      import { createUndiciTransport } from '@idstitch/node/undici'
      const transport = { default: undefined, 'node:http': createNodeHttpTransport(), ky: createKyTransport(), undici: createUndiciTransport() }[process.argv[1]]
      const client = createClient({ logger: false, retry: false, transport, providers: [http({ url: process.argv[2], body: (event) => ({ id: event.userId }) })] })
      const result = await client.identify({ userId: 'usr_tls' })
      await client.shutdown()
      process.stdout.write(JSON.stringify(result))
    `
    execFile(
      process.execPath,
      ['--input-type=module', '-e', code, transport, url],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.certFile }, timeout: 20_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))),
    )
  })

describe('over https', () => {
  it.each(['default', 'node:http', 'ky', 'undici'])('delivers through the %s transport, with SNI and the query string', async (transport) => {
    const before = received.length
    const result = await sendFromChild(transport)
    expect(result).toMatchObject({ ok: true, results: [{ provider: 'http', status: 'delivered', httpStatus: 200, data: { accepted: true } }] })
    expect(received.slice(before)).toEqual([{ path: '/hooks/identify?v=1', body: { id: 'usr_tls' }, servername: 'localhost' }])
  })
})
