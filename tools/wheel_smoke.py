#!/usr/bin/env python3
"""Import knowedit as an installed package and make one edit: what `tools/check_wheel.sh` runs in a fresh
environment, from a folder outside the repository.

Loads the shipped toy world model (package data), builds an `Editor` with MEMIT and its filed hyperparameters,
edits the first record of the shipped toy CounterFact set, and checks that the prompt's prediction changed
to the new object. Exits non-zero (an AssertionError) otherwise.
"""
import sys
from pathlib import Path

import torch

import knowedit
from knowedit.core import encode
from knowedit.data import load_counterfact
from knowedit.editor import Editor
from knowedit.models import load_toyworld
from knowedit.toyworld import toyworld_dir


def predict(model, tok, text):
    "The greedy next word after `text`"
    enc, last = encode(tok, text)
    with torch.no_grad():
        return tok.decode(model(**enc).logits[0, last[0]].argmax()).strip()


def main():
    here = Path(knowedit.__file__).resolve().parent
    assert "site-packages" in here.parts, f"knowedit is imported from {here}, not from an installed wheel"
    assert toyworld_dir().is_relative_to(here), f"the toy world is looked up in {toyworld_dir()}, outside the package"
    torch.manual_seed(0)
    model, tok = load_toyworld()
    req = load_counterfact(toyworld_dir() / "counterfact.json")[0].requested_rewrite
    prompt = req.prompt.format(req.subject)
    before = predict(model, tok, prompt)
    Editor(model, tok, "memit").edit([req])
    after = predict(model, tok, prompt)
    print(f"knowedit {knowedit.__version__} from {here}: {prompt!r} -> {before!r} before, {after!r} after the edit (target {req.target_new!r})")
    assert before == req.target_true and after == req.target_new, "the edit did not change the prediction to the new object"
    return 0


if __name__ == "__main__":
    sys.exit(main())
