import { createRouter, createWebHashHistory } from 'vue-router'
import { session, restore } from './session.js'
import { refresh, replay } from './outbox.js'
import TasksView from './views/TasksView.vue'
import TaskView from './views/TaskView.vue'
import ReportView from './views/ReportView.vue'
import OutboxView from './views/OutboxView.vue'
import MeView from './views/MeView.vue'
import LoginView from './views/LoginView.vue'

// One bundle (no lazy chunks), so the service worker can keep the whole app offline.
const routes = [
  { path: '/login', component: LoginView, meta: { public: true } },
  { path: '/', redirect: '/tasks' },
  { path: '/tasks', component: TasksView },
  { path: '/tasks/:id(\\d+)', component: TaskView, props: true },
  { path: '/report', component: ReportView },
  { path: '/outbox', component: OutboxView },
  { path: '/me', component: MeView },
  { path: '/:rest(.*)*', redirect: '/tasks' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

let restored = false
router.beforeEach(async (to) => {
  if (!restored) {
    restored = true
    await restore()
    if (session.user) refresh().then(replay)
  }
  if (!to.meta.public && !session.user) return { path: '/login', query: { next: to.fullPath } }
  return true
})
