"""Seconds per edit for ROME and MEMIT (and any declared method), where the time goes, and batched values against a per-request loop
(and against ECE's value stage, its clusters' loops in lockstep and one after another, when `ece` is among the methods; MEMIT's
batched values and ECE's lockstep are each timed twice, alternately, and the faster run of each counts).

    python bench/edit.py                      # toy world: ROME and MEMIT, batch 20, plus the values comparison
    python bench/edit.py --model smollm2 --n 20 --threads 2
    python bench/edit.py --model smollm2 --methods memit --skip-loop --eval   # SmolLM2: MEMIT's time and efficacy only
    python bench/edit.py --model smollm2 --methods none --steps 5   # SmolLM2: batched values vs the loop, 5 steps each
    python bench/edit.py --model smollm2 --methods memit,alphaedit --skip-loop --eval --json bench/results/edit_smollm2.json
    python bench/edit.py --methods memit,ece --n 100 --eval --general --threads 1 --json bench/results/edit_ece_toyworld.json

`--json FILE` also writes what was measured (the unedited model's metrics, each method's metrics and seconds per edit,
the hyperparameters, the machine, the commit and the date), which the notebooks render as their tables.

Prints tables; nothing is asserted (tests live in the notebooks). Statistics are computed (or read from the
cache) before timing starts, as a sequential run does once."""
import argparse, datetime, json, os, platform, subprocess, time
from dataclasses import asdict
from dataclasses import replace
import torch
from knowedit.models import load_model
from knowedit.editor import Editor

from knowedit.memit import compute_values
from knowedit.data import load_counterfact, counterfact_from_known, filter_known, shared_data_dir
from knowedit.toyworld import toyworld_dir
from knowedit.evaluate import eval_counterfact
from knowedit.sequential import general_known, general_toyworld
from knowedit.toyworld import load_world


def records_for(name, model, tok, n):
    "The first `n` CounterFact-style records: the toy world's, or real known facts the model knows"
    if name == "toyworld": return load_counterfact(toyworld_dir() / "counterfact.json")[:n]
    facts = json.loads((shared_data_dir() / "known_1000.json").read_text())
    known = filter_known(facts[:400], model, tok, verbose=False)
    return load_counterfact(counterfact_from_known(known))[:n]


def scores(model, tok, recs, keys=("efficacy", "generalization", "specificity"), probe=None):
    "The CounterFact edit metrics of `recs`, rounded, and the general probe's where there is one"
    out = {k: round(v, 1) for k, v in eval_counterfact(model, tok, recs, generation=False)[0].items() if k in keys}
    if probe: out.update({k: round(v, 3) for k, v in probe(model, tok).items() if k in ("general", "heldout_ppl", "known_facts_n")})
    return out


def general_probe(name, model, tok, recs):
    "The general probe of `name`: the toy world's, or known facts (minus those the edits touch) with held-out perplexity"
    if name == "toyworld": return general_toyworld(load_world(), n_fluency=0)
    from knowedit.cli import _heldout_texts, KNOWN_FILE
    facts = filter_known(json.loads((shared_data_dir() / KNOWN_FILE).read_text()), model, tok, verbose=False)
    return general_known(facts, _heldout_texts(), exclude=recs)


def _commit():
    try: return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or None
    except OSError: return None


def _hparams(method, model, over):
    "The filed hyperparameters of `method` for `model`, with the inline JSON `over` on top"
    from knowedit.editor import load_hparams
    if not over: return None
    return {**asdict(load_hparams(method, model)), **json.loads(over)}


def load_hparams_for(method, model, over):
    "The hyperparameters `method` runs with here: the filed ones, with `--hparams` on top"
    from knowedit.editor import load_hparams
    return load_hparams(method, model, _hparams(method, model, over))


def _write(path, result):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f: json.dump(result, f, indent=1)


def timed(f):
    t0 = time.perf_counter(); out = f(); return out, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="toyworld")
    ap.add_argument("--n", type=int, default=20, help="edits per method (one MEMIT batch)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-loop", action="store_true", help="skip the per-request values loop")
    ap.add_argument("--methods", default="memit,rome", help="comma-separated methods to time")
    ap.add_argument("--steps", type=int, default=None, help="cap the value steps of the batched-vs-loop comparison (same cap for both)")
    ap.add_argument("--eval", action="store_true", help="also print efficacy / generalisation / specificity after each method's edit")
    ap.add_argument("--hparams", default=None, help="inline JSON overriding the filed hyperparameters of every method")
    ap.add_argument("--json", default=None, help="also write the measurements to this JSON file")
    ap.add_argument("--general", action="store_true", help="with --eval, also the general probe (toy world recall, or a real model's known "
                                                            "facts no edit touches and held-out perplexity), before and after")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, tok = load_model(a.model)
    recs = records_for(a.model, model, tok, a.n)
    reqs = [r.requested_rewrite for r in recs]
    probe = general_probe(a.model, model, tok, recs) if a.eval and a.general else None
    before = scores(model, tok, recs, probe=probe) if a.eval else None
    if a.eval: print("before:", before)
    result = dict(model=a.model, n=len(reqs), threads=a.threads, torch=torch.__version__, cpu=platform.processor() or platform.machine(),
                  cores=os.cpu_count(), date=datetime.date.today().isoformat(), commit=_commit(), before=before, methods={})
    print(f"model {a.model}, {len(reqs)} requests, {a.threads} threads, torch {torch.__version__}")
    rows = []
    for method in [m for m in a.methods.split(",") if m != "none"]:
        ed = Editor(model, tok, method, hparams=_hparams(method, model, a.hparams))
        ed.C; ed.ctx  # statistics and context templates: once per run, not per edit
        res, secs = timed(lambda: ed.edit(reqs))
        i = res.info
        rows.append((method, len(reqs), secs / len(reqs), i["t_values"] / len(reqs), i["t_keys"] / len(reqs), i["t_solve"] / len(reqs), ed.timing["stats_s"]))
        after = scores(model, tok, recs, probe=probe) if a.eval else None
        if a.eval: print(f"after {method} (one batch):", after, flush=True)
        result["methods"][method] = dict(after=after, s_per_edit=secs / len(reqs), values_s=i["t_values"] / len(reqs),
                                         keys_s=i["t_keys"] / len(reqs), solve_s=i["t_solve"] / len(reqs), stats_s=ed.timing["stats_s"],
                                         nll=i["nll"].mean().item() if "nll" in i else None, hparams=asdict(ed.hp))
        if a.json: _write(a.json, result)
        ed.restore()
    print(f"\n| method | edits | s/edit | values | keys | solve | stats (once) |\n|---|---|---|---|---|---|---|")
    for r in rows: print(f"| {r[0]} | {r[1]} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.3f} | {r[6]:.1f} s |")
    if a.skip_loop: return
    ed = Editor(model, tok, "memit")
    hp, ctx = (replace(ed.hp, v_num_grad_steps=a.steps) if a.steps else ed.hp), ed.ctx
    Zb, tb = timed(lambda: compute_values(model, tok, reqs, hp, ctx, ed.spec)[0])
    tb1 = tb
    Zl, tl = timed(lambda: torch.cat([compute_values(model, tok, [q], hp, ctx, ed.spec, replay=False)[0] for q in reqs]))
    err = ((Zb - Zl).norm(dim=-1) / Zl.norm(dim=-1)).max().item()
    ece = None
    if "ece" in a.methods.split(","):  # ECE's value stage on the same edits and value settings: explain, cluster, the clusters' loops
        from knowedit.ece import ece_plan, cluster_values
        from knowedit.memit import EditContext
        from knowedit.nse import VALUE_FIELDS
        hp_e = replace(load_hparams_for("ece", model, a.hparams), **{f: getattr(hp, f) for f in VALUE_FIELDS})
        ec = EditContext(model, tok, hp_e, ctx, ed.spec)
        plan, tp = timed(lambda: ece_plan(ec, reqs))
        (Ze, vi), te = timed(lambda: cluster_values(ec, reqs, plan["clusters"]))  # the loops in lockstep (ECE's default)
        te1 = te
        tb2 = timed(lambda: compute_values(model, tok, reqs, hp, ctx, ed.spec)[0])[1]  # MEMIT's loop again, right after: drift of a shared machine
        (Zs, vs), ts = timed(lambda: cluster_values(ec, reqs, plan["clusters"], lockstep=False))  # one loop after another
        te2 = timed(lambda: cluster_values(ec, reqs, plan["clusters"]))[1]  # and ECE's again: each side's faster run counts
        tb, te = min(tb, tb2), min(te, te2)
        ece = dict(s_per_edit=(tp + te) / len(reqs), explain_cluster_s=tp, loops_s=te, separate_loops_s=ts, n_clusters=len(plan["clusters"]),
                   cluster_sizes=[len(c) for c in plan["clusters"]], steps=vi["steps"], separate_steps=vs["steps"],
                   speedup_vs_loop=tl / (tp + te), speedup_vs_batched=tb / (tp + te), values_vs_batched=tb / te,
                   separate_vs_batched=tb / ts, batched_runs_s=[round(x, 1) for x in (tb1, tb2)], lockstep_runs_s=[round(x, 1) for x in (te1, te2)],
                   max_rel_diff=((Ze - Zb).norm(dim=-1) / Zb.norm(dim=-1)).max().item(),
                   max_rel_diff_separate=((Zs - Zb).norm(dim=-1) / Zb.norm(dim=-1)).max().item())
    print(f"\nvalue optimisation for {len(reqs)} requests ({hp.v_num_grad_steps} steps max):")
    print(f"| version | s/edit |\n|---|---|\n| per-request loop, full forward passes | {tl / len(reqs):.2f} |\n| batched, lower layers replayed, prefix cached | {tb / len(reqs):.2f} |")
    print(f"speed-up {tl / tb:.1f}x; max relative difference of z {err:.1e}")
    if ece: print(f"ECE (explain + cluster + {ece['n_clusters']} loops in lockstep): {ece['s_per_edit']:.2f} s/edit, {ece['speedup_vs_loop']:.1f}x the loop, "
                  f"{ece['speedup_vs_batched']:.2f}x the batched values (value stage alone {ece['values_vs_batched']:.2f}x; the loops one after another "
                  f"{ece['separate_vs_batched']:.2f}x); max relative difference of z from batched {ece['max_rel_diff']:.1e}")
    result["values"] = dict(steps=hp.v_num_grad_steps, loop_s_per_edit=tl / len(reqs), batched_s_per_edit=tb / len(reqs),
                            speedup=tl / tb, max_rel_diff=err, ece=ece)
    if a.json: _write(a.json, result)


if __name__ == "__main__": main()
