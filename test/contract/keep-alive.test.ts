import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Transport } from '@idstitch/node'
import { createNodeHttpTransport } from '@idstitch/node/node-http'
import { createUndiciTransport } from '@idstitch/node/undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The server keeps idle connections 3 s and says so (`Keep-Alive: timeout=3`).
const closedAfterMs: number[] = []
const server = createServer((request, response) => {
  request.resume()
  request.on('end', () => {
    response.end('{}', () => {
      const answered = performance.now()
      request.socket.once('close', () => closedAfterMs.push(performance.now() - answered))
    })
  })
})
server.keepAliveTimeout = 3_000
let url = ''
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe.each<[string, () => Transport]>([
  ['node:http', () => createNodeHttpTransport()],
  ['undici (opt-in)', () => createUndiciTransport()],
])('%s keep-alive', (_, createTransport) => {
  it("closes an idle connection a second before the server's announced timeout, not after it", async () => {
    closedAfterMs.length = 0
    const transport = createTransport()
    const response = await transport.send({ method: 'POST', url, headers: {}, body: {} }, { timeoutMs: 5_000, deadlineMs: Number.POSITIVE_INFINITY })
    expect(response.status).toBe(200)
    for (let waited = 0; closedAfterMs.length === 0 && waited < 5_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100))
    await transport.close?.()
    expect(closedAfterMs).toHaveLength(1)
    expect(closedAfterMs[0]).toBeGreaterThan(1_500)
    expect(closedAfterMs[0]).toBeLessThan(2_800)
  })
})
