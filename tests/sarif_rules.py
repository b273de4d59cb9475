"""Checks a SARIF log must pass: the official schema and GitHub code scanning's ingestion rules.

The schema is the OASIS SARIF 2.1.0 errata01 schema (tests/data, with its OASIS notice).
GitHub's rules are from "SARIF support for code scanning" and its limits page; the upload
action validates against the schema too, so an invalid file fails CI.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

DATA = Path(__file__).resolve().parent / "data"
LINE_HASH = re.compile(r"^[0-9a-f]{1,16}:[1-9][0-9]*$")
LINK = re.compile(r"(?<!\\)\[(?:[^\]\\]|\\.)*\]\((\d+)\)")


@lru_cache(maxsize=1)
def schema_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def schema_errors(log: Any) -> list[str]:
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in schema_validator().iter_errors(log)]


def _text(obj: Any, key: str) -> str:
    value = (obj or {}).get(key) or {}
    return value.get("text", "") if isinstance(value, dict) else ""


def github_problems(log: dict[str, Any]) -> list[str]:
    """Everything GitHub would reject, cut, or display wrongly."""
    problems: list[str] = []
    if log.get("version") != "2.1.0" or not log.get("$schema"):
        problems.append("$schema and version 2.1.0 are required")
    runs = log.get("runs", [])
    if len(runs) != 1:
        problems.append(f"expected exactly one run, got {len(runs)}")
    for run in runs:
        driver = run["tool"]["driver"]
        if not driver.get("name") or not (driver.get("version") or driver.get("semanticVersion")):
            problems.append("tool.driver needs a name and a version")
        rules = driver.get("rules", [])
        if len(rules) > 25_000:
            problems.append("more than 25,000 rules")
        ids = [rule.get("id") for rule in rules]
        if len(set(ids)) != len(ids) or not all(ids):
            problems.append(f"rule ids must be unique and non-empty: {ids}")
        for rule in rules:
            where = f"rule {rule.get('id')}"
            for key in ("shortDescription", "fullDescription"):
                text = _text(rule, key)
                if not text.strip() or len(text) > 1024:
                    problems.append(f"{where}: {key}.text must be 1-1024 characters")
            if not _text(rule, "help").strip():
                problems.append(f"{where}: help.text is required")
            if not rule.get("name") or len(rule["name"]) > 255:
                problems.append(f"{where}: name must be 1-255 characters")
            properties = rule.get("properties", {})
            if len(properties.get("tags", [])) > 10:
                problems.append(f"{where}: more than 10 tags (GitHub shows 10)")
            if properties.get("precision") not in (None, "very-high", "high", "medium", "low"):
                problems.append(f"{where}: precision {properties['precision']!r}")
            if "security-severity" in properties:
                value = properties["security-severity"]
                if not isinstance(value, str) or not 0.0 < float(value) <= 10.0:
                    problems.append(f"{where}: security-severity must be a string score in (0, 10], got {value!r}")
            level = rule.get("defaultConfiguration", {}).get("level")
            if level not in ("note", "warning", "error"):
                problems.append(f"{where}: defaultConfiguration.level {level!r}")
        results = run.get("results", [])
        if len(results) > 25_000:
            problems.append("more than 25,000 results")
        if "automationDetails" in run:
            problems.append("automationDetails present: it overrides the upload action's category")
        for number, result in enumerate(results):
            where = f"result {number} ({result.get('ruleId')})"
            index = result.get("ruleIndex")
            if index is None or not 0 <= index < len(rules) or rules[index]["id"] != result.get("ruleId"):
                problems.append(f"{where}: ruleIndex {index} does not name rule {result.get('ruleId')}")
            if result.get("level") not in ("note", "warning", "error"):
                problems.append(f"{where}: level must be explicit, got {result.get('level')!r}")
            message = _text(result, "message")
            if not message.strip():
                problems.append(f"{where}: empty message")
            locations = result.get("locations", [])
            if len(locations) != 1:
                problems.append(f"{where}: expected one primary location")
            related = result.get("relatedLocations", [])
            if len(locations) + len(related) > 1000:
                problems.append(f"{where}: more than 1,000 locations")
            related_ids = [loc.get("id") for loc in related]
            if len(set(related_ids)) != len(related_ids) or not all(isinstance(i, int) for i in related_ids):
                problems.append(f"{where}: related locations need unique ids")
            for link in LINK.findall(message):
                if int(link) not in related_ids:
                    problems.append(f"{where}: message links to missing related location {link}")
            for loc in locations + related:
                physical = loc.get("physicalLocation", {})
                uri = physical.get("artifactLocation", {}).get("uri", "")
                if not uri or uri.startswith(("/", "..")) or "://" in uri or "\\" in uri:
                    problems.append(f"{where}: URI {uri!r} is not repository-relative")
                region = physical.get("region", {})
                if region.get("startLine", 0) < 1 or region.get("startColumn", 1) < 1:
                    problems.append(f"{where}: region {region} needs startLine >= 1")
            fingerprint = result.get("partialFingerprints", {}).get("primaryLocationLineHash")
            if fingerprint is not None and not LINE_HASH.match(fingerprint):
                problems.append(f"{where}: primaryLocationLineHash {fingerprint!r}")
    return problems
