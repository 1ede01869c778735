// app.js - the console's frame: sign-in, the navigation of the user's roles, the hash
// router that loads one page module per screen (js/pages/<page>.js, each
// `export default async function render(view, ctx)`), the language switch, and what
// happens when the session ends.
import { api, setCsrf, setUnauthorizedHandler, errorText } from './api.js';
import { t, lang, setLang, onLangChange, langTag } from './i18n.js';
import { h, field, pageTitle, emptyState } from './ui.js';
import './i18n/common.js';
import './i18n/shell.js';

const STAFF = ['sysadmin', 'secadmin', 'auditor', 'leader', 'dispatcher', 'department', 'grid_worker', 'mediator', 'petition_officer'];
const CASE_ROLES = ['leader', 'dispatcher', 'department', 'grid_worker', 'mediator', 'petition_officer', 'citizen', 'sysadmin'];
const REPORT_ROLES = ['grid_worker', 'dispatcher', 'mediator', 'petition_officer', 'citizen'];
const MAP_ROLES = ['leader', 'dispatcher', 'department', 'grid_worker', 'sysadmin'];
const STATS_ROLES = ['leader', 'dispatcher', 'department', 'sysadmin'];

/* Routes: pattern, page module, roles that may open it (null: anyone signed in),
 * navigation key (null: not in the navigation). */
const ROUTES = [
  { re: /^\/$/, page: 'home', nav: 'home', roles: null },
  { re: /^\/cases$/, page: 'cases_list', nav: 'cases', roles: CASE_ROLES },
  { re: /^\/cases\/new$/, page: 'case_new', nav: 'new_case', roles: REPORT_ROLES },
  { re: /^\/cases\/(\d+)$/, page: 'case_detail', nav: null, roles: CASE_ROLES, params: ['id'] },
  { re: /^\/map$/, page: 'map', nav: 'map', roles: MAP_ROLES },
  { re: /^\/dashboard$/, page: 'dashboard', nav: 'dashboard', roles: STATS_ROLES },
  { re: /^\/notifications$/, page: 'notifications', nav: 'notifications', roles: null },
  /* accounts are the security administrator's (三员分立); the auditor reads them */
  { re: /^\/admin\/users$/, page: 'admin_users', nav: 'users', roles: ['secadmin', 'auditor'], admin: true },
  { re: /^\/admin\/regions$/, page: 'admin_regions', nav: 'regions', roles: ['sysadmin'], admin: true },
  { re: /^\/admin\/categories$/, page: 'admin_categories', nav: 'categories', roles: ['sysadmin'], admin: true },
  { re: /^\/admin\/calendar$/, page: 'admin_calendar', nav: 'calendar', roles: ['sysadmin'], admin: true },
  { re: /^\/admin\/policy$/, page: 'admin_policy', nav: 'policy', roles: ['sysadmin'], admin: true },
];
const NAV_HREF = { home: '#/', cases: '#/cases', new_case: '#/cases/new', map: '#/map', dashboard: '#/dashboard', notifications: '#/notifications', users: '#/admin/users', regions: '#/admin/regions', categories: '#/admin/categories', calendar: '#/admin/calendar', policy: '#/admin/policy' };

let session = null;
let leaveFns = [];
let renderSeq = 0;
let pendingAfterLogin = null;
const root = document.getElementById('app');

const hasRole = (r) => !!session && session.user.roles.includes(r);
const allowed = (route) => !route.roles || route.roles.some(hasRole);

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [p, q] = raw.split('?');
  return { path: p || '/', query: Object.fromEntries(new URLSearchParams(q || '')) };
}

/* ---- sign-in ---- */
function showLogin(message, kind = 'error') {
  for (const fn of leaveFns.splice(0)) try { fn(); } catch { /* a page's cleanup failing must not block */ }
  session = null;
  setCsrf(null);
  document.title = `${t('login.title')} · ${t('app.short')}`;
  const user = field({ label: t('login.username'), name: 'username', required: true, attrs: { autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' } });
  const pass = field({ label: t('login.password'), name: 'password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } });
  const msg = h('p', { class: ['login-message', kind === 'error' ? 'is-error' : 'is-info'], attrs: { role: kind === 'error' ? 'alert' : 'status' }, hidden: !message }, message || '');
  const button = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const form = h('form', { class: 'login-form', attrs: { 'aria-labelledby': 'login-title', novalidate: true } },
    h('h1', { id: 'login-title' }, t('login.title')), h('p', { class: 'hint' }, t('login.intro')), msg, user.el, pass.el, button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const username = user.input.value.trim();
    if (!username || !pass.input.value) {
      msg.textContent = t('login.missing');
      msg.className = 'login-message is-error';
      msg.setAttribute('role', 'alert');
      msg.hidden = false;
      (username ? pass.input : user.input).focus();
      return;
    }
    button.disabled = true;
    button.textContent = t('login.busy');
    const r = await api.raw('POST', '/api/v1/session', { body: { username, password: pass.input.value } });
    button.disabled = false;
    button.textContent = t('login.submit');
    if (r.status === 200 && r.data && r.data.user) {
      pass.input.value = '';
      start(r.data);
      return;
    }
    msg.textContent = r.status === 0 ? t('error.network') : (r.data && r.data.message) || t('error.generic');
    msg.className = 'login-message is-error';
    msg.setAttribute('role', 'alert');
    msg.hidden = false;
    pass.input.value = '';
    pass.input.focus();
  });
  const langBtn = langButton(() => showLogin(message, kind));
  root.replaceChildren(
    h('a', { class: 'skip', href: '#login-main' }, t('shell.skip')),
    h('header', { class: 'topbar' }, h('span', { class: 'brand' }, t('app.name')), h('div', { class: 'topbar-tools' }, langBtn)),
    h('main', { id: 'login-main', class: 'login-main', tabIndex: -1 }, form,
      h('p', { class: 'portal-link' }, t('login.citizen'), ' ', h('a', { href: '/m/' }, t('login.portal')))),
  );
  user.input.focus();
}

function langButton(rerender) {
  return h('button', { type: 'button', class: 'lang', attrs: { lang: lang() === 'zh' ? 'en' : 'zh-CN', 'aria-label': t('shell.lang_label') }, on: { click: () => { setLang(lang() === 'zh' ? 'en' : 'zh'); rerender(); } } }, t('shell.lang'));
}

/* ---- the frame of a signed-in user ---- */
function navLinks() {
  const items = [];
  const admin = [];
  for (const r of ROUTES) {
    if (!r.nav || !allowed(r)) continue;
    (r.admin ? admin : items).push(r);
  }
  const link = (r) => h('li', {}, h('a', { href: NAV_HREF[r.nav], dataset: { nav: r.nav } }, t(`shell.nav.${r.nav}`), r.nav === 'notifications' ? h('span', { id: 'unread', class: 'count', hidden: true }) : null));
  const list = h('ul', {}, items.map(link));
  const groups = [list];
  if (admin.length) groups.push(h('h2', { class: 'nav-group' }, t('shell.nav.admin')), h('ul', {}, admin.map(link)));
  return groups;
}

function frame() {
  const u = session.user;
  const roles = u.roles.map((r) => t(`role.${r}`)).join('、');
  const nav = h('nav', { id: 'nav', class: 'nav', attrs: { 'aria-label': t('shell.nav') } }, navLinks());
  const toggle = h('button', { type: 'button', class: 'nav-toggle', attrs: { 'aria-expanded': 'false', 'aria-controls': 'nav' } }, t('shell.menu'));
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('open', open);
  });
  nav.addEventListener('click', (ev) => {
    if (ev.target.closest('a')) { nav.classList.remove('open'); toggle.setAttribute('aria-expanded', 'false'); }
  });
  const logout = h('button', { type: 'button', class: 'logout' }, t('shell.logout'));
  logout.addEventListener('click', async () => {
    await api.raw('DELETE', '/api/v1/session');
    location.hash = '#/';
    showLogin(t('shell.logged_out'), 'info');
  });
  root.replaceChildren(
    h('a', { class: 'skip', href: '#main' }, t('shell.skip')),
    h('header', { class: 'topbar' },
      toggle,
      h('a', { class: 'brand', href: '#/' }, t('app.name')),
      h('div', { class: 'topbar-tools' },
        h('span', { class: 'who', id: 'who', title: t('shell.user', { name: u.name, roles }) }, h('span', { class: 'who-name' }, u.name), h('span', { class: 'who-roles' }, roles)),
        langButton(() => { frame(); route(); }),
        logout)),
    h('div', { class: 'layout' }, nav, h('main', { id: 'main', tabIndex: -1 }, h('div', { id: 'view' }))),
  );
}

async function refreshUnread() {
  const el = document.getElementById('unread');
  if (!el) return;
  try {
    const r = await api.get('/api/v1/notifications', { unread: 1, limit: 100 });
    const n = (r.items || []).length;
    el.hidden = n === 0;
    el.textContent = n >= 100 ? '99+' : String(n);
    el.setAttribute('aria-label', t('shell.unread', { n }));
  } catch {
    el.hidden = true;
  }
}

async function route() {
  if (!session) return;
  for (const fn of leaveFns.splice(0)) try { fn(); } catch { /* ignore */ }
  const seq = ++renderSeq;
  const { path, query } = parseHash();
  let match = null;
  let m = null;
  for (const r of ROUTES) if ((m = r.re.exec(path))) { match = r; break; }
  for (const a of document.querySelectorAll('#nav a')) {
    const here = a.getAttribute('href') === `#${path}`;
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const old = document.getElementById('view');
  const view = h('div', { id: 'view' });
  old.replaceWith(view);
  if (!match) {
    pageTitle(view, t('page.not_found'));
    view.append(emptyState(t('page.not_found_text'), { label: t('shell.nav.home'), href: '#/' }));
    return;
  }
  if (!allowed(match)) {
    pageTitle(view, t('page.forbidden'));
    view.append(emptyState(t('page.forbidden_text'), { label: t('shell.nav.home'), href: '#/' }));
    return;
  }
  const params = {};
  (match.params || []).forEach((name, i) => (params[name] = m[i + 1]));
  const ctx = {
    session, user: session.user, params, query,
    navigate: (hash) => { location.hash = hash; },
    onLeave: (fn) => leaveFns.push(fn),
    hasRole,
  };
  try {
    const mod = await import(`./pages/${match.page}.js`);
    if (seq !== renderSeq) return;
    await mod.default(view, ctx);
  } catch (e) {
    if (seq !== renderSeq || !session) return;
    if (e && e.status === 401) return; /* the sign-in form is showing */
    console.warn('page failed', e);
    view.replaceChildren();
    pageTitle(view, t('error.page_failed'));
    view.append(h('p', { attrs: { role: 'alert' } }, errorText(e)),
      h('button', { type: 'button', on: { click: () => route() } }, t('common.retry')));
  }
  refreshUnread();
}

function start(s) {
  session = s;
  setCsrf(s.csrf_token);
  frame();
  if (pendingAfterLogin !== null) {
    const target = pendingAfterLogin;
    pendingAfterLogin = null;
    if (location.hash !== target) { location.hash = target; return; }
  }
  route();
}

setUnauthorizedHandler((err) => {
  if (!session) return;
  pendingAfterLogin = location.hash || '#/';
  showLogin(t('login.expired'));
});
window.addEventListener('hashchange', () => route());
onLangChange(() => { document.documentElement.lang = langTag(); });
document.documentElement.lang = langTag();

const current = await api.raw('GET', '/api/v1/session');
if (current.status === 200 && current.data && current.data.user) start(current.data);
else showLogin();
