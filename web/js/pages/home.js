// pages/home.js - #/: a home page per role (issue 5, point 1). Each section is a heading,
// a few cases with links, "see all" to the filtered list (#/cases?…) and an empty state
// that says what it means. A user with several roles sees the sections of each.
//   grid worker: my grid's open cases, today's due ones
//   dispatcher: the intake queue (reported), overdue, supervised
//   department: my unit's open work (department=mine), its due today
//   leader: key figures (GET /api/v1/stats/cases, else counts from the list) and
//           escalated cases
//   mediator, petition officer: their open disputes / petitions
//   sysadmin, secadmin, auditor, citizen (any role without case sections): what they
//           can do, as links (the others have the navigation)
import { api, errorText } from '../api.js';
import { register, t, fmtDate, fmtNumber, fmtPercent } from '../i18n.js';
import { h, emptyState, withProgress, pageTitle } from '../ui.js';
import catalogue from '../i18n/home.js';
import casesCatalogue from '../i18n/cases_list.js';
import { canCreate, caseItem, listHref, loadCategories } from '../caselist_common.js';

register(catalogue);
register(casesCatalogue);

const ROWS = 5;

/* "YYYY-MM-DD" of the day after today in Asia/Shanghai: due_before it is "due today"
 * (the API reads a bare date as that day's midnight there). */
function tomorrowInShanghai() {
	const now = new Date(Date.now() + 8 * 3600e3 + 24 * 3600e3);
	return now.toISOString().slice(0, 10);
}

let seq = 0;

/* A section of up to ROWS cases of `query`. */
function caseSection({ title, query, empty, emptyAction, cats }) {
	const id = `home-s${++seq}`;
	const body = h('div', { class: 'home-body' });
	const sec = h(
		'section',
		{ class: 'home-section', attrs: { 'aria-labelledby': id } },
		h('div', { class: 'home-section-head' }, h('h2', { id, text: title }), h('a', { class: 'home-see-all', attrs: { href: listHref(query), 'aria-label': t('home.see_all_of', { title }) }, text: t('home.see_all') })),
		body,
	);
	const load = () => {
		body.replaceChildren();
		return withProgress(body, api.get('/api/v1/cases', { ...query, limit: ROWS }), t('home.loading')).then(
			(r) => {
				const items = r?.items || [];
				if (!items.length) body.append(emptyState(empty, emptyAction));
				else body.append(h('ul', { class: 'cl-items' }, ...items.map((c) => caseItem(c, cats))));
			},
			(err) => body.append(failure(err, load)),
		);
	};
	return { el: sec, ready: load() };
}

function failure(err, retry) {
	return h('div', { class: 'alert error', attrs: { role: 'alert' } }, h('p', { text: t('home.load_failed', { error: errorText(err) }) }), h('button', { type: 'button', text: t('common.retry'), on: { click: retry } }));
}

/* The leader's figures: the dashboard API's last 30 days when it answers, else what the
 * list can count (open cases now, each count capped at one page of 200). */
function figuresSection() {
	const id = `home-s${++seq}`;
	const body = h('div', { class: 'home-body' });
	const sec = h(
		'section',
		{ class: 'home-section home-figures', attrs: { 'aria-labelledby': id } },
		h('div', { class: 'home-section-head' }, h('h2', { id, text: t('home.leader_figures') }), h('a', { class: 'home-see-all', attrs: { href: '#/dashboard' }, text: t('home.open_dashboard') })),
		body,
	);
	const tile = (labelKey, value, href) => {
		const inner = [h('span', { class: 'home-fig-value', text: value }), h('span', { class: 'home-fig-label', text: t(labelKey) })];
		return h('li', { class: 'home-fig' }, href ? h('a', { attrs: { href } }, ...inner) : h('div', {}, ...inner));
	};
	const num = (n) => (typeof n === 'number' && Number.isFinite(n) ? fmtNumber(n) : t('home.fig_none'));
	const pct = (x) => (typeof x === 'number' && Number.isFinite(x) ? fmtPercent(x) : t('home.fig_none'));
	const fromStats = (s) => {
		body.append(
			h('p', { class: 'home-note', text: t('home.leader_figures_period', { from: fmtDate(s.from) || s.from, to: fmtDate(s.to) || s.to }) }),
			h(
				'ul',
				{ class: 'home-figs' },
				// Counts of the period's cases: the list (all periods) would show other
				// numbers, so these link nowhere; the dashboard has the detail.
				tile('home.fig_total', num(s.total)),
				tile('home.fig_open', num(s.open)),
				tile('home.fig_overdue', num(s.overdue)),
				tile('home.fig_supervised', num(s.supervised)),
				tile('home.fig_escalated', num(s.escalated)),
				tile('home.fig_on_time', pct(s.on_time_rate)),
				tile('home.fig_satisfaction', pct(s.satisfaction_rate)),
			),
		);
	};
	const MAX = 200;
	const count = (q) => api.get('/api/v1/cases', { ...q, limit: MAX }).then((r) => (r?.next_cursor ? t('home.fig_more', { n: fmtNumber(MAX) }) : fmtNumber((r?.items || []).length)));
	const fromList = async () => {
		const qs = [
			['home.fig_open', { open: 'true' }],
			['home.fig_overdue', { open: 'true', overdue: 'true' }],
			['home.fig_supervised', { open: 'true', supervised: 'true' }],
			['home.fig_escalated', { open: 'true', escalated: 'true' }],
		];
		const values = await Promise.all(qs.map(([, q]) => count(q)));
		body.append(h('p', { class: 'home-note', text: t('home.leader_figures_now', { max: fmtNumber(MAX) }) }), h('ul', { class: 'home-figs' }, ...qs.map(([k, q], i) => tile(k, values[i], listHref(q)))));
	};
	const load = () => {
		body.replaceChildren();
		const work = api.get('/api/v1/stats/cases').then(
			(s) => (s && typeof s === 'object' && 'open' in s ? fromStats(s) : fromList()),
			(err) => (err?.status === 404 || err?.status === 405 ? fromList() : Promise.reject(err)),
		);
		return withProgress(body, work, t('home.loading')).catch((err) => body.append(failure(err, load)));
	};
	return { el: sec, ready: load() };
}

function linksSection(text, links) {
	const id = `home-s${++seq}`;
	return {
		el: h(
			'section',
			{ class: 'home-section home-links', attrs: { 'aria-labelledby': id } },
			h('h2', { id, text: t('home.links') }),
			text ? h('p', { class: 'home-note', text }) : null,
			links.length ? h('ul', { class: 'home-link-list' }, ...links.map(([key, href]) => h('li', {}, h('a', { attrs: { href }, text: t(key) })))) : null,
		),
		ready: Promise.resolve(),
	};
}

export default async function render(view, ctx) {
	const user = ctx.user || ctx.session?.user || {};
	pageTitle(view, t('home.title'));
	if (user.name) view.append(h('p', { class: 'home-greeting', text: t('home.greeting', { name: user.name }) }));
	const cats = await loadCategories();
	const sections = [];
	const has = (r) => ctx.hasRole(r);
	const tomorrow = tomorrowInShanghai();
	const report = canCreate(ctx) ? { label: t('cases_list.new_case'), href: '#/cases/new' } : undefined;

	if (has('grid_worker')) {
		// Scope already limits a grid worker to their grid; name it when the home region is one.
		const grid = /^\d{15}$/.test(user.region || '') ? { grid: user.region } : {};
		sections.push(caseSection({ title: t('home.gw_open'), query: { ...grid, open: 'true' }, empty: t('home.gw_open_empty'), emptyAction: report, cats }));
		sections.push(caseSection({ title: t('home.gw_due'), query: { ...grid, due_before: tomorrow }, empty: t('home.gw_due_empty'), cats }));
	}
	if (has('dispatcher')) {
		sections.push(caseSection({ title: t('home.disp_intake'), query: { status: 'reported' }, empty: t('home.disp_intake_empty'), cats }));
		sections.push(caseSection({ title: t('home.disp_overdue'), query: { open: 'true', overdue: 'true' }, empty: t('home.disp_overdue_empty'), cats }));
		sections.push(caseSection({ title: t('home.disp_supervised'), query: { open: 'true', supervised: 'true' }, empty: t('home.disp_supervised_empty'), cats }));
	}
	if (has('department')) {
		sections.push(caseSection({ title: t('home.dept_work'), query: { department: 'mine', open: 'true' }, empty: t('home.dept_work_empty'), cats }));
		sections.push(caseSection({ title: t('home.dept_due'), query: { department: 'mine', due_before: tomorrow }, empty: t('home.dept_due_empty'), cats }));
	}
	if (has('leader')) {
		sections.push(figuresSection());
		sections.push(caseSection({ title: t('home.leader_escalated'), query: { open: 'true', escalated: 'true' }, empty: t('home.leader_escalated_empty'), cats }));
	}
	if (has('mediator')) sections.push(caseSection({ title: t('home.med_disputes'), query: { kind: 'dispute', open: 'true' }, empty: t('home.med_disputes_empty'), emptyAction: report, cats }));
	if (has('petition_officer')) sections.push(caseSection({ title: t('home.po_petitions'), query: { kind: 'petition', open: 'true' }, empty: t('home.po_petitions_empty'), emptyAction: report, cats }));

	// Links: everyone gets the ones that fit their roles.
	const links = [];
	const add = (key, href) => links.some((l) => l[1] === href) || links.push([key, href]);
	// The roles each route admits (js/app.js).
	const CASE_ROLES = ['leader', 'dispatcher', 'department', 'grid_worker', 'mediator', 'petition_officer', 'sysadmin'];
	const MAP_ROLES = ['leader', 'dispatcher', 'department', 'grid_worker', 'sysadmin'];
	const STATS_ROLES = ['leader', 'dispatcher', 'department', 'sysadmin'];
	if (canCreate(ctx)) add('home.link_new_case', '#/cases/new');
	if (CASE_ROLES.some(has)) add('home.link_cases', '#/cases');
	if (MAP_ROLES.some(has)) add('home.link_map', '#/map');
	if (STATS_ROLES.some(has)) add('home.link_dashboard', '#/dashboard');
	if (has('sysadmin') || has('secadmin')) add('home.link_users', '#/admin/users');
	if (has('sysadmin')) {
		add('home.link_regions', '#/admin/regions');
		add('home.link_categories', '#/admin/categories');
		add('home.link_calendar', '#/admin/calendar');
		add('home.link_policy', '#/admin/policy');
	}
	if (has('citizen')) add('home.link_portal', '/m/');
	// Roles with case sections find the rest in the navigation; the others get what they
	// can do (the navigation's messages link is not repeated).
	if (!sections.length) {
		const roleText = has('sysadmin') ? t('home.role_sysadmin') : has('secadmin') ? t('home.role_secadmin') : has('auditor') ? t('home.role_auditor') : has('citizen') ? t('home.role_citizen') : t('home.role_other');
		sections.push(linksSection(roleText, links));
	}

	view.append(h('div', { class: 'home-grid' }, ...sections.map((s) => s.el)));
	await Promise.all(sections.map((s) => s.ready.catch(() => {})));
}
