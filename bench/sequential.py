"""Sequential editing on the toy world: 1,000 CounterFact edits in batches of 100 with MEMIT, AlphaEdit and PRUNE (post-hoc
over MEMIT), each evaluated every 5 batches on everything edited so far and with the toy world's general probe.

    python bench/sequential.py                     # about 10 minutes per method on 2 CPU cores
    python bench/sequential.py --methods memit --n-edits 200 --eval-every 1

Each run is resumable (its folder is under runs/bench-sequential-toyworld/), so a killed benchmark continues where it
stopped. What it measured (steps.jsonl and summary.json of each method, with the unedited model as step 0) is copied to
bench/results/sequential_toyworld/METHOD/, which 08_alphaedit and 10_prune render as their tables."""
import argparse, shutil
from pathlib import Path
import torch
from knowedit.models import load_model
from knowedit.sequential import run_sequential, general_toyworld
from knowedit.toyworld import toyworld_dir, load_world


RESULTS = Path(__file__).resolve().parent / "results" / "sequential_toyworld"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--methods", default="memit,alphaedit,prune")
    ap.add_argument("--n-edits", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--eval-every", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", default="runs/bench-sequential-toyworld")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    probe = general_toyworld(load_world(), n_fluency=0)
    for method in a.methods.split(","):
        model, tok = load_model("toyworld")
        out = Path(a.runs) / method
        s = run_sequential(model, tok, method, toyworld_dir() / "counterfact.json", out=out, n_edits=a.n_edits, batch_size=a.batch_size,
                           eval_every=a.eval_every, generation=False, general_fn=probe, resume=True, model_name="toyworld",
                           dataset_name="toyworld", plot=False)
        dest = RESULTS / method; dest.mkdir(parents=True, exist_ok=True)
        for f in ("steps.jsonl", "summary.json"): shutil.copy(out / f, dest / f)
        keys = ("efficacy", "generalization", "specificity", "general")
        print(f"{method}: " + ", ".join(f"{k} {s['before'][k]:.1f} -> {s['metrics'][k]:.1f}" for k in keys)
              + f"; {s['timing']['edits_per_s']:.2f} edits/s", flush=True)


if __name__ == "__main__": main()
