// A loopback sink that counts every message it receives, whatever the client's wire format.
// Runs in its own process (forked by run.mjs) so its CPU is not charged to the clients.
import { createServer } from 'node:http'
import { gunzipSync } from 'node:zlib'

const delayMs = Number(process.argv[2] ?? 0)
// Transient failures: this share of requests answers 500, decided by a hash of the body and how many
// times that body was seen (the same requests fail in every run; a retry fails by the same chance).
let failRate = 0
const seen = new Map()
const chance = (text) => {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193)
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b)
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35)
  return ((hash ^ (hash >>> 16)) >>> 0) / 2 ** 32
}
const fails = (raw) => {
  if (failRate === 0) return false
  const key = raw.toString('utf8')
  const count = (seen.get(key) ?? 0) + 1
  seen.set(key, count)
  return chance(`${key}#${count}`) < failRate
}
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
    if (request.url === '/zero') {
      requests = 0
      messages = 0
      return response.end('{}')
    }
    if (request.url?.startsWith('/reset')) {
      requests = 0
      messages = 0
      failRate = Number(new URL(request.url, 'http://sink').searchParams.get('failRate') ?? 0)
      seen.clear()
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
    if (fails(raw)) {
      response.writeHead(500, { 'content-type': 'application/json' })
      return response.end('{"error":"transient failure"}')
    }
    // Only what is answered 2xx counts as received.
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
