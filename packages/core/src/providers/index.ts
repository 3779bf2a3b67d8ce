// The one list of built-in providers. Everything else that names them (the
// public exports, the test suites, the sandbox, the demo) derives from it:
// a provider added here reaches every one of them, and a list that forgets
// one fails to type-check (`Record<ProviderKind, …>`).

import { datafast } from './datafast.js'
import { dfend } from './dfend.js'
import { monterosa } from './monterosa.js'
import { pathbound } from './pathbound.js'
import { posthog } from './posthog.js'
import { ga4 } from './ga4.js'
import { amplitude } from './amplitude.js'
import { mixpanel } from './mixpanel.js'
import { segment } from './segment.js'
import { thrivestack } from './thrivestack.js'

export type { DatafastOptions, DatafastIdentifyPayload } from './datafast.js'
export type { DfendOptions, DfendIdentifyPayload, DfendIdentity } from './dfend.js'
export type { ThrivestackOptions, ThrivestackIdentifyPayload, ThrivestackAuth } from './thrivestack.js'
export type { PathboundOptions, PathboundIdentifyPayload, PathboundIdentifyResponse } from './pathbound.js'
export type { MonterosaOptions, MonterosaIdentifyPayload, MonterosaNoLoginPayload, MonterosaTokenPayload } from './monterosa.js'
export type { SegmentOptions, SegmentIdentifyPayload, SegmentBatchBody } from './segment.js'
export type { PosthogOptions, PosthogIdentifyPayload } from './posthog.js'
export type { Ga4Options, Ga4CollectPayload } from './ga4.js'
export type { AmplitudeOptions, AmplitudeIdentifyPayload } from './amplitude.js'
export type { MixpanelOptions, MixpanelIdentifyEvent, MixpanelProfileUpdate, MixpanelItem } from './mixpanel.js'
export type { HttpProviderOptions } from './http.js'
export { http } from './http.js'
export { datafast, dfend, thrivestack, pathbound, monterosa, segment, posthog, ga4, amplitude, mixpanel }

/** Every built-in provider's factory, by its default name. */
export const BUILT_IN_PROVIDERS = { datafast, dfend, thrivestack, pathbound, monterosa, segment, posthog, ga4, amplitude, mixpanel } as const

/** The default name of a built-in provider: `'datafast'`, `'pathbound'`, … */
export type ProviderKind = keyof typeof BUILT_IN_PROVIDERS
