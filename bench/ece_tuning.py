"""How ECE's toy-world settings were chosen: the neuron share τ and the within-batch protection, on the tuning batch.

    python bench/ece_tuning.py                     # writes bench/results/ece_tuning_toyworld.json (a few minutes on 2 cores)

The tuning batch is the toy CounterFact records 200-299 (the scored batch is 0-99 and never chooses anything). Every
variant edits a fresh toy model with the whole batch at once; MEMIT with its filed hyperparameters is the reference row
and the unedited model's row comes first. ECE's value optimisation is the same in every variant (τ and the protection act
on the solve), so differences come from which neurons each cluster writes and from what the later clusters keep.
`11_ece` renders its tuning table from the JSON this writes."""
import argparse, json, time
from pathlib import Path
import torch

from knowedit.models import load_model
from knowedit.editor import Editor
from knowedit.data import load_counterfact
from knowedit.toyworld import toyworld_dir, load_world
from knowedit.sequential import general_toyworld
from knowedit.evaluate import eval_counterfact

OUT = Path(__file__).resolve().parent / "results" / "ece_tuning_toyworld.json"
TUNING = slice(200, 300)

# label -> (method, hyperparameter overrides)
VARIANTS = {"memit (filed)": ("memit", {})}
for tau in (1.0, 0.95, 0.8):
    for protect in (True, False):
        VARIANTS[f"ece, tau {tau}, protect_clusters {protect}"] = ("ece", dict(neuron_threshold=tau, protect_clusters=protect))


def metrics(model, tok, recs, probe):
    out = {k: v for k, v in eval_counterfact(model, tok, recs, generation=False)[0].items() if k in ("efficacy", "generalization", "specificity")}
    out["general"] = probe(model, tok)["general"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    recs = load_counterfact(toyworld_dir() / "counterfact.json")[TUNING]
    probe = general_toyworld(load_world(), n_fluency=0)
    model, tok = load_model("toyworld")
    rows = {"unedited": dict(method=None, overrides={}, **metrics(model, tok, recs, probe))}
    for label, (method, over) in VARIANTS.items():
        model, _ = load_model("toyworld")
        ed = Editor(model, tok, method, hparams=over or None)
        t0 = time.perf_counter(); ed.edit([r.requested_rewrite for r in recs]); secs = time.perf_counter() - t0
        rows[label] = dict(method=method, overrides=over, seconds=round(secs, 1), **metrics(model, tok, recs, probe))
        print(label, json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in rows[label].items()}), flush=True)
    Path(a.out).write_text(json.dumps(dict(date=time.strftime("%Y-%m-%d"), records="toy CounterFact 200-299", variants=rows), indent=1) + "\n")
    print("wrote", a.out)


if __name__ == "__main__": main()
