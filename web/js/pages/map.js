// map.js - #/map: the grids of the user's scope coloured by their open and overdue
// cases, the open cases as clustered markers, popups that lead to the case list of a
// grid and to a case; the same data as two tables for keyboard and screen-reader use.
// Data: GET /api/v1/grids?within= (GeoJSON), /api/v1/stats/grids?within=,
// /api/v1/cases/points?region= and the tile setting (ui.js mapSettings()).
import { api, errorText } from '../api.js';
import { fmtNumber, t } from '../i18n.js';
import '../i18n/map.js';
import { emptyState, h, loadVendor, mapSettings, pageTitle, regionPicker, statusBadge, withProgress } from '../ui.js';


const HUAIBEI = [33.96, 116.79]; // lat, lon: where the map starts when nothing is drawn
const LIST_MAX = 200; // rows of each accessible list

/* The colour class of a grid: overdue first, then by its open cases. */
function bucket(s) {
	if (!s || (!s.open && !s.overdue)) return 'none';
	if (s.overdue > 0) return 'overdue';
	if (s.open >= 10) return 'many';
	if (s.open >= 3) return 'some';
	return 'few';
}
const COLOURS = { none: '#9aa5b1', few: '#f6c667', some: '#ef8e38', many: '#c8531c', overdue: '#c62828' };
const FILL = { none: 0.08, few: 0.35, some: 0.45, many: 0.55, overdue: 0.5 };

function escapeHtml(s) {
	return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function legend() {
	const item = (cls, key) => h('li', {}, h('span', { class: `map-swatch map-swatch-${cls}`, attrs: { 'aria-hidden': 'true' } }), t(key));
	return h(
		'div',
		{ class: 'map-legend' },
		h('h2', { class: 'map-legend-title', text: t('map.legend') }),
		h(
			'ul',
			{},
			item('none', 'map.legend.none'),
			item('few', 'map.legend.few'),
			item('some', 'map.legend.some'),
			item('many', 'map.legend.many'),
			item('overdue', 'map.legend.overdue'),
			item('case', 'map.legend.case'),
			item('case-overdue', 'map.legend.caseOverdue'),
		),
	);
}

function gridPopup(code, name, s) {
	return h(
		'div',
		{ class: 'map-popup', dataset: { grid: code } },
		h('strong', { class: 'map-popup-title', text: name || code }),
		h('div', { class: 'map-popup-code', text: code }),
		h('div', { text: t('map.grid.open', { n: fmtNumber(s?.open ?? 0) }) }),
		h('div', { class: s?.overdue ? 'map-popup-overdue' : '', text: t('map.grid.overdue', { n: fmtNumber(s?.overdue ?? 0) }) }),
		h('a', { attrs: { href: `#/cases?grid=${encodeURIComponent(code)}` }, text: t('map.grid.cases') }),
	);
}

function casePopup(p) {
	return h(
		'div',
		{ class: 'map-popup', dataset: { case: String(p.id) } },
		h('strong', { class: 'map-popup-title', text: p.title }),
		h('div', { class: 'map-popup-code', text: p.number }),
		h('div', {}, statusBadge(p.status), p.overdue ? h('span', { class: 'map-popup-overdue', text: ` ${t('map.overdue')}` }) : null),
		h('a', { attrs: { href: `#/cases/${p.id}` }, text: t('map.case.open') }),
	);
}

export default async function render(view, ctx) {
	pageTitle(view, t('map.title'));
	let region = ctx.query?.region || ctx.user?.region;
	const summary = h('p', { class: 'map-summary', attrs: { 'aria-live': 'polite' } });
	const notice = h('p', { class: 'map-notice', hidden: true, text: t('map.noTiles') });
	const canvas = h('div', { id: 'map-canvas', class: 'map-canvas', attrs: { role: 'region', 'aria-label': t('map.label') } });
	const lists = h('div', { class: 'map-lists' });
	const toolbar = h('div', { class: 'map-toolbar' });
	view.append(toolbar, notice, h('div', { class: 'map-body' }, canvas, legend()), summary, h('section', { class: 'map-lists-wrap', attrs: { 'aria-label': t('map.lists') } }, lists));

	const picker = regionPicker({
		value: region,
		root: ctx.user?.region,
		label: t('map.region'),
		maxLevel: 'village',
		onChange: (code) => {
			if (!code || code === region) return;
			region = code;
			reload();
		},
	});
	toolbar.append(picker.el);

	let L, map, gridLayer, clusters, tiles;
	const gridLayers = new Map();

	async function setup() {
		L = await loadVendor('leaflet');
		await loadVendor('markercluster');
		const settings = await mapSettings().catch(() => ({ tile_url: null, tile_attribution: null }));
		map = L.map(canvas, { center: HUAIBEI, zoom: 10, minZoom: 6, maxZoom: 18, zoomSnap: 0.25, zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, attributionControl: false, preferCanvas: false });
		if (settings?.tile_url) {
			const url = settings.tile_url;
			tiles = L.tileLayer(url, {
				maxZoom: 18,
				subdomains: /tianditu/.test(url) ? '01234567' : 'abc',
				attribution: settings.tile_attribution ? escapeHtml(settings.tile_attribution) : '',
			}).addTo(map);
			if (settings.tile_attribution) L.control.attribution({ prefix: false }).addAttribution(escapeHtml(settings.tile_attribution)).addTo(map);
			canvas.classList.add('map-tiles');
		} else {
			canvas.classList.add('map-plain');
			notice.hidden = false;
		}
		ctx.onLeave?.(() => {
			map.remove();
			map = null;
		});
	}

	async function load() {
		const [fc, counts, points] = await Promise.all([
			api.get('/api/v1/grids', { within: region }),
			api.get('/api/v1/stats/grids', { within: region }),
			api.get('/api/v1/cases/points', { region, open: 'true' }),
		]);
		if (!map) return;
		const byGrid = new Map(counts.items.map((x) => [x.grid, x]));
		gridLayer?.remove();
		clusters?.remove();
		gridLayers.clear();
		const features = (fc.features || []).filter((f) => f.geometry);
		gridLayer = L.geoJSON(
			{ type: 'FeatureCollection', features },
			{
				style: (f) => {
					const b = bucket(byGrid.get(f.properties.code));
					return { color: COLOURS[b], weight: b === 'none' ? 1 : 2, fillColor: COLOURS[b], fillOpacity: FILL[b], className: `map-grid map-grid-${b}` };
				},
				onEachFeature: (f, layer) => {
					const code = f.properties.code;
					gridLayers.set(code, layer);
					layer.bindPopup(() => gridPopup(code, f.properties.name, byGrid.get(code)));
					layer.on('add', () => layer.getElement?.()?.setAttribute('data-grid', code));
				},
			},
		).addTo(map);
		clusters = L.markerClusterGroup({ showCoverageOnHover: false, chunkedLoading: true, maxClusterRadius: 50, animate: false });
		const markers = points.items.map((p) => {
			const m = L.marker([p.lat, p.lon], {
				icon: L.divIcon({ className: `map-case${p.overdue ? ' map-case-overdue' : ''}`, iconSize: [16, 16] }),
				title: `${p.number} ${p.title}`,
				alt: `${p.number} ${p.title}`,
				keyboard: true,
			});
			m.bindPopup(() => casePopup(p));
			m.caseId = p.id;
			return m;
		});
		clusters.addLayers(markers);
		clusters.addTo(map);
		const bounds = gridLayer.getBounds();
		if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
		else if (markers.length) map.fitBounds(L.latLngBounds(markers.map((m) => m.getLatLng())), { padding: [20, 20] });
		summary.textContent = t('map.summary', { grids: fmtNumber(features.length), cases: fmtNumber(points.items.length) }) + (points.truncated ? ` ${t('map.cases.truncated', { n: fmtNumber(points.items.length) })}` : '');
		renderLists(fc, byGrid, points, markers);
	}

	function showGrid(code) {
		const layer = gridLayers.get(code);
		if (!layer) return;
		map.fitBounds(layer.getBounds(), { maxZoom: 15 });
		layer.openPopup();
	}

	/* Zooms in until the case stands on its own and opens its popup. */
	function showCase(marker, p) {
		const at = marker.getLatLng();
		map.setView(at, 17, { animate: false });
		L.popup({ offset: [0, -6] }).setLatLng(at).setContent(casePopup(p)).openOn(map);
	}

	function renderLists(fc, byGrid, points, markers) {
		const names = new Map((fc.features || []).map((f) => [f.properties.code, f.properties.name]));
		const rows = [...byGrid.values()].filter((s) => s.open > 0).sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.grid.localeCompare(b.grid));
		const gridTable = rows.length
			? h(
					'table',
					{ class: 'map-table map-grid-table' },
					h('caption', { text: t('map.grids.caption') }),
					h('thead', {}, h('tr', {}, ...['map.grids.name', 'map.grids.open', 'map.grids.overdue', 'map.grids.actions'].map((k) => h('th', { attrs: { scope: 'col' }, text: t(k) })))),
					h(
						'tbody',
						{},
						rows.slice(0, LIST_MAX).map((s) =>
							h(
								'tr',
								{ dataset: { grid: s.grid } },
								h('th', { attrs: { scope: 'row' } }, h('span', { text: names.get(s.grid) || s.grid }), h('span', { class: 'map-code', text: ` ${s.grid}` })),
								h('td', { class: 'num', text: fmtNumber(s.open) }),
								h('td', { class: `num${s.overdue ? ' map-popup-overdue' : ''}`, text: fmtNumber(s.overdue) }),
								h(
									'td',
									{ class: 'map-actions' },
									gridLayers.has(s.grid) ? h('button', { type: 'button', class: 'small', text: t('map.grids.show'), on: { click: () => showGrid(s.grid) } }) : null,
									h('a', { attrs: { href: `#/cases?grid=${encodeURIComponent(s.grid)}` }, text: t('map.grid.cases') }),
								),
							),
						),
					),
				)
			: emptyState(t('map.grids.empty'));
		const caseTable = points.items.length
			? h(
					'table',
					{ class: 'map-table map-case-table' },
					h('thead', {}, h('tr', {}, ...['map.cases.number', 'map.cases.title', 'map.cases.status', 'map.grids.actions'].map((k) => h('th', { attrs: { scope: 'col' }, text: t(k) })))),
					h(
						'tbody',
						{},
						points.items.slice(0, LIST_MAX).map((p, i) =>
							h(
								'tr',
								{ dataset: { case: String(p.id) } },
								h('th', { attrs: { scope: 'row' } }, h('a', { attrs: { href: `#/cases/${p.id}` }, text: p.number })),
								h('td', { text: p.title }),
								h('td', {}, statusBadge(p.status), p.overdue ? h('span', { class: 'map-popup-overdue', text: ` ${t('map.overdue')}` }) : null),
								h('td', {}, h('button', { type: 'button', class: 'small', text: t('map.grids.show'), on: { click: () => showCase(markers[i], p) } })),
							),
						),
					),
				)
			: emptyState(t('map.cases.empty'));
		lists.replaceChildren(
			...[
			h('h2', { text: t('map.grids.heading') }),
			gridTable,
			rows.length > LIST_MAX ? h('p', { text: t('map.grids.more', { n: fmtNumber(rows.length - LIST_MAX) }) }) : null,
			h('h2', { text: t('map.cases.heading') }),
			caseTable,
			points.items.length > LIST_MAX ? h('p', { text: t('map.cases.more', { n: fmtNumber(LIST_MAX) }) }) : null,
			].filter(Boolean),
		);
	}

	const failed = (err) => {
		console.warn('map:', err);
		lists.replaceChildren(h('p', { class: 'form-alert', attrs: { role: 'alert' } }, errorText(err)));
	};
	const reload = () => withProgress(toolbar, load(), t('map.loading')).catch(failed);
	try {
		await withProgress(
			view,
			(async () => {
				await setup();
				await load();
			})(),
			t('map.loading'),
		);
	} catch (err) {
		failed(err);
	}
}
