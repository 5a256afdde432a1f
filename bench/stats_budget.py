"""How the key statistics C of a real model settle with the corpus budget, and what that does to the solve.

    python bench/stats_budget.py --model smollm2            # budgets 25k, 50k, 100k tokens of the model's own samples
    python bench/stats_budget.py --budgets 100000,300000,1000000 --sample-batch 64   # up to 1e6 tokens (about 1.5 h to sample, resumable)

The corpus is the model's own samples (`knowedit.stats.sample_corpus`, the default for a real model, cached); smaller
budgets are prefixes of the largest one, so the numbers show convergence rather than corpus-to-corpus noise. For each
budget and each MEMIT layer it reports: the relative change of C against the largest budget, the top and the median
eigenvalue, the AlphaEdit null-space rank at the filed threshold, and for the edit keys of 20 known facts the median
m = kᵀC⁻¹k with the share of a residual that MEMIT's solve carries, m / (λ + m), at the filed λ.
`--json FILE` writes the measurements; 04_stats renders them. About 10 minutes on 2 CPU cores once the samples exist."""
import argparse, datetime, json, os, subprocess, time
import torch
from knowedit.models import load_model
from knowedit.editor import Editor, load_hparams
from knowedit.stats import layer_stats, sample_corpus
from knowedit.memit import compute_keys
from knowedit.nullspace import null_space_projector

from edit import records_for, _commit, _write


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--budgets", default="25000,50000,100000")
    ap.add_argument("--sample-batch", type=int, default=16, help="documents per generate call (16 is the default corpus; 64 samples about twice as fast)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, tok = load_model(a.model)
    budgets = [int(b) for b in a.budgets.split(",")]
    hp, hp_a = load_hparams("memit", model), load_hparams("alphaedit", model)
    texts = sample_corpus(model, tok, max_tokens=max(budgets), batch_size=a.sample_batch)
    reqs = [r.requested_rewrite for r in records_for(a.model, model, tok, 20)]
    C = {}
    for b in budgets:
        t0 = time.perf_counter()
        C[b] = {l: s.mom2.double() for l, s in layer_stats(model, tok, hp.layers, texts, max_tokens=b, progress=False).items()}
        print(f"budget {b}: {time.perf_counter() - t0:.0f} s", flush=True)
    ctx = Editor(model, tok, "memit", stats=C[budgets[-1]]).ctx
    K = {l: compute_keys(model, tok, reqs, l, ctx).double() for l in hp.layers}  # (n, d_k)
    ref, rows = C[budgets[-1]], []
    for b in budgets:
        for l in hp.layers:
            ev = torch.linalg.eigvalsh(C[b][l])
            m = (K[l] * torch.linalg.solve(C[b][l], K[l].T).T).sum(1)
            rows.append(dict(budget=b, layer=l, rel_change=((C[b][l] - ref[l]).norm() / ref[l].norm()).item(),
                             top_eig=ev[-1].item(), median_eig=ev.median().item(), min_eig=ev[0].item(),
                             nullspace_rank=null_space_projector(C[b][l], hp_a.nullspace_threshold, hp_a.nullspace_mode)[1],
                             median_m=m.median().item(), carried=(m / (hp.mom2_update_weight + m)).median().item()))
            print(rows[-1], flush=True)
    out = dict(model=a.model, corpus="samples", sample_batch=a.sample_batch, n_docs=len(texts), budgets=budgets, lam=hp.mom2_update_weight, threshold=hp_a.nullspace_threshold,
               d_k=K[hp.layers[0]].shape[1], threads=a.threads, date=datetime.date.today().isoformat(), commit=_commit(), rows=rows)
    if a.json: _write(a.json, out)


if __name__ == "__main__": main()
