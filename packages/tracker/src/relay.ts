/** What `identify()` resolves to. `status` 0 means nothing was sent (no endpoint, or an opt-out), or no answer came (then `ok` is false). */
export interface IdentifyOutcome {
  ok: boolean
  status: number
  /** The endpoint's JSON answer. */
  data?: unknown
}


/**
 * The tracker's one request: `body` POSTed to the relay endpoint with `fetch`
 * itself. ky is the server SDK's transport; here it would add 5 kB to every
 * page for a call that needs nothing fetch lacks (bench §1 prices it).
 * - `keepalive`: the request outlives a page left right after login.
 * - `credentials: 'include'`: the app's session cookie goes along to a relay on another of the site's
 *   origins too (the marketing site's `www.` calling `app.`'s relay, which lists it in `allowedOrigins`), where
 *   fetch's default, `'same-origin'`, sends none and the relay could only answer 401. Its answer is readable
 *   only by an origin the relay allows, with credentials.
 * - No retry: a login is never replayed behind the app's back.
 * - A 10 s timeout through `AbortSignal.timeout`, where the browser has it (older ones wait for the network's own).
 * Never rejects: no answer is `{ ok: false, status: 0 }`.
 */
export const relay = (endpoint: string, body: string): Promise<IdentifyOutcome> =>
  fetch(endpoint, {
    method: 'POST',
    keepalive: true,
    credentials: 'include',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout && AbortSignal.timeout(1e4),
  }).then(
    (response) =>
      response
        .json()
        .catch(() => {})
        .then((data: unknown) => ({ ok: response.ok, status: response.status, data })),
    () => ({ ok: false, status: 0 }),
  )
