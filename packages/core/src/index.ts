// The public surface of @idstitch/core, listed export by export.

export type { IdentifyMessage, IdentifyEvent, PreparedEvent } from './message.js'
export { prepareEvent } from './message.js'

export type { ErrorCode, ValidationIssue } from './errors.js'
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
} from './errors.js'

export type {
  Provider,
  ProviderDefinition,
  ProviderRequest,
  ProviderResponse,
  ProviderOutcome,
  Prepared,
  FieldIssue,
  Warning,
  CommonProviderOptions,
} from './provider.js'
export { defineProvider, defaultParse, errorMessage, joinUrl, isHttpUrl, requireString, optionalBaseUrl } from './provider.js'

export type { JsonIssue } from './json.js'
export { checkJson, isPlainObject, utf8Length, base64, FORBIDDEN_KEYS, JsonText, joinJson, serializeBody } from './json.js'
export { isUuid } from './uuid.js'
export type { BackoffOptions } from './retry.js'
export { isRetryableStatus, parseRetryAfter, retryDelay } from './retry.js'

export type { DatafastOptions, DatafastIdentifyPayload } from './providers/datafast.js'
export { datafast } from './providers/datafast.js'
export type { DfendOptions, DfendIdentifyPayload, DfendIdentity } from './providers/dfend.js'
export { dfend } from './providers/dfend.js'
export type { ThrivestackOptions, ThrivestackIdentifyPayload, ThrivestackAuth } from './providers/thrivestack.js'
export { thrivestack, THRIVESTACK_MAX_BYTES, THRIVESTACK_MAX_ITEMS } from './providers/thrivestack.js'
export type { PathboundOptions, PathboundIdentifyPayload, PathboundIdentifyResponse } from './providers/pathbound.js'
export { pathbound } from './providers/pathbound.js'
export type { MonterosaOptions, MonterosaIdentifyPayload, MonterosaNoLoginPayload, MonterosaTokenPayload } from './providers/monterosa.js'
export { monterosa } from './providers/monterosa.js'
export type { SegmentOptions, SegmentIdentifyPayload, SegmentBatchBody } from './providers/segment.js'
export { segment, SEGMENT_MAX_BYTES, SEGMENT_MAX_ITEMS } from './providers/segment.js'
export type { HttpProviderOptions } from './providers/http.js'
export { http } from './providers/http.js'

export type { CookiePreset, PresetName } from './cookies.js'
export { PRESETS, OWNER_COOKIE, MAX_CONTACT_ID_LENGTH, CONTACT_ID_RULE, isContactId, ownerTag, encodeCookieValue, decodeCookieValue } from './cookies.js'
