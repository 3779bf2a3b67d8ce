// What @idstitch/node delivers with, beside the core's public entries. Not a
// package entry (no `exports` names it): @idstitch/node bundles the core from
// source and reaches this module through its build's alias (tsup.config.ts,
// tsconfig.json's paths, vitest.config.ts).

export type { PreparedEvent, EventStamp, Library } from './message.js'
export { pathOf, prepareEvent } from './message.js'
export { isPlainObject, utf8Length, JsonText, serializeBody, base64, joinJson } from './json.js'
export { isUuid } from './uuid.js'
export { isEmail } from './email.js'
export type { BackoffOptions } from './retry.js'
export { isRetryableStatus, parseRetryAfter, retryDelay } from './retry.js'
export { createRedact } from './redact.js'
export { printable } from './printable.js'
export { messageOf } from './error-message.js'
export { IDENTITY_TRAITS, TRAIT_ALIASES, namesOf, isIdentityTrait, identityTraitOf } from './traits.js'
export { anonymousIdsFromCookies, isAnonymousId } from './anonymous-ids.js'
export { checkClientOptions, checkTransportOptions, type CheckedClientOptions } from './client-options.js'
export { checkRelayOptions, type CheckedRelayOptions } from './relay-options.js'
export { checkCookieOptions } from './cookie-options.js'
export { MAX_TIMER_MS, proxyHops } from './option-schema.js'
export { checkCallOptions, type CallOption, type CheckedCallOptions } from './call-options.js'
export { refuseUnknownOptions } from './unknown-option.js'
export { ERROR_CODES, isPermanentFailure, type ErrorCodeInfo } from './error-codes.js'
export { isIpAddress, userIpOf } from './ip.js'
