// client.js - the portal's calls to the public API (/api/v1/public/…) through the
// console's api.raw (JSON, Accept-Language; no session is needed or used), and the
// texts of their errors.
import { api, ApiError, errorText } from '../js/api.js';
import { t, tOr } from '../js/i18n.js';

async function call(method, path, opts) {
  const r = await api.raw(method, path, opts);
  if (r.status >= 200 && r.status < 300) return r.data;
  const err = new ApiError(r.status, r.data);
  const retry = Number(r.headers.get('Retry-After'));
  err.retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  throw err;
}

export const portalApi = {
  categories: () => call('GET', '/api/v1/public/categories'),
  report: (body) => call('POST', '/api/v1/public/reports', { body }),
  get: (code) => call('GET', `/api/v1/public/reports/${encodeURIComponent(code)}`),
  photo: (code, blob) => call('POST', `/api/v1/public/reports/${encodeURIComponent(code)}/photos`, { rawBody: blob, contentType: blob.type || 'image/jpeg' }),
  rate: (code, body) => call('POST', `/api/v1/public/reports/${encodeURIComponent(code)}/rating`, { body }),
};

/* A text for any error: the portal's own words for the codes a citizen meets, else the
 * server's message in the page's language (never a code or a stack). */
export function portalErrorText(err) {
  if (err instanceof ApiError && err.code) {
    const own = tOr(`portal.error.${err.code}`, null);
    if (own) return t(`portal.error.${err.code}`, { s: err.retryAfter || 60 });
  }
  return errorText(err);
}

/* A typed tracking code as the server reads it: 12 symbols of Crockford's base32
 * (I and L read as 1, O as 0), shown XXXX-XXXX-XXXX; null when it cannot be one. */
export function normalizeCode(text) {
  const s = String(text || '').toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (!/^[0-9A-HJKMNP-TV-Z]{12}$/.test(s)) return null;
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}
