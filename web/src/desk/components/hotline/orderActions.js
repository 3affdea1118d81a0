// The hotline order's commands as the console offers them. The order resource does not list
// its allowed commands (the case resource does), so this table mirrors the order's state
// machine (src/cityops/domain/hotline/machine.py: ROLES, FROM, the unit check and the extra
// conditions of each command). The API stays the judge: a refusal is shown as it comes.
import { isWorkingLimit, limitText } from '../actions.js'

export { limitText }

const DESK = ['acceptor', 'shift_leader']
const DISPATCHING = ['acceptor', 'dispatcher', 'shift_leader']
const HOLDING = ['dispatched', 'signed']
const ENDED_CASE = ['closed', 'rejected', 'cancelled']

// key → {path, roles, from, type, confirm, when(order, user)}; the order of keys is the order
// of the buttons.
export const ORDER_ACTIONS = {
  sign: { path: 'sign', roles: ['handler'], from: ['dispatched'], unit: true, type: 'primary' },
  dispatch: { path: 'dispatch', roles: DISPATCHING, from: ['received', ...HOLDING], type: 'primary' },
  classify: { path: 'classify', roles: DISPATCHING, from: ['received', ...HOLDING, 'in_case', 'replied', 'revisited', 'closed'], type: 'default' },
  reply: {
    path: 'reply',
    roles: ['handler', ...DESK],
    from: ['received', 'signed'],
    type: 'success',
    when: (o, u) => (u.role === 'handler' ? o.state === 'signed' && u.unit === o.unit : o.state === 'received'),
  },
  progress: { path: 'progress', roles: ['handler'], from: ['signed'], unit: true, type: 'default' },
  extension: { path: 'extension', roles: ['handler'], from: ['signed'], unit: true, type: 'default', when: (o) => !o.pending_extension },
  extension_decision: { path: 'extension/decision', roles: DISPATCHING, from: ['signed'], type: 'primary', when: (o) => !!o.pending_extension },
  return: { path: 'return', roles: ['handler'], from: HOLDING, unit: true, type: 'warning', confirm: true },
  case: { path: 'case', roles: DESK, from: ['received'], type: 'primary' },
  case_outcome: {
    path: 'case-outcome',
    roles: DESK,
    from: ['in_case'],
    type: 'success',
    when: (o) => !!(o.case && ENDED_CASE.includes(o.case.state)),
  },
  revisit: {
    path: 'revisit',
    roles: DESK,
    from: ['replied', 'revisited'],
    type: 'primary',
    when: (o) => o.state === 'replied' || o.satisfaction === 'unreached',
  },
  close: {
    path: 'close',
    roles: DESK,
    from: ['replied', 'revisited'],
    type: 'success',
    when: (o) => o.state === 'revisited' || !o.revisit_required,
  },
  reopen: { path: 'reopen', roles: [...DESK, 'leader'], from: ['revisited', 'closed'], type: 'warning', confirm: true },
  reexamine: { path: 'reexamine', roles: [...DESK, 'leader', 'evaluator'], from: ['closed'], type: 'default' },
  void: { path: 'void', roles: ['shift_leader'], from: ['received', ...HOLDING], type: 'danger', confirm: true },
  contact: { path: 'contact', roles: DESK, from: null, type: 'default' },
}

export function allowedOrderActions(order, user) {
  if (!order || !user) return []
  return Object.entries(ORDER_ACTIONS)
    .filter(([, a]) => a.roles.includes(user.role))
    .filter(([, a]) => !a.from || a.from.includes(order.state))
    .filter(([, a]) => !a.unit || user.unit === order.unit)
    .filter(([, a]) => !a.when || a.when(order, user))
    .map(([key]) => key)
}

// A dispatch while a unit holds the order is a transfer (转办): its reason is required.
export function isTransfer(order) {
  return HOLDING.includes(order.state)
}

// The deadline the order is working against now, and whether it runs in working time.
export function signClock(order) {
  if (order.state !== 'dispatched' || !order.sign_deadline) return null
  return { deadline: order.sign_deadline, working: order.urgency !== 'urgent' }
}

export function handlingClock(order) {
  if (!['dispatched', 'signed', 'in_case'].includes(order.state) || !order.handling_deadline) return null
  return { deadline: order.handling_deadline, working: isWorkingLimit(order.handling_limit) }
}

// red: past the current deadline; yellow: past 80 % of the time since the dispatch; green.
export function orderLight(order, nowMs, workingBetween) {
  const clock = signClock(order) || handlingClock(order)
  if (!clock) return 'none'
  const due = Date.parse(clock.deadline)
  if (nowMs > due) return 'red'
  const start = Date.parse(order.dispatched_at || order.received_at)
  if (!Number.isFinite(start) || due <= start) return 'green'
  const total = clock.working ? workingBetween(start, due) : due - start
  const used = clock.working ? workingBetween(start, nowMs) : nowMs - start
  return total > 0 && used / total >= 0.8 ? 'yellow' : 'green'
}

