import { createRouter, createWebHashHistory } from 'vue-router'
import { session, restoreSession, homeFor } from './store.js'

const routes = [
  { path: '/login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  { path: '/', redirect: () => homeFor(session.user) },
  { path: '/queue', component: () => import('./views/QueueView.vue'), meta: { menu: 'queue' } },
  { path: '/overdue', component: () => import('./views/QueueView.vue'), meta: { menu: 'overdue', overdue: true } },
  { path: '/cases/:id(\\d+)', component: () => import('./views/CaseView.vue'), props: true, meta: { menu: 'search' } },
  { path: '/search', component: () => import('./views/SearchView.vue'), meta: { menu: 'search' } },
  { path: '/map', component: () => import('./views/MapView.vue'), meta: { menu: 'map' } },
  { path: '/overview', component: () => import('./views/OverviewView.vue'), meta: { menu: 'overview' } },
  { path: '/admin/users', component: () => import('./views/admin/UsersView.vue'), meta: { menu: 'admin-users', roles: ['admin'] } },
  { path: '/admin/units', component: () => import('./views/admin/UnitsView.vue'), meta: { menu: 'admin-units', roles: ['admin'] } },
  { path: '/admin/catalog', component: () => import('./views/admin/CatalogView.vue'), meta: { menu: 'admin-catalog' } },
  { path: '/admin/denials', component: () => import('./views/admin/DenialsView.vue'), meta: { menu: 'admin-denials', roles: ['admin'] } },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

let restored = false

router.beforeEach(async (to) => {
  if (!restored) {
    restored = true
    await restoreSession()
  }
  if (to.meta.public) return true
  if (!session.user) return { path: '/login', query: { next: to.fullPath } }
  if (to.meta.roles && !to.meta.roles.includes(session.user.role)) return homeFor(session.user)
  return true
})
