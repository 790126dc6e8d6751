"""Names compared the plain way (``vaultnet.model.names.normalise`` skips work on plain text)."""

from __future__ import annotations

import re
import unicodedata


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()
