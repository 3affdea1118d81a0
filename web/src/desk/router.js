import { createRouter, createWebHashHistory } from 'vue-router'
import { session, restoreSession, homeFor, ROLE_GROUPS as G } from './store.js'

const routes = [
  { path: '/login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  { path: '/', redirect: () => homeFor(session.user) },
  { path: '/queue', component: () => import('./views/QueueView.vue'), meta: { menu: 'queue' } },
  { path: '/overdue', component: () => import('./views/QueueView.vue'), meta: { menu: 'overdue', overdue: true } },
  { path: '/cases/:id(\\d+)', component: () => import('./views/CaseView.vue'), props: true, meta: { menu: 'search' } },
  { path: '/search', component: () => import('./views/SearchView.vue'), meta: { menu: 'search' } },
  { path: '/map', component: () => import('./views/MapView.vue'), meta: { menu: 'map' } },
  { path: '/iot', component: () => import('./views/IotView.vue'), meta: { menu: 'iot' } },
  { path: '/overview', component: () => import('./views/OverviewView.vue'), meta: { menu: 'overview' } },
  { path: '/admin/users', component: () => import('./views/admin/UsersView.vue'), meta: { menu: 'admin-users', roles: ['admin'] } },
  { path: '/admin/units', component: () => import('./views/admin/UnitsView.vue'), meta: { menu: 'admin-units', roles: ['admin'] } },
  { path: '/admin/profile', component: () => import('./views/admin/ProfileView.vue'), meta: { menu: 'admin-profile', roles: ['admin'] } },
  { path: '/admin/exchange', component: () => import('./views/admin/ExchangeView.vue'), meta: { menu: 'admin-exchange', roles: ['admin'] } },
  { path: '/admin/catalog', component: () => import('./views/admin/CatalogView.vue'), meta: { menu: 'admin-catalog' } },
  { path: '/admin/denials', component: () => import('./views/admin/DenialsView.vue'), meta: { menu: 'admin-denials', roles: ['admin'] } },
  // 12345 hotline and petitions
  { path: '/hotline/queue', component: () => import('./views/hotline/HotlineQueueView.vue'), meta: { menu: 'hotline-queue', roles: G.hotlineWork } },
  { path: '/hotline/orders', component: () => import('./views/hotline/HotlineOrdersView.vue'), meta: { menu: 'hotline-orders', roles: G.hotlineRead } },
  { path: '/hotline/orders/:id(\\d+)', component: () => import('./views/hotline/HotlineOrderView.vue'), props: true, meta: { menu: 'hotline-orders', roles: G.hotlineRead } },
  { path: '/hotline/new', component: () => import('./views/hotline/HotlineIntakeView.vue'), meta: { menu: 'hotline-new', roles: G.hotlineDesk } },
  { path: '/hotline/stats', component: () => import('./views/hotline/HotlineStatsView.vue'), meta: { menu: 'hotline-stats', roles: G.hotlineFigures } },
  { path: '/hotline/hotspots', component: () => import('./views/hotline/HotlineHotspotsView.vue'), meta: { menu: 'hotline-hotspots', roles: G.hotlineFigures } },
  { path: '/petitions', component: () => import('./views/hotline/PetitionsView.vue'), meta: { menu: 'petitions', roles: G.hotlineRead } },
  // the year's task ledger
  { path: '/workplan', component: () => import('./views/workplan/WorkplanView.vue'), meta: { menu: 'workplan', roles: G.workplan } },
  { path: '/workplan/import', component: () => import('./views/workplan/WorkplanImportView.vue'), meta: { menu: 'workplan', roles: G.bureau } },
  { path: '/workplan/tasks/:id(\\d+)', component: () => import('./views/workplan/WorkplanTaskView.vue'), props: true, meta: { menu: 'workplan', roles: G.workplan } },
  // leaders' screens
  { path: '/cockpit', component: () => import('./views/CockpitView.vue'), meta: { menu: 'cockpit', roles: G.cockpit, fullscreen: true } },
  { path: '/evaluation', component: () => import('./views/EvaluationView.vue'), meta: { menu: 'evaluation', roles: G.evaluation } },
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
