import { act, cleanup, render, screen } from '@testing-library/react'
import { createTracker } from '@idstitch/tracker'
import Cookies from 'js-cookie'
import { StrictMode } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { IdstitchProvider, type IdstitchProviderProps, useIdstitch } from './index.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const OTHER = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** What a component shows of useIdstitch(), and buttons for its calls. */
const Ids = ({ id = 'ids' }: { id?: string }) => {
  const { visitorId, contactId, identify, reset } = useIdstitch()
  return (
    <p>
      <span data-testid={id}>{`${visitorId ?? '-'}|${contactId ?? '-'}`}</span>
      <button type="button" onClick={() => void identify('usr_ada')}>{`login ${id}`}</button>
      <button type="button" onClick={() => reset()}>{`logout ${id}`}</button>
    </p>
  )
}
const App = (props: IdstitchProviderProps) => (
  <StrictMode>
    <IdstitchProvider {...props}>
      <Ids />
    </IdstitchProvider>
  </StrictMode>
)
const shown = (id = 'ids') => screen.getByTestId(id).textContent
const clearCookies = () => {
  for (const name of Object.keys(Cookies.get())) {
    Cookies.remove(name, { path: '/' })
    Cookies.remove(name, { path: '/', domain: 'example.test' })
  }
}
/**
 * Waits (50 turns of 10 ms at most) for a BroadcastChannel message, delivered on a later turn, and the re-render it
 * causes: inside act(), as React asks of an update a test causes.
 */
const eventually = async (id: string, text: RegExp | string) => {
  const arrived = () => (typeof text === 'string' ? shown(id) === text : text.test(shown(id) ?? ''))
  for (let turn = 0; turn < 50 && !arrived(); turn++) await act(() => new Promise((resolve) => setTimeout(resolve, 10)))
  expect(shown(id)).toMatch(text)
}

// What Testing Library sets itself where the test runner's globals are on (vitest's are not, here): React may expect act().
;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true

let errors: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  clearCookies()
  errors = vi.spyOn(console, 'error')
})
afterEach(() => {
  cleanup()
  errors.mockRestore()
})

describe('useIdstitch()', () => {
  it('refuses to run outside <IdstitchProvider>, saying where it must be', () => {
    errors.mockImplementation(() => {})
    expect(() => render(<Ids />)).toThrow('useIdstitch() must be called in a component inside <IdstitchProvider> (from @idstitch/react)')
  })

  it('shows the visitor the tracker mints in a browser-only render, and the contact once identify() is called', async () => {
    render(<App options={{ endpoint: undefined }} />)
    const [visitor] = shown().split('|')
    expect(visitor).toMatch(UUID)
    expect(Cookies.get('idstitch_visitor_id')).toBe(visitor)
    await act(() => screen.getByText('login ids').click())
    expect(shown()).toBe(`${visitor}|usr_ada`)
    await act(() => screen.getByText('logout ids').click())
    expect(shown()).toBe(`${visitor}|-`)
    expect(errors).not.toHaveBeenCalled()
  })

  it('uses a tracker the app created', async () => {
    Cookies.set('idstitch_visitor_id', VISITOR, { path: '/' })
    const tracker = createTracker()
    render(<App tracker={tracker} />)
    await act(() => screen.getByText('login ids').click())
    expect(shown()).toBe(`${VISITOR}|usr_ada`)
    expect(tracker.getContactId()).toBe('usr_ada')
  })
})

describe('server rendering and hydration', () => {
  it("renders the request's ids on the server, then hydrates to the same in strict mode with no warning", async () => {
    Cookies.set('idstitch_visitor_id', VISITOR, { path: '/' })
    Cookies.set('idstitch_external_contact_id', 'usr_ada', { path: '/' })
    const initial = { visitorId: VISITOR, contactId: 'usr_ada' }
    const html = renderToString(<App initial={initial} />)
    expect(html).toContain(`${VISITOR}|usr_ada`)
    const container = document.createElement('div')
    container.innerHTML = html
    document.body.append(container)
    const root = await act(async () => hydrateRoot(container, <App initial={initial} />, { onRecoverableError: (error) => console.error(error) }))
    expect(container.textContent).toContain(`${VISITOR}|usr_ada`)
    expect(errors).not.toHaveBeenCalled()
    act(() => root.unmount())
    container.remove()
  })

  it("hydrates to the server's ids even when the browser's cookies differ, then shows the browser's, with no warning", async () => {
    Cookies.set('idstitch_visitor_id', OTHER, { path: '/' })
    const initial = { visitorId: VISITOR }
    const container = document.createElement('div')
    container.innerHTML = renderToString(<App initial={initial} />)
    document.body.append(container)
    const root = await act(async () => hydrateRoot(container, <App initial={initial} />, { onRecoverableError: (error) => console.error(error) }))
    expect(container.textContent).toContain(`${OTHER}|-`)
    expect(errors).not.toHaveBeenCalled()
    act(() => root.unmount())
    container.remove()
  })
})

/** Ada logged in on this browser, and another tab of the site open (a second provider, as a tab has its own). */
const loggedInWithAnotherTab = () => {
  Cookies.set('idstitch_visitor_id', VISITOR, { path: '/' })
  Cookies.set('idstitch_external_contact_id', 'usr_ada', { path: '/' })
  return render(
    <IdstitchProvider>
      <Ids id="other" />
    </IdstitchProvider>,
  )
}

describe('changes from elsewhere', () => {
  it("re-renders on another tab's login and logout (two providers stand for two tabs of one origin)", async () => {
    render(
      <>
        <IdstitchProvider>
          <Ids id="a" />
        </IdstitchProvider>
        <IdstitchProvider>
          <Ids id="b" />
        </IdstitchProvider>
      </>,
    )
    await act(() => screen.getByText('login a').click())
    await eventually('b', /\|usr_ada$/)
    await act(() => screen.getByText('logout a').click())
    await eventually('b', /\|-$/)
  })

  it("shows the new visitor another tab started (a logout with rotateVisitor on a shared computer)", async () => {
    const Rotating = () => {
      const { reset } = useIdstitch()
      return <button type="button" onClick={() => reset({ rotateVisitor: true })}>rotate</button>
    }
    const other = loggedInWithAnotherTab()
    render(
      <IdstitchProvider>
        <Rotating />
        <Ids />
      </IdstitchProvider>,
    )
    expect(shown('other')).toBe(`${VISITOR}|usr_ada`)
    act(() => screen.getByText('rotate').click())
    const [fresh] = shown().split('|')
    expect(fresh).toMatch(UUID)
    expect(fresh).not.toBe(VISITOR)
    await eventually('other', `${fresh}|-`)
    other.unmount()
  })

  it("reads the cookies again when the server's view changes (a server action logged the user out), and tells the other tabs", async () => {
    const other = loggedInWithAnotherTab()
    const { rerender } = render(<App initial={{ visitorId: VISITOR, contactId: 'usr_ada' }} />)
    expect(shown()).toBe(`${VISITOR}|usr_ada`)
    expect(shown('other')).toBe(`${VISITOR}|usr_ada`)
    // The server action's response cleared the cookie, and the layout rendered again with what the request now says.
    Cookies.remove('idstitch_external_contact_id', { path: '/' })
    rerender(<App initial={{ visitorId: VISITOR }} />)
    expect(shown()).toBe(`${VISITOR}|-`)
    await eventually('other', `${VISITOR}|-`)
    // And back to the first render's view: each change of the server's view is told, not only a change from the first.
    Cookies.set('idstitch_external_contact_id', 'usr_ada', { path: '/' })
    rerender(<App initial={{ visitorId: VISITOR, contactId: 'usr_ada' }} />)
    await eventually('other', `${VISITOR}|usr_ada`)
    Cookies.remove('idstitch_external_contact_id', { path: '/' })
    rerender(<App initial={{ visitorId: VISITOR }} />)
    await eventually('other', `${VISITOR}|-`)
    other.unmount()
  })

  it('tells the other tabs whenever a render finds the cookies changed (a page a server action rendered again)', async () => {
    const other = loggedInWithAnotherTab()
    // The same initial before and after: only the cookies changed, and this tab's page rendered again.
    const { rerender } = render(<App initial={{ visitorId: VISITOR }} />)
    await eventually('other', `${VISITOR}|usr_ada`)
    Cookies.remove('idstitch_external_contact_id', { path: '/' })
    rerender(<App initial={{ visitorId: VISITOR }} />)
    expect(shown()).toBe(`${VISITOR}|-`)
    await eventually('other', `${VISITOR}|-`)
    other.unmount()
  })

  it('reads the cookies again when the page is shown again', async () => {
    Cookies.set('idstitch_visitor_id', VISITOR, { path: '/' })
    render(<App />)
    Cookies.set('idstitch_external_contact_id', 'usr_cy', { path: '/' })
    expect(shown()).toBe(`${VISITOR}|-`)
    act(() => void document.dispatchEvent(new Event('visibilitychange')))
    expect(shown()).toBe(`${VISITOR}|usr_cy`)
  })

  it('stops listening when the last component unmounts', async () => {
    const { unmount } = render(<App />)
    const remove = vi.spyOn(document, 'removeEventListener')
    unmount()
    expect(remove).toHaveBeenCalledWith('visibilitychange', expect.any(Function))
    remove.mockRestore()
  })
})
