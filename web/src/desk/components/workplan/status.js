// How the ledger's statuses and reminders look (Element Plus tag types).
export const STATUS_TAG = { on_track: 'success', at_risk: 'warning', overdue: 'danger', done: 'info' }
export const REMINDER_TAG = { overdue: 'danger', due_soon: 'warning', no_report: 'info', supervised: 'danger' }
export const PROGRESS_COLOUR = { on_track: '#2e9d4f', at_risk: '#e6a23c', overdue: '#d93026', done: '#909399' }
