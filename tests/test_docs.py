"""Build the documentation site (tools/build_docs.py) and check what a reader would see.

For every library notebook (nbs/[0-9]*.ipynb), the claims page (nbs/claims.ipynb), every tutorial (nbs/tutorials/*.ipynb) and research page (nbs/research/*.ipynb): a page
exists, with the notebook's title, its prose, the text of its visible code outputs, and its
pictures. For the site: the sidebar lists the notebooks (and nothing else), and maths is typeset by
the KaTeX copy inside the site, never by a CDN (the index page has maths, so this is always tested).
The last test opens every page in headless Chromium (tools/site_check/check.mjs); it is skipped, with the
reason, where node or `npm ci --prefix tools/site_check` is missing.
"""

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"
sys.path.insert(0, str(ROOT / "tools"))
from make_readme import split_directives  # noqa: E402  (the same reading of `#|` directives as the README)

LIBRARY = sorted(NBS.glob("[0-9]*.ipynb"))
TUTORIALS = sorted(p for p in (NBS / "tutorials").glob("*.ipynb") if not p.name.startswith(("_", ".")))
RESEARCH = sorted(p for p in (NBS / "research").glob("*.ipynb") if not p.name.startswith(("_", ".")))
PAGES = [NBS / "claims.ipynb"]  # pages of their own in the sidebar, after the library notebooks
KATEX_FILES = ("katex.min.css", "katex.min.js", "contrib/auto-render.min.js")
# cells whose outputs the docs do not show, by their directives
HIDDEN = {"hide", "exporti", "filter_stream", "hide_output"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    "The site, built once for this module into a temp folder."
    out = tmp_path_factory.mktemp("site") / "_docs"
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "build_docs.py"), "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    print(r.stdout, r.stderr, sep="\n")
    assert r.returncode == 0, f"tools/build_docs.py failed:\n{r.stdout}\n{r.stderr}"
    return out


def text_of(page_html: str) -> str:
    "The visible text of a page: no scripts, no tags, entities decoded, white space collapsed."
    s = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page_html)
    s = re.sub(r"(?i)</?(?:p|div|li|ul|ol|pre|h\d|br|hr|tr|td|th|table|nav|header|section|button)\b[^>]*>", " ", s)
    s = html.unescape(re.sub(r"(?s)<[^>]+>", "", s))  # inline tags (highlighted code) join what they split
    return " ".join(s.split())


def cells(nb: Path) -> list[dict]:
    return json.loads(nb.read_text(encoding="utf-8"))["cells"]


def src(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def title_of(nb: Path) -> str:
    "The notebook's title: `title:` of a front-matter cell, else its first `# heading`."
    for c in cells(nb):
        m = re.search(r"^title:\s*['\"]?(.+?)['\"]?\s*$", src(c), re.M) if c["cell_type"] == "raw" else None
        m = m or (re.search(r"^#\s+(.+?)\s*$", src(c), re.M) if c["cell_type"] == "markdown" else None)
        if m:
            return re.sub(r"[*_`]", "", m.group(1)).strip()
    raise AssertionError(f"{nb.name} has no title (a first markdown cell `# Title`)")


def prose_words(nb: Path, n: int = 40) -> list[str]:
    "The first `n` plain words (4+ letters) of the notebook's markdown, without code, maths, links and HTML."
    words = []
    for c in cells(nb):
        if c["cell_type"] != "markdown":
            continue
        s = re.sub(r"(?s)```.*?```|\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]*`|<[^>\n]+>|\]\([^)\s]*\)|https?://\S+", " ", src(c))
        words += [w.lower() for w in re.findall(r"(?<![\w\\])[A-Za-z]{4,}(?![\w])", s)]
    return words[:n]


def output_lines(nb: Path) -> list[str]:
    "The first line of each visible plain-text output (stdout, or a result shown as text only)."
    found = []
    for c in cells(nb):
        if c["cell_type"] != "code":
            continue
        dirs, _ = split_directives(src(c))
        if HIDDEN & dirs.keys() or dirs.get("include") == "false" or dirs.get("output") in ("false", "asis"):
            continue
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stdout":
                text = "".join(o.get("text", ""))
            elif o.get("output_type") in ("execute_result", "display_data") and set(o.get("data", {})) == {"text/plain"}:
                text = "".join(o["data"]["text/plain"])
            else:
                continue
            line = next((ln.strip() for ln in re.split(r"[\r\n]", text) if ln.strip() and "\x1b" not in ln), None)
            if line:
                found.append(" ".join(line.split())[:100])
    return found


def n_pictures(nb: Path) -> int:
    "How many visible image outputs the notebook has."
    n = 0
    for c in cells(nb):
        dirs, _ = split_directives(src(c)) if c["cell_type"] == "code" else ({}, "")
        if c["cell_type"] != "code" or HIDDEN & dirs.keys() or dirs.get("include") == "false" or dirs.get("output") == "false":
            continue
        n += sum(any(k.startswith("image/") for k in o.get("data", {})) for o in c.get("outputs", []))
    return n


NOTEBOOKS = LIBRARY + PAGES + TUTORIALS + RESEARCH


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.relative_to(NBS).as_posix() for p in NOTEBOOKS])
def test_notebook_page(site: Path, nb: Path):
    page = site / nb.relative_to(NBS).with_suffix(".html")
    assert page.is_file(), f"no page for {nb.name} in the site"
    raw = page.read_text(encoding="utf-8")
    text = text_of(raw)
    title = title_of(nb)
    assert title in text, f"{page.name}: the title {title!r} is not on the page"
    words = prose_words(nb)
    page_words = set(re.findall(r"[a-z]+", text.lower()))
    missing = [w for w in words if w not in page_words]
    assert len(missing) <= len(words) // 5, f"{page.name}: prose missing from the page: {missing}"
    for line in output_lines(nb):
        assert line in text, f"{page.name}: the output {line!r} is not on the page"
    assert raw.count("<img") >= n_pictures(nb), f"{page.name}: {n_pictures(nb)} pictures in the notebook, fewer on the page"


def test_index_page(site: Path):
    text = text_of((site / "index.html").read_text(encoding="utf-8"))
    assert "knowedit" in text
    for w in ("pip install torch==2.13.0", "pytest -q tests"):  # the two set-up commands
        assert w in text


def test_sidebar(site: Path):
    raw = (site / "index.html").read_text(encoding="utf-8")
    nav = re.search(r'(?s)<nav id="quarto-sidebar".*?</nav>', raw)
    assert nav, "the index page has no sidebar"
    hrefs = re.findall(r'href="([^"#]+)"', nav.group(0))
    assert "index.html" in hrefs
    for nb in NOTEBOOKS:
        assert nb.relative_to(NBS).with_suffix(".html").as_posix() in hrefs, f"{nb.name} is not in the sidebar"
    assert not [h for h in hrefs if h.endswith((".yml", ".yaml", ".ipynb"))], f"the sidebar lists non-pages: {hrefs}"
    lib = [h for h in hrefs if not h.startswith(("tutorials/", "research/"))]
    assert lib == ["index.html"] + sorted(h for h in lib if h != "index.html"), f"not in notebook order: {lib}"
    assert ("Tutorials" in nav.group(0)) == bool(TUTORIALS)


def test_katex_offline(site: Path):
    libs = site / "site_libs" / "katex"
    for f in KATEX_FILES:
        assert (libs / f).is_file(), f"site_libs/katex/{f} is missing"
    assert list((libs / "fonts").glob("*.woff2")), "KaTeX's fonts are missing"
    with_maths = 0
    for page in site.rglob("*.html"):
        raw = page.read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net/npm/katex" not in raw, f"{page.name} loads KaTeX from a CDN"
        if 'class="math' not in raw:
            continue
        with_maths += 1
        refs = re.findall(r'(?:src|href)="([^"]*site_libs/katex/[^"]+)"', raw)
        assert {r.split("site_libs/katex/")[1] for r in refs} >= set(KATEX_FILES), f"{page.name} does not load KaTeX"
        for r in refs:
            assert (page.parent / r).resolve().is_file(), f"{page.name}: {r} does not exist"
    assert with_maths >= 1, "no page has maths, yet nbs/index.ipynb has some"


SITE_CHECK = ROOT / "tools" / "site_check"


def test_site_in_a_browser(site: Path, tmp_path: Path):
    "Every page opened in headless Chromium (tools/site_check/check.mjs): no console errors or failed requests, maths typeset, images loaded, internal links and anchors resolve, no display formula wider than the text column."
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed: the browser check needs Node.js (>= 20.11) and `npm ci --prefix tools/site_check`")
    if not (SITE_CHECK / "node_modules" / "puppeteer-core").is_dir() or not (SITE_CHECK / "node_modules" / "@sparticuz" / "chromium").is_dir():
        pytest.skip("tools/site_check/node_modules is not installed: run `npm ci --prefix tools/site_check` for the browser check")
    r = subprocess.run([node, str(SITE_CHECK / "check.mjs"), "--site", str(site), "--out", str(tmp_path / "screenshots")],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    print(r.stdout, r.stderr, sep="\n")
    assert r.returncode == 0, f"the site check found problems (page: problem):\n{r.stdout[-6000:]}\n{r.stderr[-3000:]}"
    assert {"index.png", "08_alphaedit.png", "claims.png"} <= {p.name for p in (tmp_path / "screenshots").glob("*.png")}
