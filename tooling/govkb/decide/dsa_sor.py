"""The DSA Transparency Database's validation of a statement of reasons, in the project.

Copied from the API's rules (``StatementStoreRequest.php`` and ``Statement.php`` of
digital-services-act/transparency-database, schema of 1 July 2025), the part a
monetization statement can touch: enumerations, required and conditional fields, lengths,
date formats and ranges, the ``puid`` pattern, EU/EEA territorial scope.  Users' machines
have no copy of the reference, so the tables live here; ``tests/test_decide_sor.py`` holds
them equal to the reference where it is present.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

DECISION_VISIBILITY = frozenset({
    "DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED", "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED", "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
})
DECISION_MONETARY = frozenset({"DECISION_MONETARY_SUSPENSION", "DECISION_MONETARY_TERMINATION",
                               "DECISION_MONETARY_OTHER"})
DECISION_PROVISION = frozenset({
    "DECISION_PROVISION_PARTIAL_SUSPENSION", "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION", "DECISION_PROVISION_TOTAL_TERMINATION",
})
DECISION_ACCOUNT = frozenset({"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"})
DECISION_GROUND = frozenset({"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"})
CATEGORY = frozenset(f"STATEMENT_CATEGORY_{name}" for name in (
    "ANIMAL_WELFARE", "CONSUMER_INFORMATION", "CYBER_VIOLENCE", "CYBER_VIOLENCE_AGAINST_WOMEN",
    "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "ILLEGAL_OR_HARMFUL_SPEECH", "INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", "NOT_SPECIFIED_NOTICE", "OTHER_VIOLATION_TC",
    "PROTECTION_OF_MINORS", "RISK_FOR_PUBLIC_SECURITY", "SCAMS_AND_FRAUD", "SELF_HARM",
    "UNSAFE_AND_PROHIBITED_PRODUCTS", "VIOLENCE",
))
CATEGORY_SPECIFICATION = frozenset(f"KEYWORD_{name}" for name in (
    "ADULT_SEXUAL_MATERIAL", "AGE_SPECIFIC_RESTRICTIONS", "AGE_SPECIFIC_RESTRICTIONS_MINORS", "ANIMAL_HARM",
    "BIOMETRIC_DATA_BREACH", "BULLYING_AGAINST_GIRLS", "CHILD_SEXUAL_ABUSE_MATERIAL",
    "CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE", "CONTENT_PROMOTING_EATING_DISORDERS", "COORDINATED_HARM",
    "COPYRIGHT_INFRINGEMENT", "CYBER_BULLYING_INTIMIDATION", "CYBER_HARASSMENT", "CYBER_HARASSMENT_AGAINST_WOMEN",
    "CYBER_INCITEMENT", "CYBER_STALKING", "CYBER_STALKING_AGAINST_WOMEN", "DATA_FALSIFICATION", "DEFAMATION",
    "DESIGN_INFRINGEMENT", "DISCRIMINATION", "FEMALE_GENDERED_DISINFORMATION",
    "GEOGRAPHIC_INDICATIONS_INFRINGEMENT", "GEOGRAPHICAL_REQUIREMENTS", "GOODS_SERVICES_NOT_PERMITTED",
    "GROOMING_SEXUAL_ENTICEMENT_MINORS", "HATE_SPEECH", "HIDDEN_ADVERTISEMENT", "HUMAN_EXPLOITATION",
    "HUMAN_TRAFFICKING", "ILLEGAL_ORGANIZATIONS", "IMPERSONATION_ACCOUNT_HIJACKING", "INAUTHENTIC_ACCOUNTS",
    "INAUTHENTIC_LISTINGS", "INAUTHENTIC_USER_REVIEWS", "INCITEMENT_AGAINST_WOMEN", "INCITEMENT_VIOLENCE_HATRED",
    "INSUFFICIENT_INFORMATION_ON_TRADERS", "LANGUAGE_REQUIREMENTS", "MISINFORMATION_DISINFORMATION",
    "MISLEADING_INFO_CONSUMER_RIGHTS", "MISLEADING_INFO_GOODS_SERVICES", "MISSING_PROCESSING_GROUND",
    "NON_CONSENSUAL_IMAGE_SHARING", "NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
    "NON_CONSENSUAL_MATERIAL_DEEPFAKE", "NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
    "NONCOMPLIANCE_PRICING", "NUDITY", "PATENT_INFRINGEMENT", "PHISHING", "PROHIBITED_PRODUCTS",
    "PYRAMID_SCHEMES", "RIGHT_TO_BE_FORGOTTEN", "RISK_ENVIRONMENTAL_DAMAGE", "RISK_PUBLIC_HEALTH",
    "SELF_MUTILATION", "STALKING", "SUICIDE", "TERRORIST_CONTENT", "TRADE_SECRET_INFRINGEMENT",
    "TRADEMARK_INFRINGEMENT", "TRAFFICKING_WOMEN_GIRLS", "UNLAWFUL_SALE_ANIMALS", "UNSAFE_CHALLENGES",
    "UNSAFE_PRODUCTS", "VIOLATION_EU_LAW", "VIOLATION_NATIONAL_LAW", "OTHER",
))
CONTENT_TYPE = frozenset(f"CONTENT_TYPE_{name}" for name in (
    "APP", "AUDIO", "IMAGE", "PRODUCT", "SYNTHETIC_MEDIA", "TEXT", "VIDEO", "OTHER"))
SOURCE_TYPE = frozenset({"SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION",
                         "SOURCE_VOLUNTARY"})
AUTOMATED_DECISION = frozenset({"AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY",
                                "AUTOMATED_DECISION_NOT_AUTOMATED"})
ACCOUNT_TYPE = frozenset({"ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE"})
YES_NO = frozenset({"Yes", "No"})
# EU member states plus the EEA's Iceland, Liechtenstein and Norway.
TERRITORIAL_SCOPE = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS", "IT", "LI",
    "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
})

# field -> allowed values; a list field's every item must be allowed.
SCALAR_ENUMS: dict[str, frozenset[str]] = {
    "decision_monetary": DECISION_MONETARY, "decision_provision": DECISION_PROVISION,
    "decision_account": DECISION_ACCOUNT, "decision_ground": DECISION_GROUND, "category": CATEGORY,
    "source_type": SOURCE_TYPE, "automated_detection": YES_NO, "automated_decision": AUTOMATED_DECISION,
    "incompatible_content_illegal": YES_NO, "account_type": ACCOUNT_TYPE,
}
LIST_ENUMS: dict[str, frozenset[str]] = {
    "decision_visibility": DECISION_VISIBILITY, "category_addition": CATEGORY,
    "category_specification": CATEGORY_SPECIFICATION, "content_type": CONTENT_TYPE,
    "territorial_scope": TERRITORIAL_SCOPE,
}
REQUIRED: tuple[str, ...] = (
    "decision_ground", "category", "content_type", "source_type", "automated_detection", "automated_decision",
    "content_date", "application_date", "decision_facts", "puid",
)
AT_LEAST_ONE_OF: tuple[str, ...] = ("decision_visibility", "decision_monetary", "decision_provision",
                                    "decision_account")
MAX_LENGTH: dict[str, int] = {
    "decision_visibility_other": 500, "decision_monetary_other": 500, "category_specification_other": 500,
    "decision_ground_reference_url": 500, "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000, "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000, "content_type_other": 500, "source_identity": 500,
    "decision_facts": 5000, "puid": 500,
}
# field -> (condition field, value that makes it required, whether the condition field is a list).
CONDITIONAL: tuple[tuple[str, str, str], ...] = (
    ("decision_visibility_other", "decision_visibility", "DECISION_VISIBILITY_OTHER"),
    ("decision_monetary_other", "decision_monetary", "DECISION_MONETARY_OTHER"),
    ("content_type_other", "content_type", "CONTENT_TYPE_OTHER"),
    ("illegal_content_legal_ground", "decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT"),
    ("illegal_content_explanation", "decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT"),
    ("incompatible_content_ground", "decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT"),
    ("incompatible_content_explanation", "decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT"),
)
# date field -> (earliest, latest), both inclusive; an end date may be absent (indefinite).
DATE_RANGES: dict[str, tuple[dt.date, dt.date]] = {
    "content_date": (dt.date(2000, 1, 1), dt.date(2038, 1, 1)),
    "application_date": (dt.date(2020, 1, 1), dt.date(2038, 1, 1)),
    "end_date_visibility_restriction": (dt.date(2020, 1, 1), dt.date(2038, 1, 1)),
    "end_date_monetary_restriction": (dt.date(2020, 1, 1), dt.date(2038, 1, 1)),
    "end_date_service_restriction": (dt.date(2020, 1, 1), dt.date(2038, 1, 1)),
    "end_date_account_restriction": (dt.date(2020, 1, 1), dt.date(2038, 1, 1)),
}
PUID = re.compile(r"[a-zA-Z0-9_-]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def validate_statement(statement: Mapping[str, Any]) -> list[str]:
    """Every rule of the API the statement breaks, as ``field: problem`` (empty: it passes)."""
    problems: list[str] = []
    for name in REQUIRED:
        if statement.get(name) in (None, "", []):
            problems.append(f"{name}: required")
    if not any(statement.get(name) for name in AT_LEAST_ONE_OF):
        problems.append(f"{'/'.join(AT_LEAST_ONE_OF)}: at least one restriction is required")
    for name, allowed in SCALAR_ENUMS.items():
        value = statement.get(name)
        if value is not None and value not in allowed:
            problems.append(f"{name}: {value!r} is not one of the API's values")
    for name, allowed in LIST_ENUMS.items():
        value = statement.get(name)
        if value is None:
            continue
        if not isinstance(value, list):
            problems.append(f"{name}: must be a list")
            continue
        problems += [f"{name}: {item!r} is not one of the API's values" for item in value if item not in allowed]
        if len(set(value)) != len(value):
            problems.append(f"{name}: repeats a value")
    for name, limit in MAX_LENGTH.items():
        value = statement.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            problems.append(f"{name}: must be text of at most {limit} characters")
    for name, condition, value in CONDITIONAL:
        held = statement.get(condition)
        if (value in held if isinstance(held, list) else held == value) and not statement.get(name):
            problems.append(f"{name}: required when {condition} is {value}")
    if statement.get("source_type") == "SOURCE_VOLUNTARY" and statement.get("source_identity"):
        problems.append("source_identity: must be left out when source_type is SOURCE_VOLUNTARY")
    for name, (first, last) in DATE_RANGES.items():
        value = statement.get(name)
        if value is None:
            continue
        problem = date_problem(value, first, last)
        if problem:
            problems.append(f"{name}: {problem}")
    puid = statement.get("puid")
    if isinstance(puid, str) and puid and not PUID.fullmatch(puid):
        problems.append("puid: only letters, digits, '-' and '_' are allowed")
    return problems


def date_problem(value: object, first: dt.date, last: dt.date) -> str:
    """What is wrong with ``value`` as a date YYYY-MM-DD in ``first..last`` (empty: nothing)."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return f"{value!r} is not a date YYYY-MM-DD"
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a calendar date"
    if not first <= day <= last:
        return f"{value} is outside {first.isoformat()}..{last.isoformat()}"
    return ""


# The end dates' ranges, all of them: an end date is written into every restriction's field.
_END_FIRST = max(first for name, (first, _) in DATE_RANGES.items() if name.startswith("end_date_"))
_END_LAST = min(last for name, (_, last) in DATE_RANGES.items() if name.startswith("end_date_"))
_DAYS: dict[str, dt.date | None] = {}


def case_fields_valid(source_type: object, automated_decision: object, content_date: object,
                      application_date: object, end: object, facts: object, puid: object) -> bool:
    """Whether the statement fields that come from a case pass every rule of
    :func:`validate_statement` that reads them (``end``: the restrictions' end date, or None).

    Each of those rules reads its field alone: the one rule across fields that names a case
    field (``source_identity`` with ``source_type``) holds whenever a statement carries no
    ``source_identity``, and none does.  So a statement whose other fields passed the full
    validation once passes it whole when this is true (``tests/test_decide_sor.py`` checks
    the two agree).  False means "not known": run :func:`validate_statement`."""
    return (type(source_type) is str and source_type in SOURCE_TYPE
            and type(automated_decision) is str and automated_decision in AUTOMATED_DECISION
            and _within(content_date, *DATE_RANGES["content_date"])
            and _within(application_date, *DATE_RANGES["application_date"])
            and (end is None or _within(end, _END_FIRST, _END_LAST))
            and type(facts) is str and 0 < len(facts) <= MAX_LENGTH["decision_facts"]
            and type(puid) is str and 0 < len(puid) <= MAX_LENGTH["puid"] and PUID.fullmatch(puid) is not None)


def _within(value: object, first: dt.date, last: dt.date) -> bool:
    """Whether ``value`` is a date YYYY-MM-DD in ``first..last`` (:func:`date_problem` finds nothing)."""
    if type(value) is not str:
        return False
    try:
        day = _DAYS[value]
    except KeyError:
        day = None if date_problem(value, dt.date.min, dt.date.max) else dt.date.fromisoformat(value)
        if len(_DAYS) < 100_000:  # a batch repeats a few hundred dates
            _DAYS[value] = day
    return day is not None and first <= day <= last
