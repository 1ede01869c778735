// caselist_common.js - what the case list and the home pages share: the status and kind
// names, the category names (one request per session), region names (cached), who may
// report a case, and a compact case row.
import { api } from './api.js';
import { t } from './i18n.js';
import { h, statusBadge, deadlineBadge } from './ui.js';

// Every status of every kind (API.md; the kinds' own after the base ones).
export const STATUSES = [
	'reported', 'registered', 'dispatched', 'in_progress', 'resolved', 'closed', 'suspended', 'rejected', 'merged',
	'mediating', 'agreement', 'failed', 'confirmed',
	'reviewing', 'reviewed', 're_reviewing', 'final',
];
export const KINDS = ['event', 'service', 'hazard', 'dispute', 'petition'];

// Roles that report cases from the console.
const CREATORS = ['grid_worker', 'dispatcher', 'mediator', 'petition_officer', 'citizen'];
export const canCreate = (ctx) => CREATORS.some((r) => ctx.hasRole(r));

// A label that never shows a raw key: the catalogue's text, else the fallback.
export function label(key, fallback) {
	const s = t(key);
	return s && s !== key ? s : fallback;
}
export const statusLabel = (s) => label(`status.${s}`, s);
export const kindLabel = (k) => label(`kind.${k}`, k);

let categories = null;
/* Map code → {code, name, kind, parent}; empty when the request fails (the list still
 * shows the codes). */
export function loadCategories() {
	if (!categories) {
		categories = api
			.get('/api/v1/categories')
			.then((r) => new Map((r?.items || []).map((c) => [c.code, c])))
			.catch(() => {
				categories = null;
				return new Map();
			});
	}
	return categories;
}

const regionNames = new Map(); // code → Promise of name or null
export function regionName(code) {
	if (!code) return Promise.resolve(null);
	if (!regionNames.has(code)) {
		regionNames.set(
			code,
			api.get(`/api/v1/regions/${encodeURIComponent(code)}`).then(
				(r) => r?.name || null,
				() => null,
			),
		);
	}
	return regionNames.get(code);
}

/* Fills `el` with the name of region `code` when it arrives (nothing until then). */
export function fillRegionName(el, code) {
	regionName(code).then((name) => {
		if (name) el.textContent = name;
	});
}

/* A query object → "status=…&q=…" without empty values, in a stable order. */
export function queryString(q) {
	const p = new URLSearchParams();
	for (const k of Object.keys(q).sort()) {
		const v = q[k];
		if (v !== undefined && v !== null && v !== '' && v !== false) p.set(k, String(v));
	}
	return p.toString();
}

export const listHref = (q) => {
	const s = queryString(q);
	return s ? `#/cases?${s}` : '#/cases';
};

/* One case as a compact list item (home page sections). */
export function caseItem(c, cats) {
	const cat = cats.get(c.category);
	const flags = [];
	if (c.supervised) flags.push(h('span', { class: 'cl-flag cl-flag-supervised', text: t('cases_list.supervised_mark') }));
	if (c.escalations > 0) flags.push(h('span', { class: 'cl-flag cl-flag-escalated', text: t('cases_list.escalated_mark') }));
	return h(
		'li',
		{ class: 'cl-item' },
		h('a', { class: 'cl-item-title', attrs: { href: `#/cases/${c.id}` } }, h('span', { class: 'cl-number', text: c.number }), ' ', c.title),
		h('div', { class: 'cl-item-meta' }, cat ? h('span', { class: 'cl-cat', text: cat.name }) : null, statusBadge(c.status), c.deadline ? deadlineBadge(c) : null, ...flags),
	);
}

/* ---- a region tree select (the foundation's regionPicker asks for limit=500, which
 * the API refuses: 400 INVALID_QUERY; this one pages by 200) ---- */
const childCache = new Map();
function childrenOf(code) {
	if (!childCache.has(code)) {
		const all = async () => {
			const items = [];
			let cursor;
			for (let i = 0; i < 50; i++) {
				const r = await api.get('/api/v1/regions', { parent: code, limit: 200, cursor });
				items.push(...(r?.items || []));
				cursor = r?.next_cursor;
				if (!cursor) break;
			}
			return items;
		};
		childCache.set(
			code,
			all().catch((e) => {
				childCache.delete(code);
				throw e;
			}),
		);
	}
	return childCache.get(code);
}

/* → {el, value(), ready}: a fieldset with one labelled select per level below `root`
 * (the user's home region), down to `value`; onChange(code) with the deepest choice (root
 * when none). */
export function regionTree({ value, root, label, onChange, errorText }) {
	const el = h('fieldset', { class: 'region-picker' }, h('legend', { text: label }));
	const rows = h('div', { class: 'region-rows' });
	el.append(rows);
	let current = value || root;
	const selects = [];
	let n = 0;
	async function addLevel(parent, selected, depth) {
		let items;
		try {
			items = await childrenOf(parent);
		} catch (e) {
			rows.append(h('p', { class: 'field-error', text: errorText ? errorText(e) : String(e.message || e) }));
			return null;
		}
		if (!items.length) return null;
		const sel = h(
			'select',
			{ id: `cl-region-${++n}`, attrs: { 'aria-label': depth === 0 ? label : t('region.children') } },
			h('option', { value: '', text: t('common.all') }),
			items.map((r) => h('option', { value: r.code, selected: r.code === selected, text: r.name })),
		);
		sel.addEventListener('change', async () => {
			const i = selects.indexOf(sel);
			for (const s of selects.splice(i + 1)) s.remove();
			current = sel.value || parent;
			onChange && onChange(current);
			if (sel.value) await addLevel(sel.value, null, depth + 1);
		});
		selects.push(sel);
		rows.append(sel);
		return sel;
	}
	const ready = (async () => {
		const chain = [];
		let c = value;
		for (let i = 0; c && c !== root && i < 6; i++) {
			chain.unshift(c);
			try {
				const r = await api.get(`/api/v1/regions/${encodeURIComponent(c)}`);
				c = r?.parent;
			} catch {
				break;
			}
		}
		let parent = root;
		for (let i = 0; i <= chain.length; i++) {
			const sel = await addLevel(parent, chain[i] || null, i);
			if (!sel || !chain[i]) break;
			parent = chain[i];
		}
		// Nothing below the home region (a grid worker's grid): no picker to show.
		if (!selects.length && !rows.childElementCount) el.hidden = true;
	})();
	return { el, value: () => current, ready };
}
