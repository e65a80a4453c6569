"""Session-state keys shared by app.py and the pages, in one place."""

LANG = "lang"  # "en" or "nb"
DATASET = "dataset"  # "demo", "demo_large" or "upload"
UPLOAD = "upload"  # the sidebar's file uploader
K = "k"  # anonymity threshold
THREE_AS_MISSING = "three_as_missing"
CASE = "case"  # the case chosen on the case profile page
CODEBOOK_YAML = "codebook_yaml"  # the researcher's edited codebook, as YAML text (None: bundled)
EDITED_FINDINGS = "edited_findings"  # {(Dataset.findings_scope, case, lang): edited findings table}
IMPORT_FILE = "import_file"  # the import page's uploader
IMPORT_COMPANIONS = "import_companions"  # label/codebook files given alongside
IMPORT_MAPPING = "import_mapping"  # {file key: Mapping} being reviewed on the import page
IMPORTED = "imported"  # the Dataset the researcher imported and chose to use
WORKSPACE = "workspace"  # the open samskaping.workspace.Workspace (None: no workspace)
WORKSPACE_FLASH = "workspace_flash"  # (kind, text key, fields) shown once on the next run

DEFAULTS = {LANG: "en", DATASET: "demo", K: 3, THREE_AS_MISSING: False, CODEBOOK_YAML: None}
