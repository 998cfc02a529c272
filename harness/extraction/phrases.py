"""The phrase tables of the rule extractor: what wording means which decision value.

Each table maps a value to regular expressions (case-insensitive unless marked). They are
data: the logic that decides whether a phrase counts (conditions, negations) is in
``context``, and how matches combine is in ``fields``. UK and US wording both appear.
"""

from __future__ import annotations

import re
from typing import Final

Table = tuple[tuple[str, re.Pattern[str]], ...]


def _table(rows: dict[str, list[str]], flags: int = re.IGNORECASE) -> Table:
    return tuple((value, re.compile(p, flags)) for value, patterns in rows.items()
                 for p in patterns)


_PLACE = (r"(?:a ?& ?e|a and e|accident (?:and|&) emergency|(?:the |an |your )?(?:nearest )?"
          r"(?:emergency (?:department|room|unit|services?|care)|hospital emergency"
          r"|casualty|e\.r\.|ed\b))")
# Conveying verbs count like going: "Taking to ED for CT", "conveyed to A&E", "blue-light him".
_GO = (r"(?:go|goes|going|head\w*|get|attend\w*|present\w*|come|coming|be taken|taken|taking|"
       r"take (?:you|them|him|her)|visit|send\w*|sent|transfer\w*|bring\w*|brought|convey\w*|"
       r"rush\w*|blue[- ]light\w*)")
_NOW = r"(?:now|immediately|straight away|right away|at once|tonight|today|urgently)"
_CARE_STEP = (r"mri|ct|scan|scans|imaging|angiogra\w*|ultrasound|x-?rays?|radiographs?|referral|"
              r"review|assessment|evaluation|surgeons?|surgical (?:review|team|opinion|assessment)|"
              r"transfer|scanned|imaged")

URGENCY: Final[Table] = _table({
    "emergency": [
        r"\bcall(?:ing)? (?:for )?(?:an )?ambulance\b", r"\bambulance\b", r"\b(?:999|911|112)\b",
        r"\b(?:be )?seen (?:\w+ )?(?:at|in) (?:a |the )?hospital\b",
        r"\bbe (?:in|admitted to) (?:a |the )?hospital\b|\bemergency services\b",
        r"\b(?:call|dial|ring|phone)\w*\s+(?:on\s+)?000\b",
        r"\b(?:get|seek|find)\b (?:\w+ )?(?:medical )?(?:help|attention|care)\b[^.;]{0,15}\b"
        r"(?:immediately|right away|straight away|right now|now|at once|without delay)\b",
        rf"\b{_GO}\b[^.;]{{0,40}}\b{_PLACE}",
        rf"\b{_PLACE}[^.;]{{0,25}}\b{_NOW}\b",
        r"\bemergency (?:department|room)\b",
        r"\bseek (?:emergency|immediate) (?:medical )?(?:care|help|attention|treatment|review)\b",
        r"\bemergency (?:[\w-]+ ){0,2}?(?:assessment|referral|review|mri|scan|surgery|surgical|"
        r"decompression|"
        r"evaluation|care|imaging|treatment|admission|transfer)\b",
        r"\bimmediate(?:ly)? (?:surgical|neurosurgical|spinal|hospital|specialist|emergency)"
        r"(?: referral| review| assessment| evaluation| admission|team)?",
        r"\b(?:same[- ]day|immediate|urgent) (?:referral|transfer) to (?:the )?(?:on-call |"
        r"emergency )?(?:spinal|neurosurg|orthopaedic|orthopedic|surgical|hospital)",
        r"\b(?:this|that|your \w+|what you describe|it) (?:is|are|could be|may be|might be|"
        r"sounds? like|needs to be treated as) (?:a |an )?(?:(?:possible|potential|true) )?"
        r"(?:medical |surgical |spinal )?emergency\b",
        r"\b(?:go|get) to (?:the )?hospital\b[^.;]{0,20}\b" + _NOW,
        r"\bgo to (?:the )?(?:nearest )?hospital\b",
        r"\b(?:admit|admission|admitted)\b",
        r"\bneeds? to be seen (?:in hospital |at hospital )?(?:now|immediately|right away|"
        r"tonight|as an emergency|within (?:the )?hours?)\b",
        r"\bemergency\b[^.;]{0,15}\b(?:now|immediately|tonight|straight away)\b",
        r"\bas an? emergency\b",
        r"\bemergency (?:\w+ )?(?:mri|ct|scan|imaging|angiogra\w*|x-?ray)\b",
        r"\b(?:check(?:ed|ing)?|seen|see(?:ing)?|assess(?:ed|ing|ment)?|examin\w+|treat(?:ed|ing|"
        r"ment)?|look(?:ed)? at) (?:at|in) (?:a |the )?hospital\b",
        # A care step with an immediate timing: "a CT angiogram immediately", "MRI tonight",
        # "call the vascular surgeons now".
        rf"\b(?:{_CARE_STEP})\b[^.;]{{0,30}}\b(?:immediately|right away|straight away|at once|"
        r"tonight|without delay|right now)\b",
        r"\bhospital (?:assessment|admission|review|evaluation|treatment)\b",
        rf"\b(?:immediate(?:ly)?|tonight'?s?)\b[^.;]{{0,12}}\b(?:{_CARE_STEP})\b",
        r"\b(?:call|contact|phone|bleep|page|ring)\b[^.;]{0,30}\b(?:surgeons?|surgical team|"
        r"on-?call|registrar|resus\w*|vascular team|spinal team)\b[^.;]{0,12}\b(?:now|immediately|"
        r"urgently|straight away|right away)\b",
        r"^(?:this is )?(?:an? )?(?:medical )?emergency[.!]*$",
        # a blue-light run or a conveyance to an acute unit is an emergency transfer
        r"\bblue[- ]light\w*\b",
        rf"\b{_GO}\b[^.;]{{0,30}}\b(?:spinal (?:centre|center|unit)|major trauma|trauma centre|"
        r"trauma center|resus\w*|theatre|hospital)\b(?!\s+(?:x-?ray|radiology|imaging|outpatient|"
        r"clinic|walk-in|physio\w*|appointment))",
        # An immediate "now" on a cross-sectional or vascular test: "CT angiogram now",
        # "CT thoracolumbar spine now", "ultrasound of the aorta now" (not an X-ray, which a GP
        # may also send "now"); "an MRI now would only show ..." is discussion, not an order.
        r"\b(?:mri|ct|cta|angiogra\w*|aortogra\w*|ultrasound)\b[^.;,]{0,40}\bnow\b"
        r"(?!\s+(?:would|will|is|isn'?t|won'?t|wouldn'?t|can|could|may|might|only|just|"
        r"probably|rarely|usually|often|tends?)\b)",
        # the on-call specialist team is the hospital's acute service
        r"\b(?:refer\w*|discuss\w*|contact|call|phone|transfer\w*)\b[^.;]{0,30}\bon-?call "
        r"(?:spinal|surgical|surgeons?|neurosurg\w*|orthopa?edic\w*|vascular|registrar|team)",
        r"\b(?:in|at|to|into) (?:the )?(?:a ?& ?e|accident (?:and|&) emergency|"
        r"emergency department|casualty|ed|resus\w*)\b",
        r"\bwithin (?:a few |the next few |an? |two |three |2|3|4|6)?(?:-?\s*hours?)\b",
        # a letter's "Sent in for trauma assessment", "referred in to the on-call team": sent
        # into hospital now ("sent in a referral" sends a form, not the person)
        r"\b(?:sent|sending|send (?:him|her|them|you)|referr(?:ed|ing)(?: (?:him|her|them|you))?|"
        r"refer (?:him|her|them|you)|brought|coming) in\b(?!\s+(?:a|an|the|your|his|her|my|our|"
        r"writing|person)\b)",
    ],
    "urgent": [
        r"\bsame[- ]day\b", r"\b(?:within|in) (?:the next )?(?:24|48|24\s*(?:-|to|or)\s*48)"
        r"\s*(?:hours|hrs|h)\b", r"\bwithin (?:a|one|the next) (?:day|couple of days)\b",
        r"\b(?:within|in) (?:the next )?(?:a day or two|one or two days|1\s*(?:-|to|or)\s*2 days|"
        r"a couple of days|couple of days|two days|2 days|a few days|the next few days|next day|"
        r"day or two|(?:a |the next )?day or so|"
        r"2\s*(?:-|to)\s*3 days)\b",
        r"(?<!non-)(?<!non)\burgent(?:ly)?\b",
        r"\bNHS 111\b|\b(?:call|ring|phone|contact) 111\b|\b111\b",
        r"\b(?:as soon as (?:possible|you can)|asap|promptly|prompt (?:review|assessment|"
        r"evaluation|appointment|medical))\b",
        r"\b(?:today|tomorrow|this week|within (?:a|one|1|the) week(?! or)|within 7 days)\b",
        # a walk-in centre is urgent care; an X-ray "walk-in service" is only how a scan is done
        r"\bwalk-in (?:centre|center|clinic)\b|\bout[- ]of[- ]hours\b",
        r"\bsoon\b(?! as)", r"\bsooner rather than later\b",
    ],
    "routine": [
        r"\b(?:see|seeing|visit|book|booking|make|get|getting|arrange|schedule|scheduling|"
        r"speak to|talk to|contact|consult|ask|have|let|go to|head to|call|ring|phone|attend|"
        r"check in with|follow up with|follow-up with|review with|mention\w*|"
        r"bring (?:it|this|that) up with|raise (?:it|this|that) with)\b[^.;]{0,40}\b(?:gp|doctor|"
        r"physio\w*|physical therap\w*|pt\b|chiropract\w*|family (?:doctor|physician)|"
        r"primary care|pcp|provider|clinician|practice nurse|pharmacist|specialist|"
        r"spine (?:clinic|specialist)|orthopa?edic\w*|appointment|surgery|sessions?)\b",
        r"\b(?:refer(?:ral)?|referred)\b[^.;]{0,30}\b(?:physio\w*|physical therap\w*|"
        r"musculoskeletal|msk|spinal|spine|specialist|pain clinic|orthopa?edic\w*|surgeon)\b",
        r"\b(?:routine|regular|normal|ordinary|standard) (?:appointment|review|referral|"
        r"follow[- ]up|assessment|visit|gp appointment)\b|\b(?:at )?your next (?:visit|check-?up|"
        r"appointment|routine appointment)\b",
        r"\b(?:review|reassess(?:ment)?|follow[- ]up|re-?evaluat\w*)\b[^.;]{0,20}\b(?:in|within) "
        r"(?:\d+|one|two|three|four|six|several|a few|a couple of)\s*(?:-\s*\d+\s*)?weeks?\b",
        r"\bnon-?urgent\b", r"\bget (?:it|this|things) (?:checked|looked at)\b",
        # clinical shorthand for weeks: "Review 3/52"
        r"\b(?:review|f/?u|follow[- ]up|reassess\w*|see)\b[^.;]{0,10}\b\d+\s*/\s*52\b",
        r"\bappointment with\b|\b(?:gp|doctor|pcp|physician|physio\w*) appointment\b",
        r"\b(?:gp|doctor|physio\w*|pcp|practice)\b[^.;]{0,15}\b(?:in|within|over) (?:the next |the "
        r"coming )?(?:a few|few|\d+|two|three|four|six|several|a couple of|couple of) weeks\b",
        r"\b(?:gp|doctor|physio\w*|pcp|appointment|review)\b[^.;]{0,25}\b(?:in|within|for) "
        r"(?:a|the next|about a) fortnight\b",
        # "referred tingling into the buttock" is a symptom, not a referral
        r"^(?:physio\w*|physical therap\w*)\b|\brefer\w*\b(?!\s+(?:[\w-]+\s+)?(?:pain|tingling|"
        r"numbness|symptoms?|sensations?|aching|ache|discomfort)\b)",
        r"(?<!normal )(?<!usual )(?<!daily )(?<!your )\broutine(?:ly)?\b"
        r"(?! imaging| scan| x-?ray| mri)",
        r"\bsessions? with\b",
        r"\b(?:gp|doctor|pcp|physio\w*|primary care \w+)\b (?:can|will|should|could) "
        r"(?:sort|look at|see|check|review|help|examine|assess)\b",
        # physiotherapy as an item of a plan: "For now: analgesia, activity and physiotherapy"
        r"(?:^|[:,]\s*|\band\s+)(?:a |an )?(?:course of )?(?:physio\w*|physical therap\w*)\b"
        r"(?!\s+(?:exercises?|style|would|can|could|may|might|often|usually|is|are))",
        r"\b(?:offer|try|trial of|start|arrange|book|recommend|suggest)\w*\b[^.;]{0,40}\b"
        r"(?:physio\w*|physical therap\w*)",
        r"\bbe (?:seen|examined|assessed) by (?:a|your) (?:doctor|gp|clinician|physician)\b",
    ],
    "self_care": [
        r"\b(?:at home|home care|home management|self[- ]care|self[- ]manage\w*)\b",
        r"\b(?:stay|keep|remain)(?:ing)? (?:active|moving|mobile|going)\b",
        r"\bcarry(?:ing)? on (?:moving|with (?:your )?(?:normal|usual))\b",
        r"\b(?:stay|keep|remain) as (?:active|mobile) as\b",
        r"\bsettles? (?:within|in|over|by itself|on its own|with time)\b",
        r"\bnothing (?:else |more )?(?:is )?(?:needed|required|to do)\b",
        r"\bkeep (?:up )?(?:your )?(?:normal|usual|daily) (?:activit\w+|routine)\b",
        r"\b(?:paracetamol|acetaminophen|ibuprofen|naproxen|nsaids?|painkillers?|pain relief|"
        r"over[- ]the[- ]counter|otc|heat (?:pack|pad|therapy)|hot water bottle|ice pack)\b",
        r"\b(?:should|will|'ll|tends? to|usually) (?:\w+ly )?(?:settle|improve|get better|ease|"
        r"resolve|stop|fade|go away|pass|wear off|clear up|calm down)\b",
        # changing how one sits or works: "try getting up every half hour", "take breaks on
        # long drives", "adjust your chair"; and a wait-and-see: "see if it fades"
        r"\b(?:try|take|taking|make|making|build in)\b[^.;]{0,15}\bbreaks\b|\bgetting up (?:and "
        r"moving )?every\b|\bget up (?:and (?:move|walk) (?:about|around) )?every\b|"
        r"\b(?:adjust|improve|change|check|fix|sort out) (?:your )?(?:posture|chair|desk|seat|"
        r"seating|workstation|set-?up)\b|\bsee (?:if|whether) (?:it|things|the \w+) (?:fades?|"
        r"settles?|eases?|goes|improves?|passes|wears off|calms down)\b|"
        r"\bmanag\w* (?:it |this |them )?conservatively\b",
        r"\bon its own\b|\bby itself\b",
        r"\b(?:get|getting|go|going) back to (?:your )?(?:normal|usual) (?:activit\w+|routine)\b|"
        r"\breturn to (?:your )?(?:normal|usual) activit\w+\b|\btake it easy\b",
        # home measures as a bare list: "Otherwise, heat and walking"
        r"\b(?:heat|ice|warmth|rest)\s*(?:,|and|or)\s*(?:gentle |light )?(?:walking|movement|"
        r"stretch\w*|exercise|activity|heat|ice|time|rest)\b|\b(?:walking|movement|activity)\s*"
        r"(?:,|and)\s*(?:heat|ice|painkillers|rest)\b",
        r"\blet (?:it|things|this) (?:settle|ease|heal|calm down)\b|"
        r"\bcarry(?:ing)? on (?:with )?(?:life |things )?(?:as normal|as usual)\b",
        r"\b(?:continue|keep(?: up| doing| going with)?|do|doing|start|try|give|giving|stick "
        r"(?:with|to)|carry on with|take up|go)\b[^.;]{0,30}\b(?:exercises|stretches|stretching|"
        r"walking|walks|moving|changing position|yoga|swimming|pilates|tai chi)\b",
        r"\bavoid (?:bed ?rest|(?:lying|resting|staying) in bed)\b|\bthe best (?:thing|treatment|"
        r"medicine|approach)\b[^.;]{0,15}\b(?:movement|moving|activity|exercise|keep\w* active)\b",
        r"\b(?:use|try|apply)\b[^.;]{0,10}\b(?:ice|heat|warmth|a heat pack)\b|\bice or heat\b|"
        r"\bheat or ice\b|\bwalk(?:ing)? (?:more|little and often|a little|daily|every day|each "
        r"day|regularly|as much as)\b",
        r"\b(?:change|changing|vary|varying) (?:your )?position\b",
        # the prognosis given as the advice: "most back pain settles"
        r"\b(?:most|usually|generally|typically|normally)\b[^.;]{0,40}\b(?:settles?|improves?|"
        r"gets? better|resolves?|eases? off|recovers?|fades?|wears? off|passes|goes away)\b",
        r"\b(?:gentle|light) (?:exercise|stretch\w*|walk\w*|movement)\b",
        r"\b(?:reassur\w+|conservative (?:care|management|treatment))\b",
        r"\bno need to (?:see|visit|contact|call)\b|\bno need for (?:a|your) (?:doctor|gp)\b",
        r"\blook after (?:this|it|yourself)\b|\bkeep an eye on (?:it|things|this)\b",
        r"\bsettle (?:with time|by itself|on its own)\b",
        r"\bkeep up (?:your )?(?:normal|usual) routine\b|\banalgesi\w*\b",
        r"\badvise (?:activity|to stay active)\b",
        # a bare "Rest." as the whole advice, and a clinical disposition home
        r"^\W*(?:(?:for now|meanwhile|until then|otherwise|in the meantime),?\s+)?"
        r"(?:rest|relax)\W*$",
        r"\bdischarge(?:d)? (?:home|with (?:advice|analgesia|safety[- ]net\w*))\b",
        r"\b(?:don'?t|do not|won'?t) (?:think (?:that )?)?(?:you )?(?:need|have) "
        r"(?:to (?:see|visit) )?(?:a |your |any )?(?:doctor|gp|physician|medical (?:help|attention|"
        r"care))\b",
        r"\b(?:don'?t|do not|won'?t) (?:need|have) to do anything\b",
        r"\bremain(?:ing)? active\b",
        r"\bmanag\w* (?:this|it) (?:yourself|at home)\b|\bwarm bath\b|\bstretch\w*\b",
        r"\b(?:rest (?:up|at home|for a (?:day|few days|couple of days))|bed rest|rest and)\b",
    ],
})

ER: Final = re.compile(r"\b(?:the |an |to )?ER\b")
"""The US emergency room, upper case only (lower-case "er" is a hesitation)."""

_SCAN = r"(?:scan|scans|imaging)"
_AORTA = r"(?:aort\w+|aneurysm|blood vessel|artery|abdom\w+|tummy|belly)"
IMAGING: Final[Table] = _table({
    "vascular": [
        r"\bct (?:angiogra\w+|aortogra\w+)\b", r"\bcta\b", r"\baortic (?:ultrasound|scan)\b",
        r"\bultrasound (?:scan )?of (?:the |your )?(?:aorta|abdomen)\b",
        # In back pain an ultrasound is of the aorta when the answer says so nearby.
        rf"\bultrasound\b(?=[^.;]{{0,60}}\b{_AORTA}\b)|\b{_AORTA}\b[^.;]{{0,60}}\bultrasound\b",
        r"\b(?:vascular|aneurysm) (?:imaging|scan)\b",
    ],
    "mri": [r"\bmri\b|\bmr (?:scan|imaging)\b|\bmagnetic resonance\b"],
    "ct": [r"\bct\b(?! angio| aorto)|\bcat scan\b|\bcomputed tomography\b"],
    "radiograph": [r"\bx[- ]?rays?\b|\bradiograph\w*\b|\bplain films?\b"],
    "scan": [rf"(?<!ultrasound )(?<!bladder )(?<!bone )(?<!dexa )(?<!pet )(?<!density )(?<!ct )"
             rf"(?<!cat )(?<!mri )(?<!mr )\b{_SCAN}\b"
             r"(?! of (?:the |your )?(?:bladder|aorta|abdomen|tummy|belly))"],
})
"""``scan`` is an unnamed scan: read as MRI (the scan of the spine guidelines mean). A bladder,
bone, DEXA or ultrasound scan is not a scan of the spine."""

NO_IMAGING: Final = re.compile(
    rf"\bno (?:need for |need to have |)(?:an? )?(?:{_SCAN}|x[- ]?rays?|mri|ct)\b(?! if)"
    rf"|\b(?:{_SCAN}|x[- ]?rays?|mri|ct)s? (?:is|are) (?:not|rarely|seldom|usually not|"
    r"not usually) (?:needed|necessary|required|indicated|helpful|useful|recommended)",
    re.IGNORECASE,
)

TOPICS: Final[Table] = _table({
    "bladder": [r"\bbladder\b", r"\burin\w*\b", r"\bpee(?:ing)?\b", r"\bwee(?:ing)?\b",
                r"\bpass(?:ing)? water\b", r"\bwaterworks\b", r"\bretention\b",
                r"\bincontinen\w+\b(?! of (?:stool|"
                r"faeces|feces|bowel))", r"\bwetting\b",
                r"\bwet (?:yourself|himself|herself|themselves|the bed)\b",
                r"\bthe toilet\b(?! paper| tissue| roll)",
                r"\bsphincter\b"],
    "bowel": [r"\bbowels?\b", r"\bfa?ecal\b", r"\bpoo\w*\b", r"\bstools?\b",
              r"\bsoil(?:ing|ed|s)?\b",
              r"\bcontrol (?:of|over) (?:your )?(?:bowels?|back passage)\b", r"\bsphincter\b"],
    "saddle": [r"\bsaddle\b", r"\bperine\w+\b", r"\bgenital\w*\b", r"\bgroin\b",
               r"\bbetween (?:your|the|his|her|my) legs\b", r"\binner thighs?\b",
               r"\baround (?:your|the|his|her) (?:bottom|anus|back passage|private parts|genitals)",
               r"\bback passage\b", r"\bprivate parts\b", r"\byour bottom\b(?! of)",
               r"\bnumb\w* (?:in |around |of |over )?(?:your |the )?"
               r"(?:bottom|bum|buttocks|backside)\b",
               r"\b(?:wipe|wiping)\b",
               r"\bsexual (?:function|dysfunction|sensation)\b", r"\berection\w*\b"],
    "bilateral_or_progressive_leg_symptoms": [
        r"\bboth (?:legs|feet|sides|thighs)\b", r"\bbilateral\w*\b", r"\bprogressive\w*\b",
        r"\b(?:spread(?:s|ing)?|moving) (?:to|into|down) (?:the )?(?:other|both)\b",
        r"\bother leg\b", r"\bgetting (?:worse|weaker|more numb)\b[^.;]{0,20}\blegs?\b",
        r"\blegs?\b[^.;]{0,30}\b(?:getting|gets|get|becom\w+) (?:worse|weaker|more numb)\b",
        r"\b(?:worsening|spreading|increasing) (?:leg )?(?:numbness|weakness|symptoms)\b",
        r"\b(?:numbness|weakness|tingling|pins and needles|symptoms)\b[^.;]{0,20}\b(?:spreads?|"
        r"spreading|getting worse|gets worse|worsens|worsening|progress(?:es|ing)?)\b",
        # numbness rising through both legs: "climbs up your legs", "creeping up both legs"
        r"\b(?:climb\w*|creep\w*|crept|rising|rises|spread\w*|travel\w*|mov(?:es|ing)) (?:up|into)"
        r" (?:your |the |both )?(?:legs|thighs|knees)\b",
        r"\bor both\b"],
    "weakness": [r"\bweak\w*\b", r"\bfoot ?drop\b", r"\bgiv(?:e|es|ing) way\b",
                 r"\b(?:trouble|difficulty|problems?) (?:walking|standing|lifting your foot)\b",
                 r"\bloss of (?:power|strength|movement)\b", r"\bparaly\w+\b",
                 r"\bcan(?:'t|not) (?:lift|move|stand|walk)\b", r"\bunsteady\b", r"\bmotor\b",
                 r"\b(?:muscle |lower limb |leg )?power\b",
                 r"\b(?:foot|feet|leg|toes?)\b[^.;]{0,15}\b(?:drag\w*|slap\w*|catch\w* on)\b",
                 r"\bdrag\w* (?:your |his |her |the )?(?:foot|feet|leg)\b"],
    "fever": [r"\bfever\w*\b", r"\b(?:high )?temperature\b", r"\bfebrile\b", r"\bchills\b",
              r"\bshiver\w*\b", r"\bsweats\b", r"\brigors?\b"],
    "cancer_history": [r"\bcancer\b", r"\bmalignan\w+\b", r"\btumou?rs?\b", r"\bmetasta\w+\b"],
    "weight_loss": [r"\bweight loss\b", r"\blos(?:e|ing|t) (?:\w+ )?weight\b"],
    "trauma": [r"\bfall\b", r"\bfell\b", r"\bfalls\b", r"\baccident\b", r"\binjur\w+\b",
               r"\btrauma\w*\b", r"\bcrash\b", r"\bcollision\b", r"\bblow to\b"],
    "other": [r"\bnight pain\b", r"\bpain (?:at night|at rest|that wakes)\b",
              r"\bwakes? you\b", r"\b(?:keeps?|stops?|prevents?) you (?:from )?sleep\w*\b",
              r"\bchest pain\b", r"\btearing\b", r"\babdominal pain\b",
              r"\bpulsat\w+\b", r"\brash\b", r"\bshingles\b", r"\b(?:iv|intravenous) drug\b",
              r"\bsteroids?\b", r"\bimmun\w+\b", r"\bunwell\b", r"\bshortness of breath\b",
              r"\b(?:keeps?|kept|stops?) you awake\b",
              # pain past control: "if the pain becomes unbearable despite medication"
              r"\bpain\b[^.;]{0,20}\b(?:unbearable|uncontroll\w+|out of control)\b",
              # shingles near the eye; drug injection and spinal procedures (infection risk)
              r"(?<!an )\beyes?\b(?! on)|\bface\b", r"\binject\w* drugs\b",
              r"\bprocedure on (?:your |the )?spine\b|\bspinal (?:procedure|injection|surgery)\b",
              r"\bclumsy\b|\bclumsiness\b", r"\bhands?\b",
              # breathing or swallowing trouble (the ascending weakness of Guillain-Barre)
              r"\b(?:difficult\w*|trouble|problems?|struggl\w*) (?:with )?"
              r"(?:breathing|swallowing)\b",
              r"\bbreathing\b[^.;]{0,25}\b(?:difficult|hard|laboured|labored)\b",
              r"\bpain\b[^.;]{0,20}\b(?:at night|overnight)\b"],
})

GENERIC_NEUROLOGY: Final = re.compile(
    r"\bneurolog\w+ (?:symptoms|signs|deficits?|problems|changes)\b", re.IGNORECASE)
"""Unnamed neurological symptoms: topic ``other`` unless a named neurological topic is beside."""

CONDITIONS: Final[Table] = _table({
    "cauda_equina_syndrome": [r"\bcauda equina\b", r"\bces\b"],
    "spinal_cord_compression": [r"\b(?:spinal )?cord compression\b", r"\bmyelopath\w+\b",
                                r"\bcompress\w* (?:of )?(?:the |your )?spinal cord\b"],
    "malignancy": [r"\bmetasta\w+\b", r"\bmalignan\w+\b", r"\bcancer (?:in|spread)\b",
                   r"\btumou?r\b"],
    "spinal_infection": [r"\bdiscitis\b", r"\bepidural abscess\b", r"\bosteomyelitis\b",
                         r"\bspinal infection\b", r"\binfection (?:of|in) (?:the |your )?spine\b"],
    "vertebral_fracture": [r"\bfracture\w*\b", r"\bbroken (?:bone|vertebra)\b"],
    "vascular_emergency": [r"\baneurysm\b", r"\baortic dissection\b", r"\bdissection\b"],
    "guillain_barre_syndrome": [r"\bguillain[- ]barr[eé]\b", r"\bgbs\b"],
    "multiple_sclerosis": [r"\bmultiple sclerosis\b", r"\bms\b"],
    "herpes_zoster": [r"\bshingles\b", r"\bzoster\b"],
    "peripheral_neuropathy": [r"\bperipheral neuropath\w+\b", r"\bneuropathy\b"],
    "inflammatory_spondyloarthritis": [r"\bspondyl(?:o)?arthri\w+\b",
                                       r"\bankylosing spondylitis\b"],
})

CATEGORY_HINTS: Final[Table] = _table({
    "radiculopathy": [r"\bsciatica\b", r"\bradicul\w+\b", r"\bnerve root\b", r"\btrapped nerve\b",
                      r"\bpinched nerve\b", r"\bslipped disc\b", r"\bdis[ck] (?:herniation|"
                      r"prolapse|bulge)\b", r"\bherniated dis[ck]\b"],
    "spinal_stenosis": [r"\b(?:spinal|lumbar|canal) stenosis\b", r"\bneurogenic claudication\b"],
})
