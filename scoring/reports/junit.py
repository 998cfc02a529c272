"""JUnit XML for CI test reporters.

One ``<testcase>`` per vignette: a wrong decision is a ``<failure>``, a system error (exception,
timeout, invalid answer) an ``<error>``; run metadata are suite ``<properties>``. A second suite
holds one test case per gate of the policy, so a failed gate shows in the same CI view.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from backtriage.scoring.reports.common import decision_text, failure_text, xml_text

SUITE_VIGNETTES = "backtriage.vignettes"
SUITE_GATES = "backtriage.gates"


def _properties(doc: Mapping[str, Any]) -> dict[str, str]:
    corpus = doc["corpus"]
    props = {
        "harness_version": doc["harness_version"],
        "system": doc["system"]["spec"],
        "corpus_hash": corpus["content_hash"],
        "n_vignettes": str(corpus["n_vignettes"]),
        "epochs": str(doc["options"].get("epochs", "")),
        "policy": doc["policy"]["name"],
        "policy_scope": doc["policy"]["scope"],
        "gates_passed": str(doc["gates_passed"]).lower(),
        "started_at": doc["started_at"],
        "finished_at": doc["finished_at"],
    }
    if doc.get("label"):
        props["label"] = doc["label"]
    if isinstance(corpus.get("selection"), Mapping):
        props["selection"] = corpus["selection"]["description"]
    if corpus.get("shard"):
        props["shard"] = corpus["shard"]
        props["n_vignettes_total"] = str(corpus.get("n_vignettes_total", ""))
    return props


def _seconds(vignette: Mapping[str, Any]) -> float:
    return float(sum(a.get("seconds", 0.0) for a in vignette["answers"]))


def _vignette_case(suite: ET.Element, v: Mapping[str, Any]) -> tuple[bool, bool]:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": f"backtriage.{v['expected']['urgency']}",
            "name": v["id"],
            "time": f"{_seconds(v):.6f}",
        },
    )
    errored = [a for a in v["answers"] if a.get("decision") is None]
    if errored:
        first = errored[0]
        element = ET.SubElement(
            case,
            "error",
            {
                "type": "system_error",
                "message": f"system error on {len(errored)} of {len(v['answers'])} answer(s): "
                f"{(first.get('error') or '')[:200]}",
            },
        )
        element.text = failure_text(v)
        return False, True
    if v["outcomes"]:
        answer = v["answers"][0]["decision"]
        element = ET.SubElement(
            case,
            "failure",
            {
                "type": v["outcomes"][0],
                "message": f"{', '.join(v['outcomes'])}: expected {decision_text(v['expected'])}, "
                f"answered {decision_text(answer)}",
            },
        )
        element.text = failure_text(v)
        return True, False
    return False, False


def junit_xml(doc: Mapping[str, Any]) -> ET.Element:
    """Build the ``<testsuites>`` element for a results document."""
    root = ET.Element("testsuites", {"name": "backtriage"})
    suite = ET.SubElement(
        root, "testsuite", {"name": SUITE_VIGNETTES, "timestamp": doc["started_at"]}
    )
    props = ET.SubElement(suite, "properties")
    for name, value in _properties(doc).items():
        ET.SubElement(props, "property", {"name": name, "value": value})
    failures = errors = 0
    for v in doc["vignettes"]:
        failed, errored = _vignette_case(suite, v)
        failures += failed
        errors += errored
    total_time = sum(_seconds(v) for v in doc["vignettes"])
    suite.attrib.update(
        {
            "tests": str(len(doc["vignettes"])),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": "0",
            "time": f"{total_time:.6f}",
        }
    )

    gates = ET.SubElement(root, "testsuite", {"name": SUITE_GATES, "timestamp": doc["finished_at"]})
    gate_failures = 0
    for g in doc["gates"]:
        case = ET.SubElement(
            gates, "testcase", {"classname": SUITE_GATES, "name": g["name"], "time": "0"}
        )
        if not g["passed"]:
            gate_failures += 1
            ET.SubElement(
                case, "failure", {"type": "gate", "message": g["detail"]}
            ).text = (
                f"policy {doc['policy']['name']} (scope {doc['policy']['scope']}): {g['detail']}"
            )
    gates.attrib.update(
        {
            "tests": str(len(doc["gates"])),
            "failures": str(gate_failures),
            "errors": "0",
            "skipped": "0",
            "time": "0",
        }
    )
    root.attrib.update(
        {
            "tests": str(len(doc["vignettes"]) + len(doc["gates"])),
            "failures": str(failures + gate_failures),
            "errors": str(errors),
            "time": f"{total_time:.6f}",
        }
    )
    # Rationales and errors come from systems: a control character in them (an ANSI escape,
    # a NUL) is not legal XML 1.0, and CI's JUnit readers reject the whole file.
    for element in root.iter():
        element.attrib = {key: xml_text(value) for key, value in element.attrib.items()}
        if element.text:
            element.text = xml_text(element.text)
    return root


def write_junit(path: str | Path, doc: Mapping[str, Any]) -> Path:
    """Write the JUnit XML of ``doc`` to ``path`` (folders created as needed)."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(junit_xml(doc))
    ET.indent(tree)
    tree.write(file, encoding="utf-8", xml_declaration=True)
    return file
