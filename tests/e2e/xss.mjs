// xss.mjs - 200 hostile payloads for every user-editable field: script tags,
// event handlers, javascript: and data: URLs, SVG and MathML, attribute and
// tag breakouts, template and CSS injection, and encoded variants of them
// (HTML entities, percent-encoding, Unicode escapes, mixed case, NUL-free
// control characters). Each payload sets window.__xss or opens a dialog if it
// ever runs; tests/e2e/xss.test.mjs asserts that none does and that each is
// shown as text.
const sinks = [
  'alert(1)', 'window.__xss=1', 'confirm(1)', 'prompt(1)', 'top.__xss=1',
];
const templates = [
  (s) => `<script>${s}</script>`,
  (s) => `<ScRiPt>${s}</sCrIpT>`,
  (s) => `"><script>${s}</script>`,
  (s) => `'><script>${s}</script>`,
  (s) => `</textarea><script>${s}</script>`,
  (s) => `</title><script>${s}</script>`,
  (s) => `<img src=x onerror="${s}">`,
  (s) => `<img src=x onerror=${s}>`,
  (s) => `"><img src=x onerror=${s}>`,
  (s) => `' onmouseover='${s}' x='`,
  (s) => `" onfocus="${s}" autofocus x="`,
  (s) => `<svg onload=${s}>`,
  (s) => `<svg><script>${s}</script></svg>`,
  (s) => `<svg><animate onbegin=${s} attributeName=x dur=1s>`,
  (s) => `<math><mtext><table><mglyph><style><img src=x onerror=${s}>`,
  (s) => `<body onload=${s}>`,
  (s) => `<iframe src="javascript:${s}"></iframe>`,
  (s) => `<iframe srcdoc="<script>${s}</script>"></iframe>`,
  (s) => `<a href="javascript:${s}">click</a>`,
  (s) => `javascript:${s}`,
  (s) => `JaVaScRiPt:${s}`,
  (s) => `data:text/html,<script>${s}</script>`,
  (s) => `<object data="javascript:${s}"></object>`,
  (s) => `<embed src="javascript:${s}">`,
  (s) => `<details open ontoggle=${s}>`,
  (s) => `<input autofocus onfocus=${s}>`,
  (s) => `<video><source onerror="${s}"></video>`,
  (s) => `<audio src=x onerror=${s}>`,
  (s) => `<marquee onstart=${s}>`,
  (s) => `<div style="background:url(javascript:${s})">`,
  (s) => `<style>@import 'javascript:${s}';</style>`,
  (s) => `<link rel=import href="data:text/html,<script>${s}</script>">`,
  (s) => `<base href="javascript:${s}//">`,
  (s) => `<meta http-equiv="refresh" content="0;url=javascript:${s}">`,
  (s) => `<form action="javascript:${s}"><button>x</button></form>`,
  (s) => `&lt;script&gt;${s}&lt;/script&gt;`,
  (s) => `&#60;script&#62;${s}&#60;/script&#62;`,
  (s) => `%3Cscript%3E${s}%3C%2Fscript%3E`,
  (s) => `\\u003cscript\\u003e${s}\\u003c/script\\u003e`,
  (s) => `{{constructor.constructor('${s}')()}}`,
];

export function payloads() {
  const out = [];
  for (const t of templates) for (const s of sinks) out.push(t(s));
  return out.slice(0, 200);
}
