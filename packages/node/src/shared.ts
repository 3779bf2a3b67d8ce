// The one module the ESM entries of @idstitch/node share (dist/shared.js; not a package entry): the
// core, zod, the client, the relay, the lane and its transports' common parts. esbuild would split
// them into a chunk per set of entries that uses them, and each module costs a cold start about
// 1 ms to resolve and load (bench §3): `import('@idstitch/node')` loads index.js and this, two modules.
// tsup.config.ts builds it on its own and points every entry's import of these parts here; what the
// entries' own modules (the adapters, the sink, the transports of their own) import from it is listed
// below, and a name missing here fails their import (test/package/exports.test.ts loads each entry).
// The plugin keeps each import's name, so a name here must be the binding those modules import under
// it: test/package/shared-module.test.ts checks each one with TypeScript's checker.

// What index.ts and edge.ts re-export, and build createClient with.
export * from './common.js'
export { clientFactory } from './client.js'

// What the providers entry's adapters build on.
export { defineProvider, ConfigError } from '@idstitch/core'
export { anonymousIdFor, bearerPost, checkJson, errorMessage, httpFailure, isSuccess, joinUrl, optionalBaseUrl, requireString, requireUrl } from '@idstitch/core/adapter'
export { base64, isEmail, isIdentityTrait, isUuid, joinJson, JsonText, messageOf, TRAIT_ALIASES, userIpOf, utf8Length } from '@idstitch/core/internal'

// What the transports of their own (node-http, undici), the sink and otel entries build on.
export { checkCallOptions, checkTransportOptions, createRedact, isPermanentFailure, MAX_TIMER_MS, refuseUnknownOptions, serializeBody } from '@idstitch/core/internal'
export { boundAttempt, capOf, createTargets, flattenHeaders, parseBody, responseTooLarge } from './transport.js'
export { createLane } from './lane/pump.js'
export { unavailableGate } from './lane/gates.js'
export { noRetries } from './lane/retry-policy.js'
export { createLogger } from './logger.js'
export { createRedactor } from './redact.js'
export { steadyNow } from './clock.js'
export { appendCookies } from './append-cookies.js'
export { rememberSocketAddress } from './socket-address.js'
export { pipelineOf } from './pipeline.js'
export { resolveOptions } from './options.js'
