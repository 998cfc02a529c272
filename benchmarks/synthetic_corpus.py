"""Generated corpora of any size for the benchmarks: the bundled cases, retold at ~150 words.

Vignette ``i`` copies bundled vignette ``i mod 833`` (findings, labels, sources unchanged, so
every generated vignette is as valid as its template) and tells its narrative again with a
paragraph of everyday context drawn at random: job, family, the commute, what the writer did at
the weekend. The context says nothing about the back, the legs, the bladder or the bowel, so it
cannot change what the case is; it makes the narratives as long as real messages and different
enough from each other that none is a near-duplicate of another copy of the same template.

Copy ``k`` of a template gets the id ``<template id>-x<k>``; contrast tags are renamed the same
way so every copy keeps its pairs.

    python benchmarks/synthetic_corpus.py OUT_FOLDER --n 10000
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from backtriage.harness.resources import corpus_dir

TARGET_WORDS = 150
"""Narrative length aimed at, as in the issue's workloads."""

_JOBS = ["teacher", "bus driver", "nurse", "accountant", "chef", "plumber", "software tester",
         "shop manager", "postal worker", "librarian", "electrician", "care worker",
         "hairdresser", "warehouse supervisor", "architect", "dental receptionist",
         "gardener", "taxi driver", "pharmacist", "call centre adviser", "baker", "welder",
         "florist", "estate agent", "translator", "painter and decorator", "lab technician"]
_PLACES = ["Leeds", "Cardiff", "Ohio", "the coast", "Glasgow", "Denver", "a small village",
           "Bristol", "Toronto", "Norwich", "the city centre", "Phoenix", "Belfast", "Dundee",
           "Sacramento", "Exeter", "Manchester", "Vermont", "York", "Swansea", "Albany"]
_HOBBIES = ["gardening", "choir", "baking bread", "chess", "birdwatching", "painting",
            "knitting", "crosswords", "photography", "the allotment", "pottery", "reading",
            "quiz nights", "jigsaw puzzles", "fishing", "local history", "model trains",
            "film club", "sudoku", "sewing", "astronomy", "bridge", "calligraphy"]
_PEOPLE = ["my sister", "my partner", "our neighbour", "my son", "my daughter", "a friend",
           "my brother", "my mum", "my cousin", "a colleague", "my husband", "my wife",
           "my flatmate", "my aunt", "the manager", "my father"]
_THINGS = ["the car insurance", "a new kettle", "the school run", "a birthday party",
           "the broadband", "a wedding in spring", "the council tax", "a job interview",
           "the dog's vaccinations", "a leaking tap", "the boiler service", "a train strike",
           "our holiday plans", "the allotment rent", "a parcel that never came",
           "the parking permit", "a dentist appointment for the kids", "the recycling bins"]
_SENTENCES = [
    "For context I work as a {job} in {place}.",
    "{person} suggested I write this down properly before asking.",
    "Most evenings I spend on {hobby}, which I have done for {n} years.",
    "This week has been busy with {thing} and {thing2}.",
    "We moved to {place} about {n} years ago.",
    "{person} and I were talking about {thing} when I decided to send this.",
    "I have been a {job} for {n} years and before that I lived near {place}.",
    "On Saturday I went to {place} to see {person} and we talked about {hobby}.",
    "I am typing this on my phone during a break, so sorry about the spelling.",
    "My week is mostly {hobby} and sorting out {thing}.",
    "{person} is a {job} too and says I should just ask.",
    "I drink about {n} cups of tea a day and rarely anything stronger.",
    "We have a cat called {name} and a very old goldfish.",
    "Last month I finally dealt with {thing}, which took ages.",
    "I tend to put things off, {person} says, so here I am asking early.",
    "Next week I have {thing} to deal with and would like to know where I stand.",
    "I mostly eat at home, and {person} cooks on {day}s.",
    "I joined a {hobby} group in {place} {n} months ago.",
    "It is raining again here in {place}, which does not help my mood.",
    "I read a few pages online but they all said different things.",
    "My shifts as a {job} start at {hour} in the morning.",
    "{person} drove me to {place} on {day} for {thing}.",
    "I was planning to spend {day} on {hobby} but I have put that off.",
    "Our street in {place} has been dug up for {n} weeks for new pipes.",
    "Yesterday {person} lent me a book about {hobby} that I keep meaning to start.",
    "Work has been hectic because two colleagues left within {n} days of each other.",
    "Broadband keeps dropping out, so forgive me if this arrives twice.",
    "Grandchildren visit most {day}s and they never stop asking questions.",
    "Honestly I only found this service because {person} mentioned it over dinner.",
    "Parking near the surgery in {place} is impossible before {hour} o'clock.",
    "Recently I swapped my old phone for a cheaper contract, hence the new number.",
    "Somebody at the {hobby} club said I worry too much, which is probably fair.",
    "Tomorrow I promised {person} help painting a fence, weather permitting.",
    "Usually I cycle everywhere, though lately I take the tram across {place}.",
    "Every summer we rent a caravan near {place} for about {n} nights.",
    "Quite apart from this, {thing} has been keeping me awake some evenings.",
    "A neighbour's dog barks from {hour} onwards, which is another story.",
    "Money is tight this month after {thing}, so I would rather not waste anyone's time.",
    "Our kitchen radio plays old jazz all afternoon while {person} tinkers with crosswords.",
    "Before retiring, {person} managed a bakery in {place} for {n} years.",
]
_NAMES = ["Biscuit", "Pepper", "Mabel", "Otis", "Luna", "Bramble", "Ziggy", "Nutmeg", "Fig",
          "Pickle", "Rolo", "Juno", "Tinker", "Mochi", "Clover"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def templates() -> list[dict[str, Any]]:
    """The bundled vignettes, sorted by id (the generator's templates)."""
    root = corpus_dir()
    found = []
    for file in sorted(root.rglob("*.json")):
        if file.name != "sources.json":
            found.append(json.loads(file.read_text(encoding="utf-8")))
    return sorted(found, key=lambda d: d["id"])


def context_paragraph(rng: random.Random, words: int) -> str:
    """Everyday sentences, about ``words`` words long, saying nothing about the case."""
    out: list[str] = []
    count = 0
    while count < words:
        sentence = rng.choice(_SENTENCES).format(
            job=rng.choice(_JOBS), place=rng.choice(_PLACES), hobby=rng.choice(_HOBBIES),
            person=rng.choice(_PEOPLE), thing=rng.choice(_THINGS), thing2=rng.choice(_THINGS),
            n=rng.randint(2, 30), name=rng.choice(_NAMES), day=rng.choice(_DAYS),
            hour=rng.randint(4, 9),
        )
        sentence = sentence[0].upper() + sentence[1:]
        out.append(sentence)
        count += len(sentence.split())
    return " ".join(out)


def generated(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield ``n`` generated vignettes (see the module docstring)."""
    rng = random.Random(seed)
    base = templates()
    members: dict[str, set[int]] = {}
    for position, template in enumerate(base):
        for tag in template["tags"]:
            if tag.startswith("contrast-"):
                members.setdefault(tag, set()).add(position)
    whole_copies, rest = divmod(n, len(base))
    for i in range(n):
        position, copy = i % len(base), i // len(base)
        template = base[position]
        data = json.loads(json.dumps(template))
        data["id"] = f"{template['id']}-x{copy}"
        data["title"] = f"{template['title']} (generated copy {copy})"
        # The last, partial copy keeps a contrast pair only if both members made it in.
        data["tags"] = [t for t in data["tags"] if not t.startswith("contrast-")] + [
            f"{t}-x{copy}" for t in data["tags"]
            if t.startswith("contrast-") and (copy < whole_copies or max(members[t]) < rest)
        ]
        narrative = data["presentation"]["narrative"]
        # Long templates get a longer context, or their copies would be near-duplicates.
        extra = max(TARGET_WORDS - len(narrative.split()), int(1.4 * len(narrative.split())) + 20)
        data["presentation"]["narrative"] = f"{narrative}\n\n{context_paragraph(rng, extra)}"
        yield data


def write_corpus(folder: Path, n: int, seed: int = 0) -> Path:
    """Write ``n`` generated vignettes and the bundled bibliography into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(corpus_dir() / "sources.json", folder / "sources.json")
    for i, data in enumerate(generated(n, seed)):
        sub = folder / f"{i // 1000:03d}"  # a thousand files a folder, as large corpora are kept
        sub.mkdir(exist_ok=True)
        (sub / f"{data['id']}.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_corpus(args.folder, args.n, args.seed)
    print(f"wrote {args.n} vignettes to {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
