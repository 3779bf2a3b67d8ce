const escapeXml = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * A horizontal bar chart as SVG: one bar per row, ours highlighted, an optional
 * target line. Log scale when values span more than two orders of magnitude.
 */
export const barChart = ({ title, unit, rows, target }) => {
  const width = 760
  const labelWidth = 250
  const barArea = width - labelWidth - 110
  const rowHeight = 26
  const top = 44
  const height = top + rows.length * rowHeight + 30
  const values = rows.map((row) => row.value).filter((value) => value > 0)
  const max = Math.max(...values, target ?? 0)
  const min = Math.min(...values)
  const log = max / Math.max(min, 1e-9) > 100
  const scale = (value) => (log ? (Math.log10(Math.max(value, 1)) / Math.log10(max)) * barArea : (value / max) * barArea)
  const format = (value) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1))
  const bars = rows
    .map((row, index) => {
      const y = top + index * rowHeight
      const w = Math.max(2, scale(row.value))
      const fill = row.ours ? '#2f6feb' : '#8c959f'
      return `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end" font-weight="${row.ours ? 700 : 400}">${escapeXml(row.label)}</text>
<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${fill}" rx="2"/>
<text x="${labelWidth + w + 6}" y="${y + 16}">${row.value > 0 ? `${format(row.value)} ${escapeXml(unit)}` : escapeXml(row.note ?? 'n/a')}</text>`
    })
    .join('\n')
  const targetLine =
    target === undefined
      ? ''
      : `<line x1="${labelWidth + scale(target)}" x2="${labelWidth + scale(target)}" y1="${top - 4}" y2="${height - 24}" stroke="#cf222e" stroke-dasharray="4 3"/>
<text x="${labelWidth + scale(target) + 4}" y="${height - 10}" fill="#cf222e">target ${format(target)} ${escapeXml(unit)}</text>`
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#fff"/>
<text x="12" y="24" font-size="15" font-weight="700">${escapeXml(title)}${log ? ' (log scale)' : ''}</text>
${bars}
${targetLine}
</svg>
`
}
