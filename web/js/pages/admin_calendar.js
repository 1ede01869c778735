// admin_calendar.js - #/admin/calendar (sysadmin): one year's statutory days off and
// make-up working days (调休上班), edited in place and saved as a whole under If-Match.
import { api, ApiError, errorText } from '../api.js';
import { langTag, t } from '../i18n.js';
import { emptyState, field, h, pageTitle, toast, withProgress } from '../ui.js';
import { guard } from './admin_shared.js';

const weekday = (date) => new Intl.DateTimeFormat(langTag(), { weekday: 'short', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
const thisYear = () => Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));

export default async function render(view, ctx) {
	if (!guard(view, ctx, ['sysadmin'])) return;
	pageTitle(view, t('admin.calendar.title'));
	const now = thisYear();
	const wanted = Number(ctx.query?.year);
	let year = Number.isInteger(wanted) && wanted >= 1970 && wanted <= 9999 ? wanted : now;

	const years = [];
	for (let y = Math.min(now - 2, year); y <= Math.max(now + 2, year); y++) years.push({ value: y, label: String(y) });
	const yearSel = field({ label: t('admin.calendar.year'), name: 'year', type: 'select', options: years, value: year });
	const info = h('p', { class: 'admin-note' });
	const body = h('div', { class: 'admin-calendar', attrs: { 'aria-live': 'polite' } });
	view.append(h('div', { class: 'toolbar' }, yearSel.el), info, body);

	let days = [];
	let etag = null;
	let dirty = false;
	const dirtyNote = h('span', { class: 'admin-dirty', hidden: true, attrs: { role: 'status' }, text: t('admin.calendar.unsaved') });
	const formAlert = h('p', { class: 'form-alert', hidden: true, attrs: { role: 'alert' } });
	const tableBox = h('div');
	const saveBtn = h('button', { type: 'button', class: 'primary' });

	const markDirty = () => {
		dirty = true;
		dirtyNote.hidden = false;
	};

	function drawTable(errors = new Map()) {
		tableBox.replaceChildren();
		if (!days.length) {
			tableBox.append(emptyState(t('admin.calendar.empty', { year })));
			return;
		}
		const rows = days.map((d, i) => {
			const kind = h('select', { attrs: { 'aria-label': `${t('admin.calendar.kind')} ${d.date}` } },
				['off', 'work'].map((k) => h('option', { value: k, selected: d.kind === k, text: t(`admin.calendar.kind.${k}`) })));
			kind.addEventListener('change', () => {
				d.kind = kind.value;
				markDirty();
			});
			const note = h('input', { type: 'text', value: d.note || '', attrs: { 'aria-label': `${t('admin.calendar.note')} ${d.date}`, maxlength: '100' } });
			note.addEventListener('input', () => {
				d.note = note.value;
				markDirty();
			});
			const err = errors.get(i);
			const tr = h('tr', { class: err ? 'admin-row-error' : '' },
				h('th', { attrs: { scope: 'row' } }, h('span', { text: d.date }), h('span', { class: 'admin-weekday', text: ` ${weekday(d.date)}` })),
				h('td', {}, kind),
				h('td', {}, note, err ? h('p', { class: 'field-error', text: err }) : null),
				h('td', {}, h('button', { type: 'button', class: 'small', text: t('common.delete'), attrs: { 'aria-label': t('admin.calendar.remove', { date: d.date }) }, on: { click: () => {
					days.splice(i, 1);
					markDirty();
					drawTable();
				} } })));
			if (err) {
				kind.setAttribute('aria-invalid', 'true');
				note.setAttribute('aria-invalid', 'true');
			}
			return tr;
		});
		tableBox.append(h('div', { class: 'table-wrap' }, h('table', { class: 'admin-table' },
			h('caption', { text: `${year}` }),
			h('thead', {}, h('tr', {}, [t('admin.calendar.date'), t('admin.calendar.kind'), t('admin.calendar.note'), t('admin.actions')].map((x) => h('th', { attrs: { scope: 'col' }, text: x })))),
			h('tbody', {}, rows))));
	}

	function addForm() {
		const date = field({ label: t('admin.calendar.date'), name: 'date', type: 'date', required: true, attrs: { min: `${year}-01-01`, max: `${year}-12-31` } });
		const kind = field({ label: t('admin.calendar.kind'), name: 'kind', type: 'select', options: ['off', 'work'].map((k) => ({ value: k, label: t(`admin.calendar.kind.${k}`) })) });
		const note = field({ label: t('admin.calendar.note'), name: 'note', attrs: { maxlength: '100' } });
		const form = h('form', { class: 'admin-form admin-inline-form', attrs: { novalidate: '', 'aria-label': t('admin.calendar.add') } }, date.el, kind.el, note.el, h('button', { type: 'submit', text: t('admin.calendar.add') }));
		form.addEventListener('submit', (e) => {
			e.preventDefault();
			date.setError(null);
			const v = date.input.value;
			if (!v || !v.startsWith(`${year}-`)) {
				date.setError(t('admin.calendar.badDate', { year }));
				date.input.focus();
				return;
			}
			if (days.some((d) => d.date === v)) {
				date.setError(t('admin.calendar.dup'));
				date.input.focus();
				return;
			}
			days.push({ date: v, kind: kind.input.value, note: note.input.value.trim() });
			days.sort((a, b) => a.date.localeCompare(b.date));
			markDirty();
			drawTable();
			date.input.value = '';
			note.input.value = '';
			date.input.focus();
		});
		return form;
	}

	async function save() {
		formAlert.hidden = true;
		const payload = { days: days.map((d) => (d.note ? { date: d.date, kind: d.kind, note: d.note } : { date: d.date, kind: d.kind })) };
		saveBtn.disabled = true;
		try {
			const res = await withProgress(body, api.raw('PUT', `/api/v1/calendar/${year}`, { body: payload, headers: { 'If-Match': etag } }));
			if (res.status === 412) {
				formAlert.replaceChildren(t('admin.stale'), ' ', h('button', { type: 'button', class: 'small', text: t('admin.reload'), on: { click: () => load() } }));
				formAlert.hidden = false;
				return;
			}
			if (res.status !== 200) {
				const err = new ApiError(res.status, res.data);
				const m = /^days\[(\d+)\]/.exec(err.field || '');
				if (m) {
					const i = Number(m[1]);
					drawTable(new Map([[i, errorText(err)]]));
					formAlert.textContent = t('admin.calendar.rowError', { n: i + 1, message: errorText(err) });
				} else formAlert.textContent = errorText(err);
				formAlert.hidden = false;
				return;
			}
			etag = res.headers.get('ETag');
			days = res.data.days.map((d) => ({ ...d }));
			dirty = false;
			dirtyNote.hidden = true;
			drawTable();
			toast(t('admin.calendar.saved', { year }), 'ok');
		} finally {
			saveBtn.disabled = false;
		}
	}

	async function load() {
		body.replaceChildren();
		formAlert.hidden = true;
		try {
			const res = await withProgress(body, api.raw('GET', '/api/v1/calendar', { query: { year } }));
			if (res.status !== 200) throw new ApiError(res.status, res.data);
			etag = res.headers.get('ETag');
			days = res.data.days.map((d) => ({ ...d }));
			dirty = false;
			dirtyNote.hidden = true;
			info.textContent = `${year} · ${res.data.published ? t('admin.calendar.published') : t('admin.calendar.unpublished')} · ${t('admin.calendar.workHours', { hours: res.data.work_hours })}`;
			saveBtn.textContent = t('admin.calendar.save', { year });
			drawTable();
			body.append(formAlert, addForm(), tableBox, h('div', { class: 'admin-form-actions' }, saveBtn, dirtyNote));
		} catch (err) {
			body.replaceChildren(h('p', { class: 'form-alert', attrs: { role: 'alert' }, text: errorText(err) }));
		}
	}

	saveBtn.addEventListener('click', save);
	yearSel.input.addEventListener('change', () => {
		year = Number(yearSel.input.value);
		load();
	});
	ctx.onLeave(() => {
		dirty = false;
	});
	await load();
}
