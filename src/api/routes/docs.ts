// GET /openapi.json (the OpenAPI 3.1 document) and GET /docs (the same document as one
// self-contained web page rendered here: no scripts, no CDN, one inline style pinned by its hash
// in the page's own Content-Security-Policy).
import Router from '@koa/router';
import { createHash } from 'node:crypto';
import { documentForRouters, type JsonSchema, type OpenApiDocument, type Operation, type Parameter, type ResponseObject } from '../openapi.js';

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
main{max-width:1040px;margin:0 auto;padding:24px}
nav ul{columns:2;padding-left:18px}
h1{margin-bottom:0}h2{border-bottom:2px solid #d8dee8;padding-bottom:4px;margin-top:40px}
section.op{background:#fff;border:1px solid #d8dee8;border-radius:6px;padding:8px 16px;margin:16px 0}
.m{display:inline-block;min-width:64px;text-align:center;border-radius:4px;color:#fff;font-weight:600;font-size:13px;padding:2px 6px;margin-right:8px}
.get{background:#2f7d4f}.post{background:#2d5fa8}.delete{background:#a8322d}.put,.patch{background:#8a5a12}
code{background:#eef1f5;border-radius:3px;padding:0 3px}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border-bottom:1px solid #e4e8ee;text-align:left;padding:4px 8px;vertical-align:top}
th{font-size:13px;color:#55607a}
.access{color:#55607a;font-size:14px}
`;

/** The page's policy: nothing loads from anywhere; only the one inline style above applies. */
export const DOCS_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The descriptions' markdown subset: paragraphs, **bold** and `code`. */
function markdown(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>').replace(/`(.+?)`/g, '<code>$1</code>')}</p>`)
    .join('\n');
}

const schemaName = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1);
const schemaLink = (ref: string): string => `<a href="#schema-${escapeHtml(schemaName(ref))}">${escapeHtml(schemaName(ref))}</a>`;

/** A one-line type for a schema: `array of Employee`, `integer ≥ 0`, `"hard" | "soft"`. */
function typeOf(schema: JsonSchema): string {
  if (schema.$ref) return schemaLink(schema.$ref);
  if (schema.const !== undefined) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  if (schema.enum) return schema.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  if (schema.allOf) return schema.allOf.map(typeOf).join(' and ');
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type ?? 'any';
  if (schema.items) return `array of ${typeOf(schema.items)}${schema.minItems ? ' (not empty)' : ''}`;
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') return `map of ${typeOf(schema.additionalProperties)}`;
  if (schema.properties) return `${escapeHtml(type)} { ${Object.keys(schema.properties).map((key) => `<code>${escapeHtml(key)}</code>`).join(', ')} }`;
  const bounds = [
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : '',
    schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : '',
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : '',
    schema.format ? `(${schema.format})` : '',
  ].filter(Boolean);
  return escapeHtml([type, ...bounds].join(' '));
}

function unknownFieldsNote(schema: JsonSchema): string {
  switch (schema['x-unknown-fields']) {
    case 'rejected':
      return '<p class="access">Unknown fields are refused (422).</p>';
    case 'ignored':
      return '<p class="access">Unknown fields are ignored.</p>';
    case undefined:
      return '';
    default: {
      const unreachable: never = schema['x-unknown-fields'];
      return unreachable;
    }
  }
}

/** A table of an object schema's fields; nested inline objects get their own rows below. */
function fieldsTable(schema: JsonSchema): string {
  if (!schema.properties) return `<p>${typeOf(schema)}</p>`;
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties).map(([name, field]) => {
    const nested = field.properties ? fieldsTable(field) : '';
    return `<tr><td><code>${escapeHtml(name)}</code></td><td>${typeOf(field)}${nested}</td><td>${required.has(name) ? 'yes' : ''}</td><td>${escapeHtml(field.description ?? '')}</td></tr>`;
  });
  return `${unknownFieldsNote(schema)}<table><tr><th>Field</th><th>Type</th><th>Required</th><th>Constraint</th></tr>${rows.join('')}</table>`;
}

function accessOf(operation: Operation): string {
  if (operation['x-required-scope']) return `API key with the <code>${escapeHtml(operation['x-required-scope'])}</code> scope (Authorization: Bearer pb_… or X-API-Key)`;
  if (operation.security.some((requirement) => 'adminToken' in requirement)) return 'Admin token (Authorization: Bearer &lt;ADMIN_TOKEN&gt;), allowed networks only';
  return 'No authentication';
}

function parametersTable(parameters: Parameter[]): string {
  const rows = parameters.map((p) => `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td>${typeOf(p.schema)}</td><td>${p.required ? 'yes' : ''}</td><td>${escapeHtml(p.description)}</td></tr>`);
  return `<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Description</th></tr>${rows.join('')}</table>`;
}

function responsesTable(document: OpenApiDocument, operation: Operation): string {
  const rows = Object.entries(operation.responses).map(([status, response]) => {
    const resolved: ResponseObject = '$ref' in response ? document.components.responses[schemaName(response.$ref)]! : response;
    const media = Object.entries(resolved.content ?? {}).map(([type, { schema }]) => `<code>${escapeHtml(type)}</code> ${typeOf(schema)}`).join('<br>');
    return `<tr><td>${status}</td><td>${markdown(resolved.description)}</td><td>${media}</td></tr>`;
  });
  return `<h4>Responses</h4><table><tr><th>Status</th><th>Meaning</th><th>Body</th></tr>${rows.join('')}</table>`;
}

function operationSection(document: OpenApiDocument, path: string, method: string, operation: Operation): string {
  const body = operation.requestBody?.content['application/json']?.schema;
  return `<section class="op" id="${escapeHtml(operation.operationId)}">
<h3><span class="m ${method}">${method.toUpperCase()}</span><code>${escapeHtml(path)}</code></h3>
<p><strong>${escapeHtml(operation.summary)}</strong></p>
${operation.description ? markdown(operation.description) : ''}
<p class="access">Access: ${accessOf(operation)}</p>
${operation.parameters?.length ? parametersTable(operation.parameters) : ''}
${body ? `<h4>Request body (application/json)</h4>${body.$ref ? `<p>${schemaLink(body.$ref)}</p>${fieldsTable(document.components.schemas[schemaName(body.$ref)] ?? {})}` : fieldsTable(body)}` : ''}
${responsesTable(document, operation)}
</section>`;
}

/** The whole document as one HTML page. */
export function renderDocsPage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation: operation as Operation })));
  const byTag = document.tags.map(({ name }) => ({ name, operations: operations.filter((o) => o.operation.tags.includes(name)) }));
  const nav = byTag
    .map(({ name, operations: ops }) => `<li>${escapeHtml(name)}<ul>${ops.map((o) => `<li><a href="#${escapeHtml(o.operation.operationId)}">${o.method.toUpperCase()} ${escapeHtml(o.path)}</a></li>`).join('')}</ul></li>`)
    .join('');
  const sections = byTag.map(({ name, operations: ops }) => `<h2>${escapeHtml(name)}</h2>${ops.map((o) => operationSection(document, o.path, o.method, o.operation)).join('\n')}`).join('\n');
  const schemas = Object.entries(document.components.schemas)
    .map(([name, schema]) => `<section class="op" id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${fieldsTable(schema)}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} ${escapeHtml(document.info.version)}</title><style>${STYLE}</style></head>
<body><main>
<h1>${escapeHtml(document.info.title)}</h1><p class="access">Version ${escapeHtml(document.info.version)} · OpenAPI ${document.openapi} · machine-readable: <a href="/openapi.json">/openapi.json</a></p>
${markdown(document.info.description)}
<nav><h2>Routes</h2><ul>${nav}</ul></nav>
${sections}
<h2>Schemas</h2>
${schemas}
</main></body></html>
`;
}

/** Serves the document for the mounted `routers` (the /api/v1 ones; ops and docs are implied). */
export function docsRouter(routers: Router[]): Router {
  const document = documentForRouters(routers);
  const documentJson = JSON.stringify(document);
  const page = renderDocsPage(document);
  const router = new Router();

  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'application/json';
    ctx.body = documentJson;
  });

  router.get('/docs', (ctx) => {
    ctx.set('Content-Security-Policy', DOCS_CSP);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page;
  });

  return router;
}
