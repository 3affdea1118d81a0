// Dates in the city's time zone (Asia/Shanghai unless the config says otherwise).

let zone = 'Asia/Shanghai'

export function setTimeZone(tz) {
  if (tz) zone = tz
}

export function timeZone() {
  return zone
}

function parts(value) {
  const d = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(d.getTime())) return null
  const f = new Intl.DateTimeFormat('zh-CN', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  })
  const out = {}
  for (const p of f.formatToParts(d)) out[p.type] = p.value
  if (out.hour === '24') out.hour = '00'
  return out
}

export function dateTime(value) {
  if (!value) return ''
  const p = parts(value)
  return p ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}` : ''
}

export function dateOnly(value) {
  if (!value) return ''
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  const p = parts(value)
  return p ? `${p.year}-${p.month}-${p.day}` : ''
}

export function shortDateTime(value) {
  if (!value) return ''
  const p = parts(value)
  return p ? `${p.month}-${p.day} ${p.hour}:${p.minute}` : ''
}

export function distance(meters) {
  if (meters == null || !Number.isFinite(meters)) return ''
  return meters < 1000 ? `${Math.round(meters)}米` : `${(meters / 1000).toFixed(1)}公里`
}

// Great-circle distance in metres between two WGS84 points.
export function haversine(lat1, lon1, lat2, lon2) {
  const r = 6371008.8
  const rad = Math.PI / 180
  const dLat = (lat2 - lat1) * rad
  const dLon = (lon2 - lon1) * rad
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2
  return 2 * r * Math.asin(Math.sqrt(a))
}
