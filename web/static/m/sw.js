/* The inspectors' app service worker: keeps the app shell (page, scripts, styles, icons) so
 * the app opens without a network. API calls are never cached here: submissions wait in the
 * app's IndexedDB outbox and are replayed with idempotency keys. */
const CACHE = 'cityops-m-shell-v1'
const SHELL = ['/m/', '/m/manifest.webmanifest', '/m/icon-192.png', '/m/icon-512.png', '/favicon.svg']

async function cacheAssetsOf(cache, html) {
  const urls = new Set()
  for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) urls.add(m[1])
  await Promise.all(
    [...urls].map((u) => cache.add(u).catch(() => undefined)),
  )
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      await Promise.all(SHELL.map((u) => cache.add(u).catch(() => undefined)))
      const page = await cache.match('/m/')
      if (page) await cacheAssetsOf(cache, await page.text())
      await self.skipWaiting()
    })(),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key)
      await self.clients.claim()
    })(),
  )
})

self.addEventListener('fetch', (event) => {
  const req = event.request
  const url = new URL(req.url)
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return

  if (req.mode === 'navigate') {
    // Network first, so a new build arrives; the cached page when offline.
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE)
        try {
          const res = await fetch(req)
          if (res.ok) {
            await cache.put('/m/', res.clone())
            cacheAssetsOf(cache, await res.clone().text())
          }
          return res
        } catch {
          return (await cache.match('/m/')) || Response.error()
        }
      })(),
    )
    return
  }

  if (url.pathname.startsWith('/assets/') || SHELL.includes(url.pathname)) {
    // Fingerprinted assets never change: the cache first.
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE)
        const hit = await cache.match(req)
        if (hit) return hit
        const res = await fetch(req)
        if (res.ok) cache.put(req, res.clone())
        return res
      })(),
    )
  }
})
