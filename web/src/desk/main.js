import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import '@/shared/base.css'
import './desk.css'
import App from './App.vue'
import { router } from './router.js'

createApp(App).use(ElementPlus).use(router).mount('#app')
