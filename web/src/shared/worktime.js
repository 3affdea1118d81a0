// Live countdowns in working time. The API gives each case's deadline; the console config
// gives the city's working intervals (UTC) around today. Remaining working time is the part
// of [now, deadline) inside those intervals; overdue time is the part of [deadline, now).

let periods = [] // [[startMs, endMs], ...] sorted

export function setWorkPeriods(list) {
  periods = (list || [])
    .map(([a, b]) => [Date.parse(a), Date.parse(b)])
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b) && b > a)
    .sort((x, y) => x[0] - y[0])
}

export function workingBetween(fromMs, toMs) {
  if (toMs <= fromMs) return 0
  let total = 0
  for (const [a, b] of periods) {
    if (b <= fromMs) continue
    if (a >= toMs) break
    total += Math.min(b, toMs) - Math.max(a, fromMs)
  }
  return total
}

export function isWorkingTime(ms) {
  return periods.some(([a, b]) => a <= ms && ms < b)
}

// Whether a case's current deadline counts working time: the API says so with each case
// (`deadline_working`, from the unit of the limit that set it). A case kept from before the
// API said it (the inspectors' offline copy) counts working time, as most limits do.
export function clockIsWorking(c) {
  return c && typeof c.deadline_working === 'boolean' ? c.deadline_working : true
}

// {ms, overdue, working, paused}: remaining (or overdue) time of a deadline at `now`.
export function countdown(deadline, now, working = true) {
  if (!deadline) return null
  const due = typeof deadline === 'number' ? deadline : Date.parse(deadline)
  if (!Number.isFinite(due)) return null
  const overdue = now > due
  let ms
  if (working) ms = overdue ? workingBetween(due, now) : workingBetween(now, due)
  else ms = Math.abs(due - now)
  return { ms, overdue, working, paused: working && !isWorkingTime(now) }
}

export function formatDuration(ms, t) {
  const minutes = Math.floor(ms / 60000)
  const days = Math.floor(minutes / 1440)
  const hours = Math.floor((minutes % 1440) / 60)
  const mins = minutes % 60
  if (days > 0) return t('time.dhm', { d: days, h: hours, m: mins })
  if (hours > 0) return t('time.hm', { h: hours, m: mins })
  return t('time.m', { m: mins })
}
