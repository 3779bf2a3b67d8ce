/** How many rows each of the page's tables shows, the newest: a page left open through a load test stays light. */
export const INSPECTOR_ROWS = 1_000

/**
 * The sandbox's live page: every identify the local providers accept, as it happens. Each (re)connection of its
 * event stream replays what the sandbox kept, so the page starts again from that on a reconnection rather than
 * showing every row twice.
 */
export const inspectorPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>idstitch sandbox</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1b1f24 }
  h1 { font-size: 1.3rem } p { color: #57606a }
  table { border-collapse: collapse; width: 100% } th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top }
  code { font: 12px ui-monospace, monospace } .yes { color: #1a7f37 } .no { color: #9a6700 } .empty { color: #57606a; font-style: italic }
</style></head>
<body>
<h1>idstitch provider sandbox</h1>
<p>Each user's stitch, per tool: stitched when an identify joined an id that tool's own browser SDK reported
(posthog-js, mixpanel-browser, Amplitude's SDK, gtag's <code>_ga</code>), or the visitor the marketing site reported; else why not.</p>
<table><thead><tr><th>user id</th><th>tool</th><th>stitch</th></tr></thead>
<tbody id="stitches"><tr class="empty" id="no-stitch"><td colspan="3">No login yet.</td></tr></tbody></table>
<p id="stitches-trimmed" data-what="stitches" hidden></p>
<p>Each row below is an identify a local stand-in for the provider accepted, after checking it against the provider's documented rules. Each table shows the newest ${INSPECTOR_ROWS.toLocaleString('en-US')}.</p>
<table><thead><tr><th>time</th><th>provider</th><th>user id</th><th>anonymous id</th><th>stitched</th><th>traits</th></tr></thead>
<tbody id="rows"><tr class="empty" id="empty"><td colspan="6">Waiting for identifies… log in on the demo app.</td></tr></tbody></table>
<p id="rows-trimmed" data-what="identifies" hidden></p>
<script>
  const MAX_ROWS = ${INSPECTOR_ROWS}
  const rows = document.getElementById('rows')
  const stitchRows = document.getElementById('stitches')
  const cell = (text, className) => { const td = document.createElement('td'); td.textContent = text; if (className) td.className = className; return td }
  /** Per user and tool: stitched once any of its identifies is. */
  const stitches = new Map()
  /** The line under a table counts the rows it let go: more of them now, or none again (reset). */
  const countTrimmed = (table, more, reset) => {
    const line = document.getElementById(table.id + '-trimmed')
    const count = reset ? 0 : Number(line.dataset.count || 0) + more
    line.dataset.count = String(count)
    line.hidden = count === 0
    line.textContent = count.toLocaleString('en-US') + ' older ' + line.dataset.what + ' not shown.'
  }
  /** Past MAX_ROWS, forgets the rows at the table's old end (and their users' stitches), and counts them. */
  const trim = (table, oldest) => {
    let gone = 0
    for (; table.children.length > MAX_ROWS; gone++) {
      const tr = oldest(table)
      if (tr.dataset.key) stitches.delete(tr.dataset.key)
      tr.remove()
    }
    if (gone > 0) countTrimmed(table, gone)
  }
  const showStitch = (entry) => {
    const key = entry.userId + '\u0000' + entry.provider
    const known = stitches.get(key)
    if (known && (known.stitched || !entry.stitched)) return
    stitches.set(key, entry)
    document.getElementById('no-stitch')?.remove()
    const id = 'stitch-' + btoa(unescape(encodeURIComponent(key))).replace(/=/g, '')
    document.getElementById(id)?.remove()
    const tr = document.createElement('tr')
    tr.id = id
    tr.dataset.key = key
    tr.dataset.user = entry.userId
    tr.dataset.provider = entry.provider
    tr.dataset.stitched = String(entry.stitched)
    tr.append(cell(entry.userId), cell(entry.provider), cell(entry.stitched ? 'stitched ✓' : 'not stitched: ' + entry.why, entry.stitched ? 'yes' : 'no'))
    stitchRows.append(tr)
    trim(stitchRows, (table) => table.firstElementChild)
  }
  const events = new EventSource('/events')
  let connected = false
  events.onopen = () => {
    if (connected) {
      rows.replaceChildren()
      stitchRows.replaceChildren()
      stitches.clear()
      countTrimmed(rows, 0, true)
      countTrimmed(stitchRows, 0, true)
    }
    connected = true
  }
  events.onmessage = (message) => {
    const entry = JSON.parse(message.data)
    showStitch(entry)
    document.getElementById('empty')?.remove()
    const tr = document.createElement('tr')
    tr.dataset.provider = entry.provider
    tr.append(
      cell(new Date(entry.at).toLocaleTimeString()),
      cell(entry.provider),
      cell(entry.userId),
      cell(entry.anonymousId || '—'),
      cell(entry.stitched ? '✓' : entry.why, entry.stitched ? 'yes' : 'no'),
      cell(JSON.stringify(entry.traits)),
    )
    rows.prepend(tr)
    trim(rows, (table) => table.lastElementChild)
  }
</script>
</body></html>`
