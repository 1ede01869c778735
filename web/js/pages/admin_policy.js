// admin_policy.js - #/admin/policy (sysadmin): the escalation policy of the scheduler —
// per handling level the yellow-warning share, whether an overdue case escalates and the
// grace hours, the most escalations, and rules for particular categories — saved as a
// whole under If-Match; a bad value is shown at its field (the server names the path).
import { api, ApiError, errorText } from '../api.js';
import { t } from '../i18n.js';
import { emptyState, field, h, newId, pageTitle, toast, withProgress } from '../ui.js';
import { guard } from './admin_shared.js';

const LEVELS = ['city', 'district', 'town', 'village', 'grid'];
const RULE_DEFAULT = { warn_percent: 80, escalate: true, grace_hours: 0 };
const LIMITS = { warn_percent: [0, 100, 'admin.policy.err.warn'], grace_hours: [0, 8760, 'admin.policy.err.grace'], max_escalations: [0, 4, 'admin.policy.err.max'] };

/* One input in a table cell with its own error line; label is for screen readers. */
function cellInput(path, type, value, label) {
	const id = newId('pol');
	const err = h('p', { class: 'field-error', hidden: true, id: `${id}-err` });
	const input = h('input', { id, type, attrs: { 'aria-label': label, 'aria-describedby': `${id}-err`, name: path } });
	if (type === 'checkbox') input.checked = !!value;
	else {
		input.value = value ?? '';
		input.setAttribute('inputmode', 'numeric');
		input.classList.add('admin-num');
	}
	const setError = (text) => {
		err.textContent = text || '';
		err.hidden = !text;
		if (text) input.setAttribute('aria-invalid', 'true');
		else input.removeAttribute('aria-invalid');
	};
	input.addEventListener('input', () => setError(null));
	return { el: h('div', { class: 'admin-cell' }, input, err), input, setError, path };
}

export default async function render(view, ctx) {
	if (!guard(view, ctx, ['sysadmin'])) return;
	pageTitle(view, t('admin.policy.title'));
	const box = h('div', { class: 'admin-policy' });
	view.append(box);

	let etag = null;
	let categories = [];
	let fields = new Map(); // path → cell
	let overrides = []; // [{code, levels: {lvl: rule|null}, max: n|null}]
	let base = null;

	const catName = (code) => categories.find((c) => c.code === code)?.name ?? '';

	function ruleRow(prefix, level, rule, label, optional) {
		const own = optional ? cellInput(`${prefix}.${level}.own`, 'checkbox', !!rule, `${label} · ${t('admin.policy.useOwn')}`) : null;
		const r = rule || base.levels[level] || RULE_DEFAULT;
		const warn = cellInput(`${prefix}.${level}.warn_percent`, 'number', r.warn_percent, `${label} · ${t('admin.policy.warn')}`);
		const esc = cellInput(`${prefix}.${level}.escalate`, 'checkbox', r.escalate, `${label} · ${t('admin.policy.escalate')}`);
		const grace = cellInput(`${prefix}.${level}.grace_hours`, 'number', r.grace_hours, `${label} · ${t('admin.policy.grace')}`);
		for (const c of [warn, esc, grace]) fields.set(c.path, c);
		const sync = () => {
			for (const c of [warn, esc, grace]) c.input.disabled = own ? !own.input.checked : false;
		};
		if (own) {
			own.input.addEventListener('change', sync);
			fields.set(own.path, own);
			sync();
		}
		return h('tr', {},
			h('th', { attrs: { scope: 'row' }, text: t(`level.${level}`) }),
			optional ? h('td', {}, own.el) : null,
			h('td', {}, warn.el), h('td', {}, esc.el), h('td', {}, grace.el));
	}

	function ruleTable(caption, prefix, levels, optional, who) {
		return h('div', { class: 'table-wrap' }, h('table', { class: 'admin-table admin-policy-table' },
			h('caption', { text: caption }),
			h('thead', {}, h('tr', {},
				h('th', { attrs: { scope: 'col' }, text: t('admin.policy.level') }),
				optional ? h('th', { attrs: { scope: 'col' }, text: t('admin.policy.useOwn') }) : null,
				h('th', { attrs: { scope: 'col', title: t('admin.policy.warnHint') }, text: t('admin.policy.warn') }),
				h('th', { attrs: { scope: 'col' }, text: t('admin.policy.escalate') }),
				h('th', { attrs: { scope: 'col', title: t('admin.policy.graceHint') }, text: t('admin.policy.grace') }))),
			h('tbody', {}, LEVELS.map((l) => ruleRow(prefix, l, levels[l] ?? null, who ? t('admin.policy.overrideLevel', { code: who, level: t(`level.${l}`) }) : t(`level.${l}`), optional)))));
	}

	function draw() {
		fields = new Map();
		const max = field({ label: t('admin.policy.max'), name: 'max_escalations', type: 'number', value: base.max_escalations, attrs: { inputmode: 'numeric', min: '0', max: '4' } });
		fields.set('max_escalations', { ...max, path: 'max_escalations' });
		const overridesBox = h('div', { class: 'admin-overrides' });
		if (!overrides.length) overridesBox.append(emptyState(t('admin.policy.overridesEmpty')));
		for (const o of overrides) {
			const p = `categories.${o.code}`;
			const ownMax = cellInput(`${p}.max.own`, 'checkbox', o.max !== null, `${o.code} · ${t('admin.policy.max')} · ${t('admin.policy.useOwn')}`);
			const maxIn = cellInput(`${p}.max_escalations`, 'number', o.max ?? base.max_escalations, `${o.code} · ${t('admin.policy.max')}`);
			fields.set(ownMax.path, ownMax);
			fields.set(maxIn.path, maxIn);
			const syncMax = () => (maxIn.input.disabled = !ownMax.input.checked);
			ownMax.input.addEventListener('change', syncMax);
			syncMax();
			overridesBox.append(h('section', { class: 'card admin-override', dataset: { code: o.code } },
				h('div', { class: 'admin-override-head' },
					h('h3', { text: `${o.code} ${catName(o.code)}` }),
					h('button', { type: 'button', class: 'small danger', text: t('common.delete'), attrs: { 'aria-label': t('admin.policy.removeOverride', { code: o.code }) }, on: { click: () => {
						collect(false);
						overrides = overrides.filter((x) => x !== o);
						draw();
					} } })),
				ruleTable(`${o.code} ${catName(o.code)}`, `${p}.levels`, o.levels, true, o.code),
				h('div', { class: 'admin-inline-form' }, h('span', { class: 'field-label', text: t('admin.policy.max') }), ownMax.el, maxIn.el)));
		}
		const addSel = field({ label: t('admin.policy.category'), name: 'category', type: 'select', options: categories.filter((c) => !overrides.some((o) => o.code === c.code)).map((c) => ({ value: c.code, label: `${c.code} ${c.name}` })) });
		const addBtn = h('button', { type: 'button', text: t('admin.policy.addOverride') });
		const addForm = h('div', { class: 'admin-inline-form', attrs: { role: 'group', 'aria-label': t('admin.policy.addOverride') } }, addSel.el, addBtn);
		addBtn.addEventListener('click', () => {
			const code = addSel.input.value;
			if (!code) return;
			collect(false);
			overrides.push({ code, levels: {}, max: null });
			draw();
			box.querySelector(`[data-code="${CSS.escape(code)}"] input`)?.focus();
		});
		const alertEl = h('p', { class: 'form-alert', hidden: true, attrs: { role: 'alert' } });
		const saveBtn = h('button', { type: 'submit', class: 'primary', text: t('admin.policy.save') });
		const form = h('form', { class: 'admin-form', attrs: { novalidate: '' } },
			alertEl,
			h('h2', { text: t('admin.policy.levels') }),
			h('p', { class: 'hint', text: t('admin.policy.warnHint') }),
			h('p', { class: 'hint', text: t('admin.policy.graceHint') }),
			ruleTable(t('admin.policy.levels'), 'levels', base.levels, false, null),
			max.el,
			h('h2', { text: t('admin.policy.overrides') }),
			overridesBox,
			addForm,
			h('div', { class: 'admin-form-actions' }, saveBtn));
		form.addEventListener('submit', (e) => {
			e.preventDefault();
			save(form, alertEl, saveBtn);
		});
		box.replaceChildren(form);
	}

	/* Reads the inputs back into base/overrides; with check, marks bad values and
	 * returns false. */
	function collect(check) {
		let firstBad = null;
		const num = (path) => {
			const c = fields.get(path);
			const v = c.input.value.trim();
			const key = path.split('.').pop();
			const [lo, hi, msg] = LIMITS[key];
			const n = Number(v);
			if (check && !c.input.disabled && (v === '' || !Number.isInteger(n) || n < lo || n > hi)) {
				c.setError(t(msg));
				firstBad = firstBad || c.input;
			}
			return v === '' ? null : n;
		};
		const rule = (prefix, l) => ({ warn_percent: num(`${prefix}.${l}.warn_percent`), escalate: fields.get(`${prefix}.${l}.escalate`).input.checked, grace_hours: num(`${prefix}.${l}.grace_hours`) });
		for (const l of LEVELS) base.levels[l] = rule('levels', l);
		base.max_escalations = num('max_escalations');
		for (const o of overrides) {
			const p = `categories.${o.code}`;
			for (const l of LEVELS) o.levels[l] = fields.get(`${p}.levels.${l}.own`).input.checked ? rule(`${p}.levels`, l) : null;
			o.max = fields.get(`${p}.max.own`).input.checked ? num(`${p}.max_escalations`) : null;
		}
		if (firstBad) firstBad.focus();
		return !firstBad;
	}

	function payload() {
		const cats = {};
		for (const o of overrides) {
			const levels = {};
			for (const l of LEVELS) if (o.levels[l]) levels[l] = o.levels[l];
			cats[o.code] = o.max === null ? { levels } : { levels, max_escalations: o.max };
		}
		return { levels: base.levels, max_escalations: base.max_escalations, categories: cats };
	}

	async function save(form, alertEl, saveBtn) {
		alertEl.hidden = true;
		for (const c of fields.values()) c.setError(null);
		if (!collect(true)) {
			alertEl.textContent = t('admin.policy.fixErrors');
			alertEl.hidden = false;
			return;
		}
		saveBtn.disabled = true;
		try {
			const res = await withProgress(form, api.raw('PUT', '/api/v1/escalation-policy', { body: payload(), headers: { 'If-Match': etag } }));
			if (res.status === 412) {
				alertEl.replaceChildren(t('admin.stale'), ' ', h('button', { type: 'button', class: 'small', text: t('admin.reload'), on: { click: () => load() } }));
				alertEl.hidden = false;
				return;
			}
			if (res.status !== 200) {
				const err = new ApiError(res.status, res.data);
				const f = err.field && (fields.get(err.field) || [...fields.values()].find((c) => c.path.startsWith(`${err.field}.`)));
				if (f) {
					f.setError(errorText(err));
					f.input.focus();
				} else {
					alertEl.textContent = errorText(err);
					alertEl.hidden = false;
				}
				return;
			}
			etag = res.headers.get('ETag');
			take(res.data);
			draw();
			toast(t('admin.policy.saved'), 'ok');
		} finally {
			saveBtn.disabled = false;
		}
	}

	function take(p) {
		base = { levels: { ...p.levels }, max_escalations: p.max_escalations };
		overrides = Object.entries(p.categories || {}).map(([code, o]) => ({ code, levels: { ...(o.levels || {}) }, max: o.max_escalations ?? null }));
	}

	async function load() {
		try {
			const [res, cats] = await withProgress(box, Promise.all([api.raw('GET', '/api/v1/escalation-policy'), api.get('/api/v1/categories')]));
			if (res.status !== 200) throw new ApiError(res.status, res.data);
			etag = res.headers.get('ETag');
			categories = cats.items;
			take(res.data);
			draw();
		} catch (err) {
			box.replaceChildren(h('p', { class: 'form-alert', attrs: { role: 'alert' }, text: errorText(err) }));
		}
	}
	await load();
}
