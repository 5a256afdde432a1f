"""Probe what a model knows about the atlas (knowedit.atlas), once, into knowedit's cache; print counts per relation.

    nice -n 10 python bench/atlas_known.py --model smollm2 [--json scratch/atlas_known_smollm2.json] [--mquake]

The probe resumes where it stopped if killed (the cache is written chunk by chunk)."""
import argparse, json, time
from collections import Counter
import torch
from knowedit.models import load_model
from knowedit.atlas import build_atlas, atlas_knowledge

ap = argparse.ArgumentParser()
ap.add_argument("--model", default="smollm2")
ap.add_argument("--json", default=None, help="also write the per-relation counts here")
ap.add_argument("--mquake", action="store_true", help="also probe the two-hop questions of the known cities")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--bs", type=int, default=64)
a = ap.parse_args()
torch.set_num_threads(a.threads)
t0 = time.time()
model, tok = load_model(a.model)
g = build_atlas()
facts = atlas_knowledge(model, tok, g, bs=a.bs)
known = [f for f in facts if f["known"]]
rel = {r: [sum(f["known"] for f in facts if f["relation_id"] == r), sum(f["relation_id"] == r for f in facts)] for r in dict.fromkeys(f["relation_id"] for f in facts)}
out = dict(model=a.model, known_facts=len(known), facts=len(facts), distinct_subjects=len({f["subject"] for f in known}),
           per_relation=rel, seconds=round(time.time() - t0, 1))
if a.mquake:
    from knowedit.atlas import atlas_mquake_probe
    two = atlas_mquake_probe(model, tok, g, known, bs=a.bs)
    out["two_hop"] = {h: [sum(x["known"] for x in two if x["hop"] == h), sum(x["hop"] == h for x in two)] for h in dict.fromkeys(x["hop"] for x in two)}
    out["seconds"] = round(time.time() - t0, 1)
print(json.dumps(out, indent=1))
if a.json: open(a.json, "w").write(json.dumps(out, indent=1))
