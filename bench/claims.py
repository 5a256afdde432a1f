"""The seed papers' sequential claims, side by side: one resumable `knowedit run` per method and model, with the same
edits, seed, batches and metrics for every method, and what each measured stored under bench/results/claims/.

    python bench/claims.py --model toyworld                      # 1,000 toy CounterFact edits in batches of 100
    python bench/claims.py --model smollm2                       # atlas facts SmolLM2 knows, in batches of 50
    python bench/claims.py --model toyworld --methods memit,nse --n-edits 200
    python bench/claims.py --model smollm2 --dataset known --n-edits 200 --batch-size 25 --runs runs/claims-known --results bench/results/claims-known

Every run goes through the command line's own path (`knowedit.cli.main(['run', ...])`), so a claim is measured exactly as
a user would measure it. Runs live under runs/claims/MODEL/METHOD and continue with `--resume` where a killed benchmark
stopped; each finished run's steps.jsonl and summary.json are copied to bench/results/claims/MODEL/METHOD/, beside a
meta.json with the commit, date, machine and the command, and `nbs/claims.ipynb` draws the figure and the tables from
those files. The script runs unchanged on a GPU (`--device cuda`)."""
import argparse, json, os, platform, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "claims"

# Each model's protocol: the dataset, how many edits, how they are batched, how often everything edited so far is scored
PROTOCOLS = dict(
    toyworld=dict(dataset="toyworld", n_edits=1000, batch_size=100, eval_every=2),
    smollm2=dict(dataset="atlas", n_edits=500, batch_size=50, eval_every=2),
)

# label -> the `knowedit run` arguments that name the method (PRUNE restrains the method it follows, after every batch)
METHODS = {
    "memit": ["--method", "memit"],
    "alphaedit": ["--method", "alphaedit"],
    "memit+prune": ["--method", "prune", "--base", "memit"],
    "alphaedit+prune": ["--method", "prune", "--base", "alphaedit"],
    "nse": ["--method", "nse"],
    "ece": ["--method", "ece"],
    "kgmet": ["--method", "kgmet"],
}


def commit() -> str:
    "The repository's commit (with '+dirty' when the working tree differs from it)"
    try:
        c = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return c + ("+dirty" if dirty else "")
    except Exception: return "unknown"


def run_claim(model:str, label:str, proto:dict, runs:Path, threads:int, device:str|None, generation:bool, results:Path=RESULTS) -> dict:
    "One method's resumable sequential run through the command line; its results copied to bench/results/claims"
    from knowedit.cli import main
    out = runs / model / label
    argv = ["run", *METHODS[label], "--model", model, "--dataset", proto["dataset"], "--n-edits", str(proto["n_edits"]),
            "--batch-size", str(proto["batch_size"]), "--eval-every", str(proto["eval_every"]), "--out", str(out),
            "--resume", "--threads", str(threads), *([] if generation else ["--no-generation"]), *(["--device", device] if device else [])]
    t0, at = time.time(), commit()  # the code the run imports is the checkout's now, not at its end
    if (rc := main(argv)) != 0: raise SystemExit(f"claims: `knowedit {' '.join(argv)}` failed with exit status {rc}")
    dest = results / model / label
    dest.mkdir(parents=True, exist_ok=True)
    for f in ("steps.jsonl", "summary.json"): shutil.copy(out / f, dest / f)
    meta = dict(command="knowedit " + " ".join(argv), commit=at, date=time.strftime("%Y-%m-%d"), seconds=round(time.time() - t0, 1),
                machine=f"{platform.machine()}, {os.cpu_count()} cores", threads=threads, device=device or "default")
    (dest / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return json.loads((dest / "summary.json").read_text())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=list(PROTOCOLS), default="toyworld")
    ap.add_argument("--methods", default=None, help="comma-separated labels (default: every method this installation has)")
    ap.add_argument("--dataset", default=None, help="another dataset for the model's protocol (e.g. known: SmolLM2's known facts of known_1000.json)")
    ap.add_argument("--n-edits", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--eval-every", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default=None)
    ap.add_argument("--generation", action="store_true", help="also sample texts for fluency (slow on a CPU)")
    ap.add_argument("--runs", default="runs/claims")
    ap.add_argument("--results", default=str(RESULTS), help="where the measured files are copied (default bench/results/claims)")
    a = ap.parse_args()
    from knowedit.cli import installed_methods
    have = installed_methods()
    labels = a.methods.split(",") if a.methods else [m for m in METHODS if m.split("+")[0] in have]
    if bad := [m for m in labels if m not in METHODS or m.split("+")[0] not in have]:
        sys.exit(f"claims: unknown or unavailable methods {bad}; available here: {[m for m in METHODS if m.split('+')[0] in have]}")
    proto = dict(PROTOCOLS[a.model], **{k: v for k, v in dict(dataset=a.dataset, n_edits=a.n_edits, batch_size=a.batch_size,
                                                                 eval_every=a.eval_every).items() if v is not None})
    for label in labels:
        s = run_claim(a.model, label, proto, Path(a.runs), a.threads, a.device, a.generation, Path(a.results))
        keys = ("efficacy", "generalization", "specificity", "general")
        print(f"{a.model} {label}: " + ", ".join(f"{k} {s['before'].get(k, float('nan')):.1f} -> {s['metrics'].get(k, float('nan')):.1f}" for k in keys)
              + f"; {s['timing']['edits_per_s']:.2f} edits/s", flush=True)


if __name__ == "__main__": main()
