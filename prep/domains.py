"""The fixed list of exam areas ("domains") an item belongs to.

The first seventeen are the CPC exam's areas in AAPC's order (see shared/domain.md);
``icd-10-pcs`` and ``ndc`` cover the other code sets learners prepare for.
This module is plain data: it imports nothing from Flask.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    slug: str
    name: str
    cpc_questions: int  # questions in the CPC exam (0 when the CPC does not test it)


DOMAINS: tuple[Domain, ...] = (
    Domain("surgery-10000", "Surgery 10000 series (integumentary)", 6),
    Domain("surgery-20000", "Surgery 20000 series (musculoskeletal)", 6),
    Domain("surgery-30000", "Surgery 30000 series (respiratory, cardiovascular, hemic/lymphatic)", 6),
    Domain("surgery-40000", "Surgery 40000 series (digestive)", 6),
    Domain("surgery-50000", "Surgery 50000 series (urinary, genital, maternity)", 6),
    Domain("surgery-60000", "Surgery 60000 series (endocrine, nervous, eye, ear)", 6),
    Domain("evaluation-management", "Evaluation and Management", 6),
    Domain("anesthesia", "Anesthesia", 4),
    Domain("radiology", "Radiology", 6),
    Domain("pathology-laboratory", "Pathology and Laboratory", 6),
    Domain("medicine", "Medicine", 6),
    Domain("terminology", "Medical Terminology", 4),
    Domain("anatomy", "Anatomy", 4),
    Domain("icd-10-cm", "ICD-10-CM", 10),
    Domain("hcpcs", "HCPCS Level II", 6),
    Domain("guidelines", "Coding Guidelines", 6),
    Domain("compliance", "Compliance and Regulatory", 6),
    Domain("icd-10-pcs", "ICD-10-PCS", 0),
    Domain("ndc", "NDC", 0),
)

BY_SLUG: dict[str, Domain] = {d.slug: d for d in DOMAINS}
SLUGS: tuple[str, ...] = tuple(d.slug for d in DOMAINS)


def domain_name(slug: str) -> str:
    """Return the display name of an area slug (the slug itself if unknown)."""
    d = BY_SLUG.get(slug)
    return d.name if d else slug
