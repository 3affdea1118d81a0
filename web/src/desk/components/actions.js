import { label } from '@/shared/i18n-core.js'

// The loop commands the console offers, keyed by the event type the API lists in
// `allowed_actions`. Only actions listed there are ever shown.
export const ACTIONS = {
  verified: { path: 'verify', type: 'primary', photoKind: 'verify' },
  filed: { path: 'file', type: 'primary' },
  rejected: { path: 'reject', type: 'danger', confirm: true },
  dispatched: { path: 'dispatch', type: 'primary' },
  returned: { path: 'return', type: 'warning', confirm: true },
  extension_requested: { path: 'extension', type: 'default' },
  extension_decided: { path: 'extension/decision', type: 'primary' },
  suspended: { path: 'suspend', type: 'default' },
  resumed: { path: 'resume', type: 'default' },
  handled: { path: 'handle', type: 'success', photoKind: 'after' },
  check_requested: { path: 'check-request', type: 'primary' },
  reworked: { path: 'rework', type: 'warning', photoKind: 'check', confirm: true },
  closed: { path: 'close', type: 'success', photoKind: 'check' },
  cancelled: { path: 'cancel', type: 'danger', confirm: true },
}

export const ORDER = Object.keys(ACTIONS)

export function isWorkingLimit(limit) {
  return typeof limit === 'string' && limit.includes('working')
}

// "5 working_days" → "5 工作日" (in the current language).
export function limitText(limit) {
  if (!limit) return ''
  const [value, unit] = String(limit).split(' ')
  return unit ? `${value} ${label('limit', unit, unit)}` : String(limit)
}
