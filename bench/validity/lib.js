// Independent checker for the mock server: loads an API description, converts its schemas
// to JSON Schema for ajv (draft-07 for Swagger 2.0 / OpenAPI 3.0, 2020-12 for 3.1), builds
// valid requests from schemas, and validates answers. Does not use kin-openapi.
'use strict';
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');
const Ajv07 = require('ajv').default;
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;
const RandExp = require('randexp');

// ---------- loading ----------
async function loadDoc(file) {
  const text = fs.readFileSync(file, 'utf8');
  let doc;
  if (file.endsWith('.json')) doc = JSON.parse(text);
  else {
    try { doc = yaml.load(text, { schema: yaml.JSON_SCHEMA, json: true }); }
    catch (e) {
      // js-yaml is stricter than the mock's YAML parser (e.g. Docker's under-indented flow scalars): fall back to PyYAML
      const out = require('child_process').execFileSync('python3', ['-c', 'import sys,yaml,json; print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=str))', file], { maxBuffer: 1 << 30 });
      doc = JSON.parse(out);
      console.error('note: js-yaml failed (' + e.reason + '), parsed with PyYAML');
    }
  }
  // external refs?
  if (/"?\$ref"?\s*:\s*["']?(?!#)[^"'\s#][^"'\s]*/.test(text)) {
    const $RefParser = require('@apidevtools/json-schema-ref-parser').default || require('@apidevtools/json-schema-ref-parser');
    doc = await $RefParser.bundle(file);
  }
  const version = doc.swagger ? '2.0' : (String(doc.openapi).startsWith('3.1') ? '3.1' : '3.0');
  return { doc, version };
}

// ---------- pointers ----------
const esc = (s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');
const unesc = (s) => s.replace(/~1/g, '/').replace(/~0/g, '~');
function getPtr(doc, ptr) {
  if (ptr === '' || ptr === '#') return doc;
  const parts = ptr.replace(/^#/, '').split('/').slice(1).map((p) => unesc(decodeURIComponent(p)));
  let n = doc;
  for (const p of parts) { if (n == null) return undefined; n = n[p]; }
  return n;
}
// follow $ref chain: returns {node, ptr}
function deref(doc, node, ptr) {
  let seen = 0;
  while (node && typeof node === 'object' && typeof node.$ref === 'string' && node.$ref.startsWith('#') && seen++ < 50) {
    ptr = node.$ref.replace(/^#/, '');
    node = getPtr(doc, node.$ref);
  }
  return { node, ptr };
}

// ---------- conversion to JSON Schema ----------
const NAME_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'schemas', 'paths', 'content',
  'securitySchemes', 'securityDefinitions', 'requestBodies', 'callbacks', 'links', 'headers', 'encoding', 'dependentSchemas', 'webhooks']);
function convertDoc(doc, version, mode = 'response') {
  const hidden = mode === 'response' ? 'writeOnly' : 'readOnly';
  const writeOnlyOf = (s) => { const r = deref(doc, s, '').node; return r && r[hidden] === true; };
  function conv(n, isMap, compPtr, parentKey) {
    if (Array.isArray(n)) return n.map((x) => conv(x, false, compPtr, null));
    if (!n || typeof n !== 'object') return n;
    const out = {};
    if (isMap) {
      for (const [k, v] of Object.entries(n)) out[k] = conv(v, false, parentKey === 'schemas' || parentKey === 'definitions' ? compPtr + '/' + esc(k) : compPtr, null);
      return out;
    }
    if (version !== '3.1' && typeof n.$ref === 'string') return { $ref: n.$ref };
    for (const [k, v] of Object.entries(n)) {
      if (k === 'example' || k === 'examples' || k === 'x-examples') continue;
      if (k === 'parameters' || k === 'responses') { out[k] = Array.isArray(v) ? conv(v, false, compPtr, k) : conv(v, true, compPtr, k); continue; }
      if (k === 'schemas' || k === 'definitions' || k === '$defs') { out[k] = conv(v, true, (parentKey === null && compPtr === '' ? '' : compPtr) + '/' + (k === '$defs' ? '$defs' : k), k); continue; }
      out[k] = conv(v, NAME_MAPS.has(k) && v && typeof v === 'object' && !Array.isArray(v), compPtr, k);
    }
    if (version === '3.1') {
      // tolerate 3.0-style boolean exclusive bounds in a 3.1 document (noted in the report)
      for (const [kw, bound] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']]) {
        if (out[kw] === true) { out[kw] = out[bound]; delete out[bound]; } else if (out[kw] === false) delete out[kw];
      }
      if (out.$recursiveRef) { out.$ref = '#' + compPtr; delete out.$recursiveRef; }
      delete out.$recursiveAnchor;
      delete out.nullable;
    } else {
      if (out.type === 'file') delete out.type;
      for (const [kw, bound] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']]) {
        if (out[kw] === true) { out[kw] = out[bound]; delete out[bound]; } else if (out[kw] === false) delete out[kw];
      }
    }
    // writeOnly properties are not required in answers, readOnly ones not in requests (OpenAPI rule)
    {
      if (Array.isArray(out.required) && n.properties && typeof n.properties === 'object') {
        out.required = out.required.filter((p) => !(n.properties[p] && writeOnlyOf(n.properties[p])));
      }
      const nullable = version !== '3.1' && (out.nullable === true || (version === '2.0' && out['x-nullable'] === true));
      delete out.nullable;
      if (nullable) {
        if (typeof out.type === 'string') {
          out.type = [out.type, 'null'];
          if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
        } else {
          return { anyOf: [{ type: 'null' }, out] };
        }
      }
    }
    return out;
  }
  // track component pointers for $recursiveRef
  const out = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === 'components') {
      out.components = {};
      for (const [ck, cv] of Object.entries(v || {})) {
        out.components[ck] = conv(cv, true, '/components/' + ck, ck === 'schemas' ? 'schemas' : 'x');
      }
    } else if (k === 'definitions') out.definitions = conv(v, true, '/definitions', 'definitions');
    else if (k === 'parameters' || k === 'responses') out[k] = conv(v, true, '', k);
    else out[k] = conv(v, NAME_MAPS.has(k), '', k);
  }
  return out;
}

function makeAjv(doc, version, mode = 'response') {
  const opts = { strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false, logger: false, inlineRefs: true };
  const ajv = version === '3.1' ? new Ajv2020(opts) : new Ajv07(opts);
  addFormats(ajv);
  const i32 = { type: 'number', validate: (x) => Number.isInteger(x) && x >= -2147483648 && x <= 2147483647 };
  ajv.addFormat('int32', i32);
  ajv.addFormat('int64', { type: 'number', validate: (x) => Number.isInteger(x) });
  for (const f of ['float', 'double', 'decimal']) ajv.addFormat(f, { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  for (const f of ['binary', 'password', 'unix-time', 'timestamp', 'url', 'uint', 'uint32', 'uint64', 'int8', 'int16', 'uint8', 'uint16', 'html', 'markdown', 'color', 'email-address', 'phone', 'date-time-rfc1123', 'repo.nwo', 'ssh-public-key'])
    if (!ajv.formats[f]) ajv.addFormat(f, true);
  const conv = convertDoc(doc, version, mode);
  ajv.addSchema(conv, 'spec');
  const cache = new Map();
  return {
    ajv, conv,
    // validator for the schema at JSON pointer ptr (in the description)
    at(ptr) {
      if (cache.has(ptr)) return cache.get(ptr);
      let v;
      try { v = ajv.compile({ $ref: 'spec#' + ptr.split('/').map((p) => encodeURIComponent(p)).join('/') }); }
      catch (e) { v = { compileError: String(e.message || e) }; }
      cache.set(ptr, v);
      return v;
    },
  };
}
function ptrRef(ptr) { return ptr; }

function validate(av, ptr, value) {
  const v = av.at(ptr);
  if (v.compileError) return { ok: null, error: 'schema compile error: ' + v.compileError.slice(0, 200) };
  const ok = v(value);
  return { ok, errors: ok ? [] : (v.errors || []).slice(0, 30) };
}

// pick the most telling error: deepest instancePath, not a combinator summary
function mainError(errors) {
  if (!errors || !errors.length) return null;
  const nonComb = errors.filter((e) => !['anyOf', 'oneOf', 'if', 'allOf'].includes(e.keyword));
  const pool = nonComb.length ? nonComb : errors;
  // prefer the first error (ajv order follows the schema) among the deepest paths of the first branch
  return pool[0];
}
function errKey(e) {
  if (!e) return 'unknown';
  const ip = e.instancePath.replace(/\/\d+(?=\/|$)/g, '/*');
  let sp = e.schemaPath.replace(/^spec#/, '#');
  let msg = e.message;
  if (e.keyword === 'additionalProperties') msg += ' (' + e.params.additionalProperty + ')';
  if (e.keyword === 'enum') msg += ' ' + JSON.stringify(e.params.allowedValues).slice(0, 120);
  return `${e.keyword} ${ip || '/'} ${msg} [${sp}]`;
}

// ---------- value generation ----------
const FORMAT_VALUES = {
  'date-time': '2024-01-02T03:04:05Z', date: '2024-01-02', time: '03:04:05Z', email: 'survey@example.com', 'idn-email': 'survey@example.com',
  uri: 'https://example.com/x', url: 'https://example.com/x', 'uri-reference': 'https://example.com/x', iri: 'https://example.com/x', 'uri-template': 'https://example.com/{x}',
  uuid: '123e4567-e89b-42d3-a456-426614174000', byte: 'eA==', binary: 'x', ipv4: '192.0.2.1', ipv6: '2001:db8::1', hostname: 'example.com', 'idn-hostname': 'example.com',
  duration: 'P1D', password: 'secret', regex: 'x', 'json-pointer': '/x', 'relative-json-pointer': '0', int64: '1', int32: '1', 'unix-time': '1700000000', decimal: '1',
};
function typeOf(s) {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null') || 'null';
  if (s.type) return s.type;
  if (s.properties || s.additionalProperties || s.required) return 'object';
  if (s.items) return 'array';
  return undefined;
}
class Gen {
  constructor(doc, version, opts = {}) {
    this.doc = doc; this.version = version;
    this.useExamples = opts.useExamples !== false;
    this.variant = opts.variant || 0;
    this.mode = opts.mode || 'request';
    this.extraProps = opts.extraProps || 0; // how many optional props to add
    this.minOne = !!opts.minOne;
    this.nonEmpty = !!opts.nonEmpty;
  }
  gen(s, depth = 0, stack = []) {
    if (depth > 12) return undefined;
    if (!s || typeof s !== 'object') return 'x';
    if (s.$ref) {
      if (stack.includes(s.$ref) && stack.filter((r) => r === s.$ref).length > 1) return undefined;
      const r = deref(this.doc, s, '').node;
      const merged = this.version === '3.1' ? { ...r, ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$ref')) } : r;
      return this.gen(merged, depth + 1, [...stack, s.$ref]);
    }
    if (s.const !== undefined) return s.const;
    if (Array.isArray(s.enum) && s.enum.length) { const e = s.enum.filter((x) => x !== null); if (e.length) return e[this.variant % e.length] ?? e[0]; }
    if (this.useExamples) {
      if (s.example !== undefined && !(this.version === '3.1' && false)) return s.example;
      if (this.version === '3.1' && Array.isArray(s.examples) && s.examples.length) return s.examples[0];
      if (s.default !== undefined && s.default !== null) return s.default;
    }
    if (Array.isArray(s.allOf) && s.allOf.length) {
      let acc; let prim;
      for (const sub of s.allOf) {
        const v = this.gen(sub, depth + 1, stack);
        if (v && typeof v === 'object' && !Array.isArray(v)) acc = { ...(acc || {}), ...v };
        else if (v !== undefined) prim = v;
      }
      const own = { ...s }; delete own.allOf;
      if (own.properties || own.required) { const v = this.gen(own, depth + 1, stack); if (v && typeof v === 'object') acc = { ...(acc || {}), ...v }; }
      return acc !== undefined ? acc : prim;
    }
    for (const comb of ['oneOf', 'anyOf']) {
      if (Array.isArray(s[comb]) && s[comb].length) {
        const opts = s[comb].filter((o) => { const r = deref(this.doc, o, '').node; return !(r && (r.type === 'null' || (Array.isArray(r.type) && r.type.length === 1 && r.type[0] === 'null'))); });
        const list = opts.length ? opts : s[comb];
        const pick = list[this.variant % list.length];
        const own = { ...s }; delete own[comb]; delete own.discriminator;
        const pr = deref(this.doc, pick, '').node || {};
        if (own.properties && !pr.properties && !pr.type && !pr.allOf && !pr.oneOf && !pr.anyOf) {
          // a branch that only adds constraints (required, …) to the parent's properties
          return this.gen({ ...own, ...pr, required: [...new Set([...(own.required || []), ...(pr.required || [])])] }, depth + 1, stack);
        }
        const v = this.gen(pick, depth + 1, stack);
        if ((own.properties || own.required) && v && typeof v === 'object' && !Array.isArray(v)) { const o = this.gen(own, depth + 1, stack); return { ...(o || {}), ...v }; }
        // discriminator: set the property to the mapping key of the pick
        if (s.discriminator && v && typeof v === 'object' && pick.$ref) {
          const pn = s.discriminator.propertyName;
          const m = s.discriminator.mapping || {};
          const key = Object.keys(m).find((k) => m[k] === pick.$ref) || pick.$ref.split('/').pop();
          if (v[pn] === undefined) v[pn] = key;
        }
        return v;
      }
    }
    const t = typeOf(s);
    switch (t) {
      case 'object': {
        const o = {};
        const props = s.properties || {};
        const req = (s.required || []).filter((p) => {
          const ps = props[p] ? deref(this.doc, props[p], '').node : null;
          if (this.mode === 'request' && ps && ps.readOnly) return false;
          if (this.mode === 'response' && ps && ps.writeOnly) return false;
          return true;
        });
        for (const p of req) {
          const v = props[p] ? this.gen(props[p], depth + 1, stack) : (s.additionalProperties && typeof s.additionalProperties === 'object' ? this.gen(s.additionalProperties, depth + 1, stack) : 'x');
          o[p] = v === undefined ? 'x' : v;
        }
        let want = Math.max(s.minProperties || 0, this.extraProps && depth === 0 ? Object.keys(o).length + this.extraProps : 0, this.nonEmpty && depth < 6 ? 1 : 0);
        for (const p of Object.keys(props)) {
          if (Object.keys(o).length >= want) break;
          if (o[p] !== undefined) continue;
          const ps = deref(this.doc, props[p], '').node || {};
          if (this.mode === 'request' && ps.readOnly) continue;
          const v = this.gen(props[p], depth + 1, stack); if (v !== undefined) o[p] = v;
        }
        while (Object.keys(o).length < (s.minProperties || 0)) o['k' + Object.keys(o).length] = s.additionalProperties && typeof s.additionalProperties === 'object' ? this.gen(s.additionalProperties, depth + 1, stack) : 'x';
        return o;
      }
      case 'array': {
        const n = Math.max(s.minItems || 0, (this.minOne && depth < 2) || (this.nonEmpty && depth < 6) ? Math.min(1, s.maxItems ?? 1) : 0);
        const out = [];
        if (Array.isArray(s.prefixItems)) for (const it of s.prefixItems.slice(0, Math.max(n, 0))) out.push(this.gen(it, depth + 1, stack));
        while (out.length < n) {
          const g = out.length ? Object.assign(Object.create(Object.getPrototypeOf(this)), this, { bump: out.length, variant: this.variant + out.length }) : this;
          const v = g.gen(s.items || {}, depth + 1, stack); out.push(v === undefined ? 'x' : v);
        }
        return out;
      }
      case 'integer': case 'number': {
        let v = (t === 'integer' ? 1 : 1.5) + (this.bump || 0);
        const min = s.minimum ?? (typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + (t === 'integer' ? 1 : 0.5) : (s.exclusiveMinimum === true ? s.minimum + 1 : undefined));
        const max = s.maximum ?? (typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - (t === 'integer' ? 1 : 0.5) : undefined);
        if (min !== undefined && v < min) v = min;
        if (max !== undefined && v > max) v = max;
        if (s.exclusiveMinimum === true && v === s.minimum) v += 1;
        if (s.multipleOf) v = Math.ceil(v / s.multipleOf) * s.multipleOf;
        if (t === 'integer') v = Math.ceil(v);
        return v;
      }
      case 'boolean': return true;
      case 'null': return null;
      case 'string': {
        let v;
        if (s.format && FORMAT_VALUES[s.format] !== undefined) v = FORMAT_VALUES[s.format];
        else if (s.pattern) {
          try { const r = new RandExp(s.pattern); r.max = 3; const bump = this.bump || 0; r.randInt = (a, b) => Math.min(b, a + bump); v = r.gen(); } catch (e) { v = 'x'; }
        } else v = this.bump ? 'survey' + this.bump : 'survey';
        if (s.minLength && v.length < s.minLength) v = v + 'x'.repeat(s.minLength - v.length);
        if (s.maxLength !== undefined && v.length > s.maxLength) v = v.slice(0, s.maxLength);
        return v;
      }
      default:
        if (s.not || Object.keys(s).length === 0) return 'x';
        return 'x';
    }
  }
}

// ---------- mock process ----------
const { spawn } = require('child_process');
async function startMock(bin, spec, port, extra = []) {
  const p = spawn(bin, ['--spec', spec, '--fixtures', '/nonexistent', '--port', String(port), '--quiet', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => { if (err.length < 200000) err += d; });
  const t0 = Date.now();
  while (Date.now() - t0 < 120000) {
    if (p.exitCode !== null) throw new Error('mock exited: ' + err.slice(-2000));
    try { const r = await fetch(`http://127.0.0.1:${port}/__mock/routes`); if (r.ok) { return { proc: p, routes: await r.json(), stderr: () => err }; } } catch (e) { /* wait */ }
    await new Promise((r) => setTimeout(r, 300));
  }
  p.kill('SIGTERM');
  throw new Error('mock did not start');
}
function stopMock(m) { if (m && m.proc && m.proc.exitCode === null) m.proc.kill('SIGTERM'); }

module.exports = { loadDoc, getPtr, deref, esc, unesc, convertDoc, makeAjv, validate, mainError, errKey, Gen, startMock, stopMock, typeOf };
