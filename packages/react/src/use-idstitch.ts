import type { IdentifyOutcome } from '@idstitch/tracker'
import { useContext, useSyncExternalStore } from 'react'
import { StoreContext } from './provider.js'

/** What {@link useIdstitch} returns. */
export interface IdstitchState {
  /** The visitor id: on the server and while hydrating, `initial.visitorId`; then the tracker's (a UUID). */
  visitorId: string | undefined
  /** The identified user's contact id, or `undefined` when nobody is logged in. */
  contactId: string | undefined
  /** The tracker's `identify()`: writes the contact cookie, relays to the endpoint, and re-renders every tab's components. */
  identify(externalId: string, traits?: Record<string, unknown>): Promise<IdentifyOutcome>
  /** The tracker's `reset()` on logout: clears the contact (and, with `rotateVisitor`, starts a new visitor) in every tab. */
  reset(options?: { rotateVisitor?: boolean }): void
  /** The tracker's `consent()`: with `consent: 'required'`, `true` writes the cookies and `false` removes them. */
  consent(granted: boolean): void
}

/**
 * The visitor and contact ids, and the tracker's calls. Re-renders when the contact changes: an identify or
 * reset here, a login or logout in another tab, or a server action that set the cookies.
 *
 * @throws Error outside an {@link IdstitchProvider}.
 * @example
 * const { visitorId, contactId, identify } = useIdstitch()
 */
export const useIdstitch = (): IdstitchState => {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useIdstitch() must be called in a component inside <IdstitchProvider> (from @idstitch/react)')
  const { visitorId, contactId } = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot)
  return { visitorId, contactId, identify: store.identify, reset: store.reset, consent: store.consent }
}
