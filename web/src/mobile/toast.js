import { reactive } from 'vue'

export const toast = reactive({ text: '' })
let timer = null

export function showToast(text, ms = 2600) {
  toast.text = text
  clearTimeout(timer)
  timer = setTimeout(() => (toast.text = ''), ms)
}
