import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createNodeTransport } from '@idstitch/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Which connection each request arrived on (the client's port).
const ports: number[] = []
const server = createServer((request, response) => {
  ports.push(request.socket.remotePort as number)
  request.resume()
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ ok: true, n: ports.length }))
  })
})
let url = ''
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/identify`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe("Node's default transport", () => {
  it('sends through node:http first, then moves to undici pools after poolAfter requests', async () => {
    const transport = createNodeTransport({ connections: 1, poolAfter: 3 })
    const answers = []
    for (let index = 0; index < 6; index++) {
      const response = await transport.send({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: { index } }, { timeoutMs: 5_000, signal: new AbortController().signal })
      answers.push([response.status, response.body])
    }
    await transport.close?.()
    expect(answers).toEqual([1, 2, 3, 4, 5, 6].map((n) => [200, { ok: true, n }]))
    // One keep-alive connection per stack: the first three share one, the last three another.
    expect(new Set(ports.slice(0, 3)).size).toBe(1)
    expect(new Set(ports.slice(3)).size).toBe(1)
    expect(ports[3]).not.toBe(ports[0])
  })
})
