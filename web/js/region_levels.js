// region_levels.js - the region picker of the map and the dashboard: one labelled select
// per level below `root`, as ui.js regionPicker() draws it (same classes and texts), but
// reading every page of GET /api/v1/regions (at most 200 a page; the shared picker's
// limit of 500 answers 400). → {el, value()}; onChange(code) with the deepest chosen
// region (root when none).
import { api, errorText } from './api.js';
import { t } from './i18n.js';
import { h, newId } from './ui.js';

const cache = new Map();
function children(code) {
	if (!cache.has(code)) {
		const all = (async () => {
			const items = [];
			let cursor = null;
			for (let i = 0; i < 50; i++) {
				const r = await api.get('/api/v1/regions', { parent: code, limit: 200, cursor });
				items.push(...(r.items || []));
				cursor = r.next_cursor;
				if (!cursor) break;
			}
			return items;
		})();
		cache.set(code, all.catch((e) => { cache.delete(code); throw e; }));
	}
	return cache.get(code);
}

export function regionLevels({ value, root, onChange, label, maxLevel = 'village' }) {
	const order = ['city', 'district', 'town', 'village', 'grid'];
	const el = h('fieldset', { class: 'region-picker' }, h('legend', {}, label || t('region.choose')));
	const rows = h('div', { class: 'region-rows' });
	el.append(rows);
	let current = value || root;
	const selects = [];
	async function addLevel(parent, selected, depth) {
		let items;
		try {
			items = await children(parent);
		} catch (e) {
			rows.append(h('p', { class: 'field-error' }, errorText(e)));
			return null;
		}
		items = items.filter((r) => order.indexOf(r.level) <= order.indexOf(maxLevel));
		if (!items.length) return null;
		const sel = h('select', { id: newId('region'), attrs: { 'aria-label': depth === 0 ? label || t('region.choose') : t('region.children') } },
			h('option', { value: '' }, t('common.all')),
			items.map((r) => h('option', { value: r.code, selected: r.code === selected }, r.name)));
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
	(async () => {
		const chain = [];
		let c = value;
		while (c && c !== root) {
			chain.unshift(c);
			try {
				c = (await api.get(`/api/v1/regions/${encodeURIComponent(c)}`)).parent;
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
	})();
	return { el, value: () => current };
}
