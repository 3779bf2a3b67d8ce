// The public surface of @idstitch/node, listed export by export.
// Provider factories are in '@idstitch/node/providers'.

export type { ClientOptions, IdstitchClient, IdentifyResult, ProviderResult, RetryOptions, ErrorContext } from './client.js'
export { createClient } from './client.js'
export type { CookieSource, ReadCookieOptions, SetCookieOptions, LoginCookies } from './cookies.js'
export { getVisitorId, getContactId, contactCookie, clearContactCookie, visitorCookie, loginCookies } from './cookies.js'
export type { IdentifyHandlerOptions, RelayIdentity, RelayResponseBody } from './relay.js'
export { createIdentifyHandler, toNodeHandler } from './relay.js'
export type { Logger } from './logger.js'
export type { Transport } from './transport.js'
export { createKyTransport } from './transport.js'
export { createUndiciTransport } from './undici-transport.js'
export { createNodeHttpTransport } from './node-http-transport.js'
export { createNodeTransport } from './node-transport.js'

export type { IdentifyMessage, IdentifyEvent, ValidationIssue, ErrorCode, Provider, PresetName } from '@idstitch/core'
export {
  IdstitchError,
  ConfigError,
  ValidationError,
  HttpError,
  TimeoutError,
  NetworkError,
  isIdstitchError,
  isConfigError,
  isValidationError,
  isHttpError,
  isTimeoutError,
  isNetworkError,
} from '@idstitch/core'
