"""From clauses to decision fields: which matches count, and how they combine.

Urgency: the most urgent phrase that is a recommendation (not conditional, not denied, not a
question) wins; a conditional branch for a case without warning signs stands in when nothing
else is unconditional. Imaging: a named scan ordered now; denied, deferred or conditional
scans do not count, and an answer that orders none means ``none``. Topics: the warning signs
named in conditional advice (safety net) or asked about (questions).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from backtriage.harness.extraction import context
from backtriage.harness.extraction.phrases import (
    CATEGORY_HINTS,
    CONDITIONS,
    ER,
    GENERIC_NEUROLOGY,
    IMAGING,
    NO_IMAGING,
    TOPICS,
    URGENCY,
)
from backtriage.harness.extraction.text import Clause
from backtriage.harness.vocabulary import SAFETY_NET_TOPICS, URGENCIES, urgency_rank

_IMAGING_PRIORITY = ("vascular", "mri", "ct", "radiograph")
_ORDER = re.compile(
    r"\b(?:get|getting|have|having|need|needs|needed|require[sd]?|order|ordering|arrange|"
    r"request|book|refer(?:red|ral)?|recommend(?:ed)?|advise[sd]?|proceed|obtain|undergo|do|"
    r"perform|organi[sz]e|send|indicated|warranted|urgent|urgently|emergency|immediate|"
    r"same[- ]day|today|tonight|now|you'll|will|should|must|go for|consider|want|wants|admit|"
    r"ask(?:ed|ing)? (?:\w+ ){0,3}for|taking|taken|conveyed|transfer\w*|on arrival|"
    r"ask (?:your |the )?(?:doctor|gp|pcp|provider|physician)\w* to|"
    r"expect|immediately|within|reasonable|appropriate|advisable|"
    r"sensible|worthwhile|justified|next step)\b",
    re.IGNORECASE,
)
_ACTION = re.compile(
    r"\b(?:seek|get|call|ring|phone|contact|go|see|tell|speak|attend|report|come back|return|"
    r"help|advice|review|attention|a&e|999|911|111|emergency|urgent|doctor|gp|hospital|seen|"
    r"let (?:me|us|your \w+) know|go in|come in|"
    r"check(?:ed)?|safety[- ]net\w*|present|attend|send|refer\w*|admit\w*|ed|er|"
    r"treat (?:it |this )?as|ambulance|escalat\w*|don'?t wait|do not wait)\b",
    re.IGNORECASE,
)
# A plan's heading makes a scan listed under it an order: "Immediate actions", "Plan".
_PLAN_CONTEXT = re.compile(
    r"\b(?:plan|actions?|management|investigations?|next steps?|recommendations?|"
    r"what (?:to do|I'?d (?:suggest|recommend)|we recommend)|orders?)\b",
    re.IGNORECASE,
)
# A scan named as a noun-phrase item of a plan: "...: lumbar spine radiograph and routine
# follow-up", "admit for IV antibiotics and MRI spine". The item has no verb of its own.
_ITEM_START = re.compile(r"(?:^|[:;,(]|\band\b|\bplus\b|\bthen\b)\s*"
                         r"(?:(?:an?|the|urgent|emergency|same-day|plain|bedside|"
                         r"[\w-]+(?: [\w-]+)?)\s+)?$", re.IGNORECASE)
# A scan already done: "your MRI showed a disc bulge", "the X-ray was normal".
_PAST_SCAN = re.compile(
    r"\b(?:your|the|his|her|their|a previous|previous|last|recent|earlier|old)\s+(?:[\w-]+\s+)?"
    r"(?:mri|scans?|x-?rays?|ct|imaging|radiographs?|films?)\b[^.;]{0,40}\b(?:showed|was|were|"
    r"came back|found|revealed|has shown|have shown|is normal|looked)\b", re.IGNORECASE)
_ITEM_VERB = re.compile(
    r"^[^.;:,]*?\b(?:is|are|was|were|would|will|won'?t|can|could|may|might|often|usually|rarely|"
    r"shows?|showed|finds?|found|helps?|picks?|revealed|came|looked|has|had|have|"
    # a scan as the subject of a general statement: "A CT scan involves radiation"
    r"involves?|carr(?:y|ies)|exposes?|costs?|means?|takes?|gives?|tells?|detects?|misses?|"
    r"can'?t|cannot|doesn'?t|don'?t|do not|does not)\b", re.IGNORECASE)
_WARNING_CONTEXT = re.compile(
    r"\b(?:red[- ]flags?|warning|danger|alarm|seek|a&e|999|911|emergency|urgent\w*|call|escalat\w*|"
    r"don'?t wait|do not wait|"
    r"go to|get help|indicators?|signs? of|when to)\b",
    re.IGNORECASE,
)
_QUESTION_CONTEXT = re.compile(
    r"^(?:initial |focused |clinical |key |red[- ]flag )?(?:ask\w*|assess\w*|check\w*|screen\w*|"
    r"enquir\w*|inquir\w*|history|questions?|find out|examin\w*|testing)\b", re.I
)
# "Getting an MRI now would only show ..." talks about a scan; it does not order one.
_ABOUT_IMAGING = re.compile(
    r"^(?:(?:and|but|so)\s+)?(?:(?:getting|having|doing|ordering|an?|the)\s+)?(?:\w+\s+)?"
    r"(?:mri|scans?|x-?rays?|ct|imaging)\b"
    r"[^.;]*\b(?:is|are|would|will|won'?t|isn'?t|can|could|may|might|often|usually|rarely|"
    r"don'?t|doesn'?t|do not|does not|seldom)\b"
    r"[^.;]*\b(?:show|find|change|help|speed|useful|likely|reveal|pick up|improve|explain)",
    re.IGNORECASE,
)
_BACK_REFERENCE = re.compile(
    r"\b(?:if|should) (?:so|yes|any of (?:those|these|them|this|that)|either of (?:those|these)|"
    r"(?:they|those|these|that|this|any) (?:change|changes|happen|happens|appear|appears|develop|"
    r"develops|occur|occurs)|(?:you )?(?:answer(?:ed)?|said) yes)\b"
    r"|^any of (?:these|those|them|the above)\b"
    r"|\bin (?:any of |each of |either of )?(?:those|these|such|either|any|each|both) "
    r"(?:cases?|situations?|circumstances|events?)\b|\bin that (?:case|situation|event)\b"
    r"|^(?:for|with) any of (?:these|those|them)\b"
    # an elliptical condition answers the question before: "Can you pee? If you can't, ..."
    r"|\bif (?:you|they|he|she) (?:can'?t|cannot|can not|do|don'?t|did|didn'?t|are|aren'?t|"
    r"have|haven'?t|has|hasn'?t|is|isn'?t)\s*(?:[,;:]|or\b)",
    re.IGNORECASE,
)


# Answers to questions already asked, reported back: "Denies bladder, bowel or saddle symptoms
# on direct questioning", "no bladder symptoms when specifically asked", "OK, so no fever",
# "Because you've had no change in your waterworks".
_REPORTED_ANSWER = re.compile(
    r"\b(?:denies|denied|on (?:direct |specific )?questioning|when (?:specifically |directly )?"
    r"asked|you(?:'ve| have) had no|so no|negative for|you(?:'ve| have) (?:told me|said) (?:there"
    r"(?:'s| is) )?no)\b",
    re.IGNORECASE,
)


_NEXT_STEP = re.compile(r"^and (?:then )?(?:review|book|arrange|refer|ring|phone|contact|attend|"
                        r"seek|request|reassess|recheck|admit|discuss)\b", re.IGNORECASE)
_FRONTED = re.compile(r"^(?:(?:and|or|but)\s+)?(?:if|in case|should|whenever|unless|when|once)\b",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """A field's value and the sentence that decided it (``None`` when no sentence did)."""

    value: str | tuple[str, ...]
    sentence: str | None


def conditional_flags(clauses: Sequence[Clause]) -> list[bool]:
    """Whether each clause is conditional; later clauses of a sentence inherit a condition.

    "If you can't pee, or feel numb, go to A&E" splits at ", or"; the second part is still
    part of the condition. A clause opening with a contrast ("but", "otherwise") starts afresh.
    """
    flags: list[bool] = []
    for i, clause in enumerate(clauses):
        own = context.is_conditional(clause)
        inherited = (clause.position > 0 and flags[i - 1]
                     and not re.match(r"^(?:and |but )?(?:but|however|otherwise|meanwhile|so|"
                                      r"in the meantime|for now|until then)\b",
                                      clause.text, re.IGNORECASE)
                     # "Start antivirals if within 72 hours and review in a few days": a
                     # condition placed after its own step does not carry to the next step.
                     and not (_NEXT_STEP.match(clause.text)
                              and not _FRONTED.match(clauses[i - 1].text)))
        # "In either case, go to A&E" after a red-flag list takes the list's condition; after
        # a question ("one leg or both? In either case see a GP") it means "regardless".
        either = (i > 0 and _EITHER_CASE.match(clause.text) and flags[i - 1]
                  and not clauses[i - 1].is_question)
        flags.append(own or bool(inherited) or bool(either))
    _branch_before_otherwise(clauses, flags)
    _rule_before_not_your_case(clauses, flags)
    return flags


# "Saddle numbness needs A&E straight away. Yours is on the thigh, so keep active": the next
# sentence sets this person apart from the rule, so the rule is a warning, not the advice.
_NOT_YOUR_CASE = re.compile(
    r"^(?:but |however,? |and )?(?:yours (?:is|are|isn'?t|aren'?t)|you (?:have|had|'ve got) no|"
    r"you don'?t have|you do not have|you haven'?t got|that isn'?t you|that'?s not you|"
    r"that is not you|nothing (?:suggests|points to|you(?:'ve| have)? (?:describe|told|said))|"
    r"you said your|not in your case|there(?:'s| is) no sign|none of "
    r"(?:that|this|those|these) (?:applies|apply|is|are))\b",
    re.IGNORECASE,
)
_ADDRESSED = re.compile(r"^(?:you|your|this|it|that|please|i|we|go|call|ring|get|head|attend|"
                        r"seek|phone|dial|straight|as|given|because|since)\b", re.IGNORECASE)


def _rule_before_not_your_case(clauses: Sequence[Clause], flags: list[bool]) -> None:
    """Mark a general rule as conditional when the next sentence says it is not this case."""
    for i, clause in enumerate(clauses):
        if clause.position != 0 or i == 0 or not _NOT_YOUR_CASE.match(clause.text):
            continue
        before = [j for j in range(i) if clauses[j].sentence_index == clause.sentence_index - 1]
        if not before or clauses[before[0]].is_heading or clauses[before[0]].is_question:
            continue
        if _ADDRESSED.match(clauses[before[0]].text):
            continue
        for j in before:
            flags[j] = True


_EITHER_CASE = re.compile(r"^(?:and |so )?in (?:either|both|each) (?:case|situation)s?\b",
                          re.IGNORECASE)
_IMPERATIVE = re.compile(r"^(?:please )?(?:go|call|ring|phone|get|attend|seek|head|dial)\b",
                         re.IGNORECASE)
_OTHERWISE = re.compile(r"^(?:otherwise|if not\b(?!\s+\w)|everything else|anything else|"
                        r"if none|"
                        r"without (?:any of )?(?:those|these|them))\b", re.IGNORECASE)


def _branch_before_otherwise(clauses: Sequence[Clause], flags: list[bool]) -> None:
    """Mark the sentence before "Otherwise, ..." as the conditional branch it is.

    "Trouble passing urine or weak legs: go to the ER immediately. Otherwise, heat and
    walking": the first sentence is the advice for the warning signs, not the recommendation.
    A question just before it ("Numb bottom? Go to A&E. Everything else can wait") is its
    condition, so it is marked too.
    """
    for i, clause in enumerate(clauses):
        if clause.position != 0 or not _OTHERWISE.match(clause.text) or clause.is_heading:
            continue
        before = clause.sentence_index - 1
        if i == 0 or clauses[i - 1].is_question:
            continue
        branch = [j for j in range(i) if clauses[j].sentence_index == before
                  and not clauses[j].is_heading]
        if not branch:
            continue
        for j in branch:
            flags[j] = True
        if _IMPERATIVE.match(clauses[branch[0]].text):
            for j in range(i):
                if clauses[j].sentence_index == before - 1 and clauses[j].is_question:
                    flags[j] = True


def without_general_warnings(clauses: Sequence[Clause], conditional: Sequence[bool]) -> list[bool]:
    """The flags with warnings stated as general rules read as advice after all.

    "New bladder problems need A&E straight away" is a warning when other advice follows
    ("For now, rest"); when the answer says nothing else ("Sudden tearing back pain with
    dizziness needs 911 now"), it is the recommendation for the case described.
    """
    general = {c.sentence_index for c in clauses if context.is_general_warning(c)}
    return [False if c.sentence_index in general and not _own_condition(c) else flag
            for c, flag in zip(clauses, conditional, strict=True)]


def _own_condition(clause: Clause) -> bool:
    return bool(re.search(r"\b(?:if|unless|in case|should you)\b", clause.text, re.IGNORECASE))


def urgency(clauses: Sequence[Clause], conditional: Sequence[bool]) -> Finding | None:
    """The most urgent recommended urgency, or ``None`` when the answer recommends nothing."""
    firm = _urgency_matches(clauses, conditional, fallback=False)
    found = firm or _urgency_matches(clauses, conditional, fallback=True)
    if not found:
        # Only "review if not improving" advice: that review is what self care means.
        for clause, cond in zip(clauses, conditional, strict=True):
            if cond and not clause.is_heading and context.is_review_if_not_improving(clause):
                return Finding("self_care", clause.sentence)
        # Only a prognosis of people like this one ("Most people with this get better within
        # six weeks"): "people with" is then who recovers, not a warning sign.
        for clause in clauses:
            if (not clause.is_heading and not clause.is_question
                    and _PROGNOSIS.search(clause.text)
                    and not _ANY_CARE_STEP.search(clause.text)):
                return Finding("self_care", clause.sentence)
        # Only reassurance that the problem is harmless ("it isn't dangerous in itself",
        # "usually nothing sinister") beside denied or conditional care: home care.
        for clause in clauses:
            if (not clause.is_heading and not clause.is_question
                    and _REASSURANCE.search(clause.text)
                    and not _ANY_CARE_STEP.search(clause.text)):
                return Finding("self_care", clause.sentence)
        return None
    best = max(found, key=lambda m: (urgency_rank(m[0]), -m[1].index))
    return Finding(best[0], best[1].sentence)


_PROGNOSIS = re.compile(
    r"\b(?:most|many|nearly all|the majority of) (?:people|patients|cases)\b[^.;]{0,50}\b(?:get "
    r"better|recover|improve|settle|resolve)", re.IGNORECASE)
_REASSURANCE = re.compile(
    r"\b(?:is|isn'?t|is not|'s|are|aren'?t|are not) (?:usually |generally |probably |likely )?"
    r"(?:(?:not |nothing )?(?:dangerous|harmful|sinister|serious|worrying|to worry about)|"
    r"harmless|benign)\b", re.IGNORECASE)
_ANY_CARE_STEP = re.compile(r"\b(?:a ?& ?e|999|911|ambulance|emergency|hospital|urgent\w*|surgery|"
                            r"mri|ct|scan|x-?ray|referral)\b", re.IGNORECASE)


_ACCESS = re.compile(r"\bif (?:you )?(?:can'?t|cannot|can not|are unable to|aren'?t able to) "
                     r"(?=(?:get|see|reach|book)\b)", re.IGNORECASE)


_EMERGENCY_WORD = re.compile(r"\b(?:a ?& ?e|999|911|112|ambulance|emergency)\b", re.IGNORECASE)


def _level_of(text: str) -> str | None:
    """The urgency an access condition names: "get a same-day GP appointment" is urgent."""
    step = re.split(r"[,;]|\b(?:call|go|ring|phone|attend|head)\b", text, maxsplit=1)[0]
    for level, pattern in URGENCY:
        if level in ("urgent", "routine") and pattern.search(step):
            return level
    return None


def _urgency_matches(
    clauses: Sequence[Clause], conditional: Sequence[bool], fallback: bool
) -> list[tuple[str, Clause]]:
    out: list[tuple[str, Clause]] = []
    for clause, cond in zip(clauses, conditional, strict=True):
        if clause.is_heading or clause.is_question:
            continue
        if cond and context.is_optional(clause):
            # "See a physio if you'd like": an option, so the plan is still home care.
            out.append(("self_care", clause))
            continue
        if cond and _windowed_visit(clause):
            out.append(("routine", clause))
            continue
        access = _ACCESS.search(clause.text) if cond else None
        if access:
            # "If you can't get a GP appointment today, go to A&E": the condition is about
            # access, so the care it names ("a GP appointment today") is the recommendation.
            level = _level_of(clause.text[access.end():])
            if level == "routine" and _EMERGENCY_WORD.search(clause.text):
                # "If you cannot get through to your GP, call 999": the GP is wanted now.
                level = "urgent"
            if level:
                out.append((level, clause))
                continue
        if cond and not (fallback and context.is_no_red_flag_branch(clause)):
            continue
        er = ER.search(clause.text)
        if er and not context.is_negated(clause, er.start(), er.end()):
            out.append(("emergency", clause))
            continue
        for level, pattern in URGENCY:
            match = pattern.search(clause.text)
            if (match and not context.is_negated(clause, match.start(), match.end())
                    and (level == "self_care" or not context.denies_within(match.group(0)))
                    and (level != "urgent" or (_about_care(clause.text, match.group(0))
                                               and not _admin_timing(clause, match.start())
                                               and not _past_care_today(clause, match)))):
                out.append((level, clause))
                break
    return out


_CARE = re.compile(
    r"\b(?:see|seen|seeing|doctor|gp|physician|clinician|nurse|appointment|review|assess\w*|"
    r"mri|scan|x-?ray|radiograph\w*|films?|imaging|ct|contact|call|ring|phone|visit|check\w*|help|care|surgery|practice|"
    r"hospital|clinic|team|refer\w*|examin\w*|evaluat\w*|attend|111|bloods|blood tests?)\b"
    # "this should happen within a few days" points back at the step before it
    r"|\b(?:should|must|needs? to|will|to) (?:happen|be done|be arranged|be booked|take place|"
    r"be organi[sz]ed)\b",
    re.IGNORECASE,
)


# "A physio referral, which I'll do today; expect an appointment in a few weeks": the day
# names when the request is made, and the appointment's own timing in the sentence decides.
_ADMIN_ACT = re.compile(r"\b(?:refer\w*|request\w*|send|write|do|book|order|arrange)\b[^.;]{0,40}$",
                        re.IGNORECASE)
_ROUTINE_TIMING = re.compile(r"\broutine(?:ly)?\b|\b(?:in|within|over) (?:the next )?(?:a few|"
                             r"\d+|two|three|four|six|several|a couple of) (?:weeks|months)\b",
                             re.IGNORECASE)


# "See your GP in a few weeks if it's still bothering you": the visit has its own window of
# weeks, so it is a planned routine visit; "see your GP if it isn't better in six weeks" puts
# the weeks on the persistence and is the review of self care.
_WINDOWED_VISIT = re.compile(
    r"^(?:(?:it )?(?:might|may|would|could) be (?:reasonable|sensible|worth\w*) to )?"
    r"(?:please )?(?:see|book|visit|make an appointment with)\b[^.;,]{0,20}\b(?:gp|doctor|pcp|"
    r"physician|primary care\w*)\b[^.;,]{0,20}\b(?:in|within|over) (?:the next |the coming )?"
    r"(?:a few|few|a couple of|\d+|two|three|four|six|several) weeks\b[^.;]{0,10}\b(?:if|unless)\b",
    re.IGNORECASE,
)


def _windowed_visit(clause: Clause) -> bool:
    """True for a routine visit with its own window, conditioned only on persistence."""
    return (context.is_review_if_not_improving(clause)
            and bool(_WINDOWED_VISIT.search(clause.text)))


def _admin_timing(clause: Clause, start: int) -> bool:
    """True when "today" dates the request and the sentence gives a routine appointment."""
    return bool(_ADMIN_ACT.search(clause.text[:start])
                and _ROUTINE_TIMING.search(clause.sentence))


# "From your assessment today ...", "Your MRI today showed ...", "You were seen today":
# care already given today dates the past, not the next step.
_PAST_CARE_TODAY = re.compile(
    r"\b(?:from|after|at|in|during|on|following) (?:your|the|our|this|today'?s) (?:[\w-]+ ){0,2}?"
    r"(?:assessment|examination|exam|visit|consultation|appointment|review|session|"
    r"attendance)s? today\b"
    r"|\b(?:your|the|his|her|their) (?:[\w-]+ ){0,2}?(?:mri|scans?|ct|x-?rays?|tests?|bloods?|"
    r"results?|examination|assessment) (?:done |taken )?today (?:showed|shows|was|were|found|"
    r"came back|revealed|is|are|has|have)\b"
    r"|\b(?:you|he|she|they) (?:were|was|have been|has been) (?:seen|examined|assessed|reviewed|"
    r"scanned|treated) (?:\w+ )?today\b", re.IGNORECASE)


def _past_care_today(clause: Clause, match: re.Match[str]) -> bool:
    """True when the timing word is the "today" of care already given."""
    return match.group(0).lower() == "today" and bool(_PAST_CARE_TODAY.search(clause.text))


def _about_care(text: str, phrase: str) -> bool:
    """A timing word ("today", "within a week") counts only when it is about getting care."""
    return bool(re.match(r"urgent|nhs|111|same", phrase, re.I) or _CARE.search(text))


def imaging(clauses: Sequence[Clause], conditional: Sequence[bool]) -> Finding:
    """The imaging ordered now, else ``none`` with the sentence that ruled it out, if any."""
    ordered: list[tuple[str, Clause]] = []
    ruled_out: Clause | None = None
    rejected = {c.sentence_index for c in clauses
                if re.match(r"^but\b", c.text, re.I) and _ABOUT_IMAGING.match(c.text)}
    for clause, cond in zip(clauses, conditional, strict=True):
        if clause.is_heading:
            continue
        if clause.sentence_index in rejected and clause.position == 0:
            # a concession before a rejection: "Clinics will happily scan you, but an MRI
            # this early is more likely to confuse things than help"
            continue
        if NO_IMAGING.search(clause.text) and ruled_out is None:
            ruled_out = clause
        if _DENIED_LABEL.match(clause.text):
            # "Not indicated for isolated numbness without red flags: MRI finds ..."
            ruled_out = ruled_out or clause
            continue
        if cond or clause.is_question or _ABOUT_IMAGING.match(clause.text):
            continue
        named = _named_before(clauses, clause)
        if named:
            ordered.append((named, clause))
            continue
        for modality, pattern in IMAGING:
            match = pattern.search(clause.text)
            if not match or context.is_deferred(clause, match.start(), match.end()):
                continue
            if context.is_negated(clause, match.start(), match.end()):
                ruled_out = ruled_out or clause
                continue
            if _PAST_SCAN.search(clause.text):
                continue
            item = not _ITEM_VERB.search(clause.text[match.end():]) and bool(
                _ITEM_START.search(clause.text[:match.start()]))
            if (_ORDER.search(clause.text) or item or _PLAN_CONTEXT.search(clause.context)
                    or (len(clause.text[:match.start()].split()) <= 3
                        and not _ITEM_VERB.search(clause.text[match.end():]))):
                ordered.append(("mri" if modality == "scan" else modality, clause))
    if ordered:
        best = min(ordered, key=lambda m: (_IMAGING_PRIORITY.index(m[0]), m[1].index))
        return Finding(best[0], best[1].sentence)
    return Finding("none", ruled_out.sentence if ruled_out else None)


_DENIED_LABEL = re.compile(
    r"^\W*(?:not (?:indicated|needed|required|recommended|necessary|warranted|routinely "
    r"(?:needed|indicated))|unnecessary|none (?:needed|required))\b[^:]{0,80}:", re.IGNORECASE)
# a scan named in the sentence before and ordered by pronoun: "... is an MRI. Ask your doctor
# to book one"; "A quick X-ray would show ... Ask for one when you next see your doctor"
_ORDER_ONE = re.compile(
    r"\b(?:book|ask (?:\w+ )?for|get|arrange|request|order|go for|organi[sz]e|need|needs)\s+one\b"
    r"|\b(?:book|arrange|request|order|organi[sz]e)\s+it\b",
    re.IGNORECASE)


def _named_before(clauses: Sequence[Clause], clause: Clause) -> str | None:
    """The modality a pronoun order ("book one") points back to, if the sentence before names it."""
    match = _ORDER_ONE.search(clause.text)
    if (not match or context.is_negated(clause, match.start(), match.end())
            or context.is_deferred(clause, match.start(), match.end())):
        return None
    for before in clauses:
        if before.sentence_index != clause.sentence_index - 1 or before.is_heading:
            continue
        for modality, pattern in IMAGING:
            found = pattern.search(before.text)
            if found and not context.is_negated(before, found.start(), found.end()):
                return "mri" if modality == "scan" else modality
    return None


def topics(
    clauses: Sequence[Clause], conditional: Sequence[bool]
) -> tuple[Finding, Finding]:
    """The safety-net topics and the topics asked about, each with its first sentence."""
    net: dict[str, str] = {}
    asked: dict[str, str] = {}
    by_sentence: dict[int, list[int]] = {}
    for i, clause in enumerate(clauses):
        by_sentence.setdefault(clause.sentence_index, []).append(i)
    sentences = list(by_sentence.values())
    for n, indices in enumerate(sentences):
        first = clauses[indices[0]]
        sentence_topics = {t for i in indices for t in _topics_in(clauses[i].text)}
        conditional_topics = {t for i in indices if conditional[i]
                              for t in _topics_in(clauses[i].text)}
        if conditional_topics and not context.is_question(first):
            sentence_topics = conditional_topics
        if not sentence_topics and _BACK_REFERENCE.search(first.sentence):
            sentence_topics = _topics_before(clauses, sentences[:n])
        if not sentence_topics or first.is_heading:
            continue
        has_condition = any(conditional[i] for i in indices)
        if has_condition and first.is_question and _action_follows(clauses, indices):
            target = net
        elif context.is_question(first) or (not has_condition
                                            and _REPORTED_ANSWER.search(first.sentence)):
            target = asked
        elif has_condition and (_ACTION.search(first.sentence)
                                or _WARNING_CONTEXT.search(first.context)
                                or context.is_warning_label(first.sentence)):
            if context.is_no_red_flag_branch(first):
                continue
            target = net
        elif first.context and _QUESTION_CONTEXT.search(first.context.split(" / ")[-1]):
            target = asked
        else:
            continue
        for topic in sentence_topics:
            target.setdefault(topic, first.sentence)
    return _finding(net), _finding(asked)


def _action_follows(clauses: Sequence[Clause], indices: list[int]) -> bool:
    """True when the sentence after a conditional question tells the person to act."""
    nxt = indices[-1] + 1
    return nxt < len(clauses) and bool(_IMPERATIVE.match(clauses[nxt].text))


def _topics_before(clauses: Sequence[Clause], earlier: Sequence[list[int]]) -> set[str]:
    """Topics of the sentences just before ("if any of those change, go to A&E").

    The nearest run of sentences that name topics counts, up to four of them; a few sentences
    without topics may stand between ("If you answered yes to any of them" after the advice
    for "no").
    """
    found: set[str] = set()
    run = 0
    for indices in reversed(earlier[-10:]):
        topics_here = {t for i in indices for t in _topics_in(clauses[i].text)}
        if not topics_here:
            if found:
                break
            continue
        found |= topics_here
        run += 1
        if run == 4:
            break
    return found


_NUMB = re.compile(r"\bnumb(?:ness)?\b[^.;]{0,20}\b(?:develops?|appears?|starts?)\b|"
                   r"\b(?:new|develop|notice|get)\b[^.;]{0,20}\bnumb(?:ness)?\b", re.IGNORECASE)


_NAMED_NEUROLOGY = frozenset({"saddle", "bilateral_or_progressive_leg_symptoms", "weakness"})


def _topics_in(text: str) -> set[str]:
    found = {topic for topic, pattern in TOPICS if pattern.search(text)}
    if GENERIC_NEUROLOGY.search(text) and not found & _NAMED_NEUROLOGY:
        found.add("other")
    if _NUMB.search(text) and not found & {"saddle", "bilateral_or_progressive_leg_symptoms"}:
        # New numbness named without a place that has its own topic (saddle, both legs).
        found.add("other")
    return found


def _finding(found: dict[str, str]) -> Finding:
    ordered = tuple(t for t in SAFETY_NET_TOPICS if t in found)
    sentences = list(dict.fromkeys(found[t] for t in ordered))
    return Finding(ordered, " | ".join(sentences) if sentences else None)


def conditions_and_category(
    clauses: Sequence[Clause], conditional: Sequence[bool], urgency_value: str
) -> tuple[Finding, Finding]:
    """Suspected conditions named outside conditional advice, and a category (best effort).

    Neither is a safety field: a condition counts only where the answer says it suspects it
    (an unconditional, undenied mention); the category follows from those conditions, then
    from words naming radiculopathy or stenosis, else ``nonspecific``.
    """
    suspected: dict[str, str] = {}
    hints: dict[str, str] = {}
    for clause, cond in zip(clauses, conditional, strict=True):
        if cond or clause.is_heading:
            continue
        for name, pattern in CONDITIONS:
            match = pattern.search(clause.text)
            if match and not context.is_negated(clause, match.start(), match.end()):
                suspected.setdefault(name, clause.sentence)
        for name, pattern in CATEGORY_HINTS:
            match = pattern.search(clause.text)
            if match and not context.is_negated(clause, match.start(), match.end()):
                hints.setdefault(name, clause.sentence)
    names = tuple(c for c in _condition_order() if c in suspected)
    if urgency_value not in URGENCIES[:2]:
        # Serious conditions named in a routine or self-care answer are mentions, not
        # suspicions: the answer would not send the person home with one.
        names = tuple(c for c in names if c in _MIMICS)
    conditions = Finding(names, suspected[names[0]] if names else None)
    if any(c not in _MIMICS for c in names):
        category = Finding("serious_pathology", conditions.sentence)
    elif names:
        category = Finding("non_spinal", conditions.sentence)
    elif "spinal_stenosis" in hints:
        category = Finding("spinal_stenosis", hints["spinal_stenosis"])
    elif "radiculopathy" in hints:
        category = Finding("radiculopathy", hints["radiculopathy"])
    else:
        category = Finding("nonspecific", None)
    return conditions, category


_MIMICS = frozenset({"guillain_barre_syndrome", "multiple_sclerosis", "herpes_zoster",
                     "peripheral_neuropathy", "other_non_spinal", "vascular_emergency"})


def _condition_order() -> tuple[str, ...]:
    from backtriage.harness.vocabulary import CONDITIONS as ORDER

    return ORDER
