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

