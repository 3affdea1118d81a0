// Photos from the camera are large; shrink them to at most 1600 px as JPEG before they are
// queued or sent, so that a weak network still gets them through. Falls back to the original.

export async function shrinkPhoto(file, maxSide = 1600, quality = 0.85) {
  if (!file || !file.type || !file.type.startsWith('image/')) return file
  try {
    const bitmap = await createImageBitmap(file)
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height))
    const w = Math.max(1, Math.round(bitmap.width * scale))
    const h = Math.max(1, Math.round(bitmap.height * scale))
    const canvas = document.createElement('canvas')
    canvas.width = w
    canvas.height = h
    canvas.getContext('2d').drawImage(bitmap, 0, 0, w, h)
    bitmap.close && bitmap.close()
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality))
    return blob && blob.size > 0 ? blob : file
  } catch {
    return file
  }
}

// The browser's GPS position. Browsers give WGS84 (EPSG:4326), which is what we declare.
export function currentPosition({ timeout = 15000, maximumAge = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error('unsupported'))
      return
    }
    navigator.geolocation.getCurrentPosition(
      (p) =>
        resolve({
          lat: p.coords.latitude,
          lon: p.coords.longitude,
          accuracy: p.coords.accuracy,
          crs: 'wgs84',
        }),
      (err) => reject(err),
      { enableHighAccuracy: true, timeout, maximumAge },
    )
  })
}
