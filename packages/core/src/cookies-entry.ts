// @idstitch/core/cookies: the cookie contract alone, small enough for the browser tracker.
export type { CookiePreset, PresetName } from './cookies.js'
export { PRESETS, OWNER_COOKIE, MAX_CONTACT_ID_LENGTH, CONTACT_ID_RULE, isContactId, ownerTag, encodeCookieValue, decodeCookieValue } from './cookies.js'
export { isUuid } from './uuid.js'
