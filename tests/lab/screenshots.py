"""Lab test screenshots: always kept in test-artifacts/lab/, on request put in docs/images/.

SHEQULAB_UPDATE_SCREENSHOTS=1 replaces the docs/images/ copies (trainee-*.png, research-*.png)
once the test has passed (so a failing run never leaves the guide half-updated), each quantised
to a palette to stay small.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "lab"
DOCS_IMAGES = ROOT / "docs" / "images"
MAX_BYTES = 150_000
PALETTES = (256, 128, 64)  # fewer colours until the file is small enough


@dataclass
class Screenshots:
    """Screenshots of one test, named <prefix>-<step>.png (trainee-… unless told)."""

    publish_to: Path | None = None  # docs/images/ when the docs should be updated
    prefix: str = "trainee"
    taken: list[Path] = field(default_factory=list)

    @classmethod
    def from_env(cls, prefix: str = "trainee") -> Screenshots:
        update = os.environ.get("SHEQULAB_UPDATE_SCREENSHOTS") == "1"
        return cls(publish_to=DOCS_IMAGES if update else None, prefix=prefix)

    def take(self, page: Page, step: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.prefix}-{step}.png"
        page.screenshot(path=path)
        self.taken.append(path)

    def publish(self) -> None:
        """Copy every screenshot into docs/images/, small; a no-op unless asked for."""
        if self.publish_to is None:
            return
        self.publish_to.mkdir(parents=True, exist_ok=True)
        for path in self.taken:
            target = self.publish_to / path.name
            with Image.open(path) as image:
                rgb = image.convert("RGB")
                for colours in PALETTES:
                    rgb.quantize(colours, method=Image.Quantize.MEDIANCUT).save(
                        target, optimize=True
                    )
                    if target.stat().st_size <= MAX_BYTES:
                        break
            assert target.stat().st_size <= MAX_BYTES, f"{target} is too large for the docs"
