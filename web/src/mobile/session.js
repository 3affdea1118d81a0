// The inspectors' app session. The dictionary and the last task list are kept in
// localStorage so the app still shows them without a network.
import { reactive } from 'vue'
import { createClient, loadConfig } from '@/shared/api.js'
import { setWorkPeriods } from '@/shared/worktime.js'
import { setTimeZone } from '@/shared/format.js'

export const session = reactive({ user: null, config: null, dict: null })

const USER_KEY = 'cityops.m.user'
const CONFIG_KEY = 'cityops.m.config'
const DICT_KEY = 'cityops.m.dict'

export const api = createClient({ tokenKey: 'cityops.m.token' })

function cached(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null')
  } catch {
    return null
  }
}

export async function restore() {
  session.user = api.token ? cached(USER_KEY) : null
  session.config = cached(CONFIG_KEY)
  session.dict = cached(DICT_KEY)
  try {
    session.config = await loadConfig()
    localStorage.setItem(CONFIG_KEY, JSON.stringify(session.config))
  } catch {
    /* offline: the cached configuration will do */
  }
  if (session.config) {
    setWorkPeriods(session.config.work_periods)
    setTimeZone(session.config.time_zone)
  }
  if (session.user) {
    try {
      session.user = await api.get('auth/me')
      localStorage.setItem(USER_KEY, JSON.stringify(session.user))
      await loadDictionary()
    } catch (e) {
      if (e.status === 401) logoutLocal()
    }
  }
  return session.user
}

async function loadDictionary() {
  try {
    session.dict = await api.get('console/dictionary')
    localStorage.setItem(DICT_KEY, JSON.stringify(session.dict))
  } catch {
    /* keep the cached one */
  }
}

export async function login(username, password) {
  const out = await api.login(username, password)
  session.user = out.user
  localStorage.setItem(USER_KEY, JSON.stringify(out.user))
  await loadDictionary()
  return out.user
}

function logoutLocal() {
  api.token = null
  session.user = null
  localStorage.removeItem(USER_KEY)
}

export async function logout() {
  await api.logout()
  logoutLocal()
}

export function tasksKey() {
  return `cityops.m.tasks.${session.user ? session.user.id : ''}`
}

export function cachedTasks() {
  return cached(tasksKey()) || []
}

export function cacheTasks(list) {
  localStorage.setItem(tasksKey(), JSON.stringify(list))
}
