// report.js - "report a problem": category, description, photos, location, optional
// address and contact; sent to POST /api/v1/public/reports, then the photos; the
// tracking code is shown once, big, with a copy button, and remembered on this device.
import { h, field, toast } from '../js/ui.js';
import { t } from '../js/i18n.js';
import { portalApi, portalErrorText } from './client.js';
import { photoPicker, releasePhotos } from './photos.js';
import { locationPicker } from './location.js';
import { saveReport } from './saved.js';

const DESCRIPTION_MAX = 1000;
const PHOTOS_MAX = 3;
const MARKUP = /<[A-Za-z/!?]/;

/* What the citizen has typed so far: kept across language switches and page changes
 * until the report is sent. */
export const draft = { category: '', description: '', address: '', name: '', phone: '', location: {}, photos: [] };

let categories = null; // the public categories, loaded once
/* The report just sent ({code, number, failed}): shown again (a language switch, a look
 * at the other tab) until the citizen starts another. */
let done = null;

function categorySelect(f, items) {
  const sel = f.input;
  sel.replaceChildren(h('option', { value: '' }, t('portal.category.choose')));
  const classes = items.filter((c) => !c.parent);
  for (const cls of classes) {
    const subs = items.filter((c) => c.parent === cls.code);
    if (!subs.length) {
      sel.append(h('option', { value: cls.code }, cls.name));
      continue;
    }
    sel.append(h('optgroup', { label: cls.name }, subs.map((c) => h('option', { value: c.code }, c.name))));
  }
  sel.value = draft.category;
  if (sel.value !== draft.category) draft.category = '';
}

export default async function renderReport(view, { navigate }) {
  if (done) {
    showDone(view, { ...done, navigate });
    return;
  }
  const title = h('h1', { tabIndex: -1, class: 'page-title' }, t('portal.report.title'));
  view.append(title,
    h('p', { class: 'lead' }, t('portal.report.lead')),
    h('p', { class: 'hint' }, t('portal.report.no_account')));

  const form = h('form', { class: 'report-form', noValidate: true });
  const alertEl = h('p', { class: 'form-alert', hidden: true, attrs: { role: 'alert', tabindex: '-1' } });
  const fields = {
    category: field({ label: t('portal.category'), name: 'category', type: 'select', required: true, hint: t('portal.category.hint'), options: [{ value: '', label: t('portal.category.loading') }] }),
    description: field({ label: t('portal.description'), name: 'description', type: 'textarea', required: true, value: draft.description, hint: t('portal.description.hint'), attrs: { maxlength: DESCRIPTION_MAX, rows: 5 } }),
    address: field({ label: t('portal.address'), name: 'address', value: draft.address, hint: t('portal.address.hint'), attrs: { maxlength: 200, autocomplete: 'street-address' } }),
    name: field({ label: t('portal.name'), name: 'name', value: draft.name, attrs: { maxlength: 50, autocomplete: 'name' } }),
    phone: field({ label: t('portal.phone'), name: 'phone', type: 'tel', value: draft.phone, hint: t('portal.phone.hint'), attrs: { maxlength: 20, autocomplete: 'tel', inputmode: 'tel' } }),
  };
  const counter = h('p', { class: 'hint counter', attrs: { 'aria-live': 'polite' } });
  const count = () => { counter.textContent = t('portal.description.count', { n: [...fields.description.input.value].length, max: DESCRIPTION_MAX }); };
  count();
  fields.description.el.append(counter);
  for (const k of ['description', 'address', 'name', 'phone']) fields[k].input.addEventListener('input', () => { draft[k] = fields[k].input.value; if (k === 'description') count(); });
  fields.category.input.addEventListener('change', () => { draft.category = fields.category.input.value; });

  const photos = photoPicker({ max: PHOTOS_MAX, items: draft.photos });
  const loc = locationPicker({ state: draft.location });
  const submit = h('button', { type: 'submit', class: 'primary submit' }, t('portal.submit'));
  const progress = h('p', { class: 'progress', hidden: true, attrs: { role: 'status' } }, h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }), h('span', { class: 'progress-text' }));
  const setProgress = (text) => { progress.hidden = !text; progress.querySelector('.progress-text').textContent = text || ''; };

  form.append(alertEl, fields.category.el, fields.description.el, photos.el, loc.el, fields.address.el,
    h('fieldset', { class: 'contact' }, h('legend', {}, t('portal.contact')),
      h('p', { class: 'hint' }, t('portal.contact.why')),
      h('p', { class: 'protect' }, h('span', { class: 'icon-lock', attrs: { 'aria-hidden': 'true' } }), t('portal.contact.protect')),
      fields.name.el, fields.phone.el),
    submit, progress);
  view.append(form);
  form.addEventListener('input', () => { alertEl.hidden = true; });
  title.focus({ preventScroll: true });

  const catField = fields.category;
  if (categories) categorySelect(catField, categories);
  else {
    catField.input.disabled = true;
    portalApi.categories().then((r) => {
      categories = r.items || [];
      catField.input.disabled = false;
      categorySelect(catField, categories);
    }, (e) => {
      catField.input.replaceChildren(h('option', { value: '' }, t('portal.category.failed')));
      catField.setError(`${t('portal.category.failed')} ${portalErrorText(e)}`);
    });
  }

  function check() {
    let first = null;
    const bad = (f, text) => { f.setError(text); first = first || f.input; };
    if (!catField.input.value) bad(catField, t('portal.category.choose'));
    const d = fields.description.input.value.trim();
    if ([...d].length < 5) bad(fields.description, t('portal.description.short'));
    else if (MARKUP.test(d)) bad(fields.description, t('portal.description.markup'));
    if (!loc.value()) {
      loc.setError(t('portal.location.required'));
      if (!first) first = { focus: () => loc.focus() };
    }
    if (first) {
      alertEl.textContent = t('portal.check_form');
      alertEl.hidden = false;
      first.focus();
      return false;
    }
    return true;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alertEl.hidden = true;
    for (const f of Object.values(fields)) f.setError(null);
    loc.setError(null);
    if (!check()) return;
    const body = {
      category: catField.input.value,
      description: fields.description.input.value.trim(),
      location: loc.value(),
    };
    for (const k of ['address', 'name', 'phone']) {
      const v = fields[k].input.value.trim();
      if (v) body[k] = v;
    }
    submit.disabled = true;
    setProgress(t('portal.submitting'));
    let res;
    try {
      res = await portalApi.report(body);
    } catch (err) {
      submit.disabled = false;
      setProgress(null);
      const name = err && err.field;
      const f = name === 'location' ? null : fields[name];
      if (name === 'location') {
        loc.setError(portalErrorText(err));
        loc.focus();
      } else if (f) {
        f.setError(portalErrorText(err));
        f.input.focus();
      } else {
        alertEl.textContent = portalErrorText(err);
        alertEl.hidden = false;
        alertEl.focus();
      }
      return;
    }
    const code = res.tracking_code;
    saveReport({ code, number: res.case.number, created_at: res.case.created_at });
    const blobs = photos.blobs();
    let failed = 0;
    for (let i = 0; i < blobs.length; i++) {
      setProgress(t('portal.uploading', { i: i + 1, n: blobs.length }));
      try {
        await portalApi.photo(code, blobs[i]);
      } catch {
        failed++;
      }
    }
    setProgress(null);
    releasePhotos(draft.photos);
    Object.assign(draft, { category: '', description: '', address: '', name: '', phone: '', location: {} });
    done = { code, number: res.case.number, failed };
    showDone(view, { ...done, navigate });
  });
}

function showDone(view, { code, number, failed, navigate }) {
  const title = h('h1', { tabIndex: -1, class: 'page-title' }, t('portal.done.title'));
  const codeId = 'tracking-code';
  const copy = h('button', { type: 'button', class: 'copy', attrs: { 'aria-describedby': codeId } }, t('portal.done.copy'));
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(code);
      toast(t('portal.done.copied'), 'ok');
    } catch {
      const range = document.createRange();
      range.selectNodeContents(document.getElementById(codeId));
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      toast(t('portal.done.copy_failed'), 'error');
    }
  });
  view.replaceChildren(title,
    h('div', { class: 'done card', attrs: { role: 'status' } },
      h('p', {}, t('portal.done.number', { number })),
      h('p', { class: 'code-label', id: 'code-label' }, t('portal.done.code')),
      h('output', { id: codeId, class: 'tracking-code', attrs: { 'aria-labelledby': 'code-label' } }, code),
      copy,
      h('p', { class: 'keep' }, t('portal.done.keep')),
      failed ? h('p', { class: 'form-alert' }, t('portal.done.photos_failed', { n: failed })) : null),
    h('div', { class: 'done-actions' },
      h('a', { href: `#/track/${code}`, class: 'button primary' }, t('portal.done.follow')),
      h('button', { type: 'button', on: { click: () => { done = null; navigate('#/', true); } } }, t('portal.done.another'))));
  title.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}
