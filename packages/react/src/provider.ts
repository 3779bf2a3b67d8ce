import type { Tracker, TrackerOptions } from '@idstitch/tracker'
import { createContext, createElement, type ReactNode, useEffect, useRef, useState } from 'react'
import { createIdsStore, type IdsStore, type IdstitchIds } from './store.js'

/** The store of the nearest {@link IdstitchProvider}. */
export const StoreContext = createContext<IdsStore | undefined>(undefined)

/** Props of {@link IdstitchProvider}: the tracker's options, or a tracker the app created. */
export type IdstitchProviderProps = {
  children?: ReactNode
  /**
   * What the request's cookies say, read on the server (`idstitchIds()` from `@idstitch/next`, or
   * `getVisitorId()`/`getContactId()` from `@idstitch/node`): the server renders these, and the browser hydrates to
   * the same, then shows the tracker's. When it changes (a server action logged the user in or out), the
   * provider reads the cookies again and tells the other tabs.
   */
  initial?: Partial<IdstitchIds>
} & ({ options?: TrackerOptions; tracker?: never } | { tracker: Tracker; options?: never })

/**
 * Gives the components below it {@link useIdstitch}. Creates the tracker in the browser, after hydration,
 * with `options` (read once, on the first render), unless the app passes its own `tracker`.
 *
 * @example
 * <IdstitchProvider options={{ endpoint: '/api/identify' }} initial={await idstitchIds()}>
 *   {children}
 * </IdstitchProvider>
 */
export const IdstitchProvider = (props: IdstitchProviderProps): ReactNode => {
  const { visitorId, contactId } = props.initial ?? {}
  const [store] = useState(() => createIdsStore(props.tracker ? { tracker: props.tracker } : { options: props.options ?? {} }, { visitorId, contactId }))
  const rendered = useRef({ visitorId, contactId })
  // The server's view changed since the last render (a login or logout by a server action rendered the layout
  // again): the cookies changed with it.
  useEffect(() => {
    const last = rendered.current
    if (visitorId === last.visitorId && contactId === last.contactId) return
    rendered.current = { visitorId, contactId }
    store.changed()
  }, [store, visitorId, contactId])
  return createElement(StoreContext.Provider, { value: store }, props.children)
}
