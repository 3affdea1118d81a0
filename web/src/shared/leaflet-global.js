// The Leaflet plugins expect a global L; this module runs before they are imported.
import L from 'leaflet'

globalThis.L = L
export default L
