// Work waiting for the person logged in: the cases of their queue (我的待办) and the hotline
// orders of theirs (热线待办), by menu item, counted every 30 seconds, when the tab comes back to the
// foreground and after each move between pages. A rise is announced once (a notification
// that opens the queue) and the tab's title carries the count, so that work arriving while a
// desk user is on another page, or in another tab, is not missed.
import { reactive, watch, onBeforeUnmount } from 'vue'
import { ElNotification } from 'element-plus'
import { api, session } from '../store.js'
import { t } from '@/shared/i18n-core.js'

export const POLL_MS = 30000
// The menu items that count work waiting, and where the count is read.
const COUNTED = { queue: 'queue', 'hotline-queue': 'hotline/queue' }
const TITLE_COUNT = /^\(\d+\+?\) /

// menu item key → items waiting (absent: not counted for this user)
export const waiting = reactive({})

// A count as shown beside a menu item and in the title: "" for none, "99+" beyond 99.
export function countLabel(n) {
  return n ? (n > 99 ? '99+' : String(n)) : ''
}

// useWaiting(items, open): items() are the menu items shown to this user ({key, path,
// label}); open(path) shows a queue when a notification is clicked.
export function useWaiting(items, open) {
  let timer = null
  let busy = false

  async function refresh() {
    if (!session.user || busy) return
    busy = true
    try {
      const counted = items().filter((i) => COUNTED[i.key])
      for (const key of Object.keys(waiting)) {
        if (!counted.some((i) => i.key === key)) delete waiting[key]
      }
      for (const item of counted) {
        const page = await api.get(COUNTED[item.key], { page_size: 1 })
        const before = waiting[item.key]
        waiting[item.key] = page.total
        showInTitle()
        if (before !== undefined && page.total > before) announce(item, page.total - before, page.total)
      }
    } catch {
      // a missed count is read again at the next turn
    } finally {
      busy = false
    }
  }

  function announce(item, more, total) {
    const note = ElNotification({
      title: t('waiting.title'),
      message: t('waiting.more', { queue: t(item.label), n: more, total }),
      type: 'info',
      duration: 10000,
      customClass: 'waiting-note',
      onClick: () => {
        note.close()
        open(item.path)
      },
    })
  }

  function showInTitle() {
    const base = document.title.replace(TITLE_COUNT, '')
    const total = Object.values(waiting).reduce((a, n) => a + n, 0)
    document.title = total ? `(${countLabel(total)}) ${base}` : base
  }

  function onVisible() {
    if (document.visibilityState === 'visible') refresh()
  }

  function start() {
    stop()
    refresh()
    timer = setInterval(refresh, POLL_MS)
    document.addEventListener('visibilitychange', onVisible)
  }

  function stop() {
    clearInterval(timer)
    timer = null
    document.removeEventListener('visibilitychange', onVisible)
    for (const key of Object.keys(waiting)) delete waiting[key]
    showInTitle()
  }

  watch(
    () => (session.user ? session.user.id : null),
    (id) => (id ? start() : stop()),
    { immediate: true },
  )
  onBeforeUnmount(stop)
  return { refresh }
}
