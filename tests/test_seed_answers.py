"""The two AI-written seed answers, graded against the corpus vignettes closest to their questions.

000 answers "an adult with back numbness" (graded against lbp-googled-numbness-lay, numb skin
over a sore back, no red flag); 001 answers "acute severe low back pain with right leg
numbness" (graded against rad-left-leg-slr-positive-clinician, acute one-sided leg symptoms
with no red flag). 001 orders an urgent MRI: by ACP, ACR and NICE that is over-imaging.
"""

from __future__ import annotations

import json
from pathlib import Path

from backtriage.harness.cli.main import main
from backtriage.harness.loading import Corpus

FIXTURES = Path(__file__).parent / "fixtures" / "seed_answers"
PAIRS = {
    "lbp-googled-numbness-lay": "000_back_numbness.txt",
    "rad-left-leg-slr-positive-clinician": "001_acute_lbp_right_leg_numbness.txt",
}


def test_seed_answers_grade_and_the_second_is_over_imaging(
    tmp_path: Path, bundled_corpus: Corpus
) -> None:
    answers = tmp_path / "seeds.jsonl"
    answers.write_text("".join(
        json.dumps({"vignette_id": vid, "answer": (FIXTURES / name).read_text(),
                    "system": "seed-articles"}) + "\n" for vid, name in PAIRS.items()))
    main(["grade", str(answers), "--subset", "--output", str(tmp_path / "o"), "--quiet"])
    results = json.loads((tmp_path / "o" / "results.json").read_text())
    by_id = {v["id"]: v for v in results["vignettes"]}
    first, second = by_id["lbp-googled-numbness-lay"], by_id["rad-left-leg-slr-positive-clinician"]
    assert first["answers"][0]["decision"]["imaging"] == "none"
    assert "over_imaging" not in first["outcomes"]
    decision = second["answers"][0]["decision"]
    assert (decision["urgency"], decision["imaging"]) == ("urgent", "mri")
    assert "over_imaging" in second["outcomes"] and "over_triage" in second["outcomes"]
    evidence = second["answers"][0]["metadata"]["extraction"]["evidence"]
    assert evidence["imaging"].startswith("Urgent MRI of the lumbar spine is indicated")
