// api.js - the console's one way to the server: JSON in and out, the session's CSRF
// token on writes, the UI language as Accept-Language, and errors as ApiError whose
// message is the server's own text in that language (never a bare code).
import { langTag, lang, t } from './i18n.js';

let csrf = null;
let onUnauthorized = null;

export function setCsrf(token) {
  csrf = token || null;
}

/* The shell's handler for a 401 on a signed-in page (session expired or ended). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export class ApiError extends Error {
  constructor(status, body) {
    const b = body && typeof body === 'object' ? body : {};
    super(typeof b.message === 'string' && b.message ? b.message : '');
    this.name = 'ApiError';
    this.status = status;
    this.code = typeof b.code === 'string' ? b.code : null;
    this.field = typeof b.field === 'string' ? b.field : null;
    this.body = b;
  }
}

/* A text fit to show the user for any error: the server's message, or a generic one
 * by status; never a code, `undefined` or a stack. */
export function errorText(err) {
  if (err instanceof ApiError) {
    if (err.message) return err.message;
    if (err.status === 403) return t('error.forbidden');
    if (err.status === 404) return t('error.not_found');
    if (err.status === 0) return t('error.network');
    return t('error.generic');
  }
  if (err && err.name === 'TypeError') return t('error.network');
  return t('error.generic');
}

function withQuery(path, query) {
  if (!query) return path;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    p.append(k, String(v));
  }
  const s = p.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/* One request; never rejects on an HTTP status: {status, data, headers}. A network
 * failure gives status 0. */
async function raw(method, path, { body, headers = {}, query, rawBody, contentType } = {}) {
  const h = { Accept: 'application/json', 'Accept-Language': `${langTag()},${lang() === 'zh' ? 'en;q=0.5' : 'zh-CN;q=0.5'}`, ...headers };
  let payload;
  if (rawBody !== undefined) {
    payload = rawBody;
    if (contentType) h['Content-Type'] = contentType;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['Content-Type'] = 'application/json';
  }
  if (csrf && WRITES.has(method)) h['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(withQuery(path, query), { method, headers: h, body: payload, credentials: 'same-origin' });
  } catch {
    return { status: 0, data: null, headers: new Headers() };
  }
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (res.status !== 204 && type.includes('json')) data = await res.json().catch(() => null);
  else if (res.status !== 204) data = await res.text().catch(() => null);
  return { status: res.status, data, headers: res.headers };
}

async function call(method, path, opts) {
  const r = await raw(method, path, opts);
  if (r.status >= 200 && r.status < 300) return r.data;
  const err = new ApiError(r.status, r.data);
  if (r.status === 401 && onUnauthorized && path !== '/api/v1/session') onUnauthorized(err);
  throw err;
}

export const api = {
  raw: (method, path, opts = {}) => raw(method, path, opts),
  get: (path, query) => call('GET', path, { query }),
  post: (path, body, opts = {}) => call('POST', path, { body, ...opts }),
  put: (path, body, opts = {}) => call('PUT', path, { body, ...opts }),
  patch: (path, body, opts = {}) => call('PATCH', path, { body, ...opts }),
  del: (path, opts = {}) => call('DELETE', path, opts),
  /* POSTs a File or Blob's bytes as they are, with its type. */
  upload: (path, file, opts = {}) => call('POST', path, { rawBody: file, contentType: file.type || 'application/octet-stream', ...opts }),
};

/* Every item of a cursor-paged list (at most `maxPages` pages of 200). */
export async function allItems(path, query = {}, maxPages = 100) {
  const items = [];
  let cursor;
  for (let i = 0; i < maxPages; i++) {
    const page = await api.get(path, { ...query, limit: 200, cursor });
    items.push(...(page.items || []));
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return items;
}

let departmentsCache = null;
/* Every department unit of the caller's scope, read once per page load: a second caller
   shares the first one's answer, and a failed read is tried again next time. */
export function loadDepartments() {
  if (!departmentsCache) {
    departmentsCache = allItems('/api/v1/departments');
    departmentsCache.catch(() => { departmentsCache = null; });
  }
  return departmentsCache;
}
