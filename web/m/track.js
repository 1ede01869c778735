// track.js - "follow a report": look a tracking code up (or pick one this device
// remembers), see the report's public progress, add photos while it is open, and rate
// it with five levels (好差评) when it is closed.
import { h, field, toast, emptyState } from '../js/ui.js';
import { t, fmtDate, fmtDateTime } from '../js/i18n.js';
import { ApiError } from '../js/api.js';
import { portalApi, portalErrorText, normalizeCode } from './client.js';
import { savedReports, saveReport, forgetReport, isSaved } from './saved.js';
import { prepare } from './photos.js';

const heading = (text) => h('h1', { tabIndex: -1, class: 'page-title' }, text);

/* #/track: the code form and the codes this device remembers. */
export function renderLookup(view, { navigate }) {
  const title = heading(t('portal.track.title'));
  const code = field({ label: t('portal.track.code'), name: 'code', hint: t('portal.track.code_hint'), required: true,
    attrs: { autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: 24, class: 'code-input' } });
  const form = h('form', { class: 'lookup-form', noValidate: true }, code.el, h('button', { type: 'submit', class: 'primary' }, t('portal.track.go')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const c = normalizeCode(code.input.value);
    if (!c) {
      code.setError(t('portal.track.code_invalid'));
      code.input.focus();
      return;
    }
    navigate(`#/track/${c}`);
  });
  const listBox = h('section', { class: 'saved', attrs: { 'aria-labelledby': 'saved-title' } });
  function drawList() {
    const items = savedReports();
    listBox.replaceChildren(h('h2', { id: 'saved-title' }, t('portal.track.saved')));
    if (!items.length) {
      listBox.append(emptyState(t('portal.track.saved_empty'), { label: t('portal.nav.report'), href: '#/' }));
      return;
    }
    listBox.append(h('ul', { class: 'saved-list' }, items.map((r) => h('li', { class: 'saved-item' },
      h('a', { href: `#/track/${r.code}`, class: 'saved-link' },
        h('span', { class: 'saved-number' }, r.number ? t('portal.track.saved_item', { number: r.number }) : r.code),
        h('span', { class: 'saved-code' }, r.code),
        r.created_at ? h('span', { class: 'hint' }, t('portal.track.saved_date', { date: fmtDate(r.created_at) })) : null),
      h('button', { type: 'button', class: 'small forget', attrs: { 'aria-label': t('portal.track.forget_label', { code: r.code }) },
        on: { click: () => { forgetReport(r.code); toast(t('portal.track.forgotten')); drawList(); listBox.querySelector('h2').focus?.(); } } },
      t('portal.track.forget'))))),
    h('p', { class: 'hint' }, t('portal.track.device_note')));
  }
  drawList();
  view.append(title, form, listBox);
  title.focus({ preventScroll: true });
}

function statusLabel(s) {
  return h('span', { class: ['badge', 'phase', `phase-${s}`] }, t(`portal.status.${s}`));
}

/* #/track/CODE: the public view of one report. */
export async function renderReport(view, { code: typed, navigate }) {
  const code = normalizeCode(typed);
  const title = heading(t('portal.view.title'));
  view.append(title);
  title.focus({ preventScroll: true });
  const body = h('div', { class: 'report-view' });
  view.append(body, h('p', {}, h('a', { href: '#/track' }, t('portal.view.back'))));
  if (!code) {
    body.append(h('p', { class: 'form-alert', attrs: { role: 'alert' } }, t('portal.track.code_invalid')));
    return;
  }
  const loading = h('p', { class: 'progress', attrs: { role: 'status' } }, h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }), t('portal.track.loading'));
  body.append(loading);
  let r;
  try {
    r = await portalApi.get(code);
  } catch (err) {
    loading.remove();
    const notFound = err instanceof ApiError && err.status === 404;
    body.append(h('p', { class: 'form-alert', attrs: { role: 'alert' } }, notFound ? t('portal.track.not_found') : portalErrorText(err)));
    if (notFound && isSaved(code)) {
      body.append(h('button', { type: 'button', on: { click: () => { forgetReport(code); toast(t('portal.track.forgotten')); navigate('#/track'); } } }, t('portal.track.forget')));
    }
    return;
  }
  loading.remove();
  saveReport({ code, number: r.number, created_at: r.created_at });
  draw(body, code, r, navigate);
}

function draw(body, code, r, navigate) {
  const rows = [
    [t('portal.view.number'), h('span', { class: 'number' }, r.number)],
    [t('portal.view.category'), r.category && r.category.name ? r.category.name : ''],
    [t('portal.view.status'), statusLabel(r.status)],
    [t('portal.view.created'), fmtDateTime(r.created_at)],
    [t('portal.view.updated'), fmtDateTime(r.updated_at)],
  ];
  if (r.merged_status) rows.push([t('portal.view.merged_status'), statusLabel(r.merged_status)]);
  if (r.deadline) rows.push([t('portal.view.deadline'), t('portal.view.deadline_value', { date: fmtDateTime(r.deadline) })]);
  const summary = h('dl', { class: 'summary card' }, rows.map(([k, v]) => h('div', { class: 'row' }, h('dt', {}, k), h('dd', {}, v))));

  const history = h('section', { class: 'history', attrs: { 'aria-labelledby': 'history-title' } },
    h('h2', { id: 'history-title' }, t('portal.view.history')),
    h('ol', { class: 'timeline' }, r.timeline.slice().reverse().map((e) => h('li', { class: ['event', `event-${e.event}`] },
      h('span', { class: 'event-dot', attrs: { 'aria-hidden': 'true' } }),
      h('div', { class: 'event-body' },
        h('strong', {}, t(`portal.event.${e.event}`)),
        h('time', { dateTime: e.at }, fmtDateTime(e.at)),
        e.note ? h('p', { class: 'event-note' }, t(e.event === 'not_accepted' ? 'portal.view.reason' : 'portal.view.result', { note: e.note })) : null)))));

  const refresh = h('button', { type: 'button', class: 'small' }, t('portal.view.refresh'));
  refresh.addEventListener('click', () => navigate(`#/track/${code}`, true));

  body.replaceChildren(summary, rateSection(code, r, body, navigate), photoSection(code, r, body, navigate), history, h('div', { class: 'toolbar' }, refresh));
}

function photoSection(code, r, body, navigate) {
  const open = !['closed', 'not_accepted', 'merged'].includes(r.status);
  const box = h('section', { class: 'photos-view' }, h('p', {}, t('portal.view.photos', { n: r.photos, max: r.photos_max })));
  if (!open || r.photos >= r.photos_max) return box;
  const input = h('input', { type: 'file', id: 'add-photo', class: 'visually-hidden-file', attrs: { accept: 'image/*', capture: 'environment' } });
  const label = h('label', { for: 'add-photo', class: 'button photo-pick' }, h('span', { class: 'icon-camera', attrs: { 'aria-hidden': 'true' } }), t('portal.view.add_photo'));
  const status = h('p', { class: 'hint', attrs: { role: 'status' } });
  input.addEventListener('change', async () => {
    const f = input.files && input.files[0];
    input.value = '';
    if (!f) return;
    input.disabled = true;
    status.textContent = t('portal.photos.preparing');
    try {
      const blob = await prepare(f);
      const v = await portalApi.photo(code, blob);
      toast(t('portal.view.photo_added'), 'ok');
      draw(body, code, v, navigate);
    } catch (err) {
      input.disabled = false;
      status.textContent = err instanceof ApiError ? portalErrorText(err) : t('portal.photos.unreadable');
    }
  });
  box.append(h('div', { class: 'photo-actions' }, input, label), status);
  return box;
}

function rateSection(code, r, body, navigate) {
  if (!r.can_rate) {
    if (!r.rating) return null;
    const reopened = r.rating <= 2 && r.status !== 'closed';
    return h('section', { class: 'rated card' },
      h('p', {}, t('portal.rate.yours', { level: t(`rating.${r.rating}`) })),
      reopened ? h('p', { class: 'hint' }, t('portal.rate.reopened')) : null);
  }
  const name = 'level';
  const err = h('p', { class: 'field-error', id: 'rate-err', hidden: true, attrs: { role: 'alert' } });
  const options = [5, 4, 3, 2, 1].map((lv) => {
    const id = `rate-${lv}`;
    return h('div', { class: 'rate-option' },
      h('input', { type: 'radio', id, name, value: String(lv), attrs: { 'aria-describedby': 'rate-err' } }),
      h('label', { for: id }, h('span', { class: ['face', `face-${lv}`], attrs: { 'aria-hidden': 'true' } }), t(`rating.${lv}`)));
  });
  const comment = field({ label: t('portal.rate.comment'), name: 'comment', type: 'textarea', hint: t('portal.rate.comment_hint'), attrs: { maxlength: 500, rows: 3 } });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('portal.rate.submit'));
  const form = h('form', { class: 'rate-form card', noValidate: true },
    h('fieldset', { class: 'rate-levels' }, h('legend', {}, t('portal.rate.title')), h('div', { class: 'rate-options' }, options), err),
    comment.el, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const chosen = form.querySelector(`input[name=${name}]:checked`);
    err.hidden = true;
    if (!chosen) {
      err.textContent = t('portal.rate.choose');
      err.hidden = false;
      form.querySelector(`input[name=${name}]`).focus();
      return;
    }
    submit.disabled = true;
    const payload = { level: Number(chosen.value) };
    const c = comment.input.value.trim();
    if (c) payload.comment = c;
    try {
      const v = await portalApi.rate(code, payload);
      toast(t('portal.rate.thanks'), 'ok');
      draw(body, code, v, navigate);
      body.querySelector('.rated')?.setAttribute('tabindex', '-1');
      body.querySelector('.rated')?.focus();
    } catch (ex) {
      submit.disabled = false;
      if (ex && ex.field === 'comment') comment.setError(portalErrorText(ex));
      else {
        err.textContent = portalErrorText(ex);
        err.hidden = false;
      }
    }
  });
  return form;
}
