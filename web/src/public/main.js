import { createApp } from 'vue'
import { createRouter, createWebHashHistory } from 'vue-router'
import '@/shared/base.css'
import '@/shared/mobile.css'
import App from './App.vue'
import HomeView from './views/HomeView.vue'
import ReportView from './views/ReportView.vue'
import TrackView from './views/TrackView.vue'

const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', component: HomeView },
    { path: '/report', component: ReportView },
    { path: '/track/:code?', component: TrackView, props: true },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

createApp(App).use(router).mount('#app')
