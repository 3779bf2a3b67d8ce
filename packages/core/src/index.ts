// The public surface of @idstitch/core, listed export by export: the message,
// the errors and the provider contract. Users rarely
// import it directly: @idstitch/node re-exports what an app needs.
//
// Left out on purpose: what only idstitch's own packages use to deliver
// (batch serialisation, the retry policy, message preparation, size helpers)
// is in internal.ts, which no entry publishes (@idstitch/node bundles it from
// source); the browser cookie contract is in '@idstitch/core/cookies'.

export type { IdentifyMessage, IdentifyEvent, Consent } from './message.js'

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
  PartialRefusal,
  Prepared,
  FieldIssue,
  Warning,
  CommonProviderOptions,
} from './provider.js'
export { defineProvider } from './provider.js'
// The building blocks for an adapter of your own (option checks, request and answer helpers) are in
// '@idstitch/core/adapter'.

// The built-in adapters are in '@idstitch/core/providers' (and @idstitch/node/providers): importing the
// contract loads none of them, so a cold start or a bundle holds only the adapters an app imports.
