// One ticking clock for every countdown on a page (each second).
import { ref } from 'vue'

export const now = ref(Date.now())
let timer = null

export function startClock() {
  if (timer === null) timer = setInterval(() => (now.value = Date.now()), 1000)
}
