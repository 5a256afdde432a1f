#!/usr/bin/env node
// Open every page of the built documentation site in headless Chromium and check what a reader sees.
//
//     npm ci --prefix tools/site_check                    # once: puppeteer-core and @sparticuz/chromium, pinned
//     node tools/site_check/check.mjs [--site _docs] [--out _docs_check]
//
// The site (built by tools/build_docs.py) is served from 127.0.0.1 by a small static server in this
// script; the browser may fetch nothing else (every other request is blocked and counted as a failure:
// the site must work offline). For every page:
//   - no console errors, no uncaught exceptions, no failed requests (4xx/5xx, aborted, or off the site);
//   - maths typeset: every `span.math` holds KaTeX output, no `.katex-error`, and no raw `$$`, `\(`, `\[`
//     or `$...\cmd...$` left in the text outside code;
//   - figures present: every <img> has loaded (naturalWidth > 0);
//   - links resolve: every internal href (sidebar, table of contents, prose) names a file of the site,
//     and its #anchor, if any, an id on that page; no link leaves the site's folder;
//   - no citation of `shared/research/...` (files a reader of the site cannot open);
//   - no display formula wider than the text column: each `.katex-display` and its container must have
//     scrollWidth <= clientWidth, and the formula must end inside the main column;
//   - the page itself does not scroll sideways.
// It saves screenshots of a few pages (SCREENSHOTS below) into --out (env SITE_CHECK_OUT, default
// _docs_check/), prints one line per page and exits 1 when anything failed, naming page and problem.

import { createServer } from "node:http";
import { readFile, readdir, stat, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import chromium from "@sparticuz/chromium";
import puppeteer from "puppeteer-core";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCREENSHOTS = ["index.html", "08_alphaedit.html", "claims.html"];
const VIEWPORT = { width: 1400, height: 900 }; // a laptop screen: sidebar, text column and table of contents side by side
const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif",
  ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".xml": "application/xml", ".txt": "text/plain",
};

function parseArgs(argv) {
  const a = { site: path.join(ROOT, "_docs"), out: process.env.SITE_CHECK_OUT || path.join(ROOT, "_docs_check"), timeout: 30000 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === "--site") a.site = path.resolve(argv[++i]);
    else if (k === "--out") a.out = path.resolve(argv[++i]);
    else if (k === "--timeout") a.timeout = Number(argv[++i]) * 1000;
    else if (k === "-h" || k === "--help") { console.log("usage: check.mjs [--site DIR] [--out DIR] [--timeout SECONDS per page]"); process.exit(0); }
    else { console.error(`site_check: unknown argument ${k}`); process.exit(2); }
  }
  return a;
}

async function walk(dir, rel = "") {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(path.join(dir, e.name), r)));
    else out.push(r);
  }
  return out;
}

// A static server for `site` on 127.0.0.1; resolves to [server, origin].
function serve(site) {
  const server = createServer(async (req, res) => {
    let p = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = path.join(site, p);
    if (!file.startsWith(site)) { res.writeHead(403).end(); return; }
    try {
      if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file).toLowerCase()] || "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok([server, `http://127.0.0.1:${server.address().port}`])));
}

// Runs in the page: everything the checks need, measured where the reader sees it.
function inspectPage() {
  const problems = [];
  const short = (s, n = 80) => { s = s.replace(/\s+/g, " ").trim(); return s.length > n ? s.slice(0, n) + "…" : s; };
  const main = document.querySelector("main") || document.body;
  const where = (el) => {
    const h = [...main.querySelectorAll("h1, h2, h3, h4")].filter((x) => x.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING).pop();
    return h ? `under "${short(h.textContent, 40)}"` : "at the top";
  };
  // maths
  const maths = [...document.querySelectorAll("span.math")];
  const untypeset = maths.filter((m) => !m.querySelector(".katex"));
  for (const m of untypeset.slice(0, 5)) problems.push(`maths not typeset ${where(m)}: ${short(m.textContent)}`);
  if (untypeset.length > 5) problems.push(`... and ${untypeset.length - 5} more formulas not typeset`);
  for (const e of [...document.querySelectorAll(".katex-error")].slice(0, 5)) problems.push(`KaTeX error ${where(e)}: ${short(e.getAttribute("title") || "")} in ${short(e.textContent)}`);
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (n.parentElement.closest("pre, code, script, style, .katex, .sourceCode, .cell-output") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const raw = /\$\$|\\\(|\\\[|\$[^$\n]*[\\^_][^$\n]*\$/;
  for (let n; (n = walker.nextNode()); ) {
    const m = n.textContent.match(raw);
    if (m) problems.push(`raw maths left in the text ${where(n.parentElement)}: ${short(n.textContent.slice(Math.max(0, m.index - 30), m.index + 50))}`);
  }
  // figures
  const imgs = [...document.images];
  const broken = imgs.filter((i) => !(i.complete && i.naturalWidth > 0));
  for (const i of broken) problems.push(`image not loaded ${where(i)}: ${short(i.getAttribute("src") || "", 60)}`);
  // citations a reader cannot follow
  const text = main.innerText;
  for (const m of text.matchAll(/shared\/research\/[\w./-]*/g)) problems.push(`cites ${m[0]}, which a reader of the site cannot open`);
  // display formulas against the text column
  const col = main.getBoundingClientRect();
  const displays = [...document.querySelectorAll(".katex-display")];
  for (const d of displays) {
    const box = d.parentElement;
    const k = d.querySelector(".katex") || d;
    const over = Math.max(d.scrollWidth - d.clientWidth, box.scrollWidth - box.clientWidth, Math.ceil(k.getBoundingClientRect().right - col.right));
    if (over > 1) problems.push(`display formula ${over}px wider than the text column ${where(d)}: ${short(d.querySelector("annotation")?.textContent || d.textContent, 60)}`);
  }
  const sideways = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  if (sideways > 1) problems.push(`the page scrolls sideways by ${sideways}px`);
  // links and anchors, checked against the whole site afterwards
  const links = [...document.querySelectorAll("a[href]")].map((a) => ({ href: a.getAttribute("href"), url: a.href, text: short(a.textContent, 40) }));
  const ids = [...document.querySelectorAll("[id]")].map((e) => e.id).concat([...document.querySelectorAll("a[name]")].map((e) => e.name));
  return { problems, maths: maths.length, typeset: maths.length - untypeset.length, imgs: imgs.length, displays: displays.length, links, ids };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(args.site, "index.html"))) {
    console.error(`site_check: no site at ${args.site} (build it first: python tools/build_docs.py)`);
    process.exit(2);
  }
  const t0 = Date.now();
  const files = new Set(await walk(args.site));
  const pages = [...files].filter((f) => f.endsWith(".html") && !f.startsWith("site_libs/")).sort((a, b) => (a === "index.html" ? -1 : b === "index.html" ? 1 : a.localeCompare(b)));
  const [server, origin] = await serve(args.site);
  const browser = await puppeteer.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: "shell", defaultViewport: VIEWPORT });
  const results = {};
  let current = null; // the problems of the page being loaded; the listeners add to it
  try {
    const page = await browser.newPage();
    await page.setRequestInterception(true);
    page.on("request", (r) => {
      const u = r.url();
      if (u.startsWith(origin + "/") || u.startsWith("data:") || u.startsWith("blob:") || u === "about:blank") r.continue();
      else { current?.push(`request off the site (blocked; a reader offline or behind a firewall sees it fail): ${u}`); r.abort("blockedbyclient"); }
    });
    const blocked = (s) => /ERR_BLOCKED_BY_CLIENT/.test(s || ""); // reported once, as "request off the site"
    page.on("requestfailed", (r) => { if (!blocked(r.failure()?.errorText)) current?.push(`request failed (${r.failure()?.errorText}): ${r.url().replace(origin, "")}`); });
    page.on("response", (r) => { if (r.status() >= 400) current?.push(`request failed (HTTP ${r.status()}): ${r.url().replace(origin, "")}`); });
    page.on("console", (m) => { if (m.type() === "error" && !blocked(m.text())) current?.push(`console error: ${m.text()}${m.location()?.url ? ` (${m.location().url.replace(origin, "")})` : ""}`); });
    page.on("pageerror", (e) => current?.push(`uncaught exception: ${e.message}`));
    await mkdir(args.out, { recursive: true });
    for (const p of pages) {
      const t = Date.now();
      current = [];
      const problems = current;
      try {
        await page.goto(`${origin}/${p}`, { waitUntil: "load", timeout: args.timeout });
        await page.evaluate(async () => {
          await document.fonts.ready;
          await Promise.all([...document.images].map((i) => (i.complete ? null : i.decode().catch(() => null))));
        });
        const r = await page.evaluate(inspectPage);
        problems.push(...r.problems);
        results[p] = { ...r, problems, ms: Date.now() - t };
        if (SCREENSHOTS.includes(p)) await page.screenshot({ path: path.join(args.out, p.replace(/\.html$/, ".png").replaceAll("/", "_")), fullPage: true });
      } catch (e) {
        problems.push(`could not be opened: ${e.message}`);
        results[p] = { problems, links: [], ids: [], maths: 0, typeset: 0, imgs: 0, displays: 0, ms: Date.now() - t };
      }
    }
    current = null;
  } finally {
    await browser.close();
    server.close();
  }
  // links, against the files of the site and the ids of its pages
  const idsOf = Object.fromEntries(Object.entries(results).map(([p, r]) => [p, new Set(r.ids)]));
  for (const [p, r] of Object.entries(results)) {
    const bad = new Set();
    for (const { href, url, text } of r.links) {
      if (!url.startsWith(origin + "/") && !/^(\.\.?\/|\/|#|[^:]*$)/.test(href)) continue; // another site (http:, mailto:, ...)
      const u = new URL(url);
      let target = decodeURIComponent(u.pathname).replace(/^\//, "");
      if (target === "" || target.endsWith("/")) target += "index.html";
      const label = `"${text}" -> ${href}`;
      // the browser clamps "../" at the server's root, so a link out of the site's folder is caught on the href itself
      const escapes = !/^[a-z][\w+.-]*:|^\/|^#/i.test(href) && path.posix.normalize(path.posix.join(path.posix.dirname(p), href.split(/[?#]/)[0])).startsWith("..");
      if (!url.startsWith(origin + "/") || escapes) bad.add(`link leaves the site: ${label}`);
      else if (!files.has(target)) bad.add(`broken link (no ${target} in the site): ${label}`);
      else if (u.hash.length > 1 && target.endsWith(".html") && !idsOf[target]?.has(decodeURIComponent(u.hash.slice(1)))) bad.add(`broken anchor (no id ${u.hash} on ${target}): ${label}`);
    }
    r.problems.push(...bad);
    r.nlinks = r.links.length;
  }
  // the summary
  let failed = 0;
  for (const [p, r] of Object.entries(results)) {
    const ok = r.problems.length === 0;
    failed += !ok;
    console.log(`${ok ? "ok  " : "FAIL"} ${p.padEnd(34)} maths ${r.typeset}/${r.maths}, displays ${r.displays}, images ${r.imgs}, links ${r.nlinks}, ${(r.ms / 1000).toFixed(1)}s`);
    for (const q of r.problems) console.log(`       ${p}: ${q}`);
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`\nsite_check: ${pages.length} pages, ${failed} with problems, in ${secs}s; screenshots of ${SCREENSHOTS.join(", ")} in ${path.relative(process.cwd(), args.out) || "."}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(`site_check: ${e.stack || e}`); process.exit(2); });
