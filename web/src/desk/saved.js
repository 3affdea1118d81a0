// Saved searches (常用查询): kept with the account on the server (GET/POST/DELETE
// /api/v1/saved-searches), so they follow the user to any browser. Searches an earlier
// version kept in this browser are moved to the server the first time the list is read; a
// server without the endpoint (404/405) leaves them in the browser, per user.
import { api, session } from './store.js'

let mode = null // 'server' | 'local'

function localKey() {
  return `cityops.saved.${session.user ? session.user.id : 'anon'}`
}

function readLocal() {
  try {
    return JSON.parse(localStorage.getItem(localKey()) || '[]')
  } catch {
    return []
  }
}

export async function listSaved() {
  if (mode !== 'local') {
    try {
      let out = await api.get('saved-searches')
      mode = 'server'
      if (await moveLocalToServer()) out = await api.get('saved-searches')
      return Array.isArray(out) ? out : out.items || []
    } catch (e) {
      if (e.status !== 404 && e.status !== 405) throw e
      mode = 'local'
    }
  }
  return readLocal()
}

async function moveLocalToServer() {
  const local = readLocal()
  if (!local.length) return false
  for (const item of local) {
    try {
      await api.post('saved-searches', { name: item.name, query: item.query || {} })
    } catch {
      return false // kept in the browser; tried again next time
    }
  }
  localStorage.removeItem(localKey())
  return true
}

export async function saveSearch(name, query) {
  if (mode === 'server') return api.post('saved-searches', { name, query })
  const list = readLocal().filter((s) => s.name !== name)
  const item = { id: `local-${Date.now()}`, name, query }
  list.push(item)
  localStorage.setItem(localKey(), JSON.stringify(list))
  return item
}

export async function deleteSearch(item) {
  if (mode === 'server') return api.del(`saved-searches/${item.id}`)
  localStorage.setItem(localKey(), JSON.stringify(readLocal().filter((s) => s.id !== item.id)))
  return null
}

export function savedMode() {
  return mode
}
