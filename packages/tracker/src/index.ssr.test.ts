import { describe, expect, it } from 'vitest'

describe('server-side rendering', () => {
  it('imports without touching window or document, and answers safely', async () => {
    expect(typeof document).toBe('undefined')
    const tracker = await import('./index.js')
    expect(tracker.getVisitorId()).toBeUndefined()
    expect(tracker.getContactId()).toBeUndefined()
    expect(() => tracker.reset()).not.toThrow()
    expect(() => tracker.consent(true)).not.toThrow()
    await expect(tracker.identify('usr_1')).rejects.toThrowError(/browser only/)
  })

  it('takes init() at the top of a module, as a client component has it: the tracker starts in the browser', async () => {
    const tracker = await import('./index.js')
    // It started the tracker at once, and threw a ReferenceError (location) in every server render of that module.
    expect(() => tracker.init({ preset: 'pathbound', endpoint: '/api/identify' })).not.toThrow()
    expect(tracker.getVisitorId()).toBeUndefined()
    await expect(tracker.identify('usr_1')).rejects.toThrowError(/browser only/)
  })
})
