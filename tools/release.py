"""Beside the release artefacts in ``dist/``: a CycloneDX SBOM and ``SHA256SUMS``.

``python -m tools.release --cyclonedx PATH`` (run with the build venv's Python, as ``make sbom``
does): ``cyclonedx-py environment`` describes the build venv; what does not ship (pip and
PyInstaller's build-time dependencies: tools/licenses.py ``shipped_distributions``) is dropped, so the SBOM lists
exactly what ships, PyInstaller's bootloader included. Then every artefact in ``dist/`` (packages,
MSI, SBOM) gets its line in ``dist/SHA256SUMS`` (``sha256sum -c SHA256SUMS`` checks them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from tools.licenses import canonical, shipped_distributions

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
ARTEFACTS = ("*.deb", "*.rpm", "*.msi", "*.cdx.json")


def version() -> str:
    import importlib.metadata

    return importlib.metadata.version("roundtable")


def sbom(cyclonedx: str) -> Path:
    out = DIST / f"roundtable-{version()}.cdx.json"
    subprocess.run([cyclonedx, "environment", sys.executable, "--pyproject", str(ROOT / "pyproject.toml"),
                    "--output-reproducible", "--of", "JSON", "-o", str(out)], check=True)  # fmt: skip
    shipped = {canonical(d.metadata["Name"]) for d in shipped_distributions(bundle=True)}
    document = json.loads(out.read_text(encoding="utf-8"))
    kept = [c for c in document.get("components", []) if canonical(c["name"]) in shipped]
    refs = {c["bom-ref"] for c in kept} | {document["metadata"]["component"]["bom-ref"]}
    document["components"] = kept
    document["dependencies"] = [
        {**d, "dependsOn": [r for r in d.get("dependsOn", []) if r in refs]}
        for d in document.get("dependencies", []) if d["ref"] in refs
    ]  # fmt: skip
    missing = shipped - {canonical(c["name"]) for c in kept}
    if missing:
        raise SystemExit(f"The SBOM lacks shipped components: {', '.join(sorted(missing))}")
    out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"sbom: {len(kept)} components → {out}")
    return out


def checksums() -> Path:
    files = sorted({p for pattern in ARTEFACTS for p in DIST.glob(pattern)})
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in files]
    out = DIST / "SHA256SUMS"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"SHA256SUMS: {len(lines)} artefacts → {out}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.release")
    parser.add_argument("--cyclonedx", default="cyclonedx-py")
    args = parser.parse_args(argv)
    sbom(args.cyclonedx)
    checksums()
    return 0


if __name__ == "__main__":
    sys.exit(main())
