// open311_check.mjs - the GeoReport v2 JSON Schemas' constraints (open311/schema-validation,
// schema/georeport-v2/: service, services, service-definition, request, requests), written
// out as a small validator, and a strict XML well-formedness checker that also parses
// the document into a tree. Shared by the open311*.test.mjs files.
import assert from 'node:assert/strict';

const isStr = (v) => typeof v === 'string';
const strOrNull = (v) => v === null || typeof v === 'string';
const numOrNull = (v) => v === null || (typeof v === 'number' && Number.isFinite(v));
const intOrNull = (v) => v === null || Number.isInteger(v);
// RFC 3339 date-time (JSON Schema "date-time"), with the offset the issue asks for.
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const dtOrNull = (v) => v === null || (isStr(v) && DATE_TIME.test(v));

function check(obj, rules, required, what) {
	assert.equal(typeof obj, 'object', `${what}: an object`);
	assert.ok(obj !== null && !Array.isArray(obj), `${what}: an object`);
	for (const k of required) assert.ok(k in obj, `${what}: required "${k}" missing in ${JSON.stringify(obj)}`);
	for (const [k, ok] of Object.entries(rules)) {
		if (k in obj) assert.ok(ok(obj[k]), `${what}: "${k}" = ${JSON.stringify(obj[k])} breaks the schema`);
	}
}

export function validateService(s, what = 'service') {
	check(
		s,
		{
			service_code: isStr,
			service_name: isStr,
			description: strOrNull,
			metadata: (v) => typeof v === 'boolean',
			type: (v) => ['realtime', 'batch', 'blackbox'].includes(v),
			keywords: strOrNull,
			group: strOrNull,
		},
		['service_code', 'service_name', 'metadata', 'type'],
		what,
	);
}

export function validateServices(list) {
	assert.ok(Array.isArray(list), 'services: an array');
	list.forEach((s, i) => validateService(s, `services[${i}]`));
}

const DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'];

export function validateServiceDefinition(d) {
	check(d, { service_code: isStr, attributes: Array.isArray }, ['service_code', 'attributes'], 'service definition');
	d.attributes.forEach((a, i) => {
		check(
			a,
			{
				variable: (v) => typeof v === 'boolean',
				code: isStr,
				datatype: (v) => DATATYPES.includes(v),
				required: (v) => typeof v === 'boolean',
				datatype_description: strOrNull,
				order: intOrNull,
				description: strOrNull,
				values: Array.isArray,
			},
			['variable', 'code', 'datatype', 'required'],
			`attributes[${i}]`,
		);
		(a.values ?? []).forEach((v, k) => check(v, { key: isStr, name: isStr }, ['key', 'name'], `attributes[${i}].values[${k}]`));
	});
}

export function validateRequest(r, what = 'request') {
	check(
		r,
		{
			service_request_id: isStr,
			status: (v) => ['open', 'closed'].includes(v),
			status_notes: strOrNull,
			service_name: strOrNull,
			service_code: isStr,
			description: (v) => v === null || (isStr(v) && [...v].length <= 4000),
			agency_responsible: strOrNull,
			service_notice: strOrNull,
			requested_datetime: (v) => isStr(v) && DATE_TIME.test(v),
			updated_datetime: dtOrNull,
			expected_datetime: dtOrNull,
			address: strOrNull,
			address_id: strOrNull,
			zipcode: strOrNull,
			lat: numOrNull,
			long: numOrNull,
			media_url: (v) => v === null || (isStr(v) && /^[a-z][a-z0-9+.-]*:\S+$/i.test(v)),
		},
		['service_request_id', 'status', 'service_code', 'requested_datetime'],
		what,
	);
}

export function validateRequests(list) {
	assert.ok(Array.isArray(list), 'requests: an array');
	list.forEach((r, i) => validateRequest(r, `requests[${i}]`));
}

export function validateErrors(list, code) {
	assert.ok(Array.isArray(list) && list.length >= 1, `errors: a non-empty array: ${JSON.stringify(list)}`);
	for (const e of list) {
		check(e, { code: Number.isInteger, description: isStr }, ['code', 'description'], 'error');
		if (code) assert.equal(e.code, code);
	}
}

// ---- XML ----

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

function decodeText(s, at) {
	return s.replace(/&([^;]*);/g, (m, ent) => {
		const map = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
		if (ent in map) return map[ent];
		if (/^#\d+$/.test(ent)) return String.fromCodePoint(Number(ent.slice(1)));
		if (/^#x[0-9a-fA-F]+$/.test(ent)) return String.fromCodePoint(parseInt(ent.slice(2), 16));
		throw new Error(`XML: unknown entity &${ent}; near ${at}`);
	});
}

/* Parses a document of elements and text (no attributes, CDATA or comments are
 * produced by the server): throws on anything not well-formed. Returns the root
 * {name, children: [...], text}. */
export function parseXml(doc) {
	const decl = '<?xml version="1.0" encoding="utf-8"?>';
	if (!doc.startsWith(decl)) throw new Error(`XML: no declaration ${decl}: ${doc.slice(0, 60)}`);
	let i = decl.length;
	const stack = [];
	let root = null;
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(doc)) throw new Error('XML: a control character');
	while (i < doc.length) {
		const lt = doc.indexOf('<', i);
		const text = lt < 0 ? doc.slice(i) : doc.slice(i, lt);
		if (text.includes('>')) throw new Error(`XML: a bare ">" in text at ${i}`);
		if (text.trim()) {
			if (!stack.length) throw new Error(`XML: text outside the root at ${i}`);
			if (/&(?!(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) throw new Error(`XML: a bare "&" at ${i}`);
			stack.at(-1).text += decodeText(text, i);
		}
		if (lt < 0) break;
		const gt = doc.indexOf('>', lt);
		if (gt < 0) throw new Error('XML: unterminated tag');
		const tag = doc.slice(lt + 1, gt);
		if (tag.startsWith('/')) {
			const name = tag.slice(1);
			const open = stack.pop();
			if (!open || open.name !== name) throw new Error(`XML: </${name}> closes <${open?.name}>`);
		} else {
			const selfClosing = tag.endsWith('/');
			const name = selfClosing ? tag.slice(0, -1) : tag;
			if (!NAME.test(name)) throw new Error(`XML: bad element name "${name}"`);
			const el = { name, children: [], text: '' };
			if (stack.length) stack.at(-1).children.push(el);
			else if (root) throw new Error('XML: a second root element');
			else root = el;
			if (!selfClosing) stack.push(el);
		}
		i = gt + 1;
	}
	if (stack.length) throw new Error(`XML: <${stack.at(-1).name}> never closed`);
	if (!root) throw new Error('XML: no root element');
	return root;
}

/* The first child named name (or undefined). */
export const child = (el, name) => el.children.find((c) => c.name === name);
export const childText = (el, name) => child(el, name)?.text;
