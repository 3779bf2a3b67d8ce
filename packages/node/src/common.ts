// What every entry of @idstitch/node exports, listed export by export. The
// entries add the platform's createClient: index.ts (the `node` export
// condition) and edge.ts (workerd, edge-light, browser, deno, bun, default).

export type { IdstitchClient, IdentifyOptions } from './client.js'
export type { ClientOptions, RetryOptions } from './options.js'
export type { DedupeOptions } from './dedupe.js'
export type { Telemetry, IdentifyTrace, AttemptTrace, AttemptStart, AttemptEnd, TelemetryResult, LaneState, TraceContext, JobStart, JobEnd, JobTrace, QueueState } from './telemetry.js'
export type { IdentifyResult, ProviderResult, ErrorContext } from './results.js'
export type { CookieSource, ReadCookieOptions, SetCookieOptions, LoginCookies, LoginCookiesOptions, CookieToSet } from './cookies.js'
export { getVisitorId, getAnonymousIds, getContactId, contactCookie, clearContactCookie, logoutCookies, visitorCookie, loginCookies } from './cookies.js'
export { getClientIp, type ClientIpOptions, type ClientIpSource } from './client-ip.js'
export { visitorCookies, withVisitorCookie, visitorMiddleware, privateCacheControl, type VisitorCookies, type VisitorCookiesOptions, type PageRequest } from './served-visitor.js'
export type { IdentifyHandlerOptions, IdentifyTarget, RelayErrorCode, RelayIdentity, RelayResponseBody } from './relay.js'
export { createIdentifyHandler } from './relay.js'
export type { Logger, LogFields } from './logger.js'
export type { Transport, AttemptLimits } from './transport.js'
export { createKyTransport } from './ky-transport.js'

export type { IdentifyMessage, IdentifyEvent, Consent, ValidationIssue, ErrorCode, Provider } from '@idstitch/core'
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
