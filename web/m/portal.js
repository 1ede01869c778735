// portal.js - the citizens' portal (/m/): a phone-first page without sign-in. A header
// with the two things a citizen does (report, follow) and the language switch; a hash
// router: #/ report, #/track look-up, #/track/CODE one report. Chinese by default.
import './i18n.js';
import { h } from '../js/ui.js';
import { t, lang, setLang, langTag, onLangChange } from '../js/i18n.js';
import renderReport from './report.js';
import { renderLookup, renderReport as renderTracked } from './track.js';

const main = document.getElementById('main');
const header = document.getElementById('header');

function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const m = /^\/track\/([^/?]+)$/.exec(hash);
  if (m) return { name: 'tracked', code: decodeURIComponent(m[1]) };
  if (hash === '/track') return { name: 'track' };
  return { name: 'report' };
}

/* Goes to `hash`; with force, renders again even when it is the current one. */
function navigate(hash, force) {
  if (location.hash === hash || (hash === '#/' && !location.hash)) {
    if (force) render();
    return;
  }
  location.hash = hash;
}

function drawHeader() {
  const r = route();
  const tab = (href, key, active) => h('a', { href, class: 'tab', attrs: { 'aria-current': active ? 'page' : null } }, t(key));
  header.replaceChildren(
    h('a', { href: '#main', class: 'skip', on: { click: (e) => { e.preventDefault(); main.focus(); } } }, t('portal.skip')),
    h('div', { class: 'portal-top' },
      h('a', { href: '#/', class: 'portal-brand' }, h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), t('portal.app')),
      h('button', { type: 'button', class: 'lang', attrs: { lang: lang() === 'zh' ? 'en' : 'zh-CN', 'aria-label': t('portal.lang_label') },
        on: { click: () => setLang(lang() === 'zh' ? 'en' : 'zh') } }, t('portal.lang'))),
    h('nav', { class: 'portal-tabs', attrs: { 'aria-label': t('portal.nav') } },
      tab('#/', 'portal.nav.report', r.name === 'report'),
      tab('#/track', 'portal.nav.track', r.name !== 'report')));
}

let seq = 0;
async function render() {
  const n = ++seq;
  const r = route();
  document.documentElement.lang = langTag();
  drawHeader();
  const view = h('div', { class: 'view' });
  main.replaceChildren(view);
  const titles = { report: 'portal.report.title', track: 'portal.track.title', tracked: 'portal.view.title' };
  document.title = `${t(titles[r.name])} · ${t('portal.app')}`;
  const ctx = { navigate, code: r.code };
  try {
    if (r.name === 'report') await renderReport(view, ctx);
    else if (r.name === 'track') renderLookup(view, ctx);
    else await renderTracked(view, ctx);
  } catch (e) {
    if (n !== seq) return;
    view.append(h('p', { class: 'form-alert', attrs: { role: 'alert' } }, t('error.page_failed')));
    throw e;
  }
}

window.addEventListener('hashchange', render);
onLangChange(render);
render();
