// t(key, params): the string of the current language (zh-CN first), falling back to
// Chinese, then to the key. All strings live in i18n/; this file only looks them up.
import { ref } from 'vue'
import { messages } from './i18n/index.js'

const stored = typeof localStorage !== 'undefined' ? localStorage.getItem('cityops.lang') : null
export const lang = ref(stored && messages[stored] ? stored : 'zh-CN')
export const LANGS = [
  { value: 'zh-CN', label: '中文' },
  { value: 'en', label: 'English' },
]

export function setLang(value) {
  if (!messages[value]) return
  lang.value = value
  localStorage.setItem('cityops.lang', value)
  document.documentElement.lang = value
}

export function has(key) {
  return key in messages['zh-CN']
}

export function t(key, params) {
  const table = messages[lang.value] || messages['zh-CN']
  let s = table[key]
  if (s === undefined) s = messages['zh-CN'][key]
  if (s === undefined) return key
  if (params) s = s.replace(/\{(\w+)\}/g, (_, k) => (params[k] === undefined ? '' : String(params[k])))
  return s
}

// A vocabulary label: our own translation when we have one, else the API's Chinese label.
export function label(kind, value, fallback) {
  if (value === null || value === undefined || value === '') return fallback || ''
  const key = `${kind}.${value}`
  const table = messages[lang.value] || messages['zh-CN']
  if (key in table) return table[key]
  if (fallback) return fallback
  return key in messages['zh-CN'] ? messages['zh-CN'][key] : String(value)
}
