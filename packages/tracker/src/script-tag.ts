// The script-tag build (IIFE): configured by data-* attributes, exposes
// window.idstitch and replays the calls the stub queued before it loaded:
//   <script>window.idstitch=window.idstitch||function(){(idstitch.q=idstitch.q||[]).push(arguments)}</script>
//   <script defer src="/idstitch.js" data-preset="pathbound" data-cookie-domain="auto"></script>
import { startTracker, type LinkAdopter, type Tracker, type TrackerOptions } from './tracker.js'

/** `window.idstitch`: call methods by name (`idstitch('identify', id)`) or directly (`idstitch.getVisitorId()`). */
export type IdstitchGlobal = ((method: keyof Tracker, ...args: unknown[]) => unknown) & Tracker & { q?: IArguments[] }

declare global {
  interface Window {
    idstitch?: IdstitchGlobal
    /** Set by idstitch.linker.js, loaded before this file: adopts an arriving cross-domain link. */
    idstitchAdoptLink?: LinkAdopter
  }
}

// Loaded twice (a tag manager and a hard-coded tag): the first tracker keeps running, and this copy does
// nothing, so consent() and reset() reach the one tracker there is.
if (!(window.idstitch && window.idstitch.getVisitorId)) {
  // The data-* names are the option names (data-cookie-domain → cookieDomain), so the dataset is the options.
  const data: DOMStringMap = ((document.currentScript as HTMLScriptElement | null) || { dataset: {} }).dataset
  const tracker = startTracker({ ...data, respectDnt: data.respectDnt != null, adoptLink: window.idstitchAdoptLink } as TrackerOptions)
  const queued = (window.idstitch || {}).q || []
  const api = ((method: keyof Tracker, ...args: unknown[]) =>
    tracker[method] ? (tracker[method] as (...a: unknown[]) => unknown)(...args) : console.error('[idstitch] unknown method', method)) as IdstitchGlobal
  window.idstitch = Object.assign(api, tracker)
  // The stub queues `arguments` objects, which are iterable.
  for (const args of queued) api(...(args as unknown as [keyof Tracker]))
}
