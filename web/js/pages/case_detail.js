// case_detail.js - #/cases/:id: one case with its facts, deadline countdown, map, photos
// and timeline; the action buttons the API lists for this user, each with its form
// (If-Match with the case's ETag; a 412 reloads and says someone else changed it); live
// refresh from the server's event stream.
import { api, errorText, loadDepartments } from '../api.js';
import { t, fmtDateTime, fmtNumber } from '../i18n.js';
import {
  h, field, showFormError, clearFormError, emptyState, withProgress, toast, pageTitle, loadVendor,
  statusBadge, deadlineBadge, mapSettings, busyUntil,
} from '../ui.js';
import '../i18n/case_detail.js';
import { apiErrorOf, tr, actionLabel, kindLabel, channelLabel, byteLength, loadCategories } from './case_common.js';

const UNMASK_ROLES = ['dispatcher', 'petition_officer', 'mediator'];
const TEXT_MAX_BYTES = 4000; // reason, result, comment, note (bytes of UTF-8)
const PHOTO_MAX = 10 * 1024 * 1024;
const NO_PHOTOS = new Set(['rejected', 'merged']);
const REASON_OPTIONAL = new Set(['suspend']);

/* The fields each action's form has; every form also has an optional note. */
const FORMS = {
  reject: ['reason'],
  suspend: ['reason'], // optional here
  return: ['reason'],
  escalate: ['reason'],
  request_review: ['reason'],
  request_re_review: ['reason'],
  fail: ['reason'],
  dispatch: ['department'],
  request_extension: ['days', 'reason'],
  report_result: ['result'],
  decide_review: ['result'],
  decide_re_review: ['result'],
  agree: ['result'],
  verify: ['fixed'],
  merge: ['into'],
  rate: ['level', 'comment'],
};

function maxExtensionDays(c) {
  return c.kind === 'petition' ? 30 : 15;
}

export default async function render(view, ctx) {
  const id = String(ctx.params.id || '');
  view.classList.add('cd');
  const state = {
    c: null, etag: null, cats: new Map(), reporterFull: null,
    panel: null, // {action, el, button}
    photos: [], left: false, refreshTimer: null, refreshing: null,
  };
  ctx.onLeave(() => {
    state.left = true;
    clearTimeout(state.refreshTimer);
  });

  const loading = h('p', { class: 'cd-loading' });
  view.append(loading);
  let first;
  try {
    [first] = await withProgress(loading, Promise.all([
      fetchCase(id),
      loadCategories().then((m) => { state.cats = m; }).catch(() => {}),
    ]), t('common.loading'));
  } catch (err) {
    loading.remove();
    pageTitle(view, t('casedetail.title'));
    if (err && err.status === 404) {
      view.append(emptyState(t('casedetail.notFound'), { label: t('casedetail.backToList'), href: '#/cases' }));
    } else {
      view.append(emptyState(t('casedetail.loadFailed', { error: errorText(err) }),
        { label: t('common.retry'), onClick: () => ctx.navigate(`#/cases/${id}`) }));
    }
    return;
  }
  loading.remove();
  if (state.left) return;
  state.c = first.data;
  state.etag = first.etag;

  // ---- the skeleton: filled by paint() and refilled on every change ----
  pageTitle(view, t('casedetail.titleOf', { number: state.c.number }));
  const subtitle = h('p', { class: 'cd-subtitle' });
  const badges = h('div', { class: 'cd-badges' });
  const alertBox = h('div', { class: 'cd-alert', attrs: { role: 'alert' }, hidden: true });
  const facts = h('dl', { class: 'cd-facts' });
  const actionsBar = h('div', { class: 'cd-actionbar' });
  const panelBox = h('div', { class: 'cd-panelbox' });
  const photosList = h('div', { class: 'cd-photos-list' });
  const photosTools = h('div', { class: 'cd-photos-tools' });
  const timeline = h('ol', { class: 'cd-timeline' });
  const mapBox = h('div', { class: 'cd-mapbox' });

  const sec = (cls, headingKey, ...kids) => {
    const hid = `cd-h-${cls}`;
    return h('section', { class: `cd-section cd-sec-${cls}`, attrs: { 'aria-labelledby': hid } },
      h('h2', { id: hid, text: t(headingKey) }), ...kids);
  };

  view.append(
    subtitle, badges, alertBox,
    h('div', { class: 'cd-layout' },
      h('div', { class: 'cd-col cd-col-main' },
        sec('actions', 'casedetail.actions', actionsBar, panelBox),
        sec('facts', 'casedetail.facts', facts),
        sec('timeline', 'casedetail.timeline', timeline)),
      h('div', { class: 'cd-col cd-col-side' },
        sec('map', 'casedetail.map', mapBox),
        sec('photos', 'casedetail.photos', photosList, photosTools))),
  );

  // ---- painting ----
  function paintBadges() {
    const c = state.c;
    const kids = [statusBadge(c.status)];
    state.deadlineEl = c.deadline ? deadlineBadge(c) : null;
    if (state.deadlineEl) kids.push(state.deadlineEl);
    if (c.supervised) kids.push(h('span', { class: 'cd-flag cd-flag-supervised', text: t('casedetail.supervised') }));
    badges.replaceChildren(...kids);
  }

  function paintFacts() {
    const c = state.c;
    subtitle.textContent = c.title;
    const cat = state.cats.get(c.category);
    const parent = cat && cat.parent ? state.cats.get(cat.parent) : null;
    const none = t('casedetail.none');
    const rows = [
      ['number', c.number],
      ['kind', kindLabel(c.kind)],
      ['category', cat ? (parent ? `${parent.name} / ${cat.name}` : cat.name) : c.category],
      ['status', statusBadge(c.status)],
      ['level', tr(`level.${c.level}`, c.level)],
      ['region', c.region_name || c.region],
      ['grid', c.grid ? (c.grid_name || c.grid) : none],
      ['department', c.department_name || c.department_code || none],
      ['channel', channelLabel(c.channel)],
      ['address', c.address || none],
      ['reporter', reporterNode()],
      ['createdAt', timeNode(c.created_at)],
      ['deadline', c.deadline ? timeNode(c.deadline) : t('casedetail.noDeadline')],
    ];
    if (c.rating) rows.push(['rating', `${c.rating} · ${t(`casedetail.rate.${c.rating}`)}`]);
    const kids = [];
    for (const [key, value] of rows) {
      kids.push(h('div', { class: `cd-fact cd-fact-${key}` },
        h('dt', { text: t(`casedetail.${key}`) }),
        h('dd', {}, value)));
    }
    kids.push(h('div', { class: 'cd-fact cd-fact-description cd-fact-wide' },
      h('dt', { text: t('casedetail.description') }),
      h('dd', { class: 'cd-description', text: c.description || none })));
    if (c.merged_into) {
      kids.push(h('div', { class: 'cd-fact cd-fact-wide' },
        h('dt', { text: t('casedetail.mergedInto', { id: c.merged_into }) }),
        h('dd', {}, h('a', { attrs: { href: `#/cases/${c.merged_into}` }, text: t('casedetail.openMerged') }))));
    }
    facts.replaceChildren(...kids);
  }

  function timeNode(iso) {
    return iso ? h('time', { attrs: { datetime: iso }, text: fmtDateTime(iso) }) : t('casedetail.none');
  }

  function reporterNode() {
    const r = state.reporterFull || state.c.reporter;
    if (!r) return t('casedetail.reporterNone');
    if (r.unreadable) return t('casedetail.reporterUnreadable');
    const parts = [r.name, r.phone].filter(Boolean).join(' · ') || t('casedetail.reporterNone');
    const box = h('span', { class: 'cd-reporter' }, h('span', { class: 'cd-reporter-value', text: parts }));
    if (r.masked && UNMASK_ROLES.some((role) => ctx.hasRole(role))) {
      const btn = h('button', {
        type: 'button', class: 'small cd-unmask', text: t('casedetail.unmask'),
        attrs: { title: t('casedetail.unmaskNote') },
        on: { click: () => unmask(btn) },
      });
      box.append(' ', btn);
    } else if (!r.masked) {
      box.append(h('span', { class: 'cd-reporter-note', text: t('casedetail.unmasked') }));
    }
    return box;
  }

  async function unmask(btn) {
    btn.disabled = true;
    try {
      const res = await withProgress(btn.parentNode, api.raw('GET', `/api/v1/cases/${id}`, { query: { unmask: 'reporter' } }));
      if (res.status !== 200) throw apiErrorOf(res);
      state.reporterFull = res.data.reporter;
      paintFacts();
      toast(t('casedetail.unmasked'), 'info');
      const again = facts.querySelector('.cd-reporter-value');
      if (again) again.setAttribute('tabindex', '-1'), again.focus();
    } catch (err) {
      btn.disabled = false;
      toast(errorText(err), 'error');
    }
  }

  function paintActions() {
    const acts = state.c.actions || [];
    // A live refresh rebuilds the buttons: the one that had the focus keeps it.
    const focused = actionsBar.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    if (!acts.length) {
      actionsBar.replaceChildren(h('p', { class: 'cd-noactions', text: t('casedetail.noActions') }));
    } else {
      actionsBar.replaceChildren(...acts.map((a) => {
        const open = state.panel && state.panel.action === a;
        const b = h('button', {
          type: 'button',
          class: `cd-action cd-action-${a}${open ? ' is-open' : ''}`,
          text: actionLabel(a),
          dataset: { action: a },
          attrs: { 'aria-expanded': open ? 'true' : 'false', 'aria-controls': 'cd-panel' },
          on: { click: () => openPanel(a) },
        });
        return b;
      }));
    }
    if (focused) {
      const again = actionsBar.querySelector(`button[data-action="${focused}"]`);
      if (again) again.focus();
    }
    // An open form whose action is gone closes, and says so.
    if (state.panel && !acts.includes(state.panel.action)) {
      const gone = state.panel.action;
      closePanel(false);
      toast(t('casedetail.actionGone', { action: actionLabel(gone) }), 'info');
    }
  }

  function paintTimeline() {
    const items = state.c.timeline || [];
    if (!items.length) {
      timeline.replaceChildren(h('li', { class: 'cd-tl-empty', text: t('casedetail.timelineEmpty') }));
      return;
    }
    timeline.replaceChildren(...items.map((e) => {
      const changed = e.status_before && e.status_after && e.status_before !== e.status_after;
      return h('li', { class: `cd-tl-item cd-tl-${e.action.replace(/[^a-z_]/g, '-')}` },
        h('div', { class: 'cd-tl-head' },
          h('span', { class: 'cd-tl-action', text: actionLabel(e.action) }),
          changed ? h('span', { class: 'cd-tl-status' },
            statusBadge(e.status_before), h('span', { class: 'cd-tl-arrow', attrs: { 'aria-hidden': 'true' }, text: '→' }),
            statusBadge(e.status_after)) : null),
        h('div', { class: 'cd-tl-meta' },
          timeNode(e.at), ' · ',
          h('span', { class: 'cd-tl-user', text: e.user === 'system' ? t('casedetail.system') : (e.user || t('casedetail.system')) })),
        e.note ? h('p', { class: 'cd-tl-note', text: e.note }) : null);
    }));
  }

  function paintPhotos() {
    const canAdd = !NO_PHOTOS.has(state.c.status);
    if (!state.photos.length) {
      photosList.replaceChildren(h('p', { class: 'cd-photos-empty', text: t(canAdd ? 'casedetail.photosEmpty' : 'casedetail.photosEmptyRO') }));
    } else {
      photosList.replaceChildren(h('ul', { class: 'cd-photo-grid' }, state.photos.map((p, i) => {
        const when = p.created_at ? fmtDateTime(p.created_at) : '';
        const who = p.user || t('casedetail.system');
        const alt = p.label
          ? t('casedetail.photoAltLabel', { n: i + 1, label: p.label, who, when })
          : t('casedetail.photoAlt', { n: i + 1, who, when });
        return h('li', { class: 'cd-photo' },
          h('a', { attrs: { href: p.url, target: '_blank', rel: 'noopener' } },
            h('img', { attrs: { src: p.url, alt, loading: 'lazy', width: String(p.width || 160), height: String(p.height || 120) } })),
          h('span', { class: 'cd-photo-cap', text: [p.label, who, when].filter(Boolean).join(' · ') }));
      })));
    }
    photosTools.hidden = !canAdd;
  }

  function paintAll() {
    paintBadges();
    paintFacts();
    paintActions();
    paintTimeline();
    paintPhotos();
  }

  // ---- the photos: list and upload ----
  const fileField = field({ label: t('casedetail.addPhotos'), name: 'photos', type: 'file', hint: t('casedetail.addPhotosHint'),
    attrs: { accept: 'image/jpeg,image/png,image/webp', multiple: '' } });
  fileField.input.addEventListener('change', () => uploadPhotos([...fileField.input.files]));
  photosTools.append(fileField.el);

  async function loadPhotos() {
    try {
      const r = await api.get(`/api/v1/cases/${id}/attachments`);
      state.photos = r.items || [];
    } catch {
      state.photos = (state.c.attachments || []).map((a) => ({ ...a }));
    }
  }

  async function uploadPhotos(files) {
    if (!files.length) return;
    fileField.setError(null);
    let ok = 0;
    const errors = [];
    const work = (async () => {
      for (const f of files) {
        if (f.size > PHOTO_MAX) {
          errors.push(t('casedetail.tooBig', { name: f.name }));
          continue;
        }
        try {
          await api.upload(`/api/v1/cases/${id}/attachments`, f);
          ok++;
        } catch (err) {
          errors.push(t('casedetail.uploadFailed', { name: f.name, error: errorText(err) }));
        }
      }
    })();
    fileField.input.disabled = true;
    try {
      await withProgress(photosTools, work, t('casedetail.uploading'));
    } finally {
      fileField.input.disabled = false;
      fileField.input.value = '';
    }
    if (errors.length) fileField.setError(errors.join(' '));
    if (ok) toast(t('casedetail.uploaded', { n: ok }), 'ok');
    await refresh({ quiet: true });
  }

  // ---- the action panel ----
  function closePanel(focusBack = true) {
    if (!state.panel) return;
    const { action } = state.panel;
    state.panel = null;
    panelBox.replaceChildren();
    for (const b of actionsBar.querySelectorAll('button.cd-action')) {
      b.setAttribute('aria-expanded', 'false');
      b.classList.remove('is-open');
    }
    if (focusBack) {
      const b = actionsBar.querySelector(`button[data-action="${action}"]`);
      if (b) b.focus();
    }
  }

  function openPanel(action) {
    if (state.panel && state.panel.action === action) {
      closePanel();
      return;
    }
    closePanel(false);
    const form = buildForm(action);
    state.panel = { action, el: form.el };
    panelBox.replaceChildren(form.el);
    for (const b of actionsBar.querySelectorAll('button.cd-action')) {
      const open = b.dataset.action === action;
      b.setAttribute('aria-expanded', open ? 'true' : 'false');
      b.classList.toggle('is-open', open);
    }
    form.focusFirst();
  }

  function radioGroup(name, legend, options, required) {
    const errId = `cd-err-${name}`;
    const err = h('p', { class: 'field-error', id: errId, hidden: true });
    const inputs = [];
    const fs = h('fieldset', { class: `field cd-radios cd-radios-${name}`, attrs: { 'aria-describedby': errId } },
      h('legend', { text: legend + (required ? ' *' : '') }),
      options.map((o, i) => {
        const rid = `cd-${name}-${i}`;
        const input = h('input', { type: 'radio', id: rid, attrs: { name, value: String(o.value) } });
        inputs.push(input);
        return h('div', { class: 'cd-radio' }, input, h('label', { for: rid, text: o.label }));
      }),
      err);
    return {
      el: fs,
      input: inputs[0],
      inputs,
      value() {
        const c = inputs.find((x) => x.checked);
        return c ? c.value : null;
      },
      setError(text) {
        err.textContent = text || '';
        err.hidden = !text;
        fs.classList.toggle('has-error', !!text);
        for (const x of inputs) x.setAttribute('aria-invalid', text ? 'true' : 'false');
      },
    };
  }

  function buildForm(action) {
    const c = state.c;
    const names = [...(FORMS[action] || []), 'note'];
    const fields = {};
    const label = actionLabel(action);
    const headId = 'cd-panel-title';
    const submitBtn = h('button', { type: 'submit', class: 'primary', text: label });
    const cancelBtn = h('button', { type: 'button', text: t('common.cancel'), on: { click: () => closePanel() } });
    const form = h('form', { class: `cd-form cd-form-${action}`, attrs: { novalidate: '', 'aria-labelledby': headId } });

    for (const n of names) {
      switch (n) {
        case 'reason':
          fields.reason = field({ label: t('casedetail.reason'), name: 'reason', type: 'textarea', required: !REASON_OPTIONAL.has(action) });
          break;
        case 'result':
          fields.result = field({ label: t('casedetail.result'), name: 'result', type: 'textarea', required: true });
          break;
        case 'comment':
          fields.comment = field({ label: t('casedetail.comment'), name: 'comment', type: 'textarea' });
          break;
        case 'note':
          fields.note = field({ label: t('casedetail.note'), name: 'note', type: 'textarea' });
          break;
        case 'days': {
          const max = maxExtensionDays(c);
          fields.days = field({ label: t('casedetail.days'), name: 'days', type: 'number', required: true,
            hint: t('casedetail.daysHint', { max }), attrs: { min: '1', max: String(max), step: '1', inputmode: 'numeric' } });
          break;
        }
        case 'into':
          fields.into = field({ label: t('casedetail.into'), name: 'into', type: 'text', required: true,
            hint: t('casedetail.intoHint'), attrs: { inputmode: 'numeric', autocomplete: 'off' } });
          break;
        case 'department':
          fields.department = field({ label: t('casedetail.department.pick'), name: 'department', type: 'select', required: true,
            options: [{ value: '', label: t('casedetail.department.choose') }] });
          fillDepartments(fields.department, c);
          break;
        case 'fixed':
          fields.fixed = radioGroup('fixed', t('casedetail.fixed'),
            [{ value: 'true', label: t('casedetail.fixedYes') }, { value: 'false', label: t('casedetail.fixedNo') }], true);
          break;
        case 'level':
          fields.level = radioGroup('level', t('casedetail.rateLevel'),
            [5, 4, 3, 2, 1].map((v) => ({ value: v, label: t(`casedetail.rate.${v}`) })), true);
          break;
        default:
          break;
      }
    }
    for (const n of names) if (fields[n]) form.append(fields[n].el);
    const actionsRow = h('div', { class: 'form-actions' }, submitBtn, cancelBtn);
    form.append(actionsRow);

    const panel = h('section', { id: 'cd-panel', class: `cd-panel cd-panel-${action}`, attrs: { 'aria-labelledby': headId } },
      h('h3', { id: headId, text: t('casedetail.formTitle', { action: label }) }), form);
    panel.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        closePanel();
      }
    });

    function validate() {
      let firstBad = null;
      const bad = (n, text) => {
        fields[n].setError(text);
        if (!firstBad) firstBad = fields[n];
      };
      for (const n of names) {
        const f = fields[n];
        f.setError(null);
        if (n === 'fixed' || n === 'level') {
          if (f.value() === null) bad(n, t('casedetail.err.choose'));
          continue;
        }
        const v = f.input.value;
        if (n === 'department') {
          if (!v) bad(n, t('casedetail.err.choose'));
        } else if (n === 'days') {
          const max = maxExtensionDays(c);
          if (v.trim() === '') bad(n, t('casedetail.err.required'));
          else if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || Number(v) > max) bad(n, t('casedetail.err.range', { min: 1, max }));
        } else if (n === 'into') {
          if (!v.trim()) bad(n, t('casedetail.err.required'));
          else if (!/^\d{1,13}$/.test(v.trim())) bad(n, t('casedetail.intoHint'));
          else if (v.trim() === c.number || v.trim() === String(c.id)) bad(n, t('casedetail.intoSelf'));
        } else {
          const required = (n === 'reason' && !REASON_OPTIONAL.has(action)) || n === 'result';
          if (required && !v.trim()) bad(n, t('casedetail.err.required'));
          else if (byteLength(v) > TEXT_MAX_BYTES) bad(n, t('casedetail.err.tooLong', { max: fmtNumber(Math.floor(TEXT_MAX_BYTES / 3)) }));
        }
      }
      return firstBad;
    }

    async function body() {
      const b = {};
      for (const n of names) {
        const f = fields[n];
        if (n === 'fixed') b.fixed = f.value() === 'true';
        else if (n === 'level') b.level = Number(f.value());
        else if (n === 'days') b.days = Number(f.input.value);
        else if (n === 'department') b.department = Number(f.input.value);
        else if (n === 'into') b.into = await resolveInto(f.input.value.trim(), fields.into);
        else if (f.input.value.trim()) b[n] = f.input.value;
      }
      return b;
    }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormError(form, {});
      const bad = validate();
      if (bad) {
        (bad.inputs ? bad.inputs[0] : bad.input).focus();
        return;
      }
      submitBtn.disabled = true;
      try {
        const b = await body();
        if (b.into === null) {
          fields.into.input.focus();
          return;
        }
        const res = await withProgress(actionsRow, api.raw('POST', `/api/v1/cases/${id}/actions/${action}`,
          { body: b, headers: { 'If-Match': state.etag } }), t('casedetail.working'));
        if (res.status === 200) {
          state.lastOwnVersion = res.data.version;
          closePanel(false);
          apply(res.data, res.headers.get('ETag'));
          toast(t('casedetail.done', { action: label }), 'ok');
          focusHeading();
          return;
        }
        if (res.status === 412) {
          await refresh({ quiet: true });
          showStale();
          return;
        }
        showFormError(form, fields, apiErrorOf(res));
        if (res.status === 409) refresh({ quiet: true });
      } catch (err) {
        showFormError(form, fields, err);
      } finally {
        submitBtn.disabled = false;
      }
    });

    return {
      el: panel,
      focusFirst() {
        const f = fields[names[0]];
        (f.inputs ? f.inputs[0] : f.input).focus();
      },
    };
  }

  /* The department list arrives after the form is shown; the case's routed department
     is preselected then (busyUntil: never over a choice made by hand). */
  async function fillDepartments(f, c) {
    const sel = f.input;
    try {
      const deps = await busyUntil(sel, loadDepartments());
      const opts = deps
        .slice()
        .sort((a, b) => (a.region.length - b.region.length) || a.region.localeCompare(b.region) || a.code.localeCompare(b.code))
        .map((d) => h('option', { value: String(d.id), text: d.name }));
      sel.append(...opts);
      if (c.department && deps.some((d) => d.id === c.department)) sel.value = String(c.department);
    } catch (err) {
      f.setError(t('casedetail.department.loadFailed', { error: errorText(err) }));
    }
  }

  /* The case id for "merge into": a 13-digit number is looked up; shorter is an id. */
  async function resolveInto(v, f) {
    if (v.length < 13) return Number(v);
    try {
      const r = await api.get('/api/v1/cases', { q: v, limit: 5 });
      const hit = (r.items || []).find((x) => x.number === v);
      if (hit) return hit.id;
    } catch {
      /* said below */
    }
    f.setError(t('casedetail.intoNotFound', { number: v }));
    return null;
  }

  function focusHeading() {
    const h1 = view.querySelector('h1');
    if (h1) {
      if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1');
      h1.focus();
    }
  }

  function showStale() {
    alertBox.textContent = t('casedetail.stale');
    alertBox.hidden = false;
    toast(t('casedetail.stale'), 'info');
  }

  // ---- loading and refreshing ----
  function apply(c, etag) {
    state.c = c;
    if (etag) state.etag = etag;
    paintAll();
  }

  async function refresh({ quiet = false, action = null } = {}) {
    if (state.left) return;
    if (state.refreshing) return state.refreshing;
    state.refreshing = (async () => {
      try {
        const [r] = await Promise.all([fetchCase(id), loadPhotos()]);
        if (state.left) return;
        const changed = r.data.version !== state.c.version;
        state.c = r.data;
        state.etag = r.etag;
        paintAll();
        if (changed && !quiet && r.data.version !== state.lastOwnVersion) {
          toast(t('casedetail.liveUpdated', { action: actionLabel(action || lastAction(r.data)) }), 'info');
        }
      } catch (err) {
        if (!quiet) toast(errorText(err), 'error');
      } finally {
        state.refreshing = null;
      }
    })();
    return state.refreshing;
  }

  function lastAction(c) {
    const tl = c.timeline || [];
    return tl.length ? tl[tl.length - 1].action : 'unknown';
  }

  await loadPhotos();
  if (state.left) return;
  paintAll();
  // Citizens read no grid boundaries (staff only): the point alone.
  const staff = ctx.user.roles.some((r) => r !== 'citizen');
  buildMap(mapBox, state.c, ctx, staff);

  // The countdown: the badge counts down each minute.
  const tick = setInterval(() => {
    if (state.deadlineEl) state.deadlineEl.refresh();
  }, 60 * 1000);
  ctx.onLeave(() => clearInterval(tick));

  // Live refresh: an event naming this case reloads it (debounced).
  if (typeof EventSource === 'function') {
    const es = new EventSource(`/api/v1/events?region=${encodeURIComponent(state.c.region)}`);
    const soon = (action) => {
      clearTimeout(state.refreshTimer);
      state.refreshTimer = setTimeout(() => refresh({ action }), 150);
    };
    es.addEventListener('case', (ev) => {
      let d;
      try {
        d = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (d && String(d.case) === String(state.c.id)) soon(d.action);
    });
    es.addEventListener('reset', () => soon(null));
    ctx.onLeave(() => es.close());
  }
}

async function fetchCase(id) {
  const res = await api.raw('GET', `/api/v1/cases/${encodeURIComponent(id)}`);
  if (res.status !== 200) throw apiErrorOf(res);
  return { data: res.data, etag: res.headers.get('ETag') };
}

/* A small map of the location: the tiles when a tile URL is set, else a plain
 * background; the point, and the grid's boundary when it can be read. */
async function buildMap(box, c, ctx, withGrid) {
  if (!c.location) {
    box.replaceChildren(h('p', { class: 'cd-nomap', text: t('casedetail.noLocation') }));
    return;
  }
  const { lon, lat } = c.location;
  const coords = h('p', { class: 'cd-coords', text: t('casedetail.coords', { lon: lon.toFixed(6), lat: lat.toFixed(6) }) });
  const el = h('div', { class: 'cd-map', attrs: { role: 'region', 'aria-label': t('casedetail.mapLabel') } });
  box.replaceChildren(el, coords);
  let map;
  try {
    const [L, settings] = await Promise.all([loadVendor('leaflet'), mapSettings().catch(() => ({}))]);
    if (!el.isConnected) return;
    const tiles = settings && settings.tile_url;
    // No zoom animation: a map removed mid-animation (the user leaves the page) would
    // have Leaflet's transition end run on a map that is gone.
    map = L.map(el, { attributionControl: !!tiles, scrollWheelZoom: false, zoomControl: true, zoomAnimation: false, fadeAnimation: false });
    ctx.onLeave(() => map.remove());
    if (tiles) {
      L.tileLayer(tiles, { attribution: settings.tile_attribution || '', maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add('cd-map-plain');
    }
    const pt = [lat, lon];
    map.setView(pt, 16);
    L.circleMarker(pt, { radius: 8, weight: 2, color: '#b3261e', fillColor: '#e5483c', fillOpacity: 0.9 })
      .addTo(map).bindTooltip(c.title);
    setTimeout(() => map.invalidateSize(), 0);
    if (c.grid && withGrid) {
      api.get(`/api/v1/grids/${encodeURIComponent(c.grid)}`).then((g) => {
        if (!g || !g.boundary || !el.isConnected) return;
        const layer = L.geoJSON(g.boundary, { style: { color: '#1f6feb', weight: 2, fillOpacity: 0.08 }, interactive: false }).addTo(map);
        layer.bringToBack();
        const b = layer.getBounds();
        if (b.isValid()) map.fitBounds(b.extend(pt), { padding: [16, 16], maxZoom: 17 });
      }).catch(() => { /* outside the caller's reach: the point alone */ });
    }
  } catch {
    box.replaceChildren(h('p', { class: 'cd-nomap', text: t('casedetail.mapFailed', { lon: lon.toFixed(6), lat: lat.toFixed(6) }) }));
  }
}
