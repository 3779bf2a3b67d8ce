// @idstitch/core/adapter: the building blocks for an adapter of your own, as
// the built-in ones use them. The contract itself (`Provider`, `defineProvider`
// and their types) is in the root entry.

export { anonymousIdFor, defaultParse, bearerPost, httpFailure, isSuccess, errorMessage, joinUrl, isHttpUrl, requireString, requireUrl, optionalBaseUrl } from './provider.js'
export type { JsonIssue } from './json.js'
export { checkJson } from './json.js'
