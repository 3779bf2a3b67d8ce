export { IdstitchProvider, type IdstitchProviderProps } from './provider.js'
export { useIdstitch, type IdstitchState } from './use-idstitch.js'
export type { IdstitchIds } from './store.js'
export type { IdentifyOutcome, Tracker, TrackerOptions } from '@idstitch/tracker'
