// Saved searches: on the server when it offers them (GET/POST/DELETE /api/v1/saved-searches),
// otherwise in this browser, per user.
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
      const out = await api.get('saved-searches')
      mode = 'server'
      return Array.isArray(out) ? out : out.items || []
    } catch (e) {
      if (e.status !== 404 && e.status !== 405) throw e
      mode = 'local'
    }
  }
  return readLocal()
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
