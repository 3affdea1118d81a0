// The desk console's session: who is logged in, the console configuration and the form
// vocabularies (loaded once after login), and the client every view uses.
import { reactive } from 'vue'
import { createClient, loadConfig } from '@/shared/api.js'
import { setWorkPeriods } from '@/shared/worktime.js'
import { setTimeZone } from '@/shared/format.js'

export const session = reactive({
  user: null,
  config: null,
  dict: null,
  ready: false,
})

export const api = createClient({
  tokenKey: 'cityops.desk.token',
  onUnauthorized: () => {
    session.user = null
    if (!location.hash.startsWith('#/login')) {
      location.hash = `#/login?next=${encodeURIComponent(location.hash.slice(1) || '/')}`
    }
  },
})

export async function ensureConfig() {
  if (!session.config) {
    session.config = await loadConfig()
    setWorkPeriods(session.config.work_periods)
    setTimeZone(session.config.time_zone)
    document.title = `${session.config.city_name} · 城市运行管理服务平台`
  }
  return session.config
}

export async function restoreSession() {
  await ensureConfig()
  if (!api.token) return null
  try {
    session.user = await api.get('auth/me')
  } catch {
    session.user = null
    api.token = null
  }
  if (session.user) await loadDictionary()
  session.ready = true
  return session.user
}

export async function loadDictionary() {
  if (!session.dict) session.dict = await api.get('console/dictionary')
  return session.dict
}

export async function login(username, password) {
  const out = await api.login(username, password)
  session.user = out.user
  await loadDictionary()
  return out.user
}

export async function logout() {
  await api.logout()
  session.user = null
}

// Where each role starts, and which parts of the console it sees.
export const HOME_BY_ROLE = {
  admin: '/admin/users',
  leader: '/overview',
  evaluator: '/overview',
}

export function homeFor(user) {
  return (user && HOME_BY_ROLE[user.role]) || '/queue'
}

export const CENTRE_ROLES = ['acceptor', 'shift_leader', 'dispatcher', 'leader', 'evaluator']

// Who sees which part of the console: the access rules of each API, so a menu entry never
// leads to a page the API would refuse (docs/console.md).
const CENTRE_AND_ADMIN = [...CENTRE_ROLES, 'admin']
export const ROLE_GROUPS = {
  hotlineWork: ['acceptor', 'shift_leader', 'dispatcher', 'handler'],
  hotlineDesk: ['acceptor', 'shift_leader'],
  hotlineRead: [...CENTRE_AND_ADMIN, 'handler'],
  hotlineFigures: CENTRE_AND_ADMIN,
  bureau: ['leader', 'evaluator', 'admin'],
  workplan: ['leader', 'evaluator', 'admin', 'handler'],
  cockpit: ['leader', 'evaluator', 'admin', 'acceptor', 'shift_leader', 'dispatcher'],
  evaluation: [...CENTRE_AND_ADMIN, 'handler', 'inspector'],
}

export function hasRole(...groups) {
  const role = session.user ? session.user.role : ''
  return groups.some((g) => (ROLE_GROUPS[g] || [g]).includes(role))
}

export function className(code) {
  if (!code) return ''
  const c = session.dict && (session.dict.classes || []).find((x) => x.code === code)
  return c ? c.name : code
}

export function unitName(code) {
  if (!code) return ''
  const u = session.dict && session.dict.units.find((x) => x.code === code)
  return u ? u.name : code
}

export function regionName(code) {
  if (!code || !session.dict) return code || ''
  const r =
    session.dict.districts.find((x) => x.code === code) ||
    session.dict.streets.find((x) => x.code === code)
  return r ? r.name : code
}
