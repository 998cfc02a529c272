"""The fast paths of the bundled data: libyaml's parser for the package's own YAML, and the
lexicon's phrases compiled on first use. Each must read exactly as the slow path did."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.loading import yaml_loader
from backtriage.harness.loading.lexicon import LEXICON_PATH, Lexicon, Phrase, load_lexicon
from backtriage.harness.loading.problems import InputError
from backtriage.harness.loading.tree_check import MAX_DEPTH
from backtriage.harness.loading.yamlfile import parse_yaml
from backtriage.harness.resources import policies_dir

HARNESS = Path(yaml_loader.__file__).resolve().parents[1]
BUNDLED_YAML = sorted({*HARNESS.rglob("*.yaml"), *policies_dir().glob("*.yaml")})

needs_libyaml = pytest.mark.skipif(
    yaml_loader.FastStrictLoader is None, reason="PyYAML was built without libyaml"
)


def test_there_are_bundled_yaml_files() -> None:
    assert LEXICON_PATH.resolve() in BUNDLED_YAML
    assert len(BUNDLED_YAML) >= 4


@needs_libyaml
@pytest.mark.parametrize("path", BUNDLED_YAML, ids=lambda p: p.name)
def test_every_bundled_file_reads_the_same_over_libyaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = yaml_loader.FastStrictLoader
    assert fast is not None
    assert yaml.load(text, Loader=fast) == yaml_loader.load(text)


REFUSED = [
    "a: 1\na: 2\n",  # duplicate key
    "a: &x 1\nb: *x\n",  # alias
    "<<: {b: 1}\n",  # merge key
    "1: one\n",  # key that is not text
    "a: .nan\n",  # not finite
    "a: " + "9" * 101 + "\n",  # too long a number
    "a: [1, 2\n",  # malformed
    "a: x\tb\n",  # a tab PyYAML refuses and libyaml takes
    "a:" + " [" * (MAX_DEPTH + 1) + " ]" * (MAX_DEPTH + 1) + "\n",  # too deep
]


@pytest.mark.parametrize("text", REFUSED)
def test_bundled_text_is_refused_in_the_same_words(text: str) -> None:
    with pytest.raises(InputError) as slow:
        parse_yaml(text, "f.yaml")
    with pytest.raises(InputError) as fast:
        parse_yaml(text, "f.yaml", bundled=True)
    assert [str(p) for p in fast.value.problems] == [str(p) for p in slow.value.problems]


@needs_libyaml
@settings(max_examples=200, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4),
    max_leaves=12,
))
def test_any_json_like_document_reads_the_same_either_way(value: object) -> None:
    for style in (False, True, None):
        text = yaml.safe_dump(value, default_flow_style=style, allow_unicode=True)
        try:
            slow: object = ("ok", parse_yaml(text, "f.yaml"))
        except InputError as exc:
            slow = ("refused", [str(p) for p in exc.problems])
        try:
            fast: object = ("ok", parse_yaml(text, "f.yaml", bundled=True))
        except InputError as exc:
            fast = ("refused", [str(p) for p in exc.problems])
        assert fast == slow, text


def _phrases(lex: Lexicon) -> list[Phrase]:
    out = [*lex.care_words, *lex.several_levels]
    out += [p for group in lex.myotomes.values() for p in group]
    for rules in lex.values.values():
        for rule in rules.values():
            out += rule.phrases
            out += [p for near in rule.near for p in (*near.first, *near.second)]
    return out


def test_every_phrase_of_the_bundled_lexicon_compiles() -> None:
    # The lexicon compiles a phrase when a check first reads it; this reads them all, so a bad
    # phrase fails here and not in the middle of someone's validation.
    phrases = _phrases(load_lexicon())
    assert len(phrases) > 500
    for phrase in phrases:
        assert phrase.regex.pattern, phrase.source


def test_a_bad_phrase_in_a_lexicon_file_fails_when_it_is_read(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.yaml"
    bad.write_text("findings:\n  fever:\n    present: ['re:(unclosed']\n", encoding="utf-8")
    lex = load_lexicon(bad)
    with pytest.raises(ValueError, match="unclosed"):
        lex.values["fever"]["present"].phrases[0].regex  # noqa: B018
