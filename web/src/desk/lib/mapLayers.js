// The city's district outlines as a quiet base layer for the smaller maps (read once per page
// load: the districts do not change while a page is open).
import { L } from '@/shared/leaflet.js'
import { api } from '../store.js'

let districts = null

export function districtGeoJSON() {
  if (!districts) districts = api.get('geo/regions', { level: 'district' }).catch(() => ((districts = null), null))
  return districts
}

export async function addDistricts(map, style = {}) {
  const data = await districtGeoJSON()
  if (!data || !map) return null
  return L.geoJSON(data, {
    style: { color: '#1f5fae', weight: 1.5, fill: false, opacity: 0.6, ...style },
    interactive: false,
  }).addTo(map)
}
