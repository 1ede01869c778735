// notifications.js - the user's messages (warnings, overdue marks, dispatches, …),
// newest first, with links to their cases; read one or all.
import { api, errorText } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';
import { h, pageTitle, emptyState, withProgress, toast } from '../ui.js';

export default async function render(view) {
  pageTitle(view, t('notifications.title'));
  const readAll = h('button', { type: 'button' }, t('notifications.read_all'));
  const list = h('ul', { class: 'notifications' });
  const more = h('button', { type: 'button', hidden: true }, t('common.more'));
  view.append(h('div', { class: 'toolbar' }, readAll), list, more);
  let cursor = null;

  function row(n) {
    const mark = h('button', { type: 'button', class: 'small', hidden: n.read }, t('notifications.mark_read'));
    const li = h('li', { class: ['notification', n.read ? null : 'unread'] },
      h('div', { class: 'notification-text' },
        n.read ? null : h('span', { class: 'badge unread-badge' }, t('notifications.unread')),
        h('a', { href: `#/cases/${n.case}` }, n.text || t('notifications.open', { number: n.number }))),
      h('time', { datetime: n.at }, fmtDateTime(n.at)), mark);
    mark.addEventListener('click', async () => {
      try {
        await api.post(`/api/v1/notifications/${n.id}/read`);
        li.classList.remove('unread');
        li.querySelector('.unread-badge')?.remove();
        mark.hidden = true;
      } catch (e) {
        toast(errorText(e), 'error');
      }
    });
    return li;
  }

  async function load() {
    const r = await api.get('/api/v1/notifications', { limit: 50, cursor });
    for (const n of r.items) list.append(row(n));
    cursor = r.next_cursor;
    more.hidden = !cursor;
    if (!list.children.length) view.append(emptyState(t('notifications.empty')));
    readAll.hidden = !list.children.length;
  }
  more.addEventListener('click', () => withProgress(view, load()).catch((e) => toast(errorText(e), 'error')));
  readAll.addEventListener('click', async () => {
    try {
      await api.post('/api/v1/notifications/read-all');
      for (const li of list.querySelectorAll('.unread')) {
        li.classList.remove('unread');
        li.querySelector('.unread-badge')?.remove();
        li.querySelector('button')?.setAttribute('hidden', '');
      }
      const c = document.getElementById('unread');
      if (c) c.hidden = true;
      toast(t('common.saved'));
    } catch (e) {
      toast(errorText(e), 'error');
    }
  });
  await withProgress(view, load());
}
