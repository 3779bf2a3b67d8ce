// The same job for each peer: get the visitor id, and identify a user on login.
// Bundled the same way (esbuild, minified IIFE, es2018) by size/run.mjs.
export const entries = {
  floor: `
    // Hand-written floor: mint/read the visitor cookie, set/clear the contact cookie. Nothing else.
    const get = (n) => (document.cookie.match('(^|; )' + n + '=([^;]*)') || [])[2]
    const set = (n, v, a) => { document.cookie = n + '=' + v + '; path=/; max-age=' + a + '; samesite=lax' }
    let id = get('vid'); if (!id) set('vid', id = crypto.randomUUID(), 31536000)
    window.t = { id, identify: (u) => set('cid', u, 31536000), reset: () => set('cid', '', 0) }
  `,
  'js-cookie': `
    import Cookies from 'js-cookie'
    let id = Cookies.get('vid'); if (!id) Cookies.set('vid', id = crypto.randomUUID(), { expires: 365, sameSite: 'lax' })
    window.t = { id, identify: (u) => Cookies.set('cid', u, { expires: 365, sameSite: 'lax' }), reset: () => Cookies.remove('cid') }
  `,
  'plausible-tracker': `
    import Plausible from 'plausible-tracker'
    const p = Plausible({ domain: 'example.com' }); p.trackPageview(); window.t = p // no identity at all
  `,
  analytics: `
    import Analytics from 'analytics'
    const a = Analytics({ app: 'example' }); window.t = { id: a.user('anonymousId'), identify: (u) => a.identify(u), reset: () => a.reset() }
  `,
  '@jitsu/js': `
    import { jitsuAnalytics } from '@jitsu/js'
    const j = jitsuAnalytics({ host: 'https://jitsu.example.com', writeKey: 'k' }); window.t = { identify: (u) => j.identify(u), reset: () => j.reset() }
  `,
  '@rudderstack/analytics-js': `
    import { RudderAnalytics } from '@rudderstack/analytics-js'
    const r = new RudderAnalytics(); r.load('k', 'https://dataplane.example.com'); window.t = { identify: (u) => r.identify(u), reset: () => r.reset() }
  `,
  '@segment/analytics-next': `
    import { AnalyticsBrowser } from '@segment/analytics-next'
    const a = AnalyticsBrowser.load({ writeKey: 'k' }); window.t = { identify: (u) => a.identify(u), reset: () => a.reset() }
  `,
  'posthog-js': `
    import posthog from 'posthog-js'
    posthog.init('k', { api_host: 'https://ph.example.com' }); window.t = { identify: (u) => posthog.identify(u), reset: () => posthog.reset() }
  `,
}

/** Peers that can identify a user (plausible cannot, and js-cookie/floor are not products). */
export const identifyingPeers = ['analytics', '@jitsu/js', '@rudderstack/analytics-js', '@segment/analytics-next', 'posthog-js']
