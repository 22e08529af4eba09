"""Session-state keys, defined once."""

from __future__ import annotations

WORKSPACE_ID = "workspace_id"
SELECT_WORKSPACE = "select_workspace_next_run"
FILTER_DATES = "filter_dates"
FILTER_ATTRS = "filter_attrs"
FILTER_CHANNELS = "filter_channels"
FLASH = "flash_message"
IMPORT_UPLOAD = "import_upload"
IMPORT_ROLES = "import_roles_editor"
IMPORT_SHEET = "import_sheet"
IMPORT_PREVIEW = "import_preview"
IMPORT_TARGET = "import_target_workspace"
IMPORT_NEW_WS = "import_new_workspace"
DATA_VERSION = "data_version"
LANGUAGE = "ui_language"  # the session's interface language ('en' / 'ja'), chosen in the sidebar
