import { createTracker, type IdentifyOutcome, type Tracker, type TrackerOptions } from '@idstitch/tracker'

/** What a component renders: the visitor id, and the contact id while a user is identified. */
export interface IdstitchIds {
  visitorId: string | undefined
  contactId: string | undefined
}

/** Where the store's tracker comes from: options to create one with (in the browser, on first use), or one the app made. */
export type TrackerSource = { options: TrackerOptions } | { tracker: Tracker }

/** The channel tabs of one origin tell each other on: "the idstitch cookies may have changed, read them again". */
const CHANNEL = 'idstitch'

/**
 * Calls `notify` on another tab's change (its identify, reset, or a render that found the cookies changed) and when
 * this tab is shown again; `tell` tells the other tabs. BroadcastChannel is in every browser React 18 supports.
 */
const watchTabs = (notify: () => void) => {
  const channel = new BroadcastChannel(CHANNEL)
  channel.onmessage = notify
  const onVisible = () => document.visibilityState === 'visible' && notify()
  document.addEventListener('visibilitychange', onVisible)
  window.addEventListener('focus', notify)
  return {
    tell: () => channel.postMessage('changed'),
    stop() {
      channel.close()
      document.removeEventListener('visibilitychange', onVisible)
      window.removeEventListener('focus', notify)
    },
  }
}

/**
 * The ids as an external store for `useSyncExternalStore`. The tracker is created on the first
 * subscription (an effect, so only in the browser and after hydration); until then, and on the server,
 * the snapshot is `initial`: what the request's cookies said, so hydration renders what the server did.
 */
export const createIdsStore = (source: TrackerSource, initial: IdstitchIds) => {
  let tracker = 'tracker' in source ? source.tracker : undefined
  let snapshot: IdstitchIds = { visitorId: initial.visitorId, contactId: initial.contactId }
  const serverSnapshot = snapshot
  const listeners = new Set<() => void>()
  let tabs: ReturnType<typeof watchTabs> | undefined

  const trackerOf = (): Tracker => (tracker ??= createTracker('options' in source ? source.options : {}))
  const notify = () => {
    for (const listener of listeners) listener()
  }
  const tell = () => tabs?.tell()
  /** The tracker's ids, as the same object while they do not change (useSyncExternalStore compares by identity). */
  const read = (): IdstitchIds => {
    const current = trackerOf()
    const visitorId = current.getVisitorId()
    const contactId = current.getContactId()
    if (visitorId !== snapshot.visitorId || contactId !== snapshot.contactId) {
      snapshot = { visitorId, contactId }
      // This tab saw the cookies change, however it came to look (a render after a server action, the page shown
      // again): the other tabs may not have. Told after the render; a tab that sees no change tells nobody.
      queueMicrotask(tell)
    }
    return snapshot
  }
  /** Something changed the cookies here: re-render this tab's components and tell the other tabs. */
  const changed = () => {
    notify()
    tell()
  }
  /** Runs a tracker call that changes the cookies, then says so. */
  const changing =
    <Args extends unknown[], Result>(call: (tracker: Tracker, ...args: Args) => Result) =>
    (...args: Args): Result => {
      const result = call(trackerOf(), ...args)
      changed()
      return result
    }

  return {
    subscribe(listener: () => void): () => void {
      trackerOf()
      tabs ??= watchTabs(notify)
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
        if (listeners.size > 0) return
        tabs?.stop()
        tabs = undefined
      }
    },
    getSnapshot: (): IdstitchIds => (tracker ? read() : snapshot),
    getServerSnapshot: (): IdstitchIds => serverSnapshot,
    changed,
    // The tracker writes the cookies before identify() returns; a refusal writes nothing, and is the caller's to see.
    identify: changing((current, externalId: string, traits?: Record<string, unknown>): Promise<IdentifyOutcome> => current.identify(externalId, traits)),
    reset: changing((current, options?: { rotateVisitor?: boolean }): void => current.reset(options)),
    consent: changing((current, granted: boolean): void => current.consent(granted)),
  }
}

export type IdsStore = ReturnType<typeof createIdsStore>
