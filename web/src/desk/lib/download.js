// Downloads that need the bearer token (so a plain <a href> cannot fetch them): fetch the
// file, name it from the server's Content-Disposition (RFC 6266 / 5987), hand it to the browser.
import { api } from '../store.js'

export function filenameOf(header, fallback) {
  if (!header) return fallback
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      /* a malformed name: fall through to the plain one */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header)
  return plain ? plain[1].trim() : fallback
}

export function saveBlob(blob, name) {
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(a.href), 10000)
}

// GET `path` with `query` and save what it answers; returns the file name used.
export async function download(path, query, fallback) {
  const res = await api.request('GET', path, { query, raw: true, headers: { Accept: '*/*' } })
  const name = filenameOf(res.headers.get('content-disposition'), fallback)
  saveBlob(await res.blob(), name)
  return name
}
