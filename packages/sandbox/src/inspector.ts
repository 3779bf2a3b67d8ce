/** The sandbox's live page: every identify the local providers accept, as it happens. */
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
<p>Each row is an identify a local stand-in for the provider accepted, after checking it against the provider's documented rules.
"Visitor seen" says whether the anonymous id is a visitor the marketing site reported a pageview for: that is the stitch.</p>
<table><thead><tr><th>time</th><th>provider</th><th>user id</th><th>anonymous id</th><th>visitor seen</th><th>traits</th></tr></thead>
<tbody id="rows"><tr class="empty" id="empty"><td colspan="6">Waiting for identifies… log in on the demo app.</td></tr></tbody></table>
<script>
  const rows = document.getElementById('rows')
  const cell = (text, className) => { const td = document.createElement('td'); td.textContent = text; if (className) td.className = className; return td }
  new EventSource('/events').onmessage = (message) => {
    const entry = JSON.parse(message.data)
    document.getElementById('empty')?.remove()
    const tr = document.createElement('tr')
    tr.dataset.provider = entry.provider
    tr.append(
      cell(new Date(entry.at).toLocaleTimeString()),
      cell(entry.provider),
      cell(entry.userId),
      cell(entry.anonymousId || '—'),
      cell(entry.anonymousId ? (entry.knownVisitor ? 'yes' : 'no') : '—', entry.knownVisitor ? 'yes' : 'no'),
      cell(JSON.stringify(entry.traits)),
    )
    rows.prepend(tr)
  }
</script>
</body></html>`
