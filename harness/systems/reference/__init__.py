"""The reference triage: guideline rows as a rule table."""

from backtriage.harness.systems.reference.rules import RULES, Rule, first_match
from backtriage.harness.systems.reference.system import ReferenceTriage

__all__ = ["RULES", "ReferenceTriage", "Rule", "first_match"]
