import { describe, expect, it } from 'vitest'
import { readJobData, restored } from './job.js'

describe('a job in Redis', () => {
  it('hands an item kept as JSON text back as JSON text, and any other as it was', () => {
    const back = restored({ v: 1, provider: 'segment', messageId: 'm', userId: 'usr_1', item: { type: 'identify', userId: 'usr_1' }, text: true })
    expect(JSON.stringify(back)).toBe('{"type":"identify","userId":"usr_1"}')
    expect((back as { text: string }).text).toBe('{"type":"identify","userId":"usr_1"}')
    expect(restored({ v: 1, provider: 'pathbound', messageId: 'm', userId: 'usr_1', item: { external_id: 'usr_1' } })).toEqual({ external_id: 'usr_1' })
  })

  it('checks what it reads back, naming the field at fault', () => {
    expect(readJobData({ v: 1, provider: 'pathbound', messageId: 'm', userId: 'u', item: {} }).ok).toBe(true)
    expect(readJobData({ v: 2, provider: 'pathbound', messageId: 'm', userId: 'u', item: {} })).toMatchObject({ ok: false, reason: expect.stringContaining('v') })
    expect(readJobData({ v: 1, provider: 'pathbound', messageId: 'm', userId: 'u' })).toMatchObject({ ok: false, reason: 'item is required' })
    expect(readJobData('junk')).toMatchObject({ ok: false })
  })
})
