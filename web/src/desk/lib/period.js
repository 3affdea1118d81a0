// Evaluation periods as the API writes them (2025-10, 2025-Q3, 2025, 2025-10-05), counted in
// the city's time zone.
import { timeZone } from '@/shared/format.js'

function local(date = new Date()) {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: timeZone(), year: 'numeric', month: '2-digit', day: '2-digit' })
  const [y, m, d] = f.format(date).split('-').map(Number)
  return { y, m, d }
}

export function today() {
  const { y, m, d } = local()
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

export function thisMonth() {
  const { y, m } = local()
  return `${y}-${String(m).padStart(2, '0')}`
}

export function monthBefore(month, n = 1) {
  const [y, m] = month.split('-').map(Number)
  const i = y * 12 + (m - 1) - n
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`
}

// The choices of a period picker: the last `months` months, this and last quarter, this year.
export function periodChoices(months = 12) {
  const { y, m } = local()
  const out = []
  const cur = thisMonth()
  for (let i = 0; i < months; i++) out.push({ value: monthBefore(cur, i), kind: 'month' })
  const q = Math.floor((m - 1) / 3) + 1
  out.push({ value: `${y}-Q${q}`, kind: 'quarter' })
  out.push({ value: q > 1 ? `${y}-Q${q - 1}` : `${y - 1}-Q4`, kind: 'quarter' })
  out.push({ value: String(y), kind: 'year' })
  out.push({ value: String(y - 1), kind: 'year' })
  return out
}

// "2025-10" → "2025年10月"; quarters and years likewise (the API's own labels are Chinese too).
export function periodLabel(value, t) {
  if (/^\d{4}-\d{2}$/.test(value)) {
    const [y, m] = value.split('-')
    return t('period.month', { y, m: Number(m) })
  }
  const q = /^(\d{4})-Q([1-4])$/.exec(value)
  if (q) return t('period.quarter', { y: q[1], q: q[2] })
  if (/^\d{4}$/.test(value)) return t('period.year', { y: value })
  return value
}
