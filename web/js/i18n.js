// i18n.js - the message catalogues and formatting. Every visible string comes from a
// catalogue: each module registers {zh: {...}, en: {...}} at import time and looks its
// texts up with t(key, params). Simplified Chinese is the default; the choice is kept
// in localStorage. Dates and times are shown in Asia/Shanghai, the city's zone.
const catalogues = { zh: {}, en: {} };
const LANGS = ['zh', 'en'];
const STORE_KEY = 'civicgrid.lang';
const TZ = 'Asia/Shanghai';
let current = (() => {
  try {
    const v = localStorage.getItem(STORE_KEY);
    return LANGS.includes(v) ? v : 'zh';
  } catch {
    return 'zh';
  }
})();
const listeners = new Set();

export function register(cat) {
  for (const l of LANGS) Object.assign(catalogues[l], cat[l] || {});
}

export const lang = () => current;
export const languages = () => LANGS.slice();
/* The value for Accept-Language and <html lang>. */
export const langTag = (l = current) => (l === 'zh' ? 'zh-CN' : 'en');

export function setLang(l) {
  if (!LANGS.includes(l) || l === current) return;
  current = l;
  try {
    localStorage.setItem(STORE_KEY, l);
  } catch {
    /* private mode: the choice lasts this page only */
  }
  document.documentElement.lang = langTag(l);
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/* The text of `key` in the current language (falling back to Chinese), with {name}
 * placeholders replaced. A missing key shows the key itself and warns once, so that a
 * gap is visible in development without breaking the page. */
const warned = new Set();
export function t(key, params) {
  let s = catalogues[current][key];
  if (s === undefined) s = catalogues.zh[key];
  if (s === undefined) {
    if (!warned.has(key)) {
      warned.add(key);
      console.warn(`i18n: no text for "${key}"`);
    }
    return key;
  }
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined || params[k] === null ? '' : String(params[k])));
  return s;
}

/* t(key) when the catalogue has it, else `fallback` (for labels of values the server
 * may add later, e.g. a new action). */
export function tOr(key, fallback) {
  return catalogues[current][key] ?? catalogues.zh[key] ?? fallback;
}

const locale = () => (current === 'zh' ? 'zh-CN' : 'en-GB');
const valid = (d) => d instanceof Date && !Number.isNaN(d.getTime());
const toDate = (v) => (v instanceof Date ? v : new Date(v));

export function fmtDate(v) {
  if (v === null || v === undefined || v === '') return '';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00+08:00`) : toDate(v);
  return valid(d) ? d.toLocaleDateString(locale(), { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }) : '';
}

export function fmtDateTime(v) {
  if (v === null || v === undefined || v === '') return '';
  const d = toDate(v);
  return valid(d)
    ? d.toLocaleString(locale(), { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
    : '';
}

export function fmtNumber(n) {
  return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString(locale()) : '';
}

/* x in 0..1 → "93.5%"; null/undefined → "—". */
export function fmtPercent(x, digits = 1) {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '—';
}

/* A span of seconds as "2天3小时" / "2 d 3 h" (minutes under an hour). */
export function fmtDuration(seconds) {
  const s = Math.max(0, Math.round(Math.abs(seconds)));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return t('time.days_hours', { d, h });
  if (h > 0) return t('time.hours_minutes', { h, m });
  return t('time.minutes', { m });
}

/* Today's date in the city's zone, YYYY-MM-DD, and n days before it. */
export function cityDate(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return d.toLocaleDateString('en-CA', { timeZone: TZ });
}
