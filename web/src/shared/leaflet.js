// Leaflet with the cluster and heat plugins (they attach to the global L), and a base map
// that looks right without any tiles: our own vector layers over a plain background. A tile
// layer is added only when the configuration names one (CITYOPS_MAP_TILE_URL).
import L from './leaflet-global.js'
import 'leaflet.markercluster'
import 'leaflet.heat'
import 'leaflet/dist/leaflet.css'
import 'leaflet.markercluster/dist/MarkerCluster.css'
import 'leaflet.markercluster/dist/MarkerCluster.Default.css'

export { L }

export const LIGHT_COLOURS = { green: '#2e9d4f', yellow: '#e6a23c', red: '#d93026', none: '#909399' }

export function createMap(el, config, options = {}) {
  const map = L.map(el, { zoomControl: true, attributionControl: false, minZoom: 7, maxZoom: 19, ...options })
  const tileUrl = config && config.map && config.map.tile_url
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 19, subdomains: ['0', '1', '2', '3', '4', '5', '6', '7'] }).addTo(map)
    el.classList.add('has-tiles')
  } else {
    el.classList.add('no-tiles')
  }
  const m = config && config.map
  if (m && m.bounds) map.fitBounds(m.bounds)
  else if (m && m.centre) map.setView(m.centre, 11)
  else map.setView([36.67, 117.0], 11)
  L.control.scale({ imperial: false }).addTo(map)
  return map
}

export function caseMarker(c, onClick) {
  const colour = LIGHT_COLOURS[c.light] || LIGHT_COLOURS.none
  const marker = L.circleMarker([c.lat, c.lon], {
    radius: 7,
    color: '#fff',
    weight: 2,
    fillColor: colour,
    fillOpacity: 0.95,
    light: c.light,
  })
  if (onClick) marker.on('click', () => onClick(c))
  return marker
}

// A cluster takes the colour of its worst warning light, so the map never hides a red case
// in a green bubble; its size grows with the number of cases.
export function clusterIcon(cluster) {
  const markers = cluster.getAllChildMarkers()
  const lights = new Set(markers.map((m) => m.options.light))
  const worst = lights.has('red') ? 'red' : lights.has('yellow') ? 'yellow' : 'green'
  const n = markers.length
  const size = n < 10 ? 30 : n < 100 ? 38 : 46
  return L.divIcon({
    html: `<div class="case-cluster cluster-${worst}" style="width:${size}px;height:${size}px;line-height:${size}px">${n}</div>`,
    className: 'case-cluster-wrap',
    iconSize: L.point(size, size),
  })
}
