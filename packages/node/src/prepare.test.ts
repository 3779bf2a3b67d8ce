import { defineProvider } from '@idstitch/core'
import { describe, expect, it } from 'vitest'
import { warnOnce } from './prepare.js'

/** prepare.ts's BOUND. */
const BOUND = 1_000

const provider = defineProvider<Record<string, never>, unknown>({
  name: 'warner',
  configure: () => ({}),
  prepare: () => ({ type: 'skip', reason: 'unused' }),
  request: () => ({ method: 'POST', url: 'https://warner.test/', headers: {}, body: {} }),
})({})

describe('warnOnce', () => {
  it('logs each warning once, and remembers at most 1,000 keys (an adapter keying one by user cannot grow memory without end)', () => {
    const lines: string[] = []
    const warn = warnOnce({ warn: (line) => lines.push(line) })
    warn(provider, [{ key: 'a', message: 'first' }])
    warn(provider, [{ key: 'a', message: 'first' }])
    expect(lines).toEqual(['warner: first'])
    for (let user = 0; user < BOUND + 10; user++) warn(provider, [{ key: `user:${user}`, message: 'per user' }])
    // Past the bound, a new key is logged each time and not kept; the ones kept stay quiet.
    warn(provider, [{ key: `user:${BOUND + 5}`, message: 'per user' }])
    warn(provider, [{ key: 'user:0', message: 'per user' }])
    expect(lines).toHaveLength(1 + BOUND + 10 + 1)
  })
})
