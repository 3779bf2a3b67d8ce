// The size budgets `pnpm test` holds the packages to (size-limit, brotli). bench §1 prices the
// tracker part by part, bench §5 the edge bundle library by library.
// size-limit reads every check through esbuild (its plugin is needed for the ESM check), so the
// script tag's figure is its terser-minified file minified again by esbuild: ~35 B over the bytes
// served, which bench §1 reports.
/** What wrangler and Next's edge runtime bundle with: neutral platform, the workerd conditions. */
const edge = (config) => ({ ...config, logLevel: 'error', platform: 'neutral', format: 'esm', conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'] })

export default [
  {
    name: '@idstitch/tracker script tag',
    path: 'packages/tracker/dist/idstitch.js',
    brotli: true,
    // Moved from 2,450 B (session 11): the server-set cookie's mark, which keeps the tracker from rewriting
    // it (~20 B), and the hook through which idstitch.linker.js adopts a cross-domain link (~30 B).
    // Moved to 2,520 B (session 24): a data-max-age-days that is not a number above 0 falls back to the preset's
    // lifetime (~9 B; 2,503 B measured); a negative one wrote cookies that expired at once, a new visitor on every page.
    // Moved to 2,530 B (session 36): the relay call's `credentials: 'include'` (~9 B; 2,521 B measured): with fetch's
    // default, a relay on another of the site's origins (www. calling app.'s, in allowedOrigins) got no session cookie
    // and answered 401 to every identify.
    limit: '2530 B',
  },
  {
    // The cross-domain linker's own, opt-in, script tag: only on the pages of companies with several domains.
    name: '@idstitch/tracker linker script tag',
    path: 'packages/tracker/dist/idstitch.linker.js',
    brotli: true,
    limit: '1200 B',
  },
  {
    // What an app's bundler keeps of the ESM build for the tracker, js-cookie included.
    // Moved from 2,400 B (session 12): getContactId() follows the contact cookie, so a logout in another tab shows
    // at once (#25's useIdstitch relies on it), with memory where cookies are off limits (~15 B).
    // Moved to 2,550 B (session 26): createTracker() refuses an option it does not take, listing those it does (~95 B;
    // 2,525 B measured): a misnamed consent option (`requireConsent: true`) wrote cookies before consent, and the
    // server's `domain` for `cookieDomain` kept the cookies on one host. The script tag does not check (its data-*
    // attributes sit beside other tools', Next's data-nscript), and costs nothing for it.
    name: '@idstitch/tracker ESM: import { createTracker }',
    path: 'packages/tracker/dist/index.js',
    import: '{ createTracker }',
    brotli: true,
    limit: '2550 B',
  },
  {
    // A React front-end: the provider and the hook on top of the ESM tracker (React itself is the app's).
    name: '@idstitch/react: IdstitchProvider, useIdstitch, with the tracker',
    path: 'packages/react/dist/index.js',
    import: '{ IdstitchProvider, useIdstitch }',
    ignore: ['react'],
    brotli: true,
    // Moved from 3,000 B (session 17): the tracker's getVisitorId() follows the visitor cookie, so a new visitor
    // another tab started shows in every tab, and a new visitor removes the old cookie first (~30 B; 3,008 B measured).
    // Moved to 3,150 B (session 26): the tracker's check of its option names, as above (~80 B; 3,115 B measured).
    limit: '3150 B',
  },
  {
    // A Workers / Vercel Edge app: the client, the relay and one provider, resolved as wrangler resolves them
    // (the workerd condition: dist/edge.js). ky and zod, the fixed libraries, are ~12.7 kB of it (bench §5).
    // Moved from 29 kB to 30.5 kB (session 10): the lane in named parts (~0.5 kB), per-item outcomes of a batch
    // (~0.5 kB), and consent, first-touch traits and Global Privacy Control in the relay and the message (~0.5 kB).
    // Moved to 31.5 kB (session 11): the one identify pipeline with its sink (~0.4 kB), and isbot, with which
    // the relay refuses identify calls from bots (#24; ~1.3 kB, nearly all its list of patterns).
    name: '@idstitch/node edge bundle: createClient, createIdentifyHandler, pathbound',
    import: {
      'packages/node/dist/edge.js': '{ createClient, createIdentifyHandler }',
      'packages/node/dist/providers.js': '{ pathbound }',
    },
    modifyEsbuildConfig: edge,
    brotli: true,
    // Moved to 32.5 kB (session 12): the telemetry hooks in the pipeline and the lane (#26; ~0.6 kB: what an
    // attempt reports, the gates' state, the lanes' state), paid whether or not an app passes `telemetry`.
    // Moved to 33 kB (session 12): the debug lines (`debug`, IDSTITCH_DEBUG) and log fields (~0.5 kB; 32.47 kB measured).
    // Moved to 33.5 kB (session 23): the relay deletes the linked-ids cookie it joined (~0.13 kB) and checks its
    // options with zod, as every input is checked (~0.45 kB: the schema and its messages naming each option; 33.29 kB measured).
    // Moved to 33.6 kB (session 25): a clock for deadlines, rate limits and pauses that does not step back with the
    // wall clock (an hour's step failed every identify to a rate-limited provider for that hour), and a marker
    // for an error body nested past JSON.stringify's reach (~0.12 kB together; 33.54 kB measured).
    // Moved to 33.7 kB (session 25): each adapter lists the options it takes, and an unknown one is a ConfigError
    // (~0.07 kB): a misspelled option (`baseURL`, Amplitude's `serverZone`) was ignored, sending to the default host.
    // Moved to 33.8 kB (session 26): every option schema refuses names it does not take, naming the one likely
    // meant (~75 B; 33.68 kB measured), and every duration a timer waits is at most 2^31 - 1 ms, past which a timer
    // fires at once (~85 B; 33.76 kB measured).
    // Moved to 33.9 kB (session 27): de-duplication numbers its sends across all users, and a user's record ignores
    // a send from before it (~70 B; 33.83 kB measured): a record forgotten while an identify was in flight and made
    // again let that identify be remembered as accepted while the next was on its way, so a later identify saying
    // it again was skipped. Holding the record in the send's ticket instead cost nothing here, but kept evicted
    // records alive through a burst: ~1 µs more per identify in a 20,000-identify burst of new users.
    // Moved to 34 kB (session 31): the pipeline watches a sink of the app's own (`createPipeline`) against each
    // identify's deadline, so that a hung sink cannot hold a login route for ever (33.97 kB measured). The client's
    // lanes never use the watch, which lives in the sink entry; what stays on this path is a method and two calls
    // (~35 B minified), and brotli's share of esbuild renaming the bundle's private names around them. In the same
    // session de-duplication lost its ticket and sequence numbers: the record points at the last identify sent,
    // and the pipeline holds the record each item was sent under (50 B less per pending identify; the burst's CPU
    // unchanged within a paired run's noise, ±1 µs).
    // Moved to 34.1 kB (session 33): `createClient().identify(message, { messageId })` takes the app's message id,
    // as `createPipeline()` and the queue did, checked by the one rule they now share in the pipeline (~0.1 kB;
    // 34.04 kB measured): Segment, PostHog, Mixpanel and Amplitude keep one copy of a message sent twice with it.
    // Moved to 34.2 kB (session 33): an identify's own options are checked as every options object is (~0.13 kB;
    // 34.17 kB measured): a name it does not take (`messageID`, `waituntil`), options that are no object (a message
    // id passed alone) or cannot be read make the identify invalid, naming the option, where they were ignored.
    // Moved to 34.3 kB (session 34): an allowed origin or cookie domain written with letters other than ASCII's
    // is refused saying to write it in punycode (~70 B; 34.24 kB measured), where the message was the one for a
    // malformed origin and left the app's developer to guess. The origin's exact ASCII form (a URL parse in the
    // error) measured 129 B and was not taken.
    // Moved to 34.4 kB (session 34): what a trait's toJSON() returns is checked, since it is what JSON sends (~0.1 kB;
    // 34.34 kB measured): an object whose toJSON() returned `{ "__proto__": ... }` passed the reserved-key check, and
    // traits whose own toJSON() returned a string, an array or null went out as such (null crashed the adapter).
    // Moved to 34.5 kB (session 35): a built-in provider's 2xx answer that is a web page fails as
    // `provider_rejected` (~0.14 kB; 34.48 kB measured): a base URL without the API's path, or a proxy's login page,
    // answered 200 with HTML, and the identify was reported delivered where no API received it.
    // Moved to 34.6 kB (session 36): the relay answers a request whose body the app read before it (Hono's
    // c.req.json(), a validator) with a 500 naming that (~60 B; 34.54 kB measured), where it answered "the identify
    // relay failed", the words for a bug of idstitch's own. The relay's own-origin check dropping a forwarded
    // default port, in the same session, cost nothing measurable.
    // Moved to 35.2 kB (session 37): the relay puts the browser's address in `context.ip` (option `clientIp`), checked
    // as an IPv4 or IPv6 address with zod as every input is (~0.59 kB, zod's two address formats most of it; 35.13 kB
    // measured): a relayed identify reached Mixpanel, Amplitude, GA4 and Segment with no address, so they located
    // the user nowhere, where the provider's own browser SDK would have. Nothing else is in the client's path.
    limit: '35.2 kB',
  },
]
