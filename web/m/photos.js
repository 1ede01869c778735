// photos.js - choosing photos on a phone: the camera or the gallery, a preview of each
// (blob: URLs, released when removed), at most `max`. Each photo is redrawn on a canvas
// before upload: upright as the camera held it, at most 1600 px on its longer side, as
// a JPEG — smaller on mobile data, and without the camera's Exif (GPS) at all; the
// server strips metadata too.
import { h, newId } from '../js/ui.js';
import { t } from '../js/i18n.js';

const LONG_SIDE = 1600;

export async function prepare(file) {
  if (!/^image\//.test(file.type || '') && file.type !== '') throw new Error('type');
  const bmp = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, LONG_SIDE / Math.max(bmp.width, bmp.height));
  const w = Math.max(1, Math.round(bmp.width * scale));
  const hgt = Math.max(1, Math.round(bmp.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = hgt;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, hgt);
  ctx.drawImage(bmp, 0, 0, w, hgt);
  bmp.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  if (!blob) throw new Error('encode');
  return blob;
}

/* → {el, blobs(), count(), clear()}; `items` (the form's draft) keeps the chosen photos
 * across re-renders: [{blob, url}]. onChange() after every change. */
export function photoPicker({ max, items, onChange }) {
  const id = newId('photo');
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const input = h('input', {
    id, type: 'file', class: 'visually-hidden-file', multiple: true,
    attrs: { accept: 'image/*', capture: 'environment', 'aria-describedby': `${hintId} ${errId}` },
  });
  const pick = h('label', { for: id, class: 'button photo-pick' }, h('span', { class: 'icon-camera', attrs: { 'aria-hidden': 'true' } }), t('portal.photos.pick'));
  const err = h('p', { id: errId, class: 'field-error', hidden: true, attrs: { role: 'alert' } });
  const busy = h('p', { class: 'progress', hidden: true, attrs: { role: 'status' } }, h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }), t('portal.photos.preparing'));
  const list = h('ul', { class: 'photo-list' });
  const legend = h('legend', {}, t('portal.photos', { max }));
  const el = h('fieldset', { class: 'photos' }, legend,
    h('p', { id: hintId, class: 'hint' }, t('portal.photos.hint')),
    h('div', { class: 'photo-actions' }, input, pick), busy, err, list);

  const setError = (text) => { err.textContent = text || ''; err.hidden = !text; };
  function draw() {
    list.replaceChildren(...items.map((p, i) => h('li', { class: 'photo' },
      h('img', { src: p.url, alt: t('portal.photos.preview', { n: i + 1 }) }),
      h('button', { type: 'button', class: 'photo-remove', attrs: { 'aria-label': t('portal.photos.remove', { n: i + 1 }) }, on: { click: () => remove(i) } }, '×'))));
    const full = items.length >= max;
    input.disabled = full;
    pick.classList.toggle('is-disabled', full);
    pick.setAttribute('aria-disabled', full ? 'true' : 'false');
  }
  function remove(i) {
    const [p] = items.splice(i, 1);
    if (p) URL.revokeObjectURL(p.url);
    setError(null);
    draw();
    onChange && onChange();
    (list.querySelector('.photo-remove') || input).focus();
  }
  input.addEventListener('change', async () => {
    const files = Array.from(input.files || []);
    input.value = '';
    setError(null);
    if (!files.length) return;
    busy.hidden = false;
    for (const f of files) {
      if (items.length >= max) {
        setError(t('portal.photos.full', { max }));
        break;
      }
      try {
        const blob = await prepare(f);
        items.push({ blob, url: URL.createObjectURL(blob) });
      } catch {
        setError(t('portal.photos.unreadable'));
      }
    }
    busy.hidden = true;
    draw();
    onChange && onChange();
  });
  draw();
  return {
    el,
    blobs: () => items.map((p) => p.blob),
    count: () => items.length,
  };
}

export function releasePhotos(items) {
  for (const p of items.splice(0)) URL.revokeObjectURL(p.url);
}
