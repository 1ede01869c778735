// admin_categories.js - #/admin/categories (sysadmin): the case categories with their
// handling deadlines; one category's name, deadline and active flag edited under
// If-Match, or the whole taxonomy replaced by a CSV file with its bad lines listed.
import { api, ApiError, errorText } from '../api.js';
import { fmtNumber, t, tOr } from '../i18n.js';
import { emptyState, field, h, pageTitle, showFormError, toast, withProgress } from '../ui.js';
import { dataTable, guard, openDialog, progressBar, uploadChosen } from './admin_shared.js';

const UNITS = ['working_hours', 'working_days', 'days'];
const UNIT_MAX = { working_hours: 960, working_days: 250, days: 365 };
const CSV_MAX = 4 << 20;

const HEADER = ['code', 'parent', 'name', 'kind', 'first_level', 'dept_grid', 'dept_village', 'dept_town', 'dept_district', 'dept_city', 'deadline_amount', 'deadline_unit', 'risk'];
const csvCell = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/* The active categories as the CSV that PUT /api/v1/categories takes (catalog/README.md). */
export function categoriesCsv(items) {
	const lines = [HEADER.join(',')];
	for (const c of items.filter((x) => x.active)) {
		const d = c.departments || {};
		lines.push([c.code, c.parent || '', c.name, c.kind, c.first_level, d.grid || '', d.village || '', d.town || '', d.district || '', d.city || '', String(c.deadline.amount), c.deadline.unit, c.risk || ''].map(csvCell).join(','));
	}
	return `${lines.join('\n')}\n`;
}

const deadlineText = (d) => `${fmtNumber(d.amount)} ${t(`admin.categories.unit.${d.unit}`)}`;

export default async function render(view, ctx) {
	if (!guard(view, ctx, ['sysadmin'])) return;
	pageTitle(view, t('admin.categories.title'));

	const search = field({ label: t('admin.categories.filter'), name: 'q', attrs: { type: 'search' } });
	const inactive = field({ label: t('admin.categories.showInactive'), name: 'inactive', type: 'checkbox', value: true });
	const listBox = h('div', { class: 'admin-results', attrs: { 'aria-live': 'polite' } });
	const uploadCard = h('section', { class: 'card admin-import', attrs: { 'aria-labelledby': 'cat-upload-title' } });
	view.append(h('div', { class: 'toolbar admin-filters' }, search.el, inactive.el), listBox, uploadCard);

	let items = [];

	function draw() {
		const q = search.input.value.trim().toLowerCase();
		const shown = items.filter((c) => (inactive.input.checked || c.active) && (!q || c.code.toLowerCase().includes(q) || c.name.toLowerCase().includes(q)));
		listBox.replaceChildren();
		if (!shown.length) {
			listBox.append(emptyState(t('admin.categories.empty')));
			return;
		}
		listBox.append(dataTable(t('admin.categories.title'), [
			{ label: t('admin.categories.code'), value: (c) => c.code },
			{ label: t('admin.categories.name'), value: (c) => h('span', { class: c.parent ? 'admin-sub' : 'admin-class', text: c.name }) },
			{ label: t('admin.categories.kind'), value: (c) => tOr(`kind.${c.kind}`, c.kind) },
			{ label: t('admin.categories.deadline'), value: (c) => deadlineText(c.deadline) },
			{ label: t('admin.categories.active'), value: (c) => h('span', { class: `admin-state admin-state-${c.active ? 'active' : 'disabled'}`, text: c.active ? t('admin.categories.active') : t('admin.categories.inactive') }) },
			{ label: t('admin.actions'), value: (c) => h('button', { type: 'button', class: 'small', text: t('common.edit'), attrs: { 'aria-label': `${t('common.edit')} ${c.code} ${c.name}` }, on: { click: () => edit(c.code) } }) },
		], shown, { className: 'admin-categories-table' }));
	}

	async function load() {
		try {
			const r = await withProgress(listBox, api.get('/api/v1/categories', { all: 'true' }));
			items = r.items;
			draw();
		} catch (err) {
			listBox.replaceChildren(h('p', { class: 'form-alert', attrs: { role: 'alert' }, text: errorText(err) }));
		}
	}

	async function edit(code) {
		const r = await api.raw('GET', `/api/v1/categories/${code}`);
		if (r.status !== 200) {
			toast(errorText(new ApiError(r.status, r.data)), 'error');
			return;
		}
		const c = r.data;
		const etag = r.headers.get('ETag');
		openDialog(t('admin.categories.editTitle', { code }), (dialog, close) => {
			const name = field({ label: t('admin.categories.name'), name: 'name', value: c.name, required: true, hint: t('admin.categories.nameRule'), attrs: { maxlength: '40' } });
			const amount = field({ label: t('admin.categories.amount'), name: 'amount', type: 'number', value: c.deadline.amount, required: true, hint: t('admin.categories.amountRule'), attrs: { min: '1', step: '1', inputmode: 'numeric' } });
			const unit = field({ label: t('admin.categories.unit'), name: 'unit', type: 'select', value: c.deadline.unit, options: UNITS.map((u) => ({ value: u, label: t(`admin.categories.unit.${u}`) })) });
			const active = field({ label: t('admin.categories.active'), name: 'active', type: 'checkbox', value: c.active });
			const submit = h('button', { type: 'submit', class: 'primary', text: t('common.save') });
			const form = h('form', { class: 'admin-form', attrs: { novalidate: '' } },
				h('p', { class: 'admin-note', text: `${c.code} · ${tOr(`kind.${c.kind}`, c.kind)}` }),
				name.el, h('div', { class: 'admin-row' }, amount.el, unit.el), active.el,
				h('div', { class: 'admin-form-actions' }, submit, h('button', { type: 'button', text: t('common.cancel'), on: { click: close } })));
			dialog.append(form);
			const fields = { name, amount, unit, active, 'deadline.amount': amount, 'deadline.unit': unit };
			form.addEventListener('submit', async (e) => {
				e.preventDefault();
				for (const f of [name, amount, unit, active]) f.setError(null);
				const body = { name: name.input.value.trim(), deadline: { amount: Number(amount.input.value), unit: unit.input.value }, active: active.input.checked };
				if (!body.name) {
					name.setError(t('common.field_required'));
					name.input.focus();
					return;
				}
				const a = body.deadline.amount;
				if (!Number.isInteger(a) || a < 1 || a > UNIT_MAX[body.deadline.unit]) {
					amount.setError(t('admin.categories.amountRule'));
					amount.input.focus();
					return;
				}
				submit.disabled = true;
				try {
					const res = await withProgress(form, api.raw('PATCH', `/api/v1/categories/${code}`, { body, headers: { 'If-Match': etag } }));
					if (res.status === 412) {
						form.prepend(h('p', { class: 'form-alert', attrs: { role: 'alert' } }, t('admin.stale'), ' ',
							h('button', { type: 'button', class: 'small', text: t('admin.reload'), on: { click: () => { close(); edit(code); } } })));
						return;
					}
					if (res.status !== 200) throw new ApiError(res.status, res.data);
					toast(t('admin.categories.saved', { code }), 'ok');
					close();
					items = items.map((x) => (x.code === code ? res.data : x));
					draw();
				} catch (err) {
					showFormError(form, fields, err);
				} finally {
					submit.disabled = false;
				}
			});
		});
	}

	search.input.addEventListener('input', draw);
	inactive.input.addEventListener('change', draw);

	// The CSV upload.
	const file = field({ label: t('admin.categories.csvFile'), name: 'file', type: 'file', required: true, attrs: { accept: '.csv,text/csv' } });
	const progress = progressBar();
	const result = h('div', { class: 'admin-import-result' });
	const submit = h('button', { type: 'submit', class: 'primary', text: t('admin.upload') });
	const form = h('form', { class: 'admin-form', attrs: { novalidate: '' } }, file.el, submit, progress.el);
	const download = h('button', { type: 'button', text: t('admin.categories.download'), on: { click: () => {
		const url = URL.createObjectURL(new Blob([categoriesCsv(items)], { type: 'text/csv;charset=utf-8' }));
		const a = h('a', { href: url, attrs: { download: 'categories.csv' }, hidden: true });
		document.body.append(a);
		a.click();
		a.remove();
		setTimeout(() => URL.revokeObjectURL(url), 10000);
	} } });
	uploadCard.append(h('h2', { id: 'cat-upload-title', text: t('admin.categories.upload') }), h('p', { class: 'hint', text: t('admin.categories.uploadHint') }), h('p', {}, download), form, result);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		result.replaceChildren();
		const res = await uploadChosen(ctx, { file, max: CSV_MAX, maxText: '4 MB', submit, progress, method: 'PUT', path: '/api/v1/categories', type: 'text/csv; charset=utf-8' });
		if (!res) return;
		if (res.status === 200) {
			const text = t('admin.categories.uploadDone', { rows: fmtNumber(res.data.rows), changed: fmtNumber(res.data.changed) });
			result.append(h('p', { class: 'admin-ok', attrs: { role: 'status' }, text }));
			toast(text, 'ok');
			await load();
			return;
		}
		if (res.status === 422 && res.data && Array.isArray(res.data.problems)) {
			result.append(
				h('p', { class: 'form-alert', attrs: { role: 'alert' }, text: t('admin.categories.uploadRefused', { refused: fmtNumber(res.data.refused) }) }),
				dataTable(t('admin.regions.problems'), [
					{ label: t('admin.categories.line'), value: (p) => String(p.line) },
					{ label: t('admin.categories.code'), value: (p) => p.code || '—' },
					{ label: t('admin.categories.column'), value: (p) => p.field || '—' },
					{ label: t('admin.categories.reason'), value: (p) => p.reason },
				], res.data.problems, { className: 'admin-problems' }),
			);
			return;
		}
		result.append(h('p', { class: 'form-alert', attrs: { role: 'alert' }, text: errorText(new ApiError(res.status, res.data)) }));
	});

	await load();
}
