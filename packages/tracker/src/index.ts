// The public surface of @idstitch/tracker (ESM). Importing it touches no
// window or document, so it is safe in server-side rendering: the default
// tracker is created on first use.

import type { IdentifyOutcome } from './relay.js'
import { createTracker, type Tracker, type TrackerOptions } from './tracker.js'

export type { IdentifyOutcome } from './relay.js'
export type { Tracker, TrackerOptions, LinkAdopter } from './tracker.js'
export { createTracker } from './tracker.js'
export type { PresetName, IdstitchError, ConfigError, ValidationError } from '@idstitch/core/cookies'
// identify() rejects with a ValidationError, an unknown preset throws a ConfigError: guards that work across realms.
export { isIdstitchError, isConfigError, isValidationError } from '@idstitch/core/cookies'

let instance: Tracker | undefined
let settings: TrackerOptions | undefined
const browser = () => typeof document != 'undefined'
const tracker = (): Tracker => (instance ??= createTracker(settings))

/**
 * Configures the default tracker that `identify`, `reset`, `getVisitorId`,
 * `getContactId` and `consent` use. Call it once, before them (called with
 * options after them, it warns: they ran with the default options). During
 * server-side rendering (a module of a client component, say) it keeps the
 * options, and the tracker starts on first use in the browser.
 *
 * @example
 * init({ preset: 'pathbound', endpoint: '/api/identify' })
 */
export const init = (options: TrackerOptions = {}): void => {
  // Used before init() (a child component's effect runs before its parent's): those calls ran on the defaults, with
  // their cookie names and no endpoint. Said once, as PostHog says of a call before its init; not undone. An init()
  // with no options asks for the defaults those calls had: nothing to say.
  if (instance && !settings && options && Object.keys(options).length > 0) console.warn('[idstitch] init() came after the tracker was used: the calls before it ran with the default options')
  settings = options
  instance = browser() ? createTracker(options) : undefined
}

/**
 * {@link Tracker.identify} on the default tracker.
 *
 * @example
 * await identify(user.externalId, { email: user.email })
 */
export const identify = (externalId: string, traits?: Record<string, unknown>): Promise<IdentifyOutcome> =>
  browser() ? tracker().identify(externalId, traits) : Promise.reject(new Error('[idstitch] identify() runs in the browser only'))

/** {@link Tracker.reset} on the default tracker. @example reset() // on logout */
export const reset = (options?: { rotateVisitor?: boolean }): void => {
  if (browser()) tracker().reset(options)
}

/** The visitor id, or `undefined` outside a browser. @example getVisitorId() */
export const getVisitorId = (): string | undefined => (browser() ? tracker().getVisitorId() : undefined)

/** The contact id, when a user is identified. @example getContactId() */
export const getContactId = (): string | undefined => (browser() ? tracker().getContactId() : undefined)

/** {@link Tracker.consent} on the default tracker. @example consent(true) */
export const consent = (granted: boolean): void => {
  if (browser()) tracker().consent(granted)
}
