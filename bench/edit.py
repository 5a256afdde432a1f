"""Seconds per edit for ROME and MEMIT (and any declared method), where the time goes, and batched values against a per-request loop
(and against ECE's value stage, its clusters' loops in lockstep and one after another, when `ece` is among the methods). Every
version of the values comparison runs `--repeats` times in rounds, and both wall and CPU seconds are kept: with one thread, CPU
time is what the load of other jobs on a shared machine changes least, so the ratios are read from it.

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


def race(variants:dict, repeats:int):
    "Run every variant `repeats` times in rounds (a, b, c, a, b, c, ...): {name: [(wall s, CPU s), ...]} and each one's last output"
    runs, out = {k: [] for k in variants}, {}
    for _ in range(repeats):
        for k, f in variants.items():
            w0, c0 = time.perf_counter(), time.process_time()
            out[k] = f()
            runs[k].append((time.perf_counter() - w0, time.process_time() - c0))
    return runs, out


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
    ap.add_argument("--repeats", type=int, default=2, help="runs of each version in the values comparison, in rounds")
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
    variants = {"batched": lambda: compute_values(model, tok, reqs, hp, ctx, ed.spec)[0],
                "loop": lambda: torch.cat([compute_values(model, tok, [q], hp, ctx, ed.spec, replay=False)[0] for q in reqs])}
    ece = "ece" in a.methods.split(",")
    if ece:  # ECE's value stage on the same edits and value settings: explain and cluster once, then the clusters' loops
        from knowedit.ece import ece_plan, cluster_values
        from knowedit.memit import EditContext
        from knowedit.nse import VALUE_FIELDS
        hp_e = replace(load_hparams_for("ece", model, a.hparams), **{f: getattr(hp, f) for f in VALUE_FIELDS})
        ec = EditContext(model, tok, hp_e, ctx, ed.spec)
        plan = ece_plan(ec, reqs)
        variants.update(lockstep=lambda: cluster_values(ec, reqs, plan["clusters"])[0],                 # ECE's default
                        separate=lambda: cluster_values(ec, reqs, plan["clusters"], lockstep=False)[0],  # one loop after another
                        explain=lambda: ece_plan(ec, reqs))
    runs, Z = race(variants, a.repeats)
    wall, cpu = ({k: min(r[i] for r in v) for k, v in runs.items()} for i in (0, 1))
    err = ((Z["batched"] - Z["loop"]).norm(dim=-1) / Z["loop"].norm(dim=-1)).max().item()
    print(f"\nvalue optimisation for {len(reqs)} requests ({hp.v_num_grad_steps} steps max), each version {a.repeats}x in rounds; "
          f"fastest wall and CPU seconds (one thread: CPU time is what a machine shared with other jobs changes least):")
    print("| version | wall s/edit | CPU s/edit | wall runs (s) |\n|---|---|---|---|")
    for k in runs: print(f"| {k} | {wall[k] / len(reqs):.2f} | {cpu[k] / len(reqs):.2f} | {[round(r[0], 1) for r in runs[k]]} |")
    print(f"batched against the loop: {cpu['loop'] / cpu['batched']:.1f}x CPU ({wall['loop'] / wall['batched']:.1f}x wall); max relative difference of z {err:.1e}")
    ratios = lambda num, den: dict(cpu=cpu[num] / cpu[den], wall=wall[num] / wall[den],
                                   wall_range=[min(r[0] for r in runs[num]) / max(r[0] for r in runs[den]),
                                               max(r[0] for r in runs[num]) / min(r[0] for r in runs[den])])
    result["values"] = dict(steps=hp.v_num_grad_steps, repeats=a.repeats, loop_s_per_edit=wall["loop"] / len(reqs),
                            batched_s_per_edit=wall["batched"] / len(reqs), speedup=wall["loop"] / wall["batched"],
                            cpu_s=cpu, wall_s=wall, runs={k: [[round(x, 2) for x in r] for r in v] for k, v in runs.items()},
                            batched_vs_loop=ratios("loop", "batched"), max_rel_diff=err)
    if ece:
        ece_cpu, ece_wall = cpu["explain"] + cpu["lockstep"], wall["explain"] + wall["lockstep"]
        e = result["values"]["ece"] = dict(
            n_clusters=len(plan["clusters"]), cluster_sizes=[len(c) for c in plan["clusters"]],
            s_per_edit=ece_wall / len(reqs), cpu_s_per_edit=ece_cpu / len(reqs),
            speedup_vs_loop=cpu["loop"] / ece_cpu, speedup_vs_batched=cpu["batched"] / ece_cpu,  # ECE = explanation + lockstep loops (CPU time)
            values_vs_batched=ratios("batched", "lockstep"), separate_vs_batched=ratios("batched", "separate"),
            values_vs_loop=ratios("loop", "lockstep"),
            max_rel_diff=((Z["lockstep"] - Z["batched"]).norm(dim=-1) / Z["batched"].norm(dim=-1)).max().item(),
            max_rel_diff_separate=((Z["separate"] - Z["batched"]).norm(dim=-1) / Z["batched"].norm(dim=-1)).max().item())
        print(f"ECE (explain + cluster + {e['n_clusters']} loops in lockstep): {e['speedup_vs_loop']:.2f}x the loop, {e['speedup_vs_batched']:.2f}x the "
              f"batched values (CPU time); z differs from the batched values by {e['max_rel_diff']:.1e} in lockstep, {e['max_rel_diff_separate']:.1e} one loop after another")
    if a.json: _write(a.json, result)


if __name__ == "__main__": main()
