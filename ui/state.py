"""Session-state keys shared by app.py and the pages, in one place."""

LANG = "lang"  # "en" or "nb"
DATASET = "dataset"  # "demo", "demo_large" or "upload"
UPLOAD = "upload"  # the sidebar's file uploader
K = "k"  # anonymity threshold
THREE_AS_MISSING = "three_as_missing"
CASE = "case"  # the case chosen on the case profile page
CODEBOOK_YAML = "codebook_yaml"  # the researcher's edited codebook, as YAML text (None: bundled)
EDITED_FINDINGS = "edited_findings"  # {(dataset key, case, lang): edited findings table}

DEFAULTS = {LANG: "en", DATASET: "demo", K: 3, THREE_AS_MISSING: False, CODEBOOK_YAML: None}
