import { describe, expect, it } from 'vitest'
import { checkCallOptions, type CallOption } from './call-options.js'

const CLIENT: readonly CallOption[] = ['waitUntil', 'messageId']
const PIPELINE: readonly CallOption[] = ['messageId']

describe('checkCallOptions', () => {
  it('reads the options a caller takes; none, undefined or null, is no options', () => {
    const waitUntil = () => {}
    expect(checkCallOptions({ messageId: 'req_1.a-b', waitUntil }, CLIENT)).toEqual({ messageId: 'req_1.a-b', waitUntil })
    expect(checkCallOptions(undefined, CLIENT)).toEqual({})
    expect(checkCallOptions(null, PIPELINE)).toEqual({})
    expect(checkCallOptions({}, PIPELINE)).toEqual({})
  })

  it('names the option at fault, and the one meant: a name the caller does not take, a bad value, no object', () => {
    expect(checkCallOptions({ messageID: 'req_1' }, CLIENT).issue).toEqual({ path: 'messageID', message: 'is not an option; did you mean `messageId`?' })
    expect(checkCallOptions({ waitUntil: () => {} }, PIPELINE).issue).toEqual({ path: 'waitUntil', message: 'is not one of messageId' })
    expect(checkCallOptions({ waitUntil: 'later' }, CLIENT).issue).toEqual({ path: 'waitUntil', message: 'must be a function' })
    expect(checkCallOptions('req_1', CLIENT).issue).toEqual({ path: 'options', message: 'must be an object' })
    for (const messageId of ['', 'a:b', 'x'.repeat(129), 42]) {
      expect(checkCallOptions({ messageId }, PIPELINE).issue).toEqual({ path: 'messageId', message: 'must be 1 to 128 letters, digits, _, - or .' })
    }
    // The id given stays the result's when it is a string, so the app can tell which call was refused.
    expect(checkCallOptions({ messageId: 'a:b' }, PIPELINE).messageId).toBe('a:b')
    expect(checkCallOptions({ messageId: 42 }, PIPELINE).messageId).toBeUndefined()
  })

  it('never throws for options whose getters throw', () => {
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('boom') }, get: () => { throw new Error('boom') } })
    expect(checkCallOptions(hostile, CLIENT)).toEqual({ issue: { path: 'options', message: 'could not be read' } })
  })
})
