// Work waiting for the person logged in: the cases of their queue (我的待办) and the hotline
// orders of theirs (热线待办), counted every 30 seconds, when the tab comes back to the
// foreground and after each move between pages. A rise is announced once (a notification
// that opens the queue) and the tab's title carries the count, so that work arriving while a
// desk user is on another page, or in another tab, is not missed.
import { reactive, watch, onBeforeUnmount } from 'vue'
import { ElNotification } from 'element-plus'
import { api, session } from '../store.js'
import { t } from '@/shared/i18n-core.js'

export const POLL_MS = 30000
const SOURCES = {
  queue: { url: 'queue', path: '/queue', label: 'menu.queue' },
  hotline: { url: 'hotline/queue', path: '/hotline/queue', label: 'menu.hotlineQueue' },
}
const TITLE_COUNT = /^\(\d+\+?\) /

export const waiting = reactive({ queue: null, hotline: null })

// useWaiting(kinds, open): kinds() lists the counts this user has (as keys of SOURCES);
// open(path) shows a queue when a notification is clicked.
export function useWaiting(kinds, open) {
  let timer = null
  let busy = false

  async function refresh() {
    if (!session.user || busy) return
    busy = true
    try {
      for (const kind of Object.keys(SOURCES)) {
        if (!kinds().includes(kind)) {
          waiting[kind] = null
          continue
        }
        const page = await api.get(SOURCES[kind].url, { page_size: 1 })
        const before = waiting[kind]
        waiting[kind] = page.total
        showInTitle()
        if (before !== null && page.total > before) announce(kind, page.total - before, page.total)
      }
    } catch {
      // a missed count is read again at the next turn
    } finally {
      busy = false
    }
  }

  function announce(kind, more, total) {
    const source = SOURCES[kind]
    const note = ElNotification({
      title: t('waiting.title'),
      message: t('waiting.more', { queue: t(source.label), n: more, total }),
      type: 'info',
      duration: 10000,
      customClass: 'waiting-note',
      onClick: () => {
        note.close()
        open(source.path)
      },
    })
  }

  function showInTitle() {
    const base = document.title.replace(TITLE_COUNT, '')
    const total = (waiting.queue || 0) + (waiting.hotline || 0)
    document.title = total ? `(${total > 99 ? '99+' : total}) ${base}` : base
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
    waiting.queue = null
    waiting.hotline = null
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
