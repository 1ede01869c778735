// admin_regions.js - #/admin/regions (sysadmin): the region tree (browse, rename, create a
// sub-region), the grids of a village and the workers of a grid (add, remove), and the
// import of grids from a GeoJSON file with the refused features listed one by one.
import { allItems, api, ApiError, errorText } from '../api.js';
import { fmtNumber, t } from '../i18n.js';
import { emptyState, field, h, pageTitle, showFormError, toast, withProgress } from '../ui.js';
import { dataTable, guard, progressBar, uploadChosen } from './admin_shared.js';

const IMPORT_MAX = 32 << 20;

const allChildren = (code) => allItems('/api/v1/regions', { parent: code });

const typeLabel = (type) => t(`admin.regions.type.${type}`);
const mib = (n) => `${Math.round(n / (1 << 20))} MB`;

export default async function render(view, ctx) {
	if (!guard(view, ctx, ['sysadmin'])) return;
	pageTitle(view, t('admin.regions.title'));

	const treeBox = h('ul', { class: 'admin-tree' });
	const detail = h('section', { class: 'admin-region-detail card', attrs: { 'aria-live': 'polite' } }, h('p', { text: t('admin.regions.select') }));
	const importCard = h('section', { class: 'card admin-import', attrs: { 'aria-labelledby': 'grid-import-title' } });
	view.append(h('div', { class: 'admin-regions' }, h('nav', { class: 'admin-tree-box card', attrs: { 'aria-label': t('admin.regions.tree') } }, treeBox), detail), importCard);

	const nodes = new Map(); // code → {li, region, childList, loaded, toggle, label}
	let selected = null;

	function node(r) {
		const li = h('li', { dataset: { level: r.level } });
		const childList = h('ul', { hidden: true });
		const label = h('button', { type: 'button', class: 'admin-tree-label', text: r.name, dataset: { code: r.code }, on: { click: () => select(r.code) } });
		const n = { li, region: r, childList, loaded: false, label, toggle: null };
		if (r.level !== 'grid') {
			n.toggle = h('button', { type: 'button', class: 'admin-tree-toggle small', text: '+', attrs: { 'aria-expanded': 'false', 'aria-label': t('admin.regions.expand', { name: r.name }) }, on: { click: () => expand(r.code) } });
		}
		li.append(h('div', { class: 'admin-tree-row' }, n.toggle || h('span', { class: 'admin-tree-leaf', attrs: { 'aria-hidden': 'true' } }), label), childList);
		nodes.set(r.code, n);
		return li;
	}

	async function loadChildren(n) {
		const kids = await withProgress(n.li, allChildren(n.region.code));
		n.childList.replaceChildren(...kids.map(node));
		if (!kids.length) n.childList.append(h('li', { class: 'admin-tree-empty', text: t('admin.regions.noChildren') }));
		n.loaded = true;
	}

	async function expand(code, open) {
		const n = nodes.get(code);
		if (!n || !n.toggle) return;
		const willOpen = open ?? n.childList.hidden;
		try {
			if (willOpen && !n.loaded) await loadChildren(n);
		} catch (err) {
			toast(errorText(err), 'error');
			return;
		}
		n.childList.hidden = !willOpen;
		n.toggle.textContent = willOpen ? '−' : '+';
		n.toggle.setAttribute('aria-expanded', String(willOpen));
		n.toggle.setAttribute('aria-label', t(willOpen ? 'admin.regions.collapse' : 'admin.regions.expand', { name: n.region.name }));
	}

	async function select(code) {
		selected = code;
		for (const [c, n] of nodes) {
			if (c === code) n.label.setAttribute('aria-current', 'true');
			else n.label.removeAttribute('aria-current');
		}
		detail.replaceChildren();
		try {
			const r = await withProgress(detail, api.raw('GET', `/api/v1/regions/${code}`));
			if (r.status !== 200) throw new ApiError(r.status, r.data);
			if (selected !== code) return;
			showRegion(r.data, r.headers.get('ETag'));
		} catch (err) {
			detail.replaceChildren(h('p', { class: 'form-alert', attrs: { role: 'alert' }, text: errorText(err) }));
		}
	}

	function staleAlert(form, code) {
		const p = h('p', { class: 'form-alert', attrs: { role: 'alert' } }, t('admin.stale'), ' ',
			h('button', { type: 'button', class: 'small', text: t('admin.reload'), on: { click: () => select(code) } }));
		form.prepend(p);
	}

	function showRegion(r, etag) {
		detail.replaceChildren(
			h('h2', { text: r.name }),
			h('dl', { class: 'admin-facts' },
				h('dt', { text: t('admin.regions.code') }), h('dd', { text: r.code }),
				h('dt', { text: t('admin.regions.level') }), h('dd', { text: t(`admin.regions.level.${r.level}`) })));

		// Rename.
		const name = field({ label: t('admin.regions.newName'), name: 'name', value: r.name, required: true, attrs: { maxlength: '100' } });
		const rename = h('form', { class: 'admin-form admin-inline-form', attrs: { novalidate: '', 'aria-label': t('admin.regions.rename') } }, name.el, h('button', { type: 'submit', text: t('admin.regions.rename') }));
		rename.addEventListener('submit', async (e) => {
			e.preventDefault();
			name.setError(null);
			const v = name.input.value.trim();
			if (!v) {
				name.setError(t('common.field_required'));
				name.input.focus();
				return;
			}
			const res = await api.raw('PATCH', `/api/v1/regions/${r.code}`, { body: { name: v }, headers: { 'If-Match': etag } });
			if (res.status === 412) return staleAlert(rename, r.code);
			if (res.status !== 200) return showFormError(rename, { name }, new ApiError(res.status, res.data));
			toast(t('admin.regions.renamed', { name: v }), 'ok');
			const n = nodes.get(r.code);
			if (n) {
				n.region.name = v;
				n.label.textContent = v;
			}
			select(r.code);
		});
		detail.append(rename);

		if (r.level !== 'grid') detail.append(childForm(r));
		if (r.level === 'village') detail.append(gridsOf(r));
		if (r.level === 'grid') detail.append(gridWorkers(r));
		// One column (phones): bring the details into view below the tree.
		if (window.matchMedia('(max-width: 760px)').matches) detail.scrollIntoView({ block: 'start' });
	}

	function childForm(r) {
		const code = field({ label: t('admin.regions.childCode'), name: 'code', required: true, hint: t('admin.regions.childCodeHint'), attrs: { inputmode: 'numeric', maxlength: '15' } });
		const name = field({ label: t('admin.regions.childName'), name: 'name', required: true, attrs: { maxlength: '100' } });
		const form = h('form', { class: 'admin-form', attrs: { novalidate: '', 'aria-label': t('admin.regions.child') } }, h('h3', { text: t('admin.regions.child') }), code.el, name.el, h('button', { type: 'submit', text: t('common.create') }));
		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			code.setError(null);
			name.setError(null);
			const body = { code: code.input.value.trim(), name: name.input.value.trim(), parent: r.code };
			if (!/^\d{12}(\d{3})?$/.test(body.code)) {
				code.setError(t('admin.regions.childCodeHint'));
				code.input.focus();
				return;
			}
			if (!body.name) {
				name.setError(t('common.field_required'));
				name.input.focus();
				return;
			}
			try {
				await withProgress(form, api.post('/api/v1/regions', body));
				toast(t('admin.regions.childCreated', { name: body.name }), 'ok');
				const n = nodes.get(r.code);
				if (n) {
					await loadChildren(n);
					await expand(r.code, true);
				}
				code.input.value = '';
				name.input.value = '';
			} catch (err) {
				showFormError(form, { code, name }, err);
			}
		});
		return form;
	}

	function gridsOf(r) {
		const box = h('div', { class: 'admin-grids' }, h('h3', { text: t('admin.regions.grids') }));
		withProgress(box, api.get('/api/v1/grids', { within: r.code })).then((fc) => {
			if (!fc.features.length) {
				box.append(emptyState(t('admin.regions.gridsEmpty')));
				return;
			}
			box.append(dataTable(t('admin.regions.grids'), [
				{ label: t('admin.regions.code'), value: (f) => f.properties.code },
				{ label: t('admin.regions.childName'), value: (f) => f.properties.name },
				{ label: t('admin.regions.gridType'), value: (f) => typeLabel(f.properties.type) },
				{ label: t('admin.regions.households'), value: (f) => fmtNumber(f.properties.households) },
				{ label: t('admin.regions.population'), value: (f) => fmtNumber(f.properties.population) },
				{ label: t('admin.regions.workers'), value: (f) => f.properties.workers.join('、') || t('admin.regions.noWorkers') },
				{ label: t('admin.actions'), value: (f) => h('button', { type: 'button', class: 'small', text: t('admin.regions.manage'), attrs: { 'aria-label': `${t('admin.regions.manage')} ${f.properties.name}` }, on: { click: async () => {
					const n = nodes.get(r.code);
					if (n && n.toggle) await expand(r.code, true);
					select(f.properties.code);
				} } }) },
			], fc.features));
		}, (err) => box.append(h('p', { class: 'form-alert', attrs: { role: 'alert' }, text: errorText(err) })));
		return box;
	}

	function gridWorkers(r) {
		const box = h('div', { class: 'admin-grid-workers' }, h('h3', { text: t('admin.regions.workersOf', { name: r.name }) }));
		const load = async () => {
			const [g, cands] = await Promise.all([api.get(`/api/v1/grids/${r.code}`), api.get(`/api/v1/grids/${r.code}/candidates`)]);
			box.replaceChildren(h('h3', { text: t('admin.regions.workersOf', { name: r.name }) }),
				h('dl', { class: 'admin-facts' },
					h('dt', { text: t('admin.regions.gridType') }), h('dd', { text: typeLabel(g.type) }),
					h('dt', { text: t('admin.regions.households') }), h('dd', { text: fmtNumber(g.households) }),
					h('dt', { text: t('admin.regions.population') }), h('dd', { text: fmtNumber(g.population) })));
			if (!g.workers.length) box.append(h('p', { class: 'admin-note', text: t('admin.regions.noWorkers') }));
			else {
				box.append(dataTable(t('admin.regions.workers'), [
					{ label: t('admin.users.name'), value: (w) => w.name },
					{ label: t('admin.users.username'), value: (w) => w.username },
					{ label: t('admin.regions.duty'), value: (w) => t(`admin.regions.duty.${w.duty}`) },
					{ label: t('admin.actions'), value: (w) => h('button', { type: 'button', class: 'small danger', text: t('admin.regions.remove'), attrs: { 'aria-label': t('admin.regions.removeWorker', { name: w.name }) }, on: { click: async () => {
						try {
							await api.del(`/api/v1/grids/${r.code}/workers/${w.id}`);
							toast(t('admin.regions.workerRemoved', { name: w.name }), 'ok');
							await load();
						} catch (err) {
							toast(errorText(err), 'error');
						}
					} } }) },
				], g.workers));
			}
			const free = cands.items.filter((c) => !g.workers.some((w) => w.id === c.id));
			if (!free.length) {
				box.append(h('p', { class: 'admin-note', text: t('admin.regions.noCandidates') }));
				return;
			}
			const who = field({ label: t('admin.regions.worker'), name: 'user', type: 'select', options: free.map((c) => ({ value: c.id, label: `${c.name}（${c.username}）` })) });
			const duty = field({ label: t('admin.regions.duty'), name: 'duty', type: 'select', options: ['full_time', 'part_time'].map((d) => ({ value: d, label: t(`admin.regions.duty.${d}`) })), value: g.workers.some((w) => w.duty === 'full_time') ? 'part_time' : 'full_time' });
			const form = h('form', { class: 'admin-form admin-inline-form', attrs: { novalidate: '', 'aria-label': t('admin.regions.addWorker') } }, who.el, duty.el, h('button', { type: 'submit', class: 'primary', text: t('admin.regions.addWorker') }));
			form.addEventListener('submit', async (e) => {
				e.preventDefault();
				try {
					await withProgress(form, api.post(`/api/v1/grids/${r.code}/workers`, { user: Number(who.input.value), duty: duty.input.value }));
					toast(t('admin.regions.workerAdded', { name: who.input.selectedOptions[0].textContent }), 'ok');
					await load();
				} catch (err) {
					showFormError(form, { user: who, duty }, err);
				}
			});
			box.append(form);
		};
		withProgress(box, load()).catch((err) => box.append(h('p', { class: 'form-alert', attrs: { role: 'alert' }, text: errorText(err) })));
		return box;
	}

	// The import of grids.
	const file = field({ label: t('admin.regions.importFile'), name: 'file', type: 'file', required: true, attrs: { accept: '.geojson,.json,application/geo+json,application/json' } });
	const progress = progressBar();
	const result = h('div', { class: 'admin-import-result' });
	const submit = h('button', { type: 'submit', class: 'primary', text: t('admin.upload') });
	const form = h('form', { class: 'admin-form', attrs: { novalidate: '' } }, file.el, submit, progress.el);
	importCard.append(h('h2', { id: 'grid-import-title', text: t('admin.regions.import') }), h('p', { class: 'hint', text: t('admin.regions.importHint') }), form, result);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		result.replaceChildren();
		const res = await uploadChosen(ctx, { file, max: IMPORT_MAX, maxText: mib(IMPORT_MAX), submit, progress, method: 'POST', path: '/api/v1/grids/import', type: 'application/geo+json' });
		if (!res) return;
		if (res.status === 200) {
			const text = t('admin.regions.importDone', { created: fmtNumber(res.data.created), updated: fmtNumber(res.data.updated) });
			result.append(h('p', { class: 'admin-ok', attrs: { role: 'status' }, text }));
			toast(text, 'ok');
			if (selected) select(selected);
			return;
		}
		if (res.status === 422 && res.data && Array.isArray(res.data.problems)) {
			result.append(
				h('p', { class: 'form-alert', attrs: { role: 'alert' }, text: t('admin.regions.importRefused', { refused: fmtNumber(res.data.refused), features: fmtNumber(res.data.features) }) }),
				dataTable(t('admin.regions.problems'), [
					{ label: t('admin.regions.index'), value: (p) => String(p.index) },
					{ label: t('admin.regions.featureCode'), value: (p) => p.code || '—' },
					{ label: t('admin.regions.field'), value: (p) => p.field || '—' },
					{ label: t('admin.regions.reason'), value: (p) => p.reason },
					{ label: t('admin.regions.location'), value: (p) => (p.location ? `${p.location[0].toFixed(6)}, ${p.location[1].toFixed(6)}` : '—') },
				], res.data.problems, { className: 'admin-problems' }),
			);
			return;
		}
		const err = new ApiError(res.status, res.data);
		result.append(h('p', { class: 'form-alert', attrs: { role: 'alert' }, text: errorText(err) }));
	});

	// The tree's top: the caller's home region(s), opened one level.
	try {
		const top = await withProgress(treeBox, api.get('/api/v1/regions'));
		treeBox.replaceChildren(...top.items.map(node));
		if (top.items.length === 1) await expand(top.items[0].code, true);
	} catch (err) {
		treeBox.replaceChildren(h('li', { class: 'form-alert', attrs: { role: 'alert' }, text: errorText(err) }));
	}
}
