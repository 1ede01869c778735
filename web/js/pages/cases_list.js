// pages/cases_list.js - #/cases: the case list with its filters kept in the hash query
// (#/cases?status=…&q=…, so a filtered list can be bookmarked and Back works), keyset
// paging ("load more" through next_cursor), and named filters saved in localStorage per
// user. Rows: number, title (link to #/cases/{id}), category, status, deadline and the
// grid's or region's name; cards under 600 px (css/cases.css).
import { api, errorText } from '../api.js';
import { register, t, fmtDate, fmtNumber } from '../i18n.js';
import { h, field, emptyState, withProgress, toast, pageTitle, statusBadge, deadlineBadge, regionPicker } from '../ui.js';
import catalogue from '../i18n/cases_list.js';
import { STATUSES, KINDS, canCreate, fillRegionName, kindLabel, listHref, loadCategories, regionName, statusLabel } from '../caselist_common.js';

register(catalogue);

const PAGE = 30;
// The hash parameters the list understands (GET /api/v1/cases); anything else is dropped.
const KEYS = ['q', 'status', 'open', 'kind', 'category', 'region', 'overdue', 'supervised', 'escalated', 'department', 'grid', 'due_before'];
// Shown as removable conditions rather than as form fields (set by links of the home page).
const CHIPS = ['department', 'grid', 'due_before'];

function readQuery(ctx) {
	const src = ctx.query instanceof URLSearchParams ? Object.fromEntries(ctx.query) : ctx.query || {};
	const q = {};
	for (const k of KEYS) if (typeof src[k] === 'string' && src[k] !== '') q[k] = src[k];
	return q;
}

const sameQuery = (a, b) => listHref(a) === listHref(b);

/* ---- saved filters: [{name, query}] in localStorage, per user ---- */

function storeKey(ctx) {
	return `civicgrid.cases_list.saved.${ctx.user?.username || ctx.session?.user?.username || 'anonymous'}`;
}

function loadSaved(ctx) {
	try {
		const v = JSON.parse(localStorage.getItem(storeKey(ctx)) || '[]');
		return Array.isArray(v) ? v.filter((x) => x && typeof x.name === 'string' && x.query && typeof x.query === 'object') : [];
	} catch {
		return [];
	}
}

function storeSaved(ctx, list) {
	try {
		localStorage.setItem(storeKey(ctx), JSON.stringify(list));
		return true;
	} catch {
		return false;
	}
}

/* ---- the page ---- */

export default async function render(view, ctx) {
	const query = readQuery(ctx);
	const go = (q) => {
		const href = listHref(q);
		if (location.hash === href) reload();
		else ctx.navigate(href);
	};

	const head = h('div', { class: 'cl-head' });
	view.append(head);
	pageTitle(head, t('cases_list.title'));
	if (canCreate(ctx)) head.append(h('a', { class: 'button primary cl-new', attrs: { href: '#/cases/new' }, text: t('cases_list.new_case') }));

	const cats = await loadCategories();

	/* The filter form. */
	const fq = field({ label: t('cases_list.q'), name: 'q', type: 'text', value: query.q || '', hint: t('cases_list.q_hint'), attrs: { maxlength: '100', autocomplete: 'off', type: 'search' } });
	const statusOptions = [{ value: '', label: t('cases_list.status_any') }, ...STATUSES.map((s) => ({ value: s, label: statusLabel(s) }))];
	if (query.status && query.status.includes(',')) {
		statusOptions.splice(1, 0, { value: query.status, label: t('cases_list.status_list', { list: query.status.split(',').map(statusLabel).join('、') }) });
	}
	const fstatus = field({ label: t('cases_list.status'), name: 'status', type: 'select', value: query.status || '', options: statusOptions });
	const fopen = field({
		label: t('cases_list.state'),
		name: 'open',
		type: 'select',
		value: query.open || '',
		options: [
			{ value: '', label: t('cases_list.state_any') },
			{ value: 'true', label: t('cases_list.state_open') },
			{ value: 'false', label: t('cases_list.state_finished') },
		],
	});
	const fkind = field({ label: t('cases_list.kind'), name: 'kind', type: 'select', value: query.kind || '', options: [{ value: '', label: t('cases_list.kind_any') }, ...KINDS.map((k) => ({ value: k, label: kindLabel(k) }))] });
	const categoryOptions = (kind) => [
		{ value: '', label: t('cases_list.category_any') },
		...[...cats.values()]
			.filter((c) => c.parent && (!kind || c.kind === kind))
			.sort((a, b) => (a.code < b.code ? -1 : 1))
			.map((c) => ({ value: c.code, label: c.name })),
	];
	const fcat = field({ label: t('cases_list.category'), name: 'category', type: 'select', value: query.category || '', options: categoryOptions(query.kind) });
	if (query.category && !cats.has(query.category)) fcat.input.append(h('option', { value: query.category, text: query.category }));
	fcat.input.value = query.category || '';
	fkind.input.addEventListener('change', () => {
		const keep = fcat.input.value;
		fcat.input.replaceChildren(...categoryOptions(fkind.input.value).map((o) => h('option', { value: o.value, text: o.label })));
		fcat.input.value = [...fcat.input.options].some((o) => o.value === keep) ? keep : '';
	});

	// The region tree below the user's home region (the API keeps the list in scope);
	// none for a grid worker, whose scope is one grid.
	const root = ctx.user?.region || undefined;
	let region = query.region || '';
	let fregion = null;
	if (!/^\d{15}$/.test(root || '')) {
		const picker = regionPicker({ value: region || undefined, root, label: t('cases_list.region'), maxLevel: 'grid', onChange: (code) => (region = code && code !== root ? code : '') });
		fregion = h('div', { class: 'cl-region' }, picker.el);
	}

	const check = (name, key) => field({ label: t(key), name, type: 'checkbox', value: query[name] === 'true' });
	const foverdue = check('overdue', 'cases_list.overdue');
	const fsup = check('supervised', 'cases_list.supervised');
	const fesc = check('escalated', 'cases_list.escalated');
	for (const f of [foverdue, fsup, fesc]) f.input.checked = query[f.input.name] === 'true';

	const chips = h('div', { class: 'cl-chips' });
	const chipLabel = (k, v) => {
		if (k === 'department') return v === 'mine' ? t('cases_list.chip_department_mine') : t('cases_list.chip_department', { value: v });
		if (k === 'due_before') return t('cases_list.chip_due_before', { value: /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : fmtDate(v) || v });
		return t('cases_list.chip_grid', { value: v });
	};
	const chipKeys = CHIPS.filter((k) => query[k]);
	for (const k of chipKeys) {
		const text = chipLabel(k, query[k]);
		const textEl = h('span', { text });
		if (k === 'grid') regionNameChip(textEl, query.grid);
		chips.append(
			h('button', {
				type: 'button',
				class: 'cl-chip',
				attrs: { 'aria-label': t('cases_list.chip_remove', { label: text }) },
				on: {
					click: () => {
						const q = { ...query };
						delete q[k];
						go(q);
					},
				},
			}, textEl, h('span', { class: 'cl-chip-x', attrs: { 'aria-hidden': 'true' }, text: '×' })),
		);
	}

	const form = h(
		'form',
		{ class: 'cl-form', attrs: { role: 'search', 'aria-label': t('cases_list.filters'), novalidate: '' } },
		h('div', { class: 'cl-fields' }, fq.el, fstatus.el, fopen.el, fkind.el, fcat.el, fregion),
		h('div', { class: 'cl-checks' }, foverdue.el, fsup.el, fesc.el),
		chipKeys.length ? h('div', { class: 'cl-more' }, h('span', { class: 'cl-more-label', text: t('cases_list.more_filters') }), chips) : null,
		h(
			'div',
			{ class: 'cl-buttons' },
			h('button', { type: 'submit', class: 'primary', text: t('cases_list.apply') }),
			h('button', { type: 'button', text: t('cases_list.reset'), on: { click: () => go({}) } }),
		),
	);
	const formQuery = () => {
		const q = {};
		const put = (k, v) => {
			if (v) q[k] = v;
		};
		put('q', fq.input.value.trim());
		put('status', fstatus.input.value);
		put('open', fopen.input.value);
		put('kind', fkind.input.value);
		put('category', fcat.input.value);
		put('region', region);
		for (const f of [foverdue, fsup, fesc]) if (f.input.checked) q[f.input.name] = 'true';
		for (const k of chipKeys) q[k] = query[k];
		return q;
	};
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		go(formQuery());
	});

	/* Saved filters. */
	const savedList = h('ul', { class: 'cl-saved-list' });
	const savedEmpty = h('p', { class: 'cl-saved-none', text: t('cases_list.saved_none') });
	const fname = field({ label: t('cases_list.save_name'), name: 'filter_name', type: 'text', hint: t('cases_list.save_hint'), attrs: { maxlength: '40', autocomplete: 'off' } });
	const saveForm = h('form', { class: 'cl-save-form', attrs: { novalidate: '' } }, fname.el, h('button', { type: 'submit', text: t('cases_list.save') }));
	const drawSaved = (focusIndex) => {
		const list = loadSaved(ctx);
		savedEmpty.hidden = list.length > 0;
		savedList.replaceChildren(
			...list.map((s, i) => {
				const current = sameQuery(s.query, query);
				return h(
					'li',
					{ class: current ? 'cl-saved-item current' : 'cl-saved-item' },
					h('button', {
						type: 'button',
						class: 'cl-saved-apply',
						text: s.name,
						attrs: { 'aria-label': t('cases_list.apply_saved', { name: s.name }), ...(current ? { 'aria-current': 'true' } : {}) },
						on: { click: () => go(s.query) },
					}),
					h('button', {
						type: 'button',
						class: 'cl-saved-delete',
						attrs: { 'aria-label': t('cases_list.delete_saved', { name: s.name }), title: t('cases_list.delete_saved', { name: s.name }) },
						text: '×',
						on: {
							click: () => {
								const next = loadSaved(ctx).filter((x) => x.name !== s.name);
								if (!storeSaved(ctx, next)) return toast(t('cases_list.save_failed'), 'error');
								toast(t('cases_list.deleted_ok', { name: s.name }), 'success');
								drawSaved(Math.min(i, next.length - 1));
							},
						},
					}),
				);
			}),
		);
		if (focusIndex !== undefined) {
			const target = focusIndex >= 0 ? savedList.querySelectorAll('.cl-saved-apply')[focusIndex] : null;
			(target || fname.input).focus();
		}
	};
	saveForm.addEventListener('submit', (e) => {
		e.preventDefault();
		const name = fname.input.value.trim();
		if (!name) {
			fname.setError(t('cases_list.save_name_required'));
			fname.input.focus();
			return;
		}
		fname.setError(null);
		const list = loadSaved(ctx);
		const q = formQuery();
		const at = list.findIndex((x) => x.name === name);
		if (at >= 0) list[at] = { name, query: q };
		else list.push({ name, query: q });
		if (!storeSaved(ctx, list)) return toast(t('cases_list.save_failed'), 'error');
		toast(t(at >= 0 ? 'cases_list.saved_replaced' : 'cases_list.saved_ok', { name }), 'success');
		fname.input.value = '';
		drawSaved();
	});
	drawSaved();

	// Under 600 px the two boxes start folded (the list comes first on a phone).
	const phone = typeof matchMedia === 'function' && matchMedia('(max-width: 600px)').matches;
	const active = Object.keys(query).length;
	const box = (cls, title, ...content) => h('details', { class: `cl-box ${cls}`, open: !phone }, h('summary', {}, h('h2', { text: title })), ...content);
	const aside = h(
		'div',
		{ class: 'cl-side' },
		box('cl-filters', active ? `${t('cases_list.filters')}（${fmtNumber(active)}）` : t('cases_list.filters'), form),
		box('cl-saved', t('cases_list.saved'), savedEmpty, savedList, saveForm),
	);

	/* Results. */
	const status = h('p', { class: 'cl-count', attrs: { role: 'status', 'aria-live': 'polite' } });
	const tbody = h('tbody');
	const cols = ['number', 'title', 'category', 'status', 'deadline', 'place'];
	const table = h(
		'table',
		{ class: 'cl-table' },
		h('caption', { class: 'sr-only', text: t('cases_list.caption') }),
		h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { attrs: { scope: 'col' }, text: t(`cases_list.col_${c}`) })))),
		tbody,
	);
	const more = h('button', { type: 'button', class: 'cl-more-button', text: t('cases_list.more'), hidden: true });
	const results = h('div', { class: 'cl-results' }, status, table, more);
	view.append(h('div', { class: 'cl-layout' }, aside, results));

	const row = (c) => {
		const cat = cats.get(c.category);
		const place = h('span', { class: 'cl-place' });
		fillRegionName(place, c.grid || c.region);
		const marks = [];
		if (c.supervised) marks.push(h('span', { class: 'cl-flag cl-flag-supervised', text: t('cases_list.supervised_mark') }));
		if (c.escalations > 0) marks.push(h('span', { class: 'cl-flag cl-flag-escalated', text: t('cases_list.escalated_mark') }));
		const td = (col, ...children) => h('td', { class: `cl-c-${col}`, dataset: { label: t(`cases_list.col_${col}`) } }, ...children);
		return h(
			'tr',
			{},
			td('number', h('span', { class: 'cl-number', text: c.number })),
			td('title', h('a', { attrs: { href: `#/cases/${c.id}` }, text: c.title || c.number }), ...marks),
			td('category', cat ? cat.name : c.category),
			td('status', statusBadge(c.status)),
			td('deadline', c.deadline ? deadlineBadge(c) : ''),
			td('place', place),
		);
	};

	let cursor = null;
	let shown = 0;
	const filtered = Object.keys(query).length > 0;
	const showCount = () => {
		status.textContent = t(cursor ? 'cases_list.count_more' : 'cases_list.count', { n: fmtNumber(shown) });
	};
	const fetchPage = (after) => api.get('/api/v1/cases', { ...query, limit: PAGE, cursor: after || undefined });
	// A filter the server refuses (an edited address): clearing them is the way out.
	const failure = (err, retry) =>
		h(
			'div',
			{ class: 'alert error cl-error', attrs: { role: 'alert' } },
			h('p', { text: t('cases_list.load_failed', { error: errorText(err) }) }),
			err?.status === 400
				? h('button', { type: 'button', text: t('cases_list.reset'), on: { click: () => go({}) } })
				: h('button', { type: 'button', text: t('common.retry'), on: { click: retry } }),
		);

	let empty = null;
	function reload() {
		cursor = null;
		shown = 0;
		tbody.replaceChildren();
		empty?.remove();
		empty = null;
		results.querySelector('.cl-error')?.remove();
		table.hidden = false;
		more.hidden = true;
		status.textContent = '';
		return withProgress(results, fetchPage(null), t('cases_list.loading')).then(
			(r) => {
				const items = r?.items || [];
				cursor = r?.next_cursor || null;
				shown = items.length;
				tbody.append(...items.map(row));
				more.hidden = !cursor;
				if (!items.length) {
					table.hidden = true;
					empty = filtered
						? emptyState(t('cases_list.empty_filtered'), { label: t('cases_list.reset'), onClick: () => go({}) })
						: canCreate(ctx)
							? emptyState(t('cases_list.empty_all'), { label: t('cases_list.new_case'), href: '#/cases/new' })
							: emptyState(t('cases_list.empty_all_view'));
					results.insertBefore(empty, more);
				}
				showCount();
			},
			(err) => {
				table.hidden = true;
				results.insertBefore(failure(err, () => reload()), more);
			},
		);
	}

	more.addEventListener('click', () => {
		if (!cursor || more.disabled) return;
		more.disabled = true;
		results.querySelector('.cl-error')?.remove();
		withProgress(more, fetchPage(cursor), t('cases_list.loading_more'))
			.then(
				(r) => {
					const items = r?.items || [];
					cursor = r?.next_cursor || null;
					const rows = items.map(row);
					tbody.append(...rows);
					shown += items.length;
					more.hidden = !cursor;
					showCount();
					rows[0]?.querySelector('a')?.focus();
				},
				(err) => results.insertBefore(failure(err, () => more.click()), more),
			)
			.finally(() => {
				more.disabled = false;
			});
	});

	await reload();
}

function regionNameChip(el, code) {
	regionName(code).then((name) => {
		if (name) el.textContent = t('cases_list.chip_grid', { value: name });
	});
}
