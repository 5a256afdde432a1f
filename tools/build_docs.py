#!/usr/bin/env python3
"""Build the documentation site into `_docs/`, offline and without Quarto.

    python tools/build_docs.py                  # -> _docs/index.html
    python tools/build_docs.py --out DIR        # somewhere else (the docs test builds into a temp folder)

Where Quarto is installed, `nbdev-docs` builds the same site from the same `nbs/_quarto.yml`. Here:

1. nbdev processes the notebooks into `_proc/`, exactly as `nbdev-proc-nbs` does (it runs the
   `show_doc` and export cells, applies the `#|` directives, writes `nbs/nbdev.yml` from
   `pyproject.toml`), minus its attempt to download and install Quarto;
2. smalldocs (pure Python) renders the Quarto website described by `_proc/_quarto.yml`;
3. KaTeX, which smalldocs loads from a CDN, is copied into the site (`site_libs/katex/`) and the
   pages are pointed at that copy, so that maths renders with no network. KaTeX comes from the npm
   registry (`npm pack`, pinned version and checksum), unpacked once into `.cache/`; set
   KNOWEDIT_KATEX_DIR to a KaTeX `dist/` folder to use another copy;
4. style sheets that `@import` from the network (the cosmo theme asks Google Fonts for Source Sans Pro)
   lose that import: the theme's font stack then falls back to the reader's own sans-serif, and no
   page makes a request that fails offline.

It prints the warnings smalldocs gives (broken links, ignored keys) and exits non-zero when the site
could not be built or a page or style sheet still loads a script, style sheet or font from the network.
What a browser does with the pages is checked by tools/site_check (headless Chromium).
"""

import argparse
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KATEX_VERSION = "0.16.11"  # the version smalldocs 0.5 asks its CDN for
KATEX_SHA256 = "8c5494c5f7d8e8bf73ff3fe64d4bd09a340e4878b7eec9bbd9ef8d8f3e24193f"  # of katex-0.16.11.tgz from npm
KATEX_FILES = ("katex.min.css", "katex.min.js", "contrib/auto-render.min.js")
KATEX_CDN = re.compile(r"https://cdn\.jsdelivr\.net/npm/katex@[\w.\-]+/dist")
REMOTE_ASSET = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"(https?://[^\"]+\.(?:js|css))\"")
REMOTE_IMPORT = re.compile(r"@import\s+(?:url\(\s*[\"']?https?://[^)]*\)|[\"']https?://[^\"']*[\"'])[^;]*;")  # in a style sheet
REMOTE_URL = re.compile(r"(?:@import\s+|url\()\s*[\"']?(https?://[^\"')\s;]+)")  # anything a style sheet fetches
# warnings that come from nbdev's generated files and mean nothing for this site
HARMLESS = ("unknown key format-links", "output-file is not read by smalldocs")


def katex_dist(cache: Path = ROOT / ".cache") -> Path:
    "A folder with KaTeX's dist files: KNOWEDIT_KATEX_DIR, else the pinned npm package, fetched once into `cache`."
    if os.environ.get("KNOWEDIT_KATEX_DIR"):
        d = Path(os.environ["KNOWEDIT_KATEX_DIR"])
    else:
        d = cache / f"katex-{KATEX_VERSION}" / "dist"
        if not all((d / f).is_file() for f in KATEX_FILES):
            if not shutil.which("npm"):
                sys.exit("build_docs: KaTeX is needed for maths: install npm, or set KNOWEDIT_KATEX_DIR to a KaTeX dist/ folder")
            with tempfile.TemporaryDirectory() as tmp:
                subprocess.run(["npm", "pack", f"katex@{KATEX_VERSION}", "--pack-destination", tmp, "--silent"], check=True, stdout=subprocess.DEVNULL)
                blob = (Path(tmp) / f"katex-{KATEX_VERSION}.tgz").read_bytes()
            if hashlib.sha256(blob).hexdigest() != KATEX_SHA256:
                sys.exit(f"build_docs: katex-{KATEX_VERSION}.tgz from npm does not have the pinned sha256")
            shutil.rmtree(d.parent, ignore_errors=True)
            with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
                for m in tar.getmembers():
                    rel = m.name.removeprefix("package/")
                    if m.isfile() and (rel.startswith("dist/") or rel == "LICENSE"):
                        out = d.parent / rel
                        out.parent.mkdir(parents=True, exist_ok=True)
                        out.write_bytes(tar.extractfile(m).read())
            shutil.copy(d.parent / "LICENSE", d / "LICENSE")
    missing = [f for f in KATEX_FILES if not (d / f).is_file()]
    if missing:
        sys.exit(f"build_docs: {d} lacks {missing}")
    return d


def proc_notebooks() -> Path:
    "Process nbs/ into _proc/ as `nbdev-proc-nbs` does, without trying to install Quarto; return _proc."
    os.chdir(ROOT)
    import nbdev.doclinks
    from nbdev.quarto import refresh_quarto_yml
    from nbdev.serve import proc_nbs

    refresh_quarto_yml()  # writes nbs/nbdev.yml from pyproject.toml; keeps our nbs/_quarto.yml
    nbdev.doclinks._build_modidx()
    proc = proc_nbs(force=True, n_workers=1)  # force: never a stale page; one worker: the machine is small
    drop_empty_sections(proc / "_quarto.yml")
    return proc


def drop_empty_sections(quarto_yml: Path):
    "Leave out the sidebar sections whose glob matches no page yet (say, Tutorials before the first tutorial)."
    import yaml

    cfg = yaml.safe_load(quarto_yml.read_text(encoding="utf-8"))
    contents = cfg.get("website", {}).get("sidebar", {}).get("contents", [])
    keep = [c for c in contents if not (isinstance(c, dict) and isinstance(c.get("contents"), str) and not list(quarto_yml.parent.glob(c["contents"])))]
    if keep != contents:
        cfg["website"]["sidebar"]["contents"] = keep
        quarto_yml.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")


def vendor_katex(site: Path, dist: Path) -> int:
    "Copy KaTeX into `site/site_libs/katex` and point every page at it; return how many pages have maths."
    libs = site / "site_libs" / "katex"
    shutil.rmtree(libs, ignore_errors=True)
    libs.mkdir(parents=True)
    for f in KATEX_FILES + ("LICENSE",):
        if (dist / f).is_file():
            (libs / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(dist / f, libs / f)
    shutil.copytree(dist / "fonts", libs / "fonts")
    n = 0
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        offset = "../" * (len(page.relative_to(site).parts) - 1)
        new = KATEX_CDN.sub(f"{offset}site_libs/katex", html)
        if new != html:
            page.write_text(new, encoding="utf-8")
            n += 1
    return n


def offline_css(site: Path) -> list[str]:
    "Drop every `@import` of a remote style sheet (web fonts) from the site's CSS; return what was dropped."
    dropped = []
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        new = REMOTE_IMPORT.sub("", text)
        if new != text:
            dropped += [f"{css.relative_to(site)}: {m.strip()}" for m in REMOTE_IMPORT.findall(text)]
            css.write_text(new, encoding="utf-8")
    return dropped


def build(out: Path) -> int:
    "Build the site into `out`; return the exit code."
    from smalldocs.site import build as smalldocs_build

    dist = katex_dist()
    try:
        proc = proc_notebooks()
    except Exception as e:
        print(f"\nbuild_docs: nbdev could not process the notebooks: {str(e).strip()}\n"
              "Hint: to render `show_doc`, nbdev runs only the export cells, the show_doc cells, the `#| exec_doc` cells and "
              "every cell that contains an import; a cell that imports something and also uses results of other cells "
              "fails here. Put imports in a cell of their own (nbdev's FAQ), or mark the cell `#| eval: false` if it "
              "must not run.", file=sys.stderr)
        return 1
    site = smalldocs_build(proc, quiet=True)
    warnings = [w for w in site.warnings if not any(h in w for h in HARMLESS)]
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    built = Path(site.out)
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(built), str(out))
    n_math = vendor_katex(out, dist)
    dropped = offline_css(out)
    remote = sorted({f"{p.relative_to(out)}: {u}" for p in out.rglob("*.html") for u in REMOTE_ASSET.findall(p.read_text(encoding="utf-8"))}
                    | {f"{p.relative_to(out)}: {u}" for p in out.rglob("*.css") for u in REMOTE_URL.findall(p.read_text(encoding="utf-8"))})
    for r in remote:
        print(f"error: a page loads from the network: {r}", file=sys.stderr)
    pages = len(list(out.rglob("*.html")))
    print(f"built {pages} pages into {out} ({n_math} with maths, KaTeX {dist} -> site_libs/katex; "
          f"{len(dropped)} remote @import dropped from the style sheets), {len(warnings)} warnings")
    return 1 if remote else 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "_docs", help="where the site goes (default _docs/)")
    a = p.parse_args(argv)
    return build(a.out.resolve())


if __name__ == "__main__":
    sys.exit(main())
