// dashboard.js - #/dashboard: the figures of GET /api/v1/stats/cases for a region of
// the user's scope and a period (cases reported in it), drawn with ECharts — reports
// per day, by category, by sub-region, the on-time and satisfaction rates — with the
// overdue, escalated and other counts as figures. Every chart has a text alternative
// (aria-label and a visually hidden table). New case activity in the region (the SSE
// stream GET /api/v1/events?region=) reloads the figures, debounced.
import { errorText, api } from '../api.js';
import { cityDate, fmtDate, fmtNumber, fmtPercent, t } from '../i18n.js';
import '../i18n/dashboard.js';
import { emptyState, field, h, loadVendor, pageTitle, regionPicker, withProgress } from '../ui.js';


const PERIODS = ['7', '30', '90', '365', 'year', 'custom'];
const RELOAD_DEBOUNCE_MS = 800;
const PALETTE = ['#1b5fb8', '#ef8e38', '#1e7d45', '#8e44ad', '#c62828', '#00838f', '#6d4c41', '#5f6b7a', '#f6c667', '#2e7d32'];

function periodDates(p) {
	const to = cityDate(0);
	if (p === 'year') return { from: `${to.slice(0, 4)}-01-01`, to };
	const n = Number(p);
	return { from: cityDate(-(n - 1)), to };
}

/* A visually hidden table: the chart's figures for screen readers. */
function altTable(caption, cols, rows) {
	return h(
		'table',
		{ class: 'sr-only' },
		h('caption', {}, caption),
		h('thead', {}, h('tr', {}, cols.map((c) => h('th', { attrs: { scope: 'col' } }, c)))),
		h('tbody', {}, rows.map((r) => h('tr', {}, h('th', { attrs: { scope: 'row' } }, r[0]), r.slice(1).map((v) => h('td', {}, v))))),
	);
}

export default async function render(view, ctx) {
	pageTitle(view, t('dash.title'));
	const home = ctx.user?.region;
	let region = ctx.query?.region || home;
	let period = PERIODS.includes(ctx.query?.period) ? ctx.query.period : '30';
	let dates = periodDates(period === 'custom' ? '30' : period);
	if (ctx.query?.from && ctx.query?.to) {
		dates = { from: ctx.query.from, to: ctx.query.to };
		period = 'custom';
	}

	/* ---- controls ---- */
	const picker = regionPicker({ value: region, root: home, label: t('dash.region'), maxLevel: 'village', onChange: (code) => { region = code || home; reconnect(); reload(); } });
	const periodField = field({ label: t('dash.period'), name: 'period', type: 'select', value: period, options: PERIODS.map((p) => ({ value: p, label: t(`dash.period.${p}`) })) });
	const fromField = field({ label: t('dash.from'), name: 'from', type: 'date', value: dates.from, attrs: { max: cityDate(0) } });
	const toField = field({ label: t('dash.to'), name: 'to', type: 'date', value: dates.to, attrs: { max: cityDate(0) } });
	periodField.input.addEventListener('change', () => {
		period = periodField.input.value;
		if (period !== 'custom') {
			dates = periodDates(period);
			fromField.input.value = dates.from;
			toField.input.value = dates.to;
			reload();
		} else fromField.input.focus();
	});
	const onDate = () => {
		fromField.setError(null);
		toField.setError(null);
		const from = fromField.input.value;
		const to = toField.input.value;
		if (!from || !to) return;
		if (from > to) {
			toField.setError(t('dash.bad_dates'));
			return;
		}
		period = 'custom';
		periodField.input.value = 'custom';
		dates = { from, to };
		reload();
	};
	fromField.input.addEventListener('change', onDate);
	toField.input.addEventListener('change', onDate);
	const controls = h('form', { class: 'dash-controls', attrs: { 'aria-label': t('dash.controls') }, on: { submit: (e) => e.preventDefault() } }, picker.el, h('div', { class: 'dash-period' }, periodField.el, fromField.el, toField.el));

	/* ---- figures ---- */
	const FIGS = ['total', 'open', 'closed', 'overdue', 'escalated', 'supervised', 'on_time', 'satisfaction'];
	const figEls = {};
	const figures = h(
		'ul',
		{ class: 'dash-figures' },
		FIGS.map((k) => {
			const value = h('span', { class: 'dash-figure-value' }, t('dash.none'));
			const hint = h('span', { class: 'dash-figure-hint' });
			figEls[k] = { value, hint };
			return h('li', { class: ['dash-figure', `dash-figure-${k}`], dataset: { figure: k } }, h('span', { class: 'dash-figure-label' }, t(`dash.fig.${k}`)), value, hint);
		}),
	);
	const scopeLine = h('p', { class: 'dash-scope' });
	const live = h('p', { class: 'dash-live', attrs: { role: 'status', 'aria-live': 'polite' } });
	const problem = h('div', { class: 'dash-problem' });
	const empty = h('div', { class: 'dash-empty', hidden: true }, emptyState(t('dash.empty')));

	/* ---- charts ---- */
	const CHARTS = ['trend', 'category', 'region', 'rates'];
	const charts = {};
	const chartGrid = h('div', { class: 'dash-charts' });
	for (const k of CHARTS) {
		const box = h('div', { class: 'dash-chart', id: `dash-chart-${k}`, attrs: { role: 'img', 'aria-label': t(`dash.chart.${k}`) } });
		const alt = h('div', { class: 'dash-alt' });
		chartGrid.append(h('section', { class: ['dash-card', `dash-card-${k}`], dataset: { chart: k } }, h('h2', {}, t(`dash.chart.${k}`)), box, alt));
		charts[k] = { box, alt, chart: null };
	}
	view.append(controls, scopeLine, live, problem, figures, empty, chartGrid);

	let echarts = null;
	let seq = 0;
	let shown = null; /* the figures drawn last (redrawn when the window resizes) */

	function draw(s) {
		const ec = echarts;
		for (const k of CHARTS) if (!charts[k].chart) charts[k].chart = ec.init(charts[k].box, null, { renderer: 'canvas' });
		const base = { animation: false, color: PALETTE, aria: { enabled: false }, tooltip: { renderMode: 'richText', confine: true }, textStyle: { fontFamily: 'sans-serif' } };

		const days = s.by_day.map((d) => d.date.slice(5));
		charts.trend.chart.setOption({ ...base, tooltip: { ...base.tooltip, trigger: 'axis' }, grid: { left: 40, right: 16, top: 16, bottom: 28 }, xAxis: { type: 'category', data: days, boundaryGap: false }, yAxis: { type: 'value', minInterval: 1 }, series: [{ name: t('dash.series.count'), type: 'line', data: s.by_day.map((d) => d.count), areaStyle: { opacity: 0.15 }, showSymbol: s.by_day.length <= 31 }] }, true);
		const max = s.by_day.reduce((a, d) => Math.max(a, d.count), 0);
		charts.trend.box.setAttribute('aria-label', t('dash.alt.trend', { from: fmtDate(s.from), to: fmtDate(s.to), total: fmtNumber(s.total), max: fmtNumber(max) }));
		charts.trend.alt.replaceChildren(altTable(t('dash.chart.trend'), [t('dash.col.date'), t('dash.col.count')], s.by_day.map((d) => [d.date, fmtNumber(d.count)])));

		const cats = s.by_category.slice(0, 10).reverse();
		charts.category.chart.setOption({ ...base, tooltip: { ...base.tooltip, trigger: 'axis' }, grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true }, xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: cats.map((c) => c.name) }, series: [{ name: t('dash.series.count'), type: 'bar', data: cats.map((c) => c.count), label: { show: true, position: 'right' } }] }, true);
		charts.category.box.setAttribute('aria-label', t('dash.alt.category', { items: s.by_category.map((c) => t('dash.alt.item', { name: c.name, count: fmtNumber(c.count) })).join('，') || t('dash.none') }));
		charts.category.alt.replaceChildren(altTable(t('dash.chart.category'), [t('dash.col.category'), t('dash.col.count')], s.by_category.map((c) => [c.name, fmtNumber(c.count)])));

		const regs = s.by_region;
		charts.region.chart.setOption({ ...base, tooltip: { ...base.tooltip, trigger: 'axis' }, legend: { top: 0 }, grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true }, xAxis: { type: 'category', data: regs.map((r) => r.name), axisLabel: { interval: 0, rotate: regs.length > 6 ? 30 : 0 } }, yAxis: { type: 'value', minInterval: 1 }, series: [{ name: t('dash.series.count'), type: 'bar', data: regs.map((r) => r.count) }, { name: t('dash.series.open'), type: 'bar', data: regs.map((r) => r.open) }, { name: t('dash.series.overdue'), type: 'bar', data: regs.map((r) => r.overdue), itemStyle: { color: '#c62828' } }] }, true);
		charts.region.box.setAttribute('aria-label', t('dash.alt.region', { items: regs.map((r) => t('dash.alt.item', { name: r.name, count: fmtNumber(r.count) })).join('，') || t('dash.none') }));
		charts.region.alt.replaceChildren(altTable(t('dash.chart.region'), [t('dash.col.region'), t('dash.col.count'), t('dash.col.open'), t('dash.col.overdue')], regs.map((r) => [r.name, fmtNumber(r.count), fmtNumber(r.open), fmtNumber(r.overdue)])));

		const bw = charts.rates.box.clientWidth || 300;
		const bh = charts.rates.box.clientHeight || 300;
		const radius = Math.max(40, Math.floor(Math.min(bw / 4 - 8, bh / 2 - 20)));
		const gauge = (name, v, center) => ({ type: 'gauge', name, center, radius, min: 0, max: 100, startAngle: 200, endAngle: -20, progress: { show: true, width: 12 }, axisLine: { lineStyle: { width: 12 } }, axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false }, anchor: { show: false }, title: { show: true, offsetCenter: [0, '45%'], fontSize: 13 }, detail: { valueAnimation: false, offsetCenter: [0, '0%'], fontSize: 22, formatter: () => fmtPercent(v) }, data: [{ value: v === null ? 0 : Math.round(v * 1000) / 10, name }] });
		charts.rates.chart.setOption({ ...base, tooltip: { show: false }, series: [gauge(t('dash.fig.on_time'), s.on_time_rate, ['27%', '55%']), gauge(t('dash.fig.satisfaction'), s.satisfaction_rate, ['73%', '55%'])] }, true);
		charts.rates.box.setAttribute('aria-label', t('dash.alt.rates', { on_time: fmtPercent(s.on_time_rate), satisfaction: fmtPercent(s.satisfaction_rate) }));
		charts.rates.alt.replaceChildren(altTable(t('dash.chart.rates'), [t('dash.col.rate'), t('dash.col.value')], [[t('dash.fig.on_time'), fmtPercent(s.on_time_rate)], [t('dash.fig.satisfaction'), fmtPercent(s.satisfaction_rate)]]));
		for (const k of CHARTS) charts[k].chart.resize();
	}

	function show(s) {
		shown = s;
		for (const k of ['total', 'open', 'closed', 'overdue', 'escalated', 'supervised']) figEls[k].value.textContent = fmtNumber(s[k]);
		figEls.on_time.value.textContent = fmtPercent(s.on_time_rate);
		figEls.on_time.hint.textContent = t('dash.fig.on_time.hint', { n: fmtNumber(s.closed) });
		figEls.satisfaction.value.textContent = fmtPercent(s.satisfaction_rate);
		figEls.satisfaction.hint.textContent = t('dash.fig.satisfaction.hint', { n: fmtNumber(s.rated ?? 0) });
		figures.classList.toggle('dash-overdue-some', s.overdue > 0);
		scopeLine.textContent = t('dash.scope', { region: s.region?.name || region, from: fmtDate(s.from), to: fmtDate(s.to) });
		const none = s.total === 0;
		empty.hidden = !none;
		chartGrid.hidden = none;
		if (!none) draw(s);
	}

	async function fetchStats() {
		const mine = ++seq;
		const s = await api.get('/api/v1/stats/cases', { region, from: dates.from, to: dates.to });
		if (mine !== seq) return; /* a newer request is on its way */
		problem.replaceChildren();
		show(s);
	}

	function fail(err) {
		if (err && err.field === 'from') fromField.setError(errorText(err));
		else if (err && err.field === 'to') toField.setError(errorText(err));
		else problem.replaceChildren(h('p', { class: 'form-alert', attrs: { role: 'alert' } }, errorText(err)), h('button', { type: 'button', on: { click: () => reload() } }, t('common.retry')));
	}

	function reload() {
		view.setAttribute('aria-busy', 'true');
		return withProgress(problem, fetchStats(), t('dash.loading'))
			.catch(fail)
			.finally(() => view.removeAttribute('aria-busy'));
	}

	/* ---- live updates ---- */
	let es = null;
	let timer = null;
	function reconnect() {
		es?.close();
		if (typeof EventSource === 'undefined') return;
		es = new EventSource(`/api/v1/events?region=${encodeURIComponent(region)}`);
		es.addEventListener('open', () => (live.textContent = t('dash.live.on')));
		es.addEventListener('error', () => {
			if (es && es.readyState !== EventSource.OPEN) live.textContent = t('dash.live.off');
		});
		const poke = () => {
			clearTimeout(timer);
			timer = setTimeout(async () => {
				try {
					await fetchStats();
					live.textContent = t('dash.live.updated', { time: new Date().toLocaleTimeString(document.documentElement.lang || 'zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit' }) });
				} catch (e) {
					fail(e);
				}
			}, RELOAD_DEBOUNCE_MS);
		};
		es.addEventListener('case', poke);
		es.addEventListener('reset', poke);
	}
	let resizeTimer = null;
	const onResize = () => {
		clearTimeout(resizeTimer);
		resizeTimer = setTimeout(() => {
			if (shown && !chartGrid.hidden && echarts) draw(shown);
		}, 150);
	};
	window.addEventListener('resize', onResize);
	ctx.onLeave?.(() => {
		es?.close();
		es = null;
		clearTimeout(timer);
		clearTimeout(resizeTimer);
		window.removeEventListener('resize', onResize);
		for (const k of CHARTS) charts[k].chart?.dispose();
	});

	try {
		await withProgress(
			problem,
			(async () => {
				echarts = await loadVendor('echarts');
				await fetchStats();
			})(),
			t('dash.loading'),
		);
	} catch (err) {
		if (!echarts) problem.replaceChildren(h('p', { class: 'form-alert', attrs: { role: 'alert' } }, errorText(err)));
		else fail(err);
	}
	reconnect();
}
