"""The open-book code lookup and the licensed code files behind it.

* ``models``: CPT and HCPCS descriptors imported from an institution's files, and one
  bookkeeping row per code set (its version, so every process notices a new import).
* ``store``: replace a code set in one transaction; the per-process cached registries
  (``cpt_registry()``, ``hcpcs_registry()``) and their word indexes.
* ``operations``: search and describe codes of any system for the page and the JSON API.
* ``routes``: ``/lookup`` and ``/api/lookup``; ``cli``: ``flask codesets ...``.

The ICD-10-CM tables are loaded lazily by ``prep.codesets.icd10cm`` on the first lookup,
never at start-up (unless ``LOOKUP_WARM_ON_START`` asks for it).
"""
