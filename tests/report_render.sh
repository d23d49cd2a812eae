#!/usr/bin/env bash
# `liqsim report` pages rendered by headless Chromium: a small run and a small sweep are written, their
# reports opened with a checking script added to a copy of each page; the script records, after
# layout, every plot's size and every series' drawn elements and bounding box, and
# report_render_check.py compares that with what the HDF5 files hold (h5py).
# Usage: report_render.sh LIQSIM_BINARY. Exit 77 (ctest SKIP_RETURN_CODE) when Chromium is not installed.
set -euo pipefail
# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"
chromium=$(command -v chromium || true)
[[ -n $chromium ]] || chromium=/usr/bin/chromium
if [[ ! -x $chromium ]]; then
  echo "chromium is not installed (scripts/install-deps.sh installs it): skipped"
  exit 77
fi

"$liqsim" run --preset small --out "$work/run.h5" --quiet > /dev/null
cat > "$work/sweep.toml" <<'EOF'
base = "small"
seeds = 2
set = { duration_seconds = 5400 }
[[axes]]
key = "traders.leverage.mean"
values = [4.0, 10.0]
[[axes]]
key = "market_makers.level_size"
values = [0.5, 1.0, 2.0]
[[variants]]
name = "no_liquidation"
set = { liquidation.mechanism = "none" }
EOF
"$liqsim" sweep "$work/sweep.toml" --out "$work/sweep.h5" --jobs 2 --quiet > /dev/null
"$liqsim" report "$work/run.h5" -o "$work/run.html" > /dev/null
"$liqsim" report "$work/sweep.h5" -o "$work/sweep.html" --metric liquidated_notional --metric bad_debt > /dev/null

# The checking script: per plot its rendered size, per series its drawn elements and bounding box.
probe='<script>
const plots = [];
for (const svg of document.querySelectorAll("svg.plot")) {
  const box = svg.getBoundingClientRect();
  const series = [];
  for (const g of svg.querySelectorAll("g.series")) {
    const b = g.getBBox();
    const path = g.querySelector("path");
    const vertices = path ? (path.getAttribute("d").match(/[ML]/g) || []).length : 0;
    series.push({name: g.dataset.series, points: Number(g.dataset.points), circles: g.querySelectorAll("circle").length,
                 rects: g.querySelectorAll("rect").length, vertices: vertices,
                 grey: g.querySelectorAll("rect[fill=\"#eee\"]").length, width: b.width, height: b.height});
  }
  plots.push({id: svg.dataset.plot, width: box.width, height: box.height, series: series});
}
const out = document.createElement("pre");
out.id = "render-check";
out.textContent = JSON.stringify(plots);
document.body.appendChild(out);
</script>'
for page in run sweep; do
  # The probe goes in a copy: the report itself carries no script.
  grep -q '<script' "$work/$page.html" && { echo "FAIL: $page.html has a script"; exit 1; }
  if grep -Eq '(src|href)=' "$work/$page.html"; then echo "FAIL: $page.html refers to another resource"; exit 1; fi
  /usr/bin/python3 - "$work/$page.html" "$work/$page.probe.html" "$probe" <<'EOF'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write(text.replace("</body>", sys.argv[3] + "\n</body>"))
EOF
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$work/profile-$page" --virtual-time-budget=5000 --dump-dom "file://$work/$page.probe.html" \
    > "$work/$page.dom" 2> "$work/$page.chromium.log" || { cat "$work/$page.chromium.log"; exit 1; }
done
/usr/bin/python3 "$root/tests/report_render_check.py" "$work/run.h5" "$work/run.dom" "$work/sweep.h5" "$work/sweep.dom"
