'use client'
import { useIdstitch } from '@idstitch/react'

/** The visitor and the logged-in contact, as any component can show them. */
export function Ids() {
  const { visitorId, contactId } = useIdstitch()
  return (
    <p>
      visitor <span id="visitor">{visitorId ?? '-'}</span>, contact <span id="contact">{contactId ?? '-'}</span>
    </p>
  )
}
