// @idstitch/node/internal: the parts @idstitch/queue builds on, so that a
// queue worker delivers through the same adapters, transport, retries,
// Retry-After handling and result parsing as createClient. Not a public API:
// it changes with @idstitch/queue, in any release.
export { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js'
export { createRedactor, type Redactor } from './redact.js'
export { safeLogger } from './logger.js'
export { createResults, type Results } from './results.js'
export type { Deadline, Delivery, DeliveryListener, Job } from './lane/job.js'
export { createLane, type LaneParts } from './lane/pump.js'
export { createDeliveryLane } from './delivery.js'
export { unavailableGate, type Gate } from './lane/gates.js'
export { noRetries } from './lane/retry-policy.js'
export { createNodeHttpTransport } from './node-http-transport.js'
export { prepareFor, stampEvent, invalidResult, warnOnce, noteTraitsOnce, userIdOf, type Preparation } from './prepare.js'
export { fingerprintOf } from './dedupe.js'
// The core as this package bundles it (its own copy): what the queue delivers must be made of the same classes.
export { JsonText, isPermanentFailure } from '@idstitch/core/internal'
