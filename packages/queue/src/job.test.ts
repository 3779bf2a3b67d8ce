import { JsonText } from '@idstitch/node/internal'
import { describe, expect, it } from 'vitest'
import { readJobData, restored, storable } from './job.js'

describe('a job in Redis', () => {
  it('keeps an item as JSON and hands a JSON-text item back as JSON text', () => {
    const text = storable(new JsonText('{"type":"identify","userId":"usr_1"}'))
    expect(text).toEqual({ ok: true, item: { type: 'identify', userId: 'usr_1' }, text: true })
    const back = restored({ v: 1, provider: 'segment', messageId: 'm', userId: 'usr_1', item: { type: 'identify', userId: 'usr_1' }, text: true })
    expect(back).toBeInstanceOf(JsonText)
    expect((back as JsonText).text).toBe('{"type":"identify","userId":"usr_1"}')
    expect(storable({ external_id: 'usr_1' })).toEqual({ ok: true, item: { external_id: 'usr_1' }, text: false })
  })

  it("refuses an item that carries a user's token (a symbol key): no credential goes to Redis", () => {
    const item = Object.assign({ projectId: 'p' }, { [Symbol('token')]: 'user-token' })
    const kept = storable(item)
    expect(kept.ok).toBe(false)
    expect(kept.ok ? '' : kept.reason).toContain('never stored in Redis')
  })

  it('checks what it reads back, naming the field at fault', () => {
    expect(readJobData({ v: 1, provider: 'pathbound', messageId: 'm', userId: 'u', item: {} }).ok).toBe(true)
    expect(readJobData({ v: 2, provider: 'pathbound', messageId: 'm', userId: 'u', item: {} })).toMatchObject({ ok: false, reason: expect.stringContaining('v') })
    expect(readJobData({ v: 1, provider: 'pathbound', messageId: 'm', userId: 'u' })).toMatchObject({ ok: false, reason: 'item is required' })
    expect(readJobData('junk')).toMatchObject({ ok: false })
  })
})
