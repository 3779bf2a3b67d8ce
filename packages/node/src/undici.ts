// @idstitch/node/undici: the opt-in undici transport, apart from every other
// entry so that only an app that imports it loads undici (and installs it).
export { createUndiciTransport, type UndiciTransportOptions } from './undici-transport.js'
