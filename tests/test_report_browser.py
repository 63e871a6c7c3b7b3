"""The HTML reports in a real browser: headless Chromium renders them, a script reads the DOM.

scripts/test.sh installs Chromium (Debian's package) when it is missing; without it these tests
fail rather than skip, so CI cannot pass without having looked at the reports. Set
GRIDRISK_NO_BROWSER=1 to skip them on a machine that cannot install a browser.

Each page is checked at a desktop width (1,200 px) and at a phone width (390 px): no horizontal
overflow of the page (tables scroll inside their own boxes), no NaN or e-notation in the text a
reader sees, every image loaded; a screenshot that is neither blank nor cut; and a PDF print.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import gridrisk as gr
import numpy as np
import pytest
from gridrisk import report

pytestmark = pytest.mark.skipif(
    os.environ.get("GRIDRISK_NO_BROWSER") == "1", reason="GRIDRISK_NO_BROWSER=1: no browser on this machine"
)

# Runs after the page (and its images) loaded; writes what it found into the DOM, which
# --dump-dom then prints.
_CHECK = """
<script>
window.addEventListener('load', () => {
  const text = document.body.innerText;
  const imgs = [...document.images].map(i => ({ok: i.complete && i.naturalWidth > 0, alt: i.alt}));
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                 && !e.closest('.wrap'))
    .map(e => e.tagName + '.' + e.className).slice(0, 5);
  const out = {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    text: text,
    images: imgs,
    wide: wide,
    h1: [...document.querySelectorAll('h1')].map(h => h.innerText),
    h2: [...document.querySelectorAll('h2')].map(h => h.innerText),
  };
  const pre = document.createElement('pre');
  pre.id = 'gr-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("no Chromium on PATH: scripts/test.sh installs Debian's 'chromium' package")


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    base = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio"]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=timeout, check=False)


def _inspect(page: Path, width: int, tmp: Path) -> dict[str, Any]:
    probe = tmp / f"probe-{width}-{page.name}"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _CHECK + "</body>"), encoding="utf-8")
    res = _run([f"--window-size={width},900", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()])
    m = re.search(r'<pre id="gr-check">(.*?)</pre>', res.stdout, re.S)
    assert m, f"the check script did not run in Chromium: {res.stderr[-2000:]}"
    import html

    found: dict[str, Any] = json.loads(html.unescape(m.group(1)))
    return found


def _assert_readable(found: dict[str, Any], width: int) -> None:
    assert found["scrollWidth"] <= found["clientWidth"], (
        f"the page overflows {width} px: {found['scrollWidth']} > {found['clientWidth']} ({found['wide']})"
    )
    text = found["text"]
    assert not re.search(r"\bnan\b", text, re.I), "NaN in the visible text"
    enote = re.findall(r"\d\.?\d*[eE][+-]?\d+", text)
    assert not enote, f"e-notation in the visible text: {enote[:5]}"
    assert "Traceback" not in text, "a traceback in the report"
    assert "<gridrisk." not in text, "a developer repr in the report"
    assert found["images"], "no figure in the report"
    bad = [i["alt"] for i in found["images"] if not i["ok"]]
    assert not bad, f"images that did not load: {bad}"


def _screenshot(page: Path, tmp: Path) -> np.ndarray:
    import matplotlib.image as mpimg

    png = tmp / f"{page.stem}.png"
    res = _run([f"--screenshot={png}", "--window-size=1200,2000", page.as_uri()])
    assert png.exists(), res.stderr[-2000:]
    img = np.asarray(mpimg.imread(png))
    return img


class _Pages:
    """Each report written once, when a test first asks for it."""

    def __init__(self, short: gr.Scenario, tmp: Path) -> None:
        self.short, self.tmp, self.cache = short, tmp, {}  # type: ignore[var-annotated]

    def sensitivity(self) -> Any:
        if "sen" not in self.cache:
            self.cache["sen"] = gr.sensitivity(self.short, paths=64, seed=3, bootstrap=20)
        return self.cache["sen"]

    def __getitem__(self, kind: str) -> Path:
        path = self.tmp / f"{kind}.html"
        if not path.exists():
            short = self.short
            if kind == "run":
                sc = short.replace({"bitcoin.vol_annual": 0.8})
                res = gr.simulate(sc, paths=600, seed=3, progress=False, keep_outputs=True)
                page = report.html_report(res, sensitivity=self.sensitivity())
            elif kind == "sensitivity":
                page = report.sensitivity_report(self.sensitivity(), short)
            elif kind == "compare":
                policies = {"as planned": short, "volatile Bitcoin": short.replace({"bitcoin.vol_annual": 0.8})}
                page = report.comparison_report(gr.compare(policies, paths=200, seed=3, progress=False))
            else:
                fixed = short.replace({"mining.tariff": [{"regime": "fixed_pkr", "pkr_per_kwh": 22.98}]})
                sw = gr.sweep(fixed, {"mining.tariff[0].pkr_per_kwh": [20.0, 30.0, 40.0]}, paths=200, seed=3)
                page = report.sweep_report(sw, scenario=fixed, seed=3, paths=200)
            path.write_text(page, encoding="utf-8")
        return path


@pytest.fixture(scope="module")
def pages(short: gr.Scenario, tmp_path_factory: pytest.TempPathFactory) -> _Pages:
    return _Pages(short, tmp_path_factory.mktemp("reports"))


@pytest.mark.parametrize("kind", ["run", "sensitivity", "compare", "sweep"])
@pytest.mark.parametrize("width", [1200, 390])
def test_report_reads_in_a_browser(pages: _Pages, kind: str, width: int, tmp_path: Path) -> None:
    found = _inspect(pages[kind], width, tmp_path)
    _assert_readable(found, width)
    assert found["h1"], "no title"
    assert found["h1"][0].strip(), "an empty title"
    assert "Provenance" in found["h2"]


def test_run_report_has_the_sections_of_a_staff_report(pages: _Pages, tmp_path: Path) -> None:
    found = _inspect(pages["run"], 1200, tmp_path)
    for section in (
        "Key findings",
        "The scenario",
        "Fiscal impact",
        "By fiscal year: who gains and who pays",
        "Load-shedding and reliability",
        "What drives the risk",
        "Assumptions and what the model leaves out",
        "Appendix: methods",
        "Provenance",
    ):
        assert section in found["h2"], f"missing section {section!r}: {found['h2']}"
    text = found["text"]
    # The overrides and the findings with their error bars.
    assert "bitcoin.vol_annual" in text
    assert "0.45" in text
    assert "0.8" in text
    assert re.search(r"PKR \u2212?[\d,.]+ ± [\d,.]+ bn", text), "the headline finding has no error bar"
    assert "scenario fingerprint" in text


def test_screenshot_is_a_page_not_a_blank(pages: _Pages, tmp_path: Path) -> None:
    img = _screenshot(pages["run"], tmp_path)
    assert img.shape[1] == 1200
    grey = img[..., :3].mean(axis=2)
    # Text and figures: a real share of the pixels is not background.
    assert (grey < 0.9).mean() > 0.02
    assert grey.std() > 0.05


def test_report_prints_to_pdf(pages: _Pages, tmp_path: Path) -> None:
    pdf = tmp_path / "run.pdf"
    res = _run([f"--print-to-pdf={pdf}", "--no-pdf-header-footer", pages["run"].as_uri()])
    assert pdf.exists(), res.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 3
