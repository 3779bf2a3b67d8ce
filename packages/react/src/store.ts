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
 * The ids as an external store for `useSyncExternalStore`. The tracker is created on the first
 * subscription (an effect, so only in the browser and after hydration); until then, and on the server,
 * the snapshot is `initial`: what the request's cookies said, so hydration renders what the server did.
 */
export const createIdsStore = (source: TrackerSource, initial: IdstitchIds) => {
  let tracker = 'tracker' in source ? source.tracker : undefined
  let snapshot: IdstitchIds = { visitorId: initial.visitorId, contactId: initial.contactId }
  const serverSnapshot = snapshot
  const listeners = new Set<() => void>()
  let channel: BroadcastChannel | undefined

  const trackerOf = (): Tracker => (tracker ??= createTracker('options' in source ? source.options : {}))
  /** The tracker's ids, as the same object while they do not change (useSyncExternalStore compares by identity). */
  const read = (): IdstitchIds => {
    const current = trackerOf()
    const visitorId = current.getVisitorId()
    const contactId = current.getContactId()
    if (visitorId !== snapshot.visitorId || contactId !== snapshot.contactId) snapshot = { visitorId, contactId }
    return snapshot
  }
  const notify = () => {
    for (const listener of listeners) listener()
  }
  /** Something changed the cookies here: re-render this tab's components and tell the other tabs. */
  const changed = () => {
    notify()
    channel?.postMessage('changed')
  }
  const onVisible = () => document.visibilityState === 'visible' && notify()

  return {
    subscribe(listener: () => void): () => void {
      trackerOf()
      if (listeners.size === 0) listen()
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0) unlisten()
      }
    },
    getSnapshot: (): IdstitchIds => (tracker ? read() : snapshot),
    getServerSnapshot: (): IdstitchIds => serverSnapshot,
    changed,
    identify: (externalId: string, traits?: Record<string, unknown>): Promise<IdentifyOutcome> => {
      const outcome = trackerOf().identify(externalId, traits)
      // The tracker writes the cookies before identify() returns; a refusal writes nothing, and is the caller's to see.
      changed()
      return outcome
    },
    reset: (options?: { rotateVisitor?: boolean }): void => {
      trackerOf().reset(options)
      changed()
    },
    consent: (granted: boolean): void => {
      trackerOf().consent(granted)
      changed()
    },
  }

  // Another tab's change (its identify, reset, or a page that saw the server change the cookies), or this tab shown
  // again: read the cookies again. BroadcastChannel is in every browser React 18 supports.
  function listen() {
    channel = new BroadcastChannel(CHANNEL)
    channel.onmessage = notify
    document.addEventListener('visibilitychange', onVisible)
    window.addEventListener('focus', notify)
  }
  function unlisten() {
    channel?.close()
    channel = undefined
    document.removeEventListener('visibilitychange', onVisible)
    window.removeEventListener('focus', notify)
  }
}

export type IdsStore = ReturnType<typeof createIdsStore>
