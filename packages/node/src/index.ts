// The public surface of @idstitch/node, listed export by export.
// Provider factories are in '@idstitch/node/providers'.

export type { IdstitchClient } from './client.js'
export { createClient } from './client.js'
export type { ClientOptions, RetryOptions } from './options.js'
export type { IdentifyResult, ProviderResult, ErrorContext } from './results.js'
export type { CookieSource, ReadCookieOptions, SetCookieOptions, LoginCookies } from './cookies.js'
export { getVisitorId, getContactId, contactCookie, clearContactCookie, visitorCookie, loginCookies } from './cookies.js'
export type { IdentifyHandlerOptions, RelayIdentity, RelayResponseBody } from './relay.js'
export { createIdentifyHandler } from './relay.js'
export { toNodeHandler } from './node-handler.js'
export type { Logger } from './logger.js'
export type { Transport, AttemptLimits } from './transport.js'
export { createKyTransport } from './ky-transport.js'
export { createUndiciTransport } from './undici-transport.js'
export { createNodeHttpTransport } from './node-http-transport.js'
export { createNodeTransport } from './node-transport.js'

export type { IdentifyMessage, IdentifyEvent, ValidationIssue, ErrorCode, Provider } from '@idstitch/core'
export type { PresetName } from '@idstitch/core/cookies'
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
