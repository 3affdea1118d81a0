// The reports made from this phone: tracking codes kept in this browser only.
const KEY = 'cityops.public.mine'

export function myReports() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || '[]')
  } catch {
    return []
  }
}

export function rememberReport(r) {
  const list = myReports().filter((x) => x.tracking_code !== r.tracking_code)
  list.unshift(r)
  localStorage.setItem(KEY, JSON.stringify(list.slice(0, 50)))
}
