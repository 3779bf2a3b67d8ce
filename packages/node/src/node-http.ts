// @idstitch/node/node-http: what works on Node's HTTP stack (Node, and Bun or
// Deno through their node:http), apart from the main entry so that an edge
// bundle never reaches it, and so that the main entry has one API, typed the
// same under every export condition.
export { getNodeRequest, getNodeResponse, toNodeHandler } from './node-handler.js'
export { createNodeHttpTransport } from './node-http-transport.js'
