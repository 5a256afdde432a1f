"""KGMET's values stage and its toy-world settings, measured on a development set that the scored bars never use.

    python bench/kgmet_dev.py                      # writes bench/results/kgmet_dev_toyworld.json (about 5 min on 2 cores)

The development set: the two-hop toy MQuAKE cases 70-129, 250-309 and 390-419 (the notebook scores cases 0-59, 180-239
and 360-389), keeping the born_in / works_for edits and the cases whose first hop is not a subject one of those moves.
Each variant edits a fresh toy model with all of them in one batch and records:
- the value objective: the target NLL at z (mean, median, largest) as the optimisation reports it;
- the size of δ = z - h against |h| (the clamp's radius is `clamp_norm_factor` |h|), and the share of δ the edited model's
  output at the last edited layer reaches: <z_edited - h, z - h> / |z - h|^2;
- the edit metrics: efficacy and two-hop accuracy of the cases, and specificity as the recall of persons no edit touches.
`12_kgmet` renders its tables from the JSON this writes."""
import argparse, json, time
from pathlib import Path
import torch

from knowedit.models import load_model
from knowedit.data import load_mquake
from knowedit.toyworld import toyworld_dir, load_world
from knowedit.editor import Editor, load_hparams
from knowedit.memit import layer_outputs
from knowedit.sequential import eval_edits
from knowedit.evaluate import toy_general

OUT = Path(__file__).resolve().parent / "results" / "kgmet_dev_toyworld.json"

# label -> (method, hyperparameter overrides); None for the number of requests means "the whole batch at once"
VARIANTS = {
    "alphaedit (filed)": ("alphaedit", {}),
    "kgmet (filed: one request at a time)": ("kgmet", {}),
    "kgmet, whole batch at once": ("kgmet", dict(values_chunk=None)),
    "kgmet, 40 requests at once": ("kgmet", dict(values_chunk=40)),
    "kgmet, the reference's dropout 0.15 and gnn_lr 0.1": ("kgmet", dict(gnn_dropout=0.15, gnn_lr=0.1)),
    "kgmet, linear residual split": ("kgmet", dict(resid_split="linear")),
}


def dev_set():
    "The development cases: outside the scored ones, filtered so that no case's first hop is moved by another edit"
    cases = load_mquake(toyworld_dir() / "mquake.json")
    pool = cases[70:130] + cases[250:310] + cases[390:420]
    moving = ("born_in", "works_for")
    moved = {c.requested_rewrite[0].subject for c in pool if c.requested_rewrite[0].relation_id in moving}
    return [c for c in pool if c.requested_rewrite[0].relation_id in moving or c.raw["orig"]["triples"][0][0] not in moved]


def measure(label, method, over, cases, tok, world):
    model, _ = load_model("toyworld")
    hp = load_hparams(method, model)
    over = {k: (len(cases) if v is None and k == "values_chunk" else v) for k, v in over.items()}
    ed = Editor(model, tok, method, hparams=over or None)
    reqs = [c.requested_rewrite[0] for c in cases]
    L = ed.hp.layers[-1]
    h = layer_outputs(model, tok, reqs, L, ed.spec)
    t0 = time.perf_counter(); r = ed.edit(reqs); secs = time.perf_counter() - t0
    Z, nll = r.info["z"], r.info["nll"]
    d = (Z - h).norm(dim=-1)
    z_edited = layer_outputs(model, tok, reqs, L, ed.spec)
    m = eval_edits(model, tok, cases, "mquake")
    return dict(method=method, overrides=over, n=len(reqs), seconds=round(secs, 1),
                nll_mean=nll.mean().item(), nll_median=nll.median().item(), nll_max=nll.max().item(),
                delta_over_h=(d / h.norm(dim=-1)).mean().item(), clamp_radius=getattr(ed.hp, "clamp_norm_factor", None),
                written_share=((z_edited - h) * (Z - h)).sum(-1).div(d ** 2).mean().item(),
                efficacy=m["efficacy"], multihop=m["multihop"],
                specificity=toy_general(model, tok, world, n_fluency=0)[0]["recall_persons"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    _, tok = load_model("toyworld")
    world, cases = load_world(), dev_set()
    rows = {}
    for label, (method, over) in VARIANTS.items():
        rows[label] = measure(label, method, over, cases, tok, world)
        print(label, json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in rows[label].items()}), flush=True)
    Path(a.out).write_text(json.dumps(dict(date=time.strftime("%Y-%m-%d"), n_cases=len(cases), variants=rows), indent=1) + "\n")
    print("wrote", a.out)


if __name__ == "__main__": main()
