// case_new.js - #/cases/new: report a case. The location is picked on a Leaflet map of
// the user's grids (click, drag the marker, type the coordinates, or the device's
// location), the grid found as you pick; photos chosen before are uploaded after the
// case exists; an Idempotency-Key makes a double submit one case.
import { api, errorText } from '../api.js';
import { t, fmtNumber } from '../i18n.js';
import {
  h, field, showFormError, withProgress, toast, pageTitle, loadVendor, mapSettings, regionPicker,
} from '../ui.js';
import '../i18n/case_detail.js';
import '../i18n/case_new.js';
import { apiErrorOf, kindLabel, channelLabel, loadCategories } from './case_common.js';

const KINDS = ['event', 'service', 'hazard', 'dispute', 'petition'];
const CHANNELS = ['grid_patrol', 'hotline_12345', 'app', 'wechat', 'web', 'department', 'visit', 'letter'];
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const PHOTO_MAX = 10 * 1024 * 1024;
const HUAIBEI = [33.956, 116.798];
/* Mobile 1[3-9]xxxxxxxxx, or a landline 0 + area code (2 digits for 010/02x, else 3)
 * + optional '-' + 7-8 digits (docs/api.md, the reporter's personal data). */
const PHONE = /^(1[3-9]\d{9}|0(10|2\d)-?\d{7,8}|0[3-9]\d{2}-?\d{7,8})$/;

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

function defaultChannel(ctx) {
  if (ctx.hasRole('grid_worker')) return 'grid_patrol';
  if (ctx.hasRole('dispatcher')) return 'hotline_12345';
  if (ctx.hasRole('department')) return 'department';
  if (ctx.hasRole('petition_officer')) return 'visit';
  return 'web';
}

export default async function render(view, ctx) {
  view.classList.add('cn');
  pageTitle(view, t('casenew.title'));
  const st = {
    point: null, // {lon, lat}
    grid: null, // located grid code, false when in none, null when not known
    gridNames: new Map(),
    photos: [], // {file, url}
    key: newKey(),
    lastBody: null,
    left: false,
    locateSeq: 0,
    map: null, marker: null, L: null,
  };
  // A user of the whole city (not one district or below) sees a town's grids once a
  // point is picked there: the city's are megabytes.
  const cityWide = /^\d{4}0{8}$/.test(ctx.user.region || '');
  ctx.onLeave(() => {
    st.left = true;
    for (const p of st.photos) URL.revokeObjectURL(p.url);
  });

  // ---- the problem ----
  const fields = {};
  fields.kind = field({ label: t('casenew.kind'), name: 'kind', type: 'select', required: true,
    value: 'event', options: KINDS.map((k) => ({ value: k, label: kindLabel(k) })) });
  fields.category = field({ label: t('casenew.category'), name: 'category', type: 'select', required: true,
    options: [{ value: '', label: t('casenew.categoryChoose') }] });
  fields.title = field({ label: t('casenew.caseTitle'), name: 'title', type: 'text', required: true,
    hint: t('casenew.titleHint'), attrs: { maxlength: '200', autocomplete: 'off' } });
  fields.description = field({ label: t('casenew.description'), name: 'description', type: 'textarea',
    attrs: { maxlength: '4000', rows: '4' } });
  fields.channel = field({ label: t('casenew.channel'), name: 'channel', type: 'select', value: defaultChannel(ctx),
    options: CHANNELS.map((c) => ({ value: c, label: channelLabel(c) })) });

  // ---- the place ----
  fields.address = field({ label: t('casenew.address'), name: 'address', type: 'text',
    hint: t('casenew.addressHint'), attrs: { maxlength: '500', autocomplete: 'off' } });
  const lonField = field({ label: t('casenew.lon'), name: 'lon', type: 'number', attrs: { step: 'any', min: '-180', max: '180', inputmode: 'decimal' } });
  const latField = field({ label: t('casenew.lat'), name: 'lat', type: 'number', attrs: { step: 'any', min: '-90', max: '90', inputmode: 'decimal' } });
  const gridStatus = h('p', { class: 'cn-grid-status', attrs: { 'aria-live': 'polite' }, text: t('casenew.noPoint') });
  const gpsStatus = h('p', { class: 'cn-gps-status', attrs: { role: 'status' }, hidden: true });
  const gpsBtn = h('button', { type: 'button', class: 'cn-gps', text: t('casenew.useGps'), on: { click: useGps } });
  const clearBtn = h('button', { type: 'button', class: 'cn-clear', text: t('casenew.clearPoint'), disabled: true, on: { click: () => setPoint(null) } });
  const mapEl = h('div', { class: 'cn-map', attrs: { role: 'application', 'aria-label': t('casenew.mapLabel') } });
  const mapBox = h('div', { class: 'cn-mapbox' }, mapEl);
  const whereError = h('p', { class: 'field-error cn-where-error', id: 'cn-where-error', hidden: true });
  // "location" as a field for showFormError: errors about the place show by the map.
  fields.location = {
    el: whereError, input: lonField.input,
    setError(text) {
      whereError.textContent = text || '';
      whereError.hidden = !text;
      mapBox.classList.toggle('has-error', !!text);
    },
  };
  // The region, for a report without a point or with a point in no grid. A grid
  // worker's whole area is one grid: theirs, without asking. Others get the region
  // picker when they need it (or ask for it).
  const gridUser = /^\d{15}$/.test(ctx.user.region || '');
  let regionValue = '';
  const regionError = h('p', { class: 'field-error', hidden: true });
  const regionBox = h('div', { class: 'cn-region' });
  const regionAsk = h('button', { type: 'button', class: 'small cn-region-ask', text: t('casenew.regionAsk'), on: { click: () => showPicker(true) } });
  let picker = null;
  function showPicker(focus) {
    if (gridUser) return;
    if (!picker) {
      picker = regionPicker({ value: '', root: ctx.user.region, label: t('casenew.region'), maxLevel: 'grid',
        onChange: (code) => { regionValue = code && code !== ctx.user.region ? code : ''; fields.region.setError(null); } });
      regionAsk.remove();
      regionBox.prepend(picker.el);
    }
    if (focus) setTimeout(() => { const sel = regionBox.querySelector('select'); if (sel) sel.focus(); }, 300);
  }
  if (!gridUser) regionBox.append(regionAsk);
  regionBox.append(regionError);
  fields.region = {
    el: regionBox,
    get input() { return regionBox.querySelector('select') || lonField.input; },
    setError(text) { regionError.textContent = text || ''; regionError.hidden = !text; },
  };

  // ---- who ----
  fields['reporter.name'] = field({ label: t('casenew.reporterName'), name: 'reporter_name', type: 'text', attrs: { maxlength: '50', autocomplete: 'off' } });
  fields['reporter.phone'] = field({ label: t('casenew.reporterPhone'), name: 'reporter_phone', type: 'text',
    hint: t('casenew.reporterPhoneHint'), attrs: { inputmode: 'tel', maxlength: '13', autocomplete: 'off' } });

  // ---- photos ----
  const photoField = field({ label: t('casenew.photosPick'), name: 'photos', type: 'file', hint: t('casenew.photosHint'),
    attrs: { accept: PHOTO_TYPES.join(','), multiple: '' } });
  const photoList = h('ul', { class: 'cn-photo-list' });
  photoField.input.addEventListener('change', () => {
    const notes = [];
    for (const f of photoField.input.files) {
      if (!PHOTO_TYPES.includes(f.type)) notes.push(t('casenew.photoType', { name: f.name }));
      else if (f.size > PHOTO_MAX) notes.push(t('casenew.photoTooBig', { name: f.name }));
      else st.photos.push({ file: f, url: URL.createObjectURL(f) });
    }
    photoField.input.value = '';
    photoField.setError(notes.length ? notes.join(' ') : null);
    paintPhotos();
  });
  function paintPhotos() {
    photoList.replaceChildren(...st.photos.map((p, i) => h('li', { class: 'cn-photo' },
      h('img', { attrs: { src: p.url, alt: p.file.name, width: '96', height: '72' } }),
      h('button', { type: 'button', class: 'small', text: '×',
        attrs: { 'aria-label': t('casenew.photoRemove', { name: p.file.name }), title: t('casenew.photoRemove', { name: p.file.name }) },
        on: { click: () => { URL.revokeObjectURL(p.url); st.photos.splice(i, 1); paintPhotos(); photoField.input.focus(); } } }))));
  }

  // ---- the form ----
  const formError = h('p', { class: 'form-error', attrs: { role: 'alert' }, hidden: true });
  const submitBtn = h('button', { type: 'submit', class: 'primary', text: t('casenew.submit') });
  const progress = h('p', { class: 'cn-progress', attrs: { role: 'status' } });
  const group = (cls, titleKey, ...kids) => h('fieldset', { class: `cn-group cn-${cls}` }, h('legend', { text: t(titleKey) }), ...kids);
  const form = h('form', { class: 'cn-form', attrs: { novalidate: '' } },
    h('p', { class: 'cn-intro', text: t('casenew.intro') }),
    h('div', { class: 'cn-layout' },
      h('div', { class: 'cn-col' },
        group('what', 'casenew.what', fields.kind.el, fields.category.el, fields.title.el, fields.description.el, fields.channel.el),
        group('who', 'casenew.who', fields['reporter.name'].el, fields['reporter.phone'].el),
        group('photos', 'casenew.photos', photoField.el, photoList)),
      h('div', { class: 'cn-col' },
        group('where', 'casenew.where',
          h('p', { class: 'cn-map-hint', text: t('casenew.mapHint') }),
          cityWide ? h('p', { class: 'cn-map-hint', text: t('casenew.mapHintCity') }) : null,
          mapBox,
          h('div', { class: 'cn-map-tools' }, gpsBtn, clearBtn),
          gpsStatus, gridStatus, whereError,
          h('div', { class: 'cn-coords' }, lonField.el, latField.el),
          fields.address.el, regionBox))),
    formError,
    h('div', { class: 'form-actions' }, submitBtn, progress));
  view.append(form);
  form.addEventListener('input', () => { formError.hidden = true; });

  // ---- categories by kind ----
  let cats = new Map();
  const fillCategories = () => {
    const kind = fields.kind.input.value;
    const sel = fields.category.input;
    const keep = sel.value;
    const all = [...cats.values()].filter((c) => c.kind === kind);
    const parents = new Set(all.map((c) => c.parent).filter(Boolean));
    const leaves = all.filter((c) => !parents.has(c.code));
    const groups = new Map();
    for (const c of leaves) {
      const g = c.parent || '';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(c);
    }
    const kids = [h('option', { value: '', text: t('casenew.categoryChoose') })];
    for (const [g, list] of groups) {
      const opts = list.map((c) => h('option', { value: c.code, text: c.name }));
      if (g && cats.get(g)) kids.push(h('optgroup', { attrs: { label: cats.get(g).name } }, opts));
      else kids.push(...opts);
    }
    sel.replaceChildren(...kids);
    sel.value = leaves.some((c) => c.code === keep) ? keep : '';
  };
  fields.kind.input.addEventListener('change', fillCategories);
  withProgress(fields.category.el, loadCategories(), t('common.loading')).then((m) => {
    cats = m;
    fillCategories();
  }).catch((err) => fields.category.setError(t('casenew.categoryLoadFailed', { error: errorText(err) })));

  // ---- the point ----
  function setPoint(p, { pan = false, fromInputs = false } = {}) {
    st.point = p;
    st.grid = null;
    fields.location.setError(null);
    clearBtn.disabled = !p;
    if (!fromInputs) {
      lonField.input.value = p ? p.lon.toFixed(6) : '';
      latField.input.value = p ? p.lat.toFixed(6) : '';
    }
    if (st.map && st.L) {
      if (!p) {
        if (st.marker) st.marker.remove();
        st.marker = null;
      } else {
        const ll = [p.lat, p.lon];
        if (!st.marker) {
          st.marker = st.L.marker(ll, {
            draggable: true, keyboard: true, title: t('casenew.where'), alt: t('casenew.where'),
            icon: st.L.divIcon({ className: 'cn-pin', iconSize: [22, 22], iconAnchor: [11, 22] }),
          }).addTo(st.map);
          st.marker.on('dragend', () => {
            const q = st.marker.getLatLng();
            setPoint({ lon: q.lng, lat: q.lat });
          });
        } else {
          st.marker.setLatLng(ll);
        }
        if (pan) st.map.setView(ll, Math.max(st.map.getZoom(), 16));
      }
    }
    if (!p) {
      gridStatus.textContent = t('casenew.noPoint');
      gridStatus.className = 'cn-grid-status';
      return;
    }
    locate(p);
  }

  async function locate(p) {
    const seq = ++st.locateSeq;
    gridStatus.textContent = t('casenew.locatingGrid');
    gridStatus.className = 'cn-grid-status';
    const res = await api.raw('GET', '/api/v1/grids/locate', { query: { lon: p.lon, lat: p.lat } }).catch((e) => ({ status: 0, error: e }));
    if (seq !== st.locateSeq || st.left) return;
    if (res.status === 200) {
      st.grid = res.data.grid;
      drawTown(res.data.town);
      const name = await gridName(res.data.grid);
      if (seq !== st.locateSeq || st.left) return;
      gridStatus.textContent = t('casenew.inGrid', { name });
      gridStatus.className = 'cn-grid-status is-ok';
    } else if (res.status === 404) {
      st.grid = false;
      gridStatus.textContent = t(gridUser ? 'casenew.err.outside' : 'casenew.noGrid');
      showPicker(false);
      gridStatus.className = 'cn-grid-status is-warn';
    } else {
      st.grid = null;
      gridStatus.textContent = t('casenew.locateFailed', { error: errorText(res.error || apiErrorOf(res)) });
      gridStatus.className = 'cn-grid-status is-warn';
    }
  }

  async function gridName(code) {
    if (st.gridNames.has(code)) return st.gridNames.get(code);
    try {
      const r = await api.get(`/api/v1/regions/${encodeURIComponent(code)}`);
      st.gridNames.set(code, r.name);
      return r.name;
    } catch {
      return code;
    }
  }

  const fromInputs = () => {
    const lon = lonField.input.value.trim();
    const lat = latField.input.value.trim();
    if (lon === '' && lat === '') {
      setPoint(null, { fromInputs: true });
      return;
    }
    const p = { lon: Number(lon), lat: Number(lat) };
    if (lon === '' || lat === '' || !Number.isFinite(p.lon) || !Number.isFinite(p.lat) || Math.abs(p.lon) > 180 || Math.abs(p.lat) > 90) {
      fields.location.setError(t('casenew.err.coords'));
      return;
    }
    setPoint(p, { fromInputs: true, pan: true });
  };
  lonField.input.addEventListener('change', fromInputs);
  latField.input.addEventListener('change', fromInputs);

  function useGps() {
    gpsStatus.hidden = false;
    gpsStatus.className = 'cn-gps-status';
    if (!navigator.geolocation) {
      gpsStatus.textContent = t('casenew.gpsUnsupported');
      gpsStatus.classList.add('is-warn');
      return;
    }
    gpsStatus.textContent = t('casenew.locating');
    gpsBtn.disabled = true;
    navigator.geolocation.getCurrentPosition((pos) => {
      gpsBtn.disabled = false;
      if (st.left) return;
      const acc = Math.round(pos.coords.accuracy || 0);
      gpsStatus.textContent = t('casenew.gpsDone', { m: fmtNumber(acc) });
      setPoint({ lon: pos.coords.longitude, lat: pos.coords.latitude }, { pan: true });
    }, (err) => {
      gpsBtn.disabled = false;
      if (st.left) return;
      const key = err && err.code === 1 ? 'casenew.gpsDenied' : err && err.code === 3 ? 'casenew.gpsTimeout' : 'casenew.gpsUnavailable';
      gpsStatus.textContent = t(key);
      gpsStatus.classList.add('is-warn');
      toast(t(key), 'info');
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  // ---- the map of the user's grids ----
  const townsDrawn = new Set();

  /* Draws a FeatureCollection's grids for orientation (clicks go through to the map);
   * → the layer, or null. A canvas when there are many. */
  function drawGrids(fc) {
    if (st.left || !st.map || !fc || !Array.isArray(fc.features)) return null;
    const L = st.L;
    const withGeom = fc.features.filter((f) => f && f.geometry);
    for (const f of withGeom) if (f.properties) st.gridNames.set(f.properties.code || f.id, f.properties.name);
    if (!withGeom.length) return null;
    const many = withGeom.length > 200;
    const layer = L.geoJSON({ type: 'FeatureCollection', features: withGeom }, {
      style: { color: '#1b5fb8', weight: many ? 0.8 : 1.5, fillOpacity: 0.06 },
      renderer: many ? L.canvas({ padding: 0.5 }) : undefined,
      interactive: false,
    }).addTo(st.map);
    layer.bringToBack();
    return layer;
  }

  /* A city-wide user: the grids of the town a point lies in, once per town. */
  function drawTown(town) {
    if (!cityWide || !town || !st.map || townsDrawn.has(town)) return;
    townsDrawn.add(town);
    api.get('/api/v1/grids', { within: town }).then(drawGrids, () => townsDrawn.delete(town));
  }

  (async () => {
    try {
      const [L, settings] = await Promise.all([loadVendor('leaflet'), mapSettings().catch(() => ({}))]);
      if (st.left || !mapEl.isConnected) return;
      st.L = L;
      const tiles = settings && settings.tile_url;
      // No zoom animation: leaving the page mid-animation would break Leaflet's end of it.
      const map = L.map(mapEl, { attributionControl: !!tiles, scrollWheelZoom: true, zoomAnimation: false, fadeAnimation: false });
      st.map = map;
      ctx.onLeave(() => map.remove());
      if (tiles) L.tileLayer(tiles, { attribution: settings.tile_attribution || '', maxZoom: 19 }).addTo(map);
      else mapEl.classList.add('cn-map-plain');
      map.setView(HUAIBEI, 11);
      map.on('click', (ev) => setPoint({ lon: ev.latlng.lng, lat: ev.latlng.lat }));
      setTimeout(() => map.invalidateSize(), 0);
      // A city's grids are a couple of megabytes (1,892 polygons in the demo city): a
      // city-wide user gets the grids of each town as a point there is picked; anyone
      // else all the grids of their area at once, fitted to the view.
      if (cityWide) return;
      const fc = await withProgress(mapBox, api.get('/api/v1/grids', { within: ctx.user.region }), t('casenew.loadingGrids')).catch(() => null);
      const layer = drawGrids(fc);
      if (layer && !st.point) {
        const b = layer.getBounds();
        if (b.isValid()) map.fitBounds(b, { padding: [12, 12] });
      }
      if (st.point) setPoint(st.point, { pan: true });
    } catch {
      mapBox.replaceChildren(h('p', { class: 'cn-map-failed', text: t('casenew.mapFailed') }));
    }
  })();

  // ---- submit ----
  function validate() {
    let first = null;
    const bad = (name, text) => {
      fields[name].setError(text);
      if (!first) first = fields[name];
    };
    for (const f of Object.values(fields)) f.setError(null);
    if (!fields.kind.input.value) bad('kind', t('casenew.err.choose'));
    if (!fields.category.input.value) bad('category', t('casenew.err.choose'));
    const title = fields.title.input.value.trim();
    if (!title) bad('title', t('casenew.err.required'));
    else if ([...title].length > 200) bad('title', t('casenew.err.tooLong', { max: 200 }));
    if ([...fields.description.input.value].length > 4000) bad('description', t('casenew.err.tooLong', { max: 4000 }));
    if ([...fields.address.input.value].length > 500) bad('address', t('casenew.err.tooLong', { max: 500 }));
    const name = fields['reporter.name'].input.value.trim();
    if ([...name].length > 50) bad('reporter.name', t('casenew.err.tooLong', { max: 50 }));
    const phone = fields['reporter.phone'].input.value.trim();
    if (phone && !PHONE.test(phone)) bad('reporter.phone', t('casenew.err.phone'));
    if (gridUser) {
      if (st.point && st.grid === false) bad('location', t('casenew.err.outside'));
    } else if (!st.point && !regionValue) {
      bad('location', t('casenew.err.where'));
      showPicker(false);
    } else if (st.point && st.grid === false && !regionValue) {
      bad('location', t('casenew.err.noGrid'));
      showPicker(false);
    }
    return first;
  }

  function body() {
    const b = { kind: fields.kind.input.value, category: fields.category.input.value, title: fields.title.input.value.trim() };
    const d = fields.description.input.value.trim();
    if (d) b.description = d;
    const a = fields.address.input.value.trim();
    if (a) b.address = a;
    if (fields.channel.input.value) b.channel = fields.channel.input.value;
    if (st.point) b.location = { lon: Number(st.point.lon.toFixed(7)), lat: Number(st.point.lat.toFixed(7)) };
    if (gridUser && !st.point) b.region = ctx.user.region;
    else if (regionValue && (!st.point || st.grid === false)) b.region = regionValue;
    const name = fields['reporter.name'].input.value.trim();
    const phone = fields['reporter.phone'].input.value.trim();
    if (name || phone) {
      b.reporter = {};
      if (name) b.reporter.name = name;
      if (phone) b.reporter.phone = phone;
    }
    return b;
  }

  let busy = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    formError.hidden = true;
    const bad = validate();
    if (bad) {
      formError.textContent = t('casenew.err.form');
      formError.hidden = false;
      (bad.input || lonField.input).focus();
      return;
    }
    const b = body();
    const text = JSON.stringify(b);
    // The same body keeps its key (a retry after a lost answer makes one case); an
    // edited one is another report and gets a new key.
    if (st.lastBody !== null && st.lastBody !== text) st.key = newKey();
    st.lastBody = text;
    busy = true;
    submitBtn.disabled = true;
    try {
      const res = await withProgress(progress, api.raw('POST', '/api/v1/cases', { body: b, headers: { 'Idempotency-Key': st.key } }), t('casenew.submitting'));
      if (res.status !== 201 && res.status !== 200) {
        showFormError(form, fields, apiErrorOf(res));
        return;
      }
      const c = res.data;
      const failed = [];
      for (let i = 0; i < st.photos.length; i++) {
        const p = st.photos[i];
        progress.textContent = t('casenew.uploading', { n: i + 1, total: st.photos.length });
        try {
          await withProgress(progress, api.upload(`/api/v1/cases/${c.id}/attachments`, p.file), t('casenew.uploading', { n: i + 1, total: st.photos.length }));
        } catch (err) {
          failed.push(t('casenew.photoFailed', { name: p.file.name, error: errorText(err) }));
        }
      }
      toast(t('casenew.created', { number: c.number }), 'ok');
      for (const f of failed) toast(f, 'error');
      ctx.navigate(`#/cases/${c.id}`);
    } catch (err) {
      showFormError(form, fields, err);
    } finally {
      busy = false;
      submitBtn.disabled = false;
    }
  });

}
