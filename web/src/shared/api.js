// The one way the three apps talk to the API: JSON or multipart, the bearer token, and the
// API's error shape {code, message, details} turned into ApiError (message is for people).

export const API = '/api/v1'

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message)
    this.status = status
    this.code = code
    this.details = details || {}
  }

  // A network failure or a server-side outage: worth retrying later, never lose the data.
  get retryable() {
    return this.status === 0 || this.status >= 500 || this.status === 429
  }
}

export function createClient({ tokenKey, onUnauthorized } = {}) {
  const store = typeof localStorage !== 'undefined' ? localStorage : null

  const client = {
    get token() {
      return store && tokenKey ? store.getItem(tokenKey) : null
    },
    set token(value) {
      if (!store || !tokenKey) return
      if (value) store.setItem(tokenKey, value)
      else store.removeItem(tokenKey)
    },

    async request(method, path, { json, form, query, headers = {}, raw = false, signal } = {}) {
      const url = new URL(path.startsWith('/') ? path : `${API}/${path}`, location.origin)
      for (const [k, v] of Object.entries(query || {})) {
        if (v === undefined || v === null || v === '') continue
        if (Array.isArray(v)) v.forEach((item) => url.searchParams.append(k, item))
        else url.searchParams.set(k, v)
      }
      const h = { Accept: 'application/json', ...headers }
      const token = client.token
      if (token) h.Authorization = `Bearer ${token}`
      let body
      if (json !== undefined) {
        h['Content-Type'] = 'application/json'
        body = JSON.stringify(json)
      } else if (form) {
        body = form
      }
      let res
      try {
        res = await fetch(url, { method, headers: h, body, signal })
      } catch (err) {
        if (err && err.name === 'AbortError') throw err
        throw new ApiError(0, 'network', '网络连接失败，请检查网络后重试')
      }
      if (res.status === 401 && onUnauthorized) onUnauthorized()
      if (!res.ok) {
        let payload = null
        try {
          payload = await res.json()
        } catch {
          payload = null
        }
        if (payload && payload.code) {
          throw new ApiError(res.status, payload.code, payload.message || payload.code, payload.details)
        }
        throw new ApiError(res.status, `http.${res.status}`, `请求失败（HTTP ${res.status}）`)
      }
      if (raw) return res
      if (res.status === 204) return null
      const type = res.headers.get('content-type') || ''
      return type.includes('json') ? res.json() : res.text()
    },

    get(path, query, opts = {}) {
      return client.request('GET', path, { ...opts, query })
    },
    post(path, json, opts = {}) {
      return client.request('POST', path, { ...opts, json })
    },
    put(path, json, opts = {}) {
      return client.request('PUT', path, { ...opts, json })
    },
    patch(path, json, opts = {}) {
      return client.request('PATCH', path, { ...opts, json })
    },
    del(path, opts = {}) {
      return client.request('DELETE', path, opts)
    },

    async login(username, password) {
      const form = new URLSearchParams({ username, password })
      const out = await client.request('POST', 'auth/token', {
        form,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      })
      client.token = out.access_token
      return out
    },

    async logout() {
      try {
        if (client.token) await client.post('auth/logout')
      } catch {
        /* the token is dropped locally either way */
      }
      client.token = null
    },

    // An attachment as an object URL (downloads need the bearer token, so <img src> cannot).
    async blobUrl(path) {
      const res = await client.request('GET', path, { raw: true, headers: { Accept: '*/*' } })
      return URL.createObjectURL(await res.blob())
    },

    // Upload one photo ahead of a command; answers {sha256, mime, size, kind}.
    async upload(blob, kind, filename = 'photo.jpg') {
      const form = new FormData()
      form.append('file', blob, filename)
      form.append('kind', kind)
      return client.request('POST', 'attachments', { form })
    },
  }
  return client
}

// A random key for idempotent submissions (crypto.randomUUID needs a secure context).
export function newKey() {
  if (globalThis.crypto && crypto.randomUUID) {
    try {
      return crypto.randomUUID()
    } catch {
      /* not a secure context */
    }
  }
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export async function loadConfig() {
  const res = await fetch(`${API}/console/config`, { headers: { Accept: 'application/json' } })
  if (!res.ok) throw new ApiError(res.status, 'config', '无法读取系统配置')
  return res.json()
}
