// admin_users.js - #/admin/users: accounts for the security administrator (the auditor
// may look): list with filters, create, edit roles/region/department, lock/unlock,
// reset the password. The API is /api/v1/users (docs/api.md "Users").
import { api, errorText, loadDepartments } from '../api.js';
import { t } from '../i18n.js';
import { busyUntil, emptyState, field, h, pageTitle, showFormError, toast, withProgress } from '../ui.js';
import { adminRegionPicker, dataTable, guard, openDialog } from './admin_shared.js';

const ROLES = ['sysadmin', 'secadmin', 'auditor', 'leader', 'dispatcher', 'department', 'grid_worker', 'mediator', 'petition_officer', 'citizen'];
const ADMIN_ROLES = ['sysadmin', 'secadmin', 'auditor'];
const USERNAME_RE = /^[a-z0-9_.-]{2,64}$/;

/* The password rules of docs/api.md, checked before the server does. */
export function passwordProblem(password, username) {
	if (password.length < 10) return true;
	const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
	if (classes < 3) return true;
	return username && password.toLowerCase().includes(username.toLowerCase());
}

function userState(u) {
	if (u.disabled) return 'disabled';
	if (u.locked) return 'locked';
	return 'active';
}

/* Region code → name, fetched once each. */
const regionNames = new Map();
async function regionName(code) {
	if (!code) return '';
	if (!regionNames.has(code)) regionNames.set(code, api.get(`/api/v1/regions/${code}`).then((r) => r.name, () => code));
	return regionNames.get(code);
}

function rolesFieldset(selected, idPrefix) {
	const boxes = new Map();
	const error = h('p', { class: 'field-error', hidden: true, id: `${idPrefix}-roles-error` });
	const fs = h('fieldset', { class: 'admin-roles', attrs: { 'aria-describedby': `${idPrefix}-roles-hint ${idPrefix}-roles-error` } },
		h('legend', { text: t('admin.users.roles') }),
		h('p', { class: 'field-hint', id: `${idPrefix}-roles-hint`, text: t('admin.users.rolesHint') }),
		h('div', { class: 'admin-roles-grid' }, ROLES.map((r) => {
			const id = `${idPrefix}-role-${r}`;
			const box = h('input', { type: 'checkbox', id, attrs: { name: 'roles', value: r } });
			box.checked = selected.includes(r);
			boxes.set(r, box);
			return h('label', { class: 'admin-check', for: id }, box, ` ${t(`role.${r}`)}`);
		})),
		error);
	return {
		el: fs,
		input: [...boxes.values()][0],
		value: () => ROLES.filter((r) => boxes.get(r).checked),
		boxes,
		setError(text) {
			error.hidden = !text;
			error.textContent = text || '';
			fs.setAttribute('aria-invalid', text ? 'true' : 'false');
			fs.classList.toggle('invalid', !!text);
		},
	};
}

/* A region picker (ui.js) with an error line, shaped as field() returns. */
export function regionField(label, value, { maxLevel = 'grid', onChange } = {}) {
	const error = h('p', { class: 'field-error', hidden: true });
	const picker = adminRegionPicker({ value, label, maxLevel, onChange });
	const el = h('div', { class: 'field admin-region-field' }, picker.el, error);
	const input = { focus: () => picker.el.querySelector('select')?.focus() };
	return {
		el,
		input,
		value: () => picker.value() || null,
		setError(text) {
			error.hidden = !text;
			error.textContent = text || '';
			for (const sel of picker.el.querySelectorAll('select')) {
				if (text) sel.setAttribute('aria-invalid', 'true');
				else sel.removeAttribute('aria-invalid');
			}
		},
	};
}

/* The user's department is selected when the list comes (busyUntil: not over a hand's choice). */
function departmentField(value) {
	const opts = [{ value: '', label: t('admin.users.departmentNone') }];
	const f = field({ label: t('admin.users.department'), name: 'department', type: 'select', options: opts, value: value ? String(value) : '' });
	busyUntil(f.input, loadDepartments().then((ds) => {
		for (const d of ds) f.input.append(h('option', { value: String(d.id), text: `${d.name}（${d.code}）` }));
		if (value) f.input.value = String(value);
	})).catch(() => {});
	return f;
}

/* The user form: create (u null) or edit. Resolves when saved. */
function userDialog(ctx, u, onSaved) {
	const creating = !u;
	openDialog(creating ? t('admin.users.new') : t('admin.users.editTitle', { username: u.username }), (dialog, close) => {
		const f = {};
		const form = h('form', { class: 'admin-form', attrs: { novalidate: '' } });
		if (creating) {
			f.username = field({ label: t('admin.users.username'), name: 'username', required: true, hint: t('admin.users.usernameHint'), attrs: { autocomplete: 'off', maxlength: '64' } });
		}
		f.name = field({ label: t('admin.users.name'), name: 'name', required: true, value: u?.name ?? '', attrs: { maxlength: '64' } });
		f.roles = rolesFieldset(u?.roles ?? [], creating ? 'new' : `u${u.id}`);
		f.region = regionField(t('admin.users.homeRegion'), u?.region ?? null);
		f.department = departmentField(u?.department ?? null);
		const showDept = () => (f.department.el.hidden = !f.roles.value().includes('department'));
		f.roles.el.addEventListener('change', showDept);
		showDept();
		if (creating) {
			f.password = field({ label: t('admin.users.password'), name: 'password', type: 'password', required: true, hint: t('admin.users.passwordRules'), attrs: { autocomplete: 'new-password' } });
		}
		const submit = h('button', { type: 'submit', class: 'primary', text: creating ? t('common.create') : t('common.save') });
		form.append(...Object.values(f).map((x) => x.el), h('div', { class: 'admin-form-actions' }, submit, h('button', { type: 'button', text: t('common.cancel'), on: { click: close } })));
		dialog.append(form);
		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			for (const x of Object.values(f)) x.setError(null);
			const body = { name: f.name.input.value.trim(), roles: f.roles.value(), region: f.region.value() };
			const dept = f.department.input.value;
			let bad = null;
			const fail = (k, text) => {
				f[k].setError(text);
				bad = bad || f[k];
			};
			if (creating) {
				body.username = f.username.input.value.trim();
				if (!USERNAME_RE.test(body.username)) fail('username', t('admin.users.err.username'));
			}
			if (!body.name) fail('name', t('common.field_required'));
			if (!body.roles.length) fail('roles', t('admin.users.err.roles'));
			else if (body.roles.length > 1 && body.roles.some((r) => ADMIN_ROLES.includes(r))) fail('roles', t('admin.users.err.adminRoles'));
			if (!body.region) fail('region', t('common.field_required'));
			if (body.roles.includes('department')) {
				if (!dept) fail('department', t('admin.users.err.department'));
				else body.department = Number(dept);
			}
			if (creating) {
				body.password = f.password.input.value;
				if (passwordProblem(body.password, body.username)) fail('password', t('admin.users.err.password') + t('admin.users.passwordRules'));
			}
			if (bad) {
				bad.input?.focus?.();
				return;
			}
			try {
				submit.disabled = true;
				const saved = await withProgress(form, creating ? api.post('/api/v1/users', body) : api.patch(`/api/v1/users/${u.id}`, body));
				toast(t(creating ? 'admin.users.created' : 'admin.users.updated', { username: saved.username }), 'ok');
				close();
				onSaved(saved);
			} catch (err) {
				showFormError(form, f, err);
			} finally {
				submit.disabled = false;
			}
		});
	});
}

function passwordDialog(u) {
	openDialog(t('admin.users.resetTitle', { username: u.username }), (dialog, close) => {
		const form = h('form', { class: 'admin-form', attrs: { novalidate: '' } });
		const pw = field({ label: t('admin.users.newPassword'), name: 'password', type: 'password', required: true, hint: t('admin.users.passwordRules'), attrs: { autocomplete: 'new-password' } });
		const submit = h('button', { type: 'submit', class: 'primary', text: t('admin.users.reset') });
		form.append(pw.el, h('div', { class: 'admin-form-actions' }, submit, h('button', { type: 'button', text: t('common.cancel'), on: { click: close } })));
		dialog.append(form);
		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			pw.setError(null);
			if (passwordProblem(pw.input.value, u.username)) {
				pw.setError(t('admin.users.err.password') + t('admin.users.passwordRules'));
				pw.input.focus();
				return;
			}
			try {
				submit.disabled = true;
				await withProgress(form, api.post(`/api/v1/users/${u.id}/password`, { password: pw.input.value }));
				toast(t('admin.users.resetDone', { username: u.username }), 'ok');
				close();
			} catch (err) {
				showFormError(form, { password: pw }, err);
			} finally {
				submit.disabled = false;
			}
		});
	});
}

export default async function render(view, ctx) {
	/* Accounts are the security administrator's (三员分立); the auditor may look. */
	if (!guard(view, ctx, ['secadmin', 'auditor'], ['secadmin'])) return;
	const canWrite = ctx.hasRole('secadmin');
	pageTitle(view, t('admin.users.title'));

	// Filters.
	const q = field({ label: t('admin.users.q'), name: 'q', value: ctx.query?.q ?? '', attrs: { maxlength: '64', type: 'search' } });
	const role = field({ label: t('admin.users.role'), name: 'role', type: 'select', options: [{ value: '', label: t('common.all') }, ...ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))] });
	const state = field({ label: t('admin.users.state'), name: 'state', type: 'select', options: [{ value: '', label: t('common.all') }, ...['active', 'disabled', 'locked'].map((s) => ({ value: s, label: t(`admin.users.state.${s}`) }))] });
	let region = regionField(t('admin.users.region'), null, { maxLevel: 'village' });
	const filterForm = h('form', { class: 'admin-filters', attrs: { role: 'search', 'aria-label': t('admin.users.filter') } },
		q.el, role.el, region.el, state.el,
		h('div', { class: 'admin-filter-actions' },
			h('button', { type: 'submit', class: 'primary', text: t('common.search') }),
			h('button', { type: 'reset', text: t('common.reset') })));

	const toolbar = h('div', { class: 'admin-toolbar' });
	if (canWrite) toolbar.append(h('button', { type: 'button', class: 'primary', text: t('admin.users.new'), on: { click: () => userDialog(ctx, null, () => load()) } }));
	else toolbar.append(h('p', { class: 'admin-note', text: t('admin.users.readOnly') }));

	const results = h('div', { class: 'admin-results', attrs: { 'aria-live': 'polite' } });
	view.append(filterForm, toolbar, results);

	let items = [];
	let cursor = null;

	const filters = () => ({ q: q.input.value.trim(), role: role.input.value, state: state.input.value, region: region.value() || '' });

	function actionsOf(u) {
		if (!canWrite) return '';
		const box = h('div', { class: 'admin-row-actions' });
		box.append(h('button', { type: 'button', class: 'small', text: t('admin.users.edit'), attrs: { 'aria-label': `${t('admin.users.edit')} ${u.username}` }, on: { click: () => userDialog(ctx, u, () => load()) } }));
		if (u.disabled || u.locked) {
			box.append(h('button', { type: 'button', class: 'small', text: t('admin.users.unlock'), attrs: { 'aria-label': `${t('admin.users.unlock')} ${u.username}` }, on: { click: () => lock(u, false) } }));
		} else if (u.id !== ctx.user?.id) {
			box.append(h('button', { type: 'button', class: 'small', text: t('admin.users.lock'), attrs: { 'aria-label': `${t('admin.users.lock')} ${u.username}` }, on: { click: () => lock(u, true) } }));
		}
		box.append(h('button', { type: 'button', class: 'small', text: t('admin.users.reset'), attrs: { 'aria-label': `${t('admin.users.reset')} ${u.username}` }, on: { click: () => passwordDialog(u) } }));
		return box;
	}

	async function lock(u, on) {
		try {
			if (on) await api.patch(`/api/v1/users/${u.id}`, { disabled: true });
			else {
				if (u.disabled) await api.patch(`/api/v1/users/${u.id}`, { disabled: false });
				if (u.locked) await api.post(`/api/v1/users/${u.id}/unlock`);
			}
			toast(t(on ? 'admin.users.locked' : 'admin.users.unlocked', { username: u.username }), 'ok');
			await load();
		} catch (err) {
			toast(errorText(err), 'error');
		}
	}

	function draw() {
		results.replaceChildren();
		if (!items.length) {
			results.append(emptyState(t('admin.users.empty'), canWrite ? { label: t('admin.users.new'), onClick: () => userDialog(ctx, null, () => load()) } : undefined));
			return;
		}
		const regionCell = (u) => {
			const span = h('span', { text: u.region });
			regionName(u.region).then((n) => (span.textContent = n));
			return span;
		};
		results.append(
			dataTable(t('admin.users.count', { n: items.length }), [
				{ label: t('admin.users.username'), value: (u) => u.username },
				{ label: t('admin.users.name'), value: (u) => u.name },
				{ label: t('admin.users.roles'), value: (u) => u.roles.map((r) => t(`role.${r}`)).join('、') },
				{ label: t('admin.users.homeRegion'), value: regionCell },
				{ label: t('admin.users.state'), value: (u) => h('span', { class: `admin-state admin-state-${userState(u)}`, text: t(`admin.users.state.${userState(u)}`) }) },
				{ label: t('admin.actions'), value: actionsOf },
			], items, { className: 'admin-users-table' }),
		);
		if (cursor) results.append(h('button', { type: 'button', class: 'admin-more', text: t('admin.loadMore'), on: { click: more } }));
	}

	async function fetchPage(after) {
		return api.get('/api/v1/users', { ...filters(), limit: 50, cursor: after });
	}

	async function load() {
		try {
			const r = await withProgress(results, fetchPage(null));
			items = r.items;
			cursor = r.next_cursor;
			draw();
		} catch (err) {
			results.replaceChildren(h('p', { class: 'admin-error', attrs: { role: 'alert' }, text: errorText(err) }));
			for (const [k, fld] of Object.entries({ q, role, state, region })) if (err.field === k) fld.setError(errorText(err));
		}
	}

	async function more() {
		try {
			const r = await withProgress(results, fetchPage(cursor));
			items = items.concat(r.items);
			cursor = r.next_cursor;
			draw();
		} catch (err) {
			toast(errorText(err), 'error');
		}
	}

	filterForm.addEventListener('submit', (e) => {
		e.preventDefault();
		for (const fld of [q, role, state, region]) fld.setError(null);
		load();
	});
	filterForm.addEventListener('reset', () => {
		const fresh = regionField(t('admin.users.region'), null, { maxLevel: 'village' });
		region.el.replaceWith(fresh.el);
		region = fresh;
		setTimeout(load, 0);
	});
	await load();
}
