"""Whether a phrase is recommended now: conditions, negations, deferrals and questions.

Each check reads a clause (and the heading or lead-in above it) and answers one question, so
"if you lose bladder control, go to A&E" is a warning sign rather than the advice, "you do not
need an MRI" rules a scan out, and "an MRI after six weeks if it persists" is not a scan now.
"""

from __future__ import annotations

import re

from backtriage.harness.extraction.text import Clause

_CONDITION = re.compile(
    r"\b(?:if|in case|in the event|should (?:you|they|the|your|he|she|it|symptoms?|things?|"
    r"any|anything|there|this|that|these|those)\b"
    r"|whenever|as soon as you (?:notice|develop|get|feel|lose|have)|once you notice"
    # the reasons that would change the advice: "The only reasons to go in would be ..."
    r"|the only (?:reasons?|times?|things?) (?:to|that|you'?d|you would|you should|worth)"
    r"|watch (?:out )?for|look out for|be alert|be aware of"
    r"|warning signs?\b(?! of)|red[- ]flags? (?:include|are)|danger signs?"
    r"|alarm (?:signs?|features|symptoms)"
    r"|any of (?:the following|these|those|them|the above)|were to"
    r"|\bin (?:any of |each of |either of )?(?:those|these|such|any|such an?) "
    r"(?:cases?|situations?|circumstances|events?)\b|\bin that (?:case|situation|event)\b"
    r"|\bthe exceptions? (?:is|are|would be)\b"
    # a habit or counterfactual: "I'd normally send someone with these symptoms to A&E"
    r"|\b(?:I|we)(?:'d| would) (?:normally|usually|ordinarily|typically)\b"
    # "Return immediately with urinary retention or saddle anaesthesia"
    r"|\b(?:return|come back|re-?attend|re-?present)\b[^.;]{0,20}\bwith\b"
    r"|\bif so\b"
    r"|patients (?:with|who|presenting)|people (?:with|who)"
    r"|anyone (?:with|who)|those (?:with|who)|when (?:to|there is|there are|symptoms)"
    r"|^for (?:suspected|possible|nonspecific|non-specific|radiculopathy|radicular|persistent)"
    r"|in (?:suspected|the presence of)|where (?:there is|there are)|persist|whether"
    r"|not (?:better|improv|settl|getting better)|doesn'?t (?:improve|settle|get better)"
    r"|hasn'?t (?:improved|settled|got better|gotten better)|no improvement"
    r"|fails? to (?:improve|settle)"
    r"|candidate for|considering (?:surgery|an injection)"
    r"|indications? for|indicated (?:for|in) patients|indicated (?:when|if)"
    r"|depending on|safety[- ]net\w*|in (?:\w+ )?patients\b|reserved for|restricted to)"
    # a line labelled as a warning list: "Red flags (go to A&E): numbness around ..."
    r"|^\W*(?:red[- ]flags?|warning(?: signs?)?|danger signs?|alarm (?:signs?|symptoms)|"
    r"emergency (?:signs?|symptoms)|when to [^:]{0,40}|seek (?:\w+ )?help)\b[^:]{0,40}:",
    re.IGNORECASE,
)
_APPLIES_HERE = re.compile(
    r"\b(?:as in this case|in this case|in your case|this patient|for you|your symptoms|"
    r"what you describe|you describe|you(?:'ve| have) (?:described|told)|given (?:that|your|the))",
    re.IGNORECASE,
)
_COURTESY = re.compile(
    r"\bif (?:you can(?!'t|\u2019t|not| not)|you are able|possible|able|needed|you need to|"
    r"it suits you|that suits you|tolerated|I were you|I was you|that helps|I had to guess|"
    r"you must|necessary|you have to|it helps|you need)\b|"
    # a letter's request: "I would be grateful if you could see Mrs T within the week"
    r"\b(?:I|we)(?:'d| would) be (?:most |very )?grateful if\b|"
    # efficacy is not a warning sign: "antivirals work best if started within three days"
    r"\b(?:works?|worked|best|most effective|more effective) if\b|"
    # safety-netting given is a statement of what was said: "discharge with safety-net advice"
    r"\bwith safety[- ]net\w* (?:advice|information|leaflet)\b|"
    # a purpose is not a condition: "so you know whether it's arthritis", "to see whether"
    r"\b(?:know|find out|tell|see|show|check|work out) (?:whether|if)\b|"
    r"\beven if\b|\b(?:about|discuss|decide|see|on) whether\b|\bwonder(?:ing)? (?:if|whether)\b|"
    # Feasibility is not a warning sign: "ultrasound if available", "if he is stable enough".
    r"\b(?:if|where) (?:(?:immediately|readily|locally) )?(?:available|feasible|practical)\b|"
    r"\bif (?:he|she|they|the patient|you) (?:is|are|'re|stays?|remains?) (?:stable|well) "
    r"enough\b|"
    r"\b(?:I'?d|I would|it would be|I'?d feel) (?:feel )?(?:more comfortable|better|best|"
    r"happier|prefer|sensible) if\b",
    re.IGNORECASE,
)
_NO_RED_FLAG_BRANCH = re.compile(
    r"\b(?:if not\b(?!\s+\w)|if none|if [^.,;]{0,40}\b(?:is|are) (?:no|none)\b|"
    r"if no\b(?!\s+(?:improvement|better))|"
    r"if (?:all|everything|these|those|this|the (?:exam\w*|answers?|results?|findings?|"
    r"neurolog\w+ exam\w*))\b[^.,;:]{0,30}\b(?:normal|negative|clear|reassuring|unremarkable)\b|"
    r"if (?:you )?answer(?:ed)? (?:no|\"no\")\b|"
    # the elliptical "no" to a question before: "Do you have ...? If you don't, ..."
    r"if (?:you )?(?:don'?t|do not|haven'?t|have not|didn'?t|did not)\b(?=\s*[,;:.])|"
    r"no red[- ]flags?|without red[- ]flags?|(?:red[- ]flags?|warning signs?)\W+(?:are |is )?"
    r"(?:absent|none|negative|nil)\b|without (?:any of )?(?:those|these|them)\b|"
    r"non-?emergency|nonspecific|non-specific|"
    r"uncomplicated|no (?:warning|alarm) (?:signs?|features))",
    re.IGNORECASE,
)
_NEGATION_BEFORE = re.compile(
    r"\b(?:no|not|don'?t|do not|does not|doesn'?t|never|without|avoid(?:ing)?|no need|"
    r"needn'?t|shouldn'?t|should not|won'?t|will not|wouldn'?t|would not|isn'?t|aren'?t|"
    r"is not|are not|nor|"
    r"rather than|instead of|against|unnecessary|unlikely to need|hold off|skip|nothing|"
    r"forget(?: about)?|no point(?: in)?|pointless|not worth|don'?t bother(?: with)?|"
    r"(?:decide|deciding|decision) (?:on|about|whether|if)|whether (?:or not )?|"
    r"(?:assess|consider) (?:the )?need for|"
    # the person's wish is not an order: "patient requested an X-ray", "I know you want a scan"
    r"(?:patient|he|she) (?:requested|asked for|wanted|wants|is keen on|was hoping for)|"
    # what people ask for is not an order: "Lots of people ask for an MRI"
    r"(?:people|patients|many|most|everyone|folk) (?:\w+ )?(?:ask|asks|want|wants|request|push|"
    r"hope|expect|are keen) (?:for|to have|to get|on)?|"
    # a likelihood against: "They're unlikely to send you for a scan"
    r"(?:unlikely|not likely|no more likely) to (?:send|refer|order|arrange|offer|do|want)|"
    r"I know (?:you(?:'d)?|that you) (?:want|like|were hoping for)|"
    r"there'?s no|there is no|nothing suggests|not (?:need|require)|nor do|preferred over|"
    r"better than|in preference to|(?:may|might|could) (?:well )?(?:need|order|arrange|"
    r"request|suggest|decide|refer|do|offer|send)|(?:it'?s|it is) possible|"
    # "your GP may want an MRI" is a possibility; "you might consider a physio" a suggestion
    r"(?<!you )(?<!I )(?<!we )(?:may|might|could) (?:well )?(?:want|consider)|"
    r"contraindicat\w*)\b[^.;:,]{0,50}$",
    re.IGNORECASE,
)
_NEGATION_AFTER = re.compile(
    r"^[^.;:]{0,80}?\b(?:is not|isn'?t|are not|aren'?t|not|unlikely to|rarely|won'?t|"
    r"will not|would not|wouldn'?t|doesn'?t|don'?t|does not|do not|can wait|unnecessary|"
    r"not needed|can be|no longer)\b"
    r"[^.;:]{0,30}?\b(?:needed|necessary|required|indicated|recommended|helpful|useful|"
    r"help|change|warranted|appropriate|advised|wait|be needed|show|requested|arranged|"
    r"ordered|considered|speed|improve|matter|explain|add)\b"
    # a place or test as the subject of a denial: "The ER won't do much", "A&E can't help"
    r"|^\s*(?:won'?t|will not|can'?t|cannot|wouldn'?t|would not|isn'?t|is not|aren'?t|"
    r"doesn'?t|does not|don'?t|do not)\b(?!\s+(?:wait|delay|hesitate))"
    r"|^\s*(?:would|will|'d|'ll) (?:just|only|probably just|likely just) (?:send|tell|give)\b"
    # a visit as the subject of a hypothetical: "Going to the ER would mean hours of waiting"
    r"|^\s*(?:would|will|'d) (?:just |only |probably |likely )?(?:mean|involve|be (?:a waste|"
    r"overkill|pointless|unnecessary|wasted))\b"
    # a visit as the subject of a habitual outcome: "Going to the ER to get an MRI for back pain
    # usually ends in a long wait", "A&E generally means hours in a waiting room"
    r"|^[^.;:]{0,60}?\b(?:usually|often|typically|generally|mostly|normally|tends? to|only|just)"
    r" (?:ends?|end up|ending|means?|leads?|involves?|results?|gets? you|wastes?)\b"
    # a label with a dash or colon and a denial: "Imaging - none required", "X-ray: no"
    r"|^\s*[:\-\u2013\u2014]?\s*(?:none|not) (?:required|needed|necessary|indicated|warranted|"
    r"recommended)\b"
    r"|^[^.;:]{0,20}?\b(?:can wait|is unnecessary|are unnecessary|unnecessary|"
    r"(?:is|are) contraindicated|(?:is|are)n'?t (?:possible|available)|"
    r"not (?:possible|an option))\b"
    # a heading or label: "Scans: not needed", "MRI lumbar spine: not indicated now"
    r"|^[\w /-]{0,30}\**\s*:\s*(?:not (?:needed|required|necessary|indicated|recommended|"
    r"warranted|routinely)|unnecessary|none|no)\b",
    re.IGNORECASE,
)
_DEFERRED = re.compile(
    r"\b(?:after|beyond|past|at|in|for) (?:about |around |another )?(?:\d+|two|three|four|six|"
    r"a few|several)(?:\s*(?:-|to|or)\s*\d+)? (?:weeks?|months?)\b|\blater\b|\bdown the line\b|"
    r"\beventually\b|\bin future\b|\bfurther down\b|\buntil (?:you(?:'ve| have)|after)\b|"
    r"\b(?:deferred|postponed|put off|on hold|held off)\b|\bif (?:it|things|symptoms|the pain) "
    r"(?:persist|continue|drag)",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"^(?:[\w /-]{1,40}:\s*)?(?:(?:first|also|always|then|please)\s*,?\s*)?"
    r"(?:ask|assess|check|screen|examine|test|enquire|inquire|perform|document|look for|"
    r"establish|confirm|clarify|determine)\b"
    r"|^(?:key |important |initial |red[- ]flag |screening )?questions?(?: to ask)?\s*:"
    r"|\b(?:ask(?:ed|ing)? (?:about|whether|if|you|them|the patient|specifically)|"
    r"(?:need|want|have) to (?:ask|check|know)|"
    r"enquire about|inquire about|find out whether|tell me (?:if|whether)|"
    r"let me know (?:if|whether)|can you tell me|it would help to know|"
    r"I(?:'d| would) (?:want|need|like) to know|important to (?:know|ask|check) whether|"
    r"before (?:deciding|I can say|I can tell))\b",
    re.IGNORECASE,
)
# "Don't wait" and friends urge the action rather than deny it.
_URGING = re.compile(
    r"\b(?:don'?t|do not|never|not) (?:wait|delay|hesitate|ignore|put (?:it|this) off|"
    r"drive yourself)\b|\bwithout delay\b|\bno matter\b|\bnot tomorrow\b",
    re.IGNORECASE,
)
_AVOID_HEADING = re.compile(r"\b(?:pitfalls?|mistakes?|avoid|myths?|don'?ts)\b", re.IGNORECASE)


_CONTEXT_CONDITION = re.compile(
    r"\b(?:warning|red[- ]flags?|danger|alarm|when to|emergency signs?|get (?:urgent )?help)\b",
    re.IGNORECASE,
)
# The person has said the condition holds ("as you describe"): the advice applies now.
_CONDITION_MET = re.compile(
    r"\bas you (?:say|said|describe|described|mention|mentioned|told me)\b|"
    r"\byou (?:said|mentioned|told me|described)\b",
    re.IGNORECASE,
)


# A warning sign labelled with its action after a colon: "Any numbness between the legs or
# trouble peeing: A&E". Only "any" makes it hypothetical: "Fever and raised CRP: emergency
# admission" in a clinical note describes the case, and "Plan: A&E now" is a plan's label.
_COLON_CONDITION = re.compile(
    r"^\W*(?:any|anything|either)\b[^:]{0,100}?(?::|\s[\-\u2013\u2014])\s*(?:go |call |ring |"
    r"phone |attend |straight |"
    r"get |seek |"
    r"head |same[- ]day |urgent )?(?:to )?(?:a ?& ?e|999|911|112|111|the er|er\b|ed\b|emergency|"
    r"ambulance|urgent|hospital|gp|doctor|seek|call|ring|phone)",
    re.IGNORECASE,
)


# A warning stated as a general rule about a kind of symptom, not advice for this person:
# "Don't ignore new bladder problems - they need A&E straight away", "New numbness around your
# bottom is an emergency", "Any weakness in both legs means A&E". "Your numbness is an
# emergency" and "This is an emergency" speak of the case and are not matched.
_GENERAL_WARNING = re.compile(
    r"^(?:(?:don'?t|do not|never) ignore (?:any |new |sudden )|(?:any|new|sudden)\b(?=[^.;:]{0,60}"
    r"\b(?:is|are|means?|needs?|warrants?|requires?|calls? for)\b[^.;]{0,25}\b(?:emergenc\w+|"
    r"a ?& ?e|999|911|ambulance|hospital|er|ed)\b))",
    re.IGNORECASE,
)


# A sentence about the warning signs is a warning list however it is punctuated: "Red flags -
# bladder or bowel problems, saddle numbness - mean a same-day trip to A&E".
_WARNING_SUBJECT = re.compile(
    r"^\W*(?:the )?(?:red[- ]flags?|warning signs?|danger signs?|alarm (?:signs?|symptoms|"
    r"features)|emergency signs?)\b", re.IGNORECASE)
_NONE_PRESENT = re.compile(r"\b(?:none|absent|not present|negative|nil)\b|:\s*no\b", re.IGNORECASE)
_YOURS = re.compile(r"\b(?:yours|like you(?:rs)?|you(?:'ve| have) (?:got|described|told)|"
                    r"you describe|as you)\b", re.IGNORECASE)


def is_general_warning(clause: Clause) -> bool:
    """True for the first clause of a warning stated as a rule about a kind of symptom."""
    return (clause.position == 0 and bool(_GENERAL_WARNING.match(clause.text))
            and not _YOURS.search(clause.sentence))


def is_conditional(clause: Clause) -> bool:
    """True when the clause, or the heading/lead-in above it, makes the advice conditional.

    A heading that says the branch applies to this case ("as in this case") is not a condition;
    nor are courtesies such as "if you can" or "if I were you".
    """
    if _CONDITION_MET.search(clause.sentence):
        return False
    if (_CONDITION.search(_COURTESY.sub(" ", clause.text))
            or _COLON_CONDITION.match(clause.sentence)
            or (_WARNING_SUBJECT.match(clause.sentence)
                and not _NONE_PRESENT.search(clause.sentence))
            or is_general_warning(clause)):
        return True
    if clause.context and (_CONDITION.search(clause.context)
                           or _CONTEXT_CONDITION.search(clause.context)):
        return not _APPLIES_HERE.search(clause.context)
    if clause.context and re.match(r"^(?:step \d+:\s*)?(?:for|if|when)\b", clause.context, re.I):
        return not _APPLIES_HERE.search(clause.context)
    return False


_OPTIONAL = re.compile(
    r"\bif (?:you(?:'d| would) like|you want|you wish|you prefer|you feel you need)\b", re.I
)


_WARNING_LABEL = re.compile(
    r"^\W*(?:red[- ]flags?|warning(?: signs?)?|danger signs?|alarm (?:signs?|symptoms)|"
    r"emergency (?:signs?|symptoms)|signs to (?:watch|look) (?:out )?for)\b[^:]{0,40}:",
    re.IGNORECASE,
)


def is_warning_label(text: str) -> bool:
    """True for a line that labels a list of warning signs ("Red flags to watch for: ...")."""
    return bool(_WARNING_LABEL.match(text))


def is_optional(clause: Clause) -> bool:
    """True when the advice is offered as an option ("see a physio if you'd like")."""
    return bool(_OPTIONAL.search(clause.text))


_NOT_IMPROVING = re.compile(
    r"\b(?:not (?:better|improv\w*|settl\w*|getting better)|(?:doesn'?t|does not|hasn'?t|have not|"
    r"haven'?t|has not) (?:improve|improved|settle|settled|got better|gotten better|eased)|"
    r"not (?:easing|clearing|clearing up|going away|shifting|resolving)|"
    r"no (?:better|improvement)|fails? to (?:improve|settle)|persists?|still (?:bad|there|"
    r"bothering|painful|sore|troubling)|keeps? (?:nagging|bothering|going|on)|"
    r"(?:hasn'?t|has not|haven'?t|doesn'?t|does not) (?:gone|go away|cleared|eased))\b",
    re.IGNORECASE,
)


def is_review_if_not_improving(clause: Clause) -> bool:
    """True for "see your GP if it isn't better in six weeks": the review of self care."""
    return bool(_NOT_IMPROVING.search(clause.text))


def is_no_red_flag_branch(clause: Clause) -> bool:
    """True when a conditional branch is the one for a case without warning signs."""
    # the branch label may head the sentence in its own clause: "If no to both: Recommended -
    # routine GP appointment"
    label = _BRANCH_LABEL.match(clause.sentence)
    return bool(_NO_RED_FLAG_BRANCH.search(clause.context) or
                _NO_RED_FLAG_BRANCH.search(clause.text) or
                (label and _NO_RED_FLAG_BRANCH.search(label.group(1))))


_BRANCH_LABEL = re.compile(r"^\W*((?:if|when|for)\b[^:]{0,80}):", re.IGNORECASE)


_LIST_TAIL = re.compile(
    r"(?:\b(?:plain |an? |the )?(?:mri|ct|x-?rays?|radiographs?|films?|scans?|imaging|ultrasound)"
    r"\b\s*(?:,|/|\bor\b|\band\b|\bnor\b)\s*)+$",
    re.IGNORECASE,
)


def is_negated(clause: Clause, start: int, end: int) -> bool:
    """True when the phrase at ``clause.text[start:end]`` is denied or advised against.

    An item in parentheses or in a list shares the negation of its head: "do not obtain
    routine imaging (plain radiographs, CT or MRI)", "no X-ray, CT or MRI".
    """
    before = _URGING.sub(" ", clause.text[:start])
    if before.rfind("(") > before.rfind(")"):
        before = before[:before.rfind("(")]
    before = _LIST_TAIL.sub("", before)
    after = clause.text[end:]
    if _NEGATION_BEFORE.search(before) or _NEGATION_AFTER.search(after):
        return True
    return bool(clause.context and _AVOID_HEADING.search(clause.context))


_INNER_NEGATION = re.compile(r"\b(?:not|no|never|without|instead of|rather than)\b|\wn['\u2019]t\b",
                             re.IGNORECASE)


def denies_within(phrase: str) -> bool:
    """True when a phrase with a gap denies itself: "go to your GP, not A&E"."""
    return bool(_INNER_NEGATION.search(_URGING.sub(" ", phrase)))


def is_deferred(clause: Clause, start: int = 0, end: int | None = None) -> bool:
    """True when the step at ``clause.text[start:end]`` is put off (weeks away, or later).

    Only wording near the phrase counts, so "X-ray now and GP review in two weeks" orders the
    X-ray now.
    """
    end = len(clause.text) if end is None else end
    window = clause.text[max(0, start - 30):end + 20]
    return bool(_DEFERRED.search(window))


def is_question(clause: Clause) -> bool:
    """True when the clause asks the person something or tells the reader to ask it."""
    return clause.is_question or bool(_QUESTION.search(clause.text))
