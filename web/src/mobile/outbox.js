// The offline outbox of the inspectors' app. Every submission (a patrol report, a
// verification, a check result) is first written to IndexedDB, then sent; it leaves the
// outbox only when the server has accepted it. Reports carry an Idempotency-Key (the item id),
// so a repeat after a lost answer returns the first case; commands carry the case version
// they were made against, so a repeat after a lost answer is refused as stale and then
// recognised in the case's timeline as already done. Nothing is lost, nothing is doubled.
import { reactive } from 'vue'
import * as db from './idb.js'
import { api, session } from './session.js'
import { newKey } from '@/shared/api.js'

export const outbox = reactive({ items: [], sending: false, lastRun: null, needsLogin: false, online: navigator.onLine })

const STORE = 'outbox'

// Reads the outbox back from IndexedDB. Answers the plain stored objects (never the reactive
// copies the views show), since IndexedDB can only store plain data.
export async function refresh() {
  const list = (await db.all(STORE))
    .filter((i) => !session.user || i.user === session.user.id)
    .sort((a, b) => (a.created_at < b.created_at ? -1 : 1))
  outbox.items = list.map((i) => ({ ...i }))
  return list
}

export function pendingCount() {
  return outbox.items.length
}

async function save(item) {
  await db.put(STORE, item)
  await refresh()
}

// A new patrol report: {description, lon, lat, accuracy, address, class_code}, photos: [Blob].
export async function enqueueReport(fields, photos, title) {
  const item = {
    id: newKey(),
    kind: 'report',
    user: session.user.id,
    created_at: new Date().toISOString(),
    status: 'pending',
    attempts: 0,
    title,
    payload: fields,
    photos: photos.map((blob, i) => ({ blob, name: `photo-${i + 1}.jpg` })),
  }
  await save(item)
  replay()
  return item
}

// A command on a case: action is the event type (verified, reworked, closed), path the API
// command, body its JSON without attachments; photos are uploaded first with photoKind.
export async function enqueueCommand({ caseId, caseNo, version, action, path, body, photoKind }, photos, title) {
  const item = {
    id: newKey(),
    kind: 'command',
    user: session.user.id,
    created_at: new Date().toISOString(),
    status: 'pending',
    attempts: 0,
    title,
    payload: { caseId, caseNo, version, action, path, body, photoKind },
    photos: photos.map((blob, i) => ({ blob, name: `photo-${i + 1}.jpg` })),
  }
  await save(item)
  replay()
  return item
}

export async function discard(id) {
  await db.remove(STORE, id)
  await refresh()
}

export async function retry(id) {
  const item = await db.get(STORE, id)
  if (item) {
    item.status = 'pending'
    item.last_error = ''
    await save(item)
  }
  return replay()
}

async function sendReport(item) {
  const p = item.payload
  const form = new FormData()
  form.append('description', p.description)
  form.append('lon', String(p.lon))
  form.append('lat', String(p.lat))
  form.append('crs', 'wgs84') // the browser's GPS position
  if (p.address) form.append('address', p.address)
  if (p.class_code) form.append('class_code', p.class_code)
  for (const ph of item.photos) form.append('photos', ph.blob, ph.name)
  const out = await api.request('POST', 'cases', { form, headers: { 'Idempotency-Key': item.id } })
  return { case_no: out.case.case_no, case_id: out.case.id }
}

async function alreadyDone(item) {
  // A repeat of a command whose first answer was lost: the case's timeline shows it done.
  const p = item.payload
  const events = await api.get(`cases/${p.caseId}/timeline`)
  const since = Date.parse(item.created_at) - 10 * 60 * 1000
  return events.some((e) => e.type === p.action && e.actor === item.user && Date.parse(e.at) >= since && e.seq > p.version)
}

async function sendCommand(item) {
  const p = item.payload
  const refs = []
  for (const ph of item.photos) {
    const out = await api.upload(ph.blob, p.photoKind, ph.name)
    refs.push({ sha256: out.sha256, kind: p.photoKind, filename: ph.name })
  }
  const body = { ...p.body, expected_version: p.version }
  if (p.photoKind) body.attachments = refs
  try {
    await api.post(`cases/${p.caseId}/${p.path}`, body)
  } catch (e) {
    if ((e.code === 'case.stale_version' || e.code === 'case.invalid_transition') && (await alreadyDone(item))) {
      return { case_no: p.caseNo, replayed: true }
    }
    throw e
  }
  return { case_no: p.caseNo }
}

let running = null

export function replay() {
  if (!running) {
    const locked = navigator.locks ? navigator.locks.request('cityops-outbox', run) : run()
    running = locked.finally(() => {
      running = null
    })
  }
  return running
}

async function run() {
  if (!session.user) return
  outbox.sending = true
  try {
    const items = await refresh()
    for (const item of items) {
      if (item.status === 'failed') continue
      item.status = 'sending'
      item.attempts += 1
      await save(item)
      try {
        const result = item.kind === 'report' ? await sendReport(item) : await sendCommand(item)
        await db.remove(STORE, item.id)
        rememberSent(item, result)
        outbox.needsLogin = false
      } catch (e) {
        item.last_error = e.message
        item.last_code = e.code || ''
        item.retryable = e.status === 401 || !!e.retryable || e.status === undefined
        if (e.status === 401) {
          item.status = 'pending'
          outbox.needsLogin = true
          await save(item)
          break
        }
        if (e.retryable || e.status === undefined) {
          item.status = 'pending'
          await save(item)
          break // the network is down or the server is busy: try again later, in order
        }
        item.status = 'failed' // refused for a reason a person must read; kept until discarded
        await save(item)
      }
    }
  } finally {
    outbox.sending = false
    outbox.lastRun = new Date().toISOString()
    await refresh()
  }
}

function rememberSent(item, result) {
  const key = `cityops.m.sent.${item.user}`
  let list = []
  try {
    list = JSON.parse(localStorage.getItem(key) || '[]')
  } catch {
    list = []
  }
  list.unshift({ id: item.id, title: item.title, kind: item.kind, at: new Date().toISOString(), ...result })
  localStorage.setItem(key, JSON.stringify(list.slice(0, 30)))
}

export function sentItems() {
  if (!session.user) return []
  try {
    return JSON.parse(localStorage.getItem(`cityops.m.sent.${session.user.id}`) || '[]')
  } catch {
    return []
  }
}

let timer = null

export function startReplaying() {
  window.addEventListener('online', () => {
    outbox.online = true
    replay()
  })
  window.addEventListener('offline', () => {
    outbox.online = false
  })
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && replay())
  if (timer === null) timer = setInterval(() => outbox.items.some((i) => i.status === 'pending') && replay(), 20000)
}
