"""Write the shared vocabularies (``sanmenxia.vocabulary.export()``) to ``web/src/vocabulary.json``.

``python -m infra.vocabulary`` (``make vocabulary``); ``tests/unit/test_vocabulary.py`` checks the file is current.
"""

from __future__ import annotations

import json
from pathlib import Path

from sanmenxia.vocabulary import export

TARGET = Path(__file__).resolve().parent.parent / "web" / "src" / "vocabulary.json"


def render() -> str:
    return json.dumps(export(), ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(TARGET.parents[2])}")


if __name__ == "__main__":
    main()
