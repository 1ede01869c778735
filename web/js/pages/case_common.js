// case_common.js - helpers shared by the case detail and new-case pages (not a route).
import { api, ApiError } from '../api.js';
import { t, tOr } from '../i18n.js';
import '../i18n/case_detail.js';

/* t(key), or `fallback` when the catalogues have no such key. */
export function tr(key, fallback) {
  return tOr(key, fallback);
}

/* The label of a case action or timeline entry ("dispatch", "escalate.overdue"). */
export function actionLabel(a) {
  if (!a) return t('casedetail.tl.unknown');
  const common = tr(`action.${a}`, null);
  if (common) return common;
  const own = tr(`casedetail.tl.${a}`, null);
  if (own) return own;
  const base = a.split('.')[0];
  return tr(`action.${base}`, null) || tr(`casedetail.tl.${base}`, null) || t('casedetail.tl.unknown');
}

export function kindLabel(k) {
  return tr(`kind.${k}`, k);
}

export function channelLabel(ch) {
  if (!ch) return t('casedetail.none');
  return tr(`casedetail.channel.${ch}`, t('casedetail.channel.other'));
}

export function byteLength(s) {
  return new TextEncoder().encode(s || '').length;
}

/* An ApiError for a non-2xx answer of api.raw. */
export function apiErrorOf(res) {
  return new ApiError(res.status, res && res.data && typeof res.data === 'object' ? res.data : null);
}

let categoriesCache = null;

/* Map code → category (every kind), loaded once. */
export function loadCategories() {
  if (!categoriesCache) {
    categoriesCache = api.get('/api/v1/categories').then((r) => new Map((r.items || []).map((c) => [c.code, c])));
    categoriesCache.catch(() => { categoriesCache = null; });
  }
  return categoriesCache;
}
