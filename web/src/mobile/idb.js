// A tiny promise wrapper over IndexedDB: one database, one object store per name.
const DB_NAME = 'cityops-m'
const VERSION = 1
let opening = null

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, VERSION)
      req.onupgradeneeded = () => {
        const db = req.result
        if (!db.objectStoreNames.contains('outbox')) {
          const store = db.createObjectStore('outbox', { keyPath: 'id' })
          store.createIndex('user', 'user')
        }
      }
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => {
        opening = null
        reject(req.error)
      }
    })
  }
  return opening
}

function done(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

export async function put(store, value) {
  const db = await openDb()
  const tx = db.transaction(store, 'readwrite')
  const out = done(tx.objectStore(store).put(value))
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error)
  })
  return out
}

export async function get(store, key) {
  const db = await openDb()
  return done(db.transaction(store).objectStore(store).get(key))
}

export async function remove(store, key) {
  const db = await openDb()
  const tx = db.transaction(store, 'readwrite')
  tx.objectStore(store).delete(key)
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve
    tx.onerror = () => reject(tx.error)
  })
}

export async function all(store) {
  const db = await openDb()
  return done(db.transaction(store).objectStore(store).getAll())
}
