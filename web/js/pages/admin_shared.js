// admin_shared.js - pieces the administration pages share: the role guard with a
// friendly message, modal dialogs, uploads with progress and problem tables.
import { lang, t } from '../i18n.js';
import { api, errorText } from '../api.js';
import { h, pageTitle, regionChildren } from '../ui.js';
import '../i18n/admin.js';

/* Renders the "no access" message and returns false unless the user holds one of roles;
 * the message names `named` (default: roles). */
export function guard(view, ctx, roles, named = roles) {
	if (roles.some((r) => ctx.hasRole(r))) return true;
	pageTitle(view, t('admin.forbidden.title'));
	const names = named.map((r) => t(`role.${r}`)).join(` ${t('admin.or')} `);
	view.append(
		h('div', { class: 'admin-forbidden', attrs: { role: 'alert' } },
			h('p', { text: t('admin.forbidden.text', { roles: names }) }),
			h('p', {}, h('a', { attrs: { href: '#/' }, text: t('admin.forbidden.home') }))),
	);
	return false;
}

/* A modal <dialog> (Escape closes it; focus returns to where it was). body is built by
 * fill(dialog, close). Returns close(). */
export function openDialog(title, fill) {
	const back = document.activeElement;
	const heading = h('h2', { class: 'admin-dialog-title', text: title });
	const dialog = h('dialog', { class: 'admin-dialog' });
	const close = () => {
		if (dialog.open) dialog.close();
	};
	dialog.addEventListener('close', () => {
		dialog.remove();
		if (back && back.isConnected) back.focus();
	});
	const closeBtn = h('button', { type: 'button', class: 'admin-dialog-close', text: '×', attrs: { 'aria-label': t('common.close') }, on: { click: close } });
	dialog.append(h('div', { class: 'admin-dialog-head' }, heading, closeBtn));
	const id = `dlg-${Math.random().toString(36).slice(2)}`;
	heading.id = id;
	dialog.setAttribute('aria-labelledby', id);
	fill(dialog, close);
	document.body.append(dialog);
	dialog.showModal();
	const first = dialog.querySelector('input:not([type=hidden]), select, textarea');
	if (first) first.focus();
	return close;
}

/* The CSRF token of the session, for requests made without api.js (uploads with progress). */
export function csrfToken(ctx) {
	return ctx.session?.csrf_token ?? ctx.session?.csrf ?? '';
}

/* Sends a file's bytes with XMLHttpRequest to show the upload's progress.
 * Resolves {status, data} (data: the parsed JSON or null); rejects on a network error. */
export function uploadWithProgress(ctx, method, path, file, contentType, onProgress) {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open(method, path);
		xhr.setRequestHeader('Content-Type', contentType);
		xhr.setRequestHeader('X-CSRF-Token', csrfToken(ctx));
		xhr.setRequestHeader('Accept-Language', lang());
		xhr.upload.addEventListener('progress', (e) => {
			if (e.lengthComputable) onProgress(e.loaded / e.total);
		});
		xhr.upload.addEventListener('load', () => onProgress(1));
		xhr.addEventListener('load', () => {
			let data = null;
			try {
				data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
			} catch {
				data = null;
			}
			resolve({ status: xhr.status, data });
		});
		xhr.addEventListener('error', () => reject(new Error('network')));
		xhr.send(file);
	});
}

/* A table with a caption; columns: [{label, value(row) → string|Node}]. */
/* Uploads the file chosen in `file` (a ui.js field) with the progress bar while the
 * button is disabled: → {status, data} (status 0 when the network failed), or null when
 * no file was chosen or it is over `max` bytes (the field says so). */
export async function uploadChosen(ctx, { file, max, maxText, submit, progress, method, path, type }) {
	file.setError(null);
	const f = file.input.files[0];
	if (!f) {
		file.setError(t('admin.chooseFile'));
		file.input.focus();
		return null;
	}
	if (f.size > max) {
		file.setError(t('admin.fileTooLarge', { size: maxText }));
		return null;
	}
	submit.disabled = true;
	try {
		return await uploadWithProgress(ctx, method, path, f, type, (x) => {
			if (x >= 1) progress.busy(t('admin.checking'));
			else progress.set(x, t('admin.uploading', { percent: `${Math.round(x * 100)}%` }));
		});
	} catch {
		return { status: 0, data: null };
	} finally {
		submit.disabled = false;
		progress.hide();
	}
}

export function dataTable(caption, columns, rows, { className = '' } = {}) {
	return h('div', { class: 'table-wrap' },
		h('table', { class: `admin-table ${className}` },
			h('caption', { text: caption }),
			h('thead', {}, h('tr', {}, columns.map((c) => h('th', { attrs: { scope: 'col' }, text: c.label })))),
			h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c, i) => {
				const v = c.value(r);
				const cell = i === 0 ? h('th', { attrs: { scope: 'row' } }) : h('td');
				if (v instanceof Node) cell.append(v);
				else cell.textContent = v ?? '';
				return cell;
			}))))));
}

/* A <progress> with its label, for uploads. */
export function progressBar() {
	const bar = h('progress', { attrs: { max: '100', value: '0' } });
	const label = h('span', { class: 'admin-progress-label' });
	const el = h('div', { class: 'admin-progress', hidden: true, attrs: { role: 'status', 'aria-live': 'polite' } }, bar, label);
	return {
		el,
		set(fraction, text) {
			el.hidden = false;
			bar.value = Math.round(fraction * 100);
			label.textContent = text;
		},
		busy(text) {
			el.hidden = false;
			bar.removeAttribute('value');
			label.textContent = text;
		},
		hide() {
			el.hidden = true;
		},
	};
}

/* The region tree as one select per level, down to grids for the administration pages
 * (sub-regions from ui.js regionChildren, as its regionPicker): → {el, value()}. */
export function adminRegionPicker({ value, label, onChange, maxLevel = 'grid' }) {
	const order = ['city', 'district', 'town', 'village', 'grid'];
	const rows = h('div', { class: 'region-rows' });
	const el = h('fieldset', { class: 'region-picker' }, h('legend', { text: label }), rows);
	let current = value || null;
	const selects = [];
	async function addLevel(parent, selected, depth) {
		let items;
		try {
			items = (await regionChildren(parent)).filter((r) => order.indexOf(r.level) <= order.indexOf(maxLevel));
		} catch (e) {
			rows.append(h('p', { class: 'field-error', text: errorText(e) }));
			return null;
		}
		if (!items.length) return null;
		const sel = h('select', { attrs: { 'aria-label': depth === 0 ? label : `${label} · ${t('region.children')}` } },
			h('option', { value: '', text: depth === 0 ? t('region.choose') : t('common.all') }),
			items.map((r) => h('option', { value: r.code, selected: r.code === selected, text: r.name })));
		sel.addEventListener('change', async () => {
			const i = selects.indexOf(sel);
			for (const s of selects.splice(i + 1)) s.remove();
			current = sel.value || (depth === 0 ? null : parent);
			if (sel.value) await addLevel(sel.value, null, depth + 1);
			if (onChange) onChange(current);
		});
		selects.push(sel);
		rows.append(sel);
		return sel;
	}
	(async () => {
		const chain = [];
		let c = value;
		for (let i = 0; c && i < 6; i++) {
			chain.unshift(c);
			try {
				c = (await api.get(`/api/v1/regions/${encodeURIComponent(c)}`)).parent;
			} catch {
				break;
			}
		}
		/* The top select lists the caller's home region; the chain starts at it. */
		const top = await regionChildren(undefined).catch(() => []);
		while (chain.length && top.length && !top.some((r) => r.code === chain[0])) chain.shift();
		let parent;
		for (let i = 0; i <= chain.length; i++) {
			const sel = await addLevel(parent, chain[i] || null, i);
			if (!sel || !chain[i]) break;
			parent = chain[i];
		}
	})();
	return { el, value: () => current };
}
