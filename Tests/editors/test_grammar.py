"""The TextMate grammar (editors/amends.tmLanguage.json) run by a real
TextMate engine, textmate-grammar-python: every shipped policy tokenises,
and golden lines get the scopes they should. Run by .ci/run."""
import json
import pathlib

import pytest
from textmate_grammar.parsers.base import LanguageParser

ROOT = pathlib.Path(__file__).resolve().parents[2]
GRAMMAR = json.loads((ROOT / "editors/amends.tmLanguage.json").read_text())
POLICIES = sorted((ROOT / "policies").rglob("*.policy"))


@pytest.fixture(scope="module")
def parser():
    return LanguageParser(GRAMMAR)


def scopes(parser, text: str) -> dict[str, list[str]]:
    """Each token's text and the scopes it has (the innermost last)."""
    element = parser.parse_string(text)
    assert element is not None, f"the grammar gave no tree for {text!r}"
    found: dict[str, list[str]] = {}
    for _, token, token_scopes in element.flatten():
        found.setdefault(token.strip(), token_scopes)
    return found


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_policy_tokenises(parser, policy):
    element = parser.parse_string(policy.read_text())
    assert element is not None
    tokens = element.flatten()
    assert tokens, f"{policy} gave no tokens"
    covered = "".join(token for _, token, _ in tokens)
    assert len(covered) >= 0.9 * len(policy.read_text().replace("\n", "")), "the grammar stopped early"


GOLDEN = [
    ('when severity >= high: notify supervisor  # a comment',
     {"when": "keyword.control.amends", ">=": "keyword.operator.comparison.amends",
      "notify": "keyword.other.action.amends", "# a comment": "comment.line.number-sign.amends",
      "high": "variable.other.name.amends"}),
    ('rule "valued client" when amount > 5000:',
     {'"valued client"': "string.quoted.double.amends", "5000": "constant.numeric.amends", "rule": "keyword.control.amends"}),
    ('  follow up in 3 business days',
     {"3": "constant.numeric.amends", "business days": "keyword.other.unit.amends", "follow": "keyword.other.action.amends"}),
    ('  given {severity: critical, reported: 2026-03-06T16:00:00Z}',
     {"2026-03-06T16:00:00Z": "constant.other.timestamp.amends", "given": "keyword.control.amends"}),
    ('  closed 2026-12-25, 2027-01-01',
     {"2026-12-25": "constant.other.timestamp.amends", "closed": "keyword.control.amends"}),
    ('  open mon-fri 09:00-17:30',
     {"09:00": "constant.other.time.amends", "open": "keyword.control.amends"}),
    ('scale severity: low < medium < high < critical',
     {"scale": "keyword.declaration.amends", "severity": "entity.name.type.scale.amends"}),
    ('define our_fault: caused_by = us',
     {"define": "keyword.declaration.amends", "our_fault": "entity.name.function.define.amends"}),
]


@pytest.mark.parametrize("line,expected", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_lines(parser, line, expected):
    found = scopes(parser, line)
    for token, scope in expected.items():
        assert token in found, f"no token {token!r} in {sorted(found)}"
        assert scope in found[token], f"{token!r} has {found[token]}, not {scope}"
