import { createApp } from 'vue'
import '@/shared/base.css'
import '@/shared/mobile.css'
import App from './App.vue'
import { router } from './router.js'

createApp(App).use(router).mount('#app')

if ('serviceWorker' in navigator && (location.protocol === 'https:' || location.hostname === '127.0.0.1' || location.hostname === 'localhost')) {
  navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => {
    /* the app works without it, only not offline */
  })
}
