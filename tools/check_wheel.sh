#!/usr/bin/env bash
# Build knowedit's wheel from the checkout and use it as someone who installs it would:
#   1. copy the checkout's files (git's list: tracked, plus new files that are not ignored) to a temp folder
#      and build the wheel there, so the checkout gets no build/ folder;
#   2. a fresh virtual environment outside the repository: torch as the README installs it, then the wheel,
#      whose dependencies pip resolves from the package registry;
#   3. from that temp folder (not the repository): `knowedit run` (a small toy-world run, which prints its
#      before/after table) and tools/wheel_smoke.py (import, load the shipped toy world, one MEMIT edit).
# Usage: bash tools/check_wheel.sh [PYTHON]   (PYTHON makes the venv; default python3). CI runs it from .ci/run.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
py=${1:-python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/knowedit-wheel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t0=$SECONDS
took() { echo "  ($1: $((SECONDS - t0)) s so far)"; }
export KNOWEDIT_CACHE="$tmp/cache"  # statistics of this run only: nothing from the developer's cache
unset KNOWEDIT_TOYWORLD KNOWEDIT_HPARAMS  # the package's own data, nothing else

mkdir "$tmp/src"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) \
  | (cd "$repo" && tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$tmp/src"
"$py" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q build
"$tmp/venv/bin/python" -m build -q --wheel --outdir "$tmp/dist" "$tmp/src" >/dev/null 2>"$tmp/build.err" || { cat "$tmp/build.err"; exit 1; }
whl=$(ls "$tmp"/dist/knowedit-*.whl)
took "wheel built"
echo "built $(basename "$whl") ($(du -k "$whl" | cut -f1) KiB):"
"$tmp/venv/bin/python" - "$whl" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
need = ["knowedit/assets/toyworld/model.safetensors", "knowedit/assets/toyworld/kb.json", "knowedit/assets/toyworld/counterfact.json",
        "knowedit/assets/hparams/memit/toyworld.json"]
missing = [n for n in need if n not in names]
print(f"  {len(names)} files, {sum(n.startswith('knowedit/assets/') for n in names)} of them package data")
if missing: sys.exit(f"the wheel lacks {missing}")
PY

# torch as the README installs it (pinned), then the wheel: its other dependencies come from the registry
"$tmp/venv/bin/pip" install -q torch==2.13.0
"$tmp/venv/bin/pip" install -q "$whl"
took "installed"

cd "$tmp"
# the progress bars go to a file, shown only if the run fails; the table comes to stdout
"$tmp/venv/bin/knowedit" run --n-edits "${KNOWEDIT_WHEEL_EDITS:-10}" --batch-size "${KNOWEDIT_WHEEL_EDITS:-10}" --out "$tmp/run" \
  2>"$tmp/run.err" || { tail -n 40 "$tmp/run.err"; exit 1; }
test -f "$tmp/run/summary.json"
took "knowedit run"
"$tmp/venv/bin/python" "$repo/tools/wheel_smoke.py" 2>"$tmp/smoke.err" || { tail -n 40 "$tmp/smoke.err"; exit 1; }
took "import and edit"
echo "the wheel works outside the repository"
