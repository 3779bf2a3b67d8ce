// @idstitch/core/cookies: the browser contract alone (cookies and the relay body), small enough for the tracker.
export type { CookiePreset, PresetName, CookieOverrides, CookieSettings, VisitorOwnership, RelayBody } from './cookies.js'
export { PRESETS, presetNamed, cookieSettings, settingsFor, unknownPreset, OWNER_COOKIE, SERVED_COOKIE, LINK_PARAM, LINKED_COOKIE, MAX_LINKED_IDS, LINK_MAX_AGE_S, browserOf, linkValue, linkedVisitor, CONTACT_ID_RULE, isContactId, ownerTag, isAnotherUser, RELAY_BODY_FIELDS } from './cookies.js'
export { isUuid } from './uuid.js'
// The errors the tracker throws, so that it throws idstitch's errors as the server SDK does.
export { ConfigError, ValidationError, IdstitchError, isIdstitchError, isConfigError, isValidationError } from './errors.js'
