// @idstitch/core/internal: what idstitch's own packages (@idstitch/node,
// @idstitch/queue) share to deliver. Not public API: it follows no semver.

export type { PreparedEvent, EventStamp, Library } from './message.js'
export { prepareEvent } from './message.js'
export { isPlainObject, utf8Length, JsonText, serializeBody } from './json.js'
export type { BackoffOptions } from './retry.js'
export { isRetryableStatus, parseRetryAfter, retryDelay } from './retry.js'
export { createRedact } from './redact.js'
export { IDENTITY_TRAITS, TRAIT_ALIASES, namesOf } from './traits.js'
export { anonymousIdsFromCookies, isAnonymousId } from './anonymous-ids.js'
// zod (mini), the one copy core bundles, for the option checks of the other packages' clients. Named one
// by one: a namespace (`export * as z`) would put all of zod in every edge bundle (93 kB brotli against 29 kB).
export {
  _default as zDefault,
  array as zArray,
  boolean as zBoolean,
  custom as zCustom,
  gte as zGte,
  int as zInt,
  literal as zLiteral,
  minLength as zMinLength,
  object as zObject,
  optional as zOptional,
  prefault as zPrefault,
  union as zUnion,
} from 'zod/mini'
