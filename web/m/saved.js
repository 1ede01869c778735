// saved.js - the tracking codes this device remembers (localStorage), newest first, so
// that a citizen can follow their reports without writing the codes down. Nothing is
// sent anywhere; "forget" removes one.
const KEY = 'civicgrid.portal.reports';
const MAX = 30;

export function savedReports() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(v) ? v.filter((r) => r && typeof r.code === 'string') : [];
  } catch {
    return [];
  }
}

function write(list) {
  try {
    localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX)));
  } catch {
    /* storage full or private mode: the code is still shown on screen */
  }
}

/* Adds or refreshes one: {code, number, created_at}. */
export function saveReport(r) {
  const list = savedReports();
  const item = { code: r.code, number: r.number || '', created_at: r.created_at || '' };
  const i = list.findIndex((x) => x.code === r.code);
  if (i >= 0) list[i] = item;
  else list.unshift(item);
  write(list);
}

export function forgetReport(code) {
  write(savedReports().filter((x) => x.code !== code));
}

export function isSaved(code) {
  return savedReports().some((x) => x.code === code);
}
