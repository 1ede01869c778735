// location.js - where the problem is: the phone's position (navigator.geolocation), or a
// tap on a Leaflet map (tiles from the server's map settings; a plain background when
// none are configured). Keyboard users move the map with the arrow keys and press Enter
// to choose its centre. The chosen point lives in `state` ({lon, lat, accuracy}) so that
// it survives a re-render.
import { h, newId, loadVendor, mapSettings } from '../js/ui.js';
import { t } from '../js/i18n.js';

const CITY = [33.955, 116.798]; // 淮北市 (lat, lon)

const fmt = (x) => x.toFixed(5);

/* → {el, value(), setError(text)}; state: {lon, lat, accuracy} (filled in place). */
export function locationPicker({ state, onChange }) {
  const id = newId('loc');
  const statusEl = h('p', { id: `${id}-status`, class: 'location-status', attrs: { 'aria-live': 'polite' } });
  const err = h('p', { id: `${id}-err`, class: 'field-error', hidden: true, attrs: { role: 'alert' } });
  const note = h('p', { class: 'hint', hidden: true });
  const gps = h('button', { type: 'button', class: 'primary gps', attrs: { 'aria-describedby': `${id}-status ${id}-err` } },
    h('span', { class: 'icon-pin', attrs: { 'aria-hidden': 'true' } }), t('portal.location.gps'));
  const mapEl = h('div', { class: 'portal-map', attrs: { role: 'application', 'aria-label': t('portal.location.map'), 'aria-describedby': `${id}-keys` } });
  const el = h('fieldset', { class: 'location' },
    h('legend', {}, t('portal.location'), h('span', { class: 'req', attrs: { 'aria-hidden': 'true' } }, ' *')),
    h('p', { class: 'hint' }, t('portal.location.hint')),
    gps, statusEl, err, mapEl,
    h('p', { id: `${id}-keys`, class: 'hint' }, t('portal.location.map_keys')), note);

  let map = null;
  let marker = null;
  const setError = (text) => {
    err.textContent = text || '';
    err.hidden = !text;
    mapEl.classList.toggle('is-invalid', !!text);
  };
  function show() {
    if (state.lat === undefined || state.lat === null) {
      statusEl.textContent = t('portal.location.none');
      statusEl.classList.remove('is-set');
      return;
    }
    statusEl.textContent = t('portal.location.chosen', { lat: fmt(state.lat), lon: fmt(state.lon) }) +
      (state.accuracy ? t('portal.location.accuracy', { m: Math.round(state.accuracy) }) : '');
    statusEl.classList.add('is-set');
    if (map && window.L) {
      const ll = [state.lat, state.lon];
      if (!marker) marker = window.L.circleMarker(ll, { radius: 10, color: '#b3261e', weight: 3, fillOpacity: 0.35 }).addTo(map);
      else marker.setLatLng(ll);
    }
  }
  function choose(lat, lon, accuracy, pan) {
    state.lat = lat;
    state.lon = lon;
    state.accuracy = accuracy || null;
    setError(null);
    show();
    if (pan && map) map.setView([lat, lon], Math.max(map.getZoom(), 16));
    onChange && onChange();
  }

  gps.addEventListener('click', () => {
    if (!navigator.geolocation) {
      setError(t('portal.location.unsupported'));
      return;
    }
    gps.disabled = true;
    statusEl.textContent = t('portal.location.locating');
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        gps.disabled = false;
        choose(pos.coords.latitude, pos.coords.longitude, pos.coords.accuracy, true);
      },
      (e) => {
        gps.disabled = false;
        show();
        setError(e && e.code === 1 ? t('portal.location.denied') : t('portal.location.unavailable'));
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });

  (async () => {
    try {
      const [L, cfg] = await Promise.all([loadVendor('leaflet'), mapSettings()]);
      if (!mapEl.isConnected) return;
      const start = state.lat !== undefined && state.lat !== null ? [state.lat, state.lon] : CITY;
      map = L.map(mapEl, { center: start, zoom: state.lat ? 16 : 12, attributionControl: !!cfg.tile_url });
      if (cfg.tile_url) {
        L.tileLayer(cfg.tile_url, { attribution: cfg.tile_attribution || '', maxZoom: 18 }).addTo(map);
      } else {
        mapEl.classList.add('is-plain');
        note.textContent = t('portal.location.plain');
        note.hidden = false;
      }
      map.on('click', (e) => choose(e.latlng.lat, e.latlng.lng, null, false));
      mapEl.addEventListener('keydown', (e) => {
        if ((e.key === 'Enter' || e.key === ' ') && e.target === mapEl) {
          e.preventDefault();
          const c = map.getCenter();
          choose(c.lat, c.lng, null, false);
        }
      });
      show();
    } catch {
      mapEl.hidden = true;
      note.textContent = t('portal.location.map_failed');
      note.hidden = false;
    }
  })();
  show();
  return { el, setError, focus: () => gps.focus(), value: () => (state.lat === undefined || state.lat === null ? null : { lon: state.lon, lat: state.lat }) };
}
