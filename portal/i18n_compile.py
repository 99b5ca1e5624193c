"""Compiles locale/*/LC_MESSAGES/django.po to .mo with polib, so no GNU gettext is needed.

python -m portal.i18n_compile           # write the .mo files (make messages)
python -m portal.i18n_compile --check   # exit 1 if a .mo is missing, stale, or a message untranslated
"""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def problems(po_path: Path) -> list[str]:
    """Untranslated or fuzzy entries, and a .mo that does not hold exactly what the .po says."""
    po = polib.pofile(str(po_path))
    found = [f"{po_path}: untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    found += [f"{po_path}: fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [*found, f"{mo_path}: missing (run `make messages`)"]
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(mo_path))}
    wanted = {
        (e.msgctxt, e.msgid): (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()})
        for e in po.translated_entries()
    }
    compiled = {k: (s, {int(i): v for i, v in p.items()}) for k, (s, p) in compiled.items()}
    if {k: v for k, v in compiled.items() if k[1]} != wanted:
        found.append(f"{mo_path}: stale (run `make messages`)")
    return found


def main(argv: list[str]) -> int:
    if "--check" in argv:
        found = [p for po in catalogues() for p in problems(po)]
        print("\n".join(found) or "translations complete and compiled")
        return 1 if found else 0
    for po_path in catalogues():
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.with_suffix('.mo')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
