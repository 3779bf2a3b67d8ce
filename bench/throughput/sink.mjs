// A loopback sink that counts every message it receives, whatever the client's wire format.
// Runs in its own process (forked by run.mjs) so its CPU is not charged to the clients.
import { createServer } from 'node:http'
import { gunzipSync } from 'node:zlib'

const delayMs = Number(process.argv[2] ?? 0)
let requests = 0
let messages = 0

const count = (path, body) => {
  if (path.startsWith('/v1/identify')) return 1 // one identify per request (Pathbound shape)
  if (Array.isArray(body)) return body.length // Thrivestack arrays
  if (Array.isArray(body?.batch)) return body.batch.length // Segment, RudderStack, PostHog /batch/
  return body ? 1 : 0
}

const server = createServer((request, response) => {
  const chunks = []
  request.on('data', (chunk) => chunks.push(chunk))
  request.on('end', () => {
    if (request.url === '/count') {
      response.writeHead(200, { 'content-type': 'application/json' })
      return response.end(JSON.stringify({ requests, messages }))
    }
    if (request.url === '/reset') {
      requests = 0
      messages = 0
      return response.end('{}')
    }
    let raw = Buffer.concat(chunks)
    if (request.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw)
    let body
    try {
      body = JSON.parse(raw.toString('utf8'))
    } catch {
      body = undefined
    }
    requests++
    messages += count(request.url ?? '', body)
    const reply = () => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end('{"status":"success","success":true}')
    }
    delayMs > 0 ? setTimeout(reply, delayMs) : reply()
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }))
