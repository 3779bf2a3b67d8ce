// ky as dist/ky.js: the shared module's ky transport imports it on its first send (tsup.config.ts).
export { default, isHTTPError } from 'ky'
