import { JsonText } from '@idstitch/core/internal'
import { describe, expect, it } from 'vitest'
import { restoreItem, storeItem } from './stored-item.js'

describe('storeItem and restoreItem', () => {
  it('keep an item as JSON, and hand a JSON-text item back as JSON text', () => {
    const text = storeItem(new JsonText('{"type":"identify","userId":"usr_1"}'))
    expect(text).toEqual({ ok: true, stored: { item: { type: 'identify', userId: 'usr_1' }, text: true } })
    const back = restoreItem({ item: { type: 'identify', userId: 'usr_1' }, text: true })
    expect(back).toBeInstanceOf(JsonText)
    expect((back as JsonText).text).toBe('{"type":"identify","userId":"usr_1"}')
    expect(storeItem({ external_id: 'usr_1' })).toEqual({ ok: true, stored: { item: { external_id: 'usr_1' }, text: false } })
    expect(restoreItem({ item: { external_id: 'usr_1' }, text: false })).toEqual({ external_id: 'usr_1' })
  })

  it("refuse an item that carries a user's token (a symbol key): no credential leaves the process", () => {
    const item = Object.assign({ projectId: 'p' }, { [Symbol('token')]: 'user-token' })
    const kept = storeItem(item)
    expect(kept.ok).toBe(false)
    expect(kept.ok ? '' : kept.reason).toContain('never stored outside the process')
  })
})
