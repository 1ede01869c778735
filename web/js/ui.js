// ui.js - small DOM helpers shared by the console's pages: an element builder, labelled
// form fields with their error texts, empty states, progress, announcements, badges,
// the region picker and the lazy loading of the third-party scripts (Leaflet, ECharts).
// Nothing here uses innerHTML: texts go in as text nodes, so data cannot become markup.
import { allItems, api, ApiError, errorText } from './api.js';
import { t, tOr, fmtDuration } from './i18n.js';

/* h('a', {href: '#/', class: 'x', on: {click: fn}}, 'text', child, [more]) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      else if (k === 'attrs') for (const [a, av] of Object.entries(v)) { if (av !== undefined && av !== null && av !== false) el.setAttribute(a, av === true ? '' : String(av)); }
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'style') Object.assign(el.style, v);
      else if (k === 'for') el.htmlFor = v;
      else if (k in el) el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

let uid = 0;
export const newId = (prefix = 'f') => `${prefix}-${++uid}`;

/* A labelled input with a hint and an error text wired for screen readers.
 * → {el, input, setError(text|null), value()} */
export function field({ label, name, type = 'text', value, options = [], required, hint, attrs = {}, multiple }) {
  const id = newId(name || 'f');
  const hintId = hint ? `${id}-hint` : null;
  const errId = `${id}-err`;
  let input;
  if (type === 'select') {
    input = h('select', { id, name, multiple: !!multiple });
    for (const o of options) input.append(h('option', { value: String(o.value), selected: value !== undefined && String(o.value) === String(value) }, o.label));
  } else if (type === 'textarea') {
    input = h('textarea', { id, name, rows: 4 });
    if (value !== undefined && value !== null) input.value = value;
  } else {
    input = h('input', { id, name, type });
    if (type === 'checkbox') input.checked = !!value;
    else if (value !== undefined && value !== null) input.value = value;
  }
  if (required) { input.required = true; input.setAttribute('aria-required', 'true'); }
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) input.setAttribute(k, v === true ? '' : String(v));
  const err = h('p', { id: errId, class: 'field-error', hidden: true });
  input.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  const lab = h('label', { for: id }, label, required ? h('span', { class: 'req', attrs: { 'aria-hidden': 'true' } }, ' *') : null);
  const el = h('div', { class: ['field', type === 'checkbox' ? 'field-check' : null] },
    type === 'checkbox' ? [input, lab] : [lab, input],
    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null, err);
  const setError = (text) => {
    err.textContent = text || '';
    err.hidden = !text;
    if (text) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  input.addEventListener('input', () => setError(null));
  const valueOf = () => (type === 'checkbox' ? input.checked : type === 'number' ? (input.value === '' ? null : Number(input.value)) : input.value);
  return { el, input, setError, value: valueOf };
}

/* Checks the required fields of `fields` ({name: field()}); marks the empty ones and
 * focuses the first. true when all are filled. */
export function checkRequired(fields) {
  let first = null;
  for (const f of Object.values(fields)) {
    if (!f.input.required) continue;
    const v = f.input.type === 'checkbox' ? f.input.checked : String(f.input.value).trim();
    if (!v) { f.setError(t('common.field_required')); first = first || f.input; }
  }
  if (first) first.focus();
  return !first;
}

/* Shows an error at the field the server named (its last path part matched against
 * the fields' names), else as an alert at the top of the form. */
export function showFormError(form, fields, err) {
  let alertEl = form.querySelector(':scope > .form-alert');
  if (!alertEl) {
    alertEl = h('p', { class: 'form-alert', attrs: { role: 'alert' } });
    form.prepend(alertEl);
  }
  alertEl.hidden = true;
  const name = err instanceof ApiError && err.field ? err.field : null;
  const f = name && (fields[name] || fields[name.split('.').pop()]);
  if (f) {
    f.setError(errorText(err));
    f.input.focus();
    return;
  }
  alertEl.textContent = errorText(err);
  alertEl.hidden = false;
  alertEl.focus?.();
}

export function clearFormError(form, fields) {
  const a = form.querySelector(':scope > .form-alert');
  if (a) a.hidden = true;
  for (const f of Object.values(fields || {})) f.setError(null);
}

/* An empty list's message and what to do next. */
export function emptyState(text, action) {
  let act = null;
  if (action && action.href) act = h('a', { href: action.href, class: 'button' }, action.label);
  else if (action && action.onClick) act = h('button', { type: 'button', on: { click: action.onClick } }, action.label);
  return h('div', { class: 'empty' }, h('p', {}, text), act);
}

/* Shows a progress line in `el` while `promise` is pending; returns the promise. */
export function withProgress(el, promise, label) {
  const p = h('div', { class: 'progress', attrs: { role: 'status' } }, h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }), label || t('common.loading'));
  const timer = setTimeout(() => el.append(p), 150);
  const done = () => { clearTimeout(timer); p.remove(); };
  promise.then(done, done);
  return promise;
}

/* A short announcement (role=status; errors role=alert), gone after a while. */
export function toast(text, kind = 'info') {
  let box = document.getElementById('toasts');
  if (!box) {
    box = h('div', { id: 'toasts', class: 'toasts' });
    document.body.append(box);
  }
  const el = h('div', { class: ['toast', `toast-${kind}`], attrs: { role: kind === 'error' ? 'alert' : 'status' } }, text);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
  return el;
}

/* The page's heading and the window title; the heading takes focus so that a screen
 * reader announces the new page. */
export function pageTitle(view, text) {
  const h1 = h('h1', { tabIndex: -1, class: 'page-title' }, text);
  view.prepend(h1);
  document.title = `${text} · ${t('app.short')}`;
  h1.focus({ preventScroll: true });
  return h1;
}

/* ---- third-party scripts, loaded once, when a page needs them ---- */
const loaded = new Map();
function script(src) {
  if (!loaded.has(src)) {
    loaded.set(src, new Promise((resolve, reject) => {
      const s = h('script', { src });
      s.onload = resolve;
      s.onerror = () => { loaded.delete(src); reject(new Error(`cannot load ${src}`)); };
      document.head.append(s);
    }));
  }
  return loaded.get(src);
}
function css(href) {
  if (!document.querySelector(`link[href="${href}"]`)) document.head.append(h('link', { rel: 'stylesheet', href }));
}
export async function loadVendor(name) {
  if (name === 'leaflet' || name === 'markercluster') {
    css('/vendor/leaflet/leaflet.css');
    await script('/vendor/leaflet/leaflet.js');
    if (name === 'markercluster') {
      css('/vendor/leaflet.markercluster/MarkerCluster.css');
      css('/vendor/leaflet.markercluster/MarkerCluster.Default.css');
      await script('/vendor/leaflet.markercluster/leaflet.markercluster.js');
    }
    return window.L;
  }
  if (name === 'echarts') {
    await script('/vendor/echarts/echarts.min.js');
    return window.echarts;
  }
  throw new Error(`unknown vendor module ${name}`);
}

/* The map settings of GET /api/v1/config: {tile_url, tile_attribution}, nulls when the
 * server has none (then maps show a plain background). */
let mapCfg = null;
export function mapSettings() {
  if (!mapCfg) {
    mapCfg = api.get('/api/v1/config').then(
      (c) => ({ tile_url: (c && c.tile_url) || null, tile_attribution: (c && c.tile_attribution) || null }),
      () => ({ tile_url: null, tile_attribution: null }),
    );
  }
  return mapCfg;
}

/* ---- badges ---- */
export function statusBadge(status) {
  return h('span', { class: ['badge', `status-${status}`] }, tOr(`status.${status}`, status || t('common.unknown')));
}

/* The deadline countdown of a case: red when overdue, yellow once warned, plain when
 * running, nothing for a case without a deadline. `el.refresh()` recomputes it. */
export function deadlineBadge(c) {
  const el = h('span', { class: 'badge deadline' });
  el.refresh = () => {
    el.classList.remove('deadline-red', 'deadline-yellow', 'deadline-none');
    if (!c || !c.deadline) {
      el.textContent = t('deadline.none');
      el.classList.add('deadline-none');
      return el;
    }
    const left = (new Date(c.deadline).getTime() - Date.now()) / 1000;
    const running = c.clock !== null && c.clock !== undefined ? true : !['closed', 'rejected', 'merged', 'suspended'].includes(c.status);
    if (c.overdue || left < 0) {
      el.classList.add('deadline-red');
      el.textContent = `${t('deadline.overdue')} · ${t('deadline.over', { d: fmtDuration(left) })}`;
    } else if (!running) {
      el.classList.add('deadline-none');
      el.textContent = t('deadline.stopped');
    } else {
      if (c.warned) el.classList.add('deadline-yellow');
      el.textContent = `${c.warned ? `${t('deadline.warn')} · ` : ''}${t('deadline.left', { d: fmtDuration(left) })}`;
    }
    el.setAttribute('title', el.textContent);
    return el;
  };
  return el.refresh();
}

/* ---- the region picker: one select per level below `root`, each labelled ---- */
/* Disables `el` and marks it busy until `promise` settles (a select whose options are
   still on their way), so that a choice made by hand is never undone by the late answer. */
export function busyUntil(el, promise) {
  el.disabled = true;
  el.setAttribute('aria-busy', 'true');
  return promise.finally(() => {
    el.disabled = false;
    el.removeAttribute('aria-busy');
  });
}

/* The sub-regions of `code` (the top ones for none), read once per page load. */
const regionCache = new Map();
export function regionChildren(code) {
  if (!regionCache.has(code)) {
    regionCache.set(code, allItems('/api/v1/regions', { parent: code }).catch((e) => { regionCache.delete(code); throw e; }));
  }
  return regionCache.get(code);
}
export async function regionName(code) {
  try {
    const r = await api.get(`/api/v1/regions/${encodeURIComponent(code)}`);
    return r.name;
  } catch {
    return code;
  }
}

/* → {el, value()}; onChange(code) when the choice changes (the deepest chosen level;
 * root when none). `maxLevel` stops the chain at a level ('town', 'village', …). */
export function regionPicker({ value, root, onChange, label, maxLevel = 'village' }) {
  const order = ['city', 'district', 'town', 'village', 'grid'];
  const el = h('fieldset', { class: 'region-picker' }, h('legend', {}, label || t('region.choose')));
  const rows = h('div', { class: 'region-rows' });
  el.append(rows);
  let current = value || root;
  const selects = [];
  async function addLevel(parent, selected, depth) {
    let items;
    try {
      items = await regionChildren(parent);
    } catch (e) {
      rows.append(h('p', { class: 'field-error' }, errorText(e)));
      return;
    }
    items = items.filter((r) => order.indexOf(r.level) <= order.indexOf(maxLevel));
    if (!items.length) return;
    const id = newId('region');
    const sel = h('select', { id, attrs: { 'aria-label': depth === 0 ? (label || t('region.choose')) : t('region.children') } },
      h('option', { value: '' }, t('common.all')),
      items.map((r) => h('option', { value: r.code, selected: r.code === selected }, r.name)));
    sel.dataset.parent = parent;
    sel.addEventListener('change', async () => {
      const i = selects.indexOf(sel);
      for (const s of selects.splice(i + 1)) s.remove();
      current = sel.value || parent;
      if (sel.value) await addLevel(sel.value, null, depth + 1);
      onChange && onChange(current);
    });
    selects.push(sel);
    rows.append(sel);
    return sel;
  }
  (async () => {
    /* the chain from root down to the value */
    const chain = [];
    let c = value;
    while (c && c !== root) {
      chain.unshift(c);
      try {
        const r = await api.get(`/api/v1/regions/${encodeURIComponent(c)}`);
        c = r.parent;
      } catch {
        break;
      }
    }
    let parent = root;
    for (let i = 0; i <= chain.length; i++) {
      const sel = await addLevel(parent, chain[i] || null, i);
      if (!sel || !chain[i]) break;
      parent = chain[i];
    }
  })();
  return { el, value: () => current };
}
