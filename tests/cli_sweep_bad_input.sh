#!/usr/bin/env bash
# Bad input to `liqsim sweep`: each case must exit 2 with a message naming the problem (the axis by
# index and key, the key, the value), before any run, and leave no sweep file behind; --dry-run prints
# the plan and writes nothing. Usage: bash tests/cli_sweep_bad_input.sh path/to/liqsim
set -u

# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"

# no_sweep_files NAME: no sweep file was created (the files made on purpose aside).
no_sweep_files() { no_h5_files "$1" kept.h5 other-plan.h5; }

# A valid sweep: 2 points x 1 seed x 2 variants of a 10-minute small scenario without the fall.
cat >good.toml <<'EOF'
base = "small"
set = { duration_seconds = 600, "markets[0].shock.enabled" = false, "traders.count" = 20, "traders.entry_end_seconds" = 100 }
[[axes]]
key = "traders.leverage.mean"
values = [5, 10]
[[variants]]
name = "no_liquidation"
set = { "liquidation.mechanism" = "none" }
EOF

cat >malformed.toml <<'EOF'
base = "small"
seeds = = 2
EOF

cat >unknown_sweep_key.toml <<'EOF'
base = "small"
seedz = 2
EOF

cat >unknown_scenario_key.toml <<'EOF'
base = "small"
[[axes]]
key = "traders.leverage.mean"
values = [5, 10]
[[axes]]
key = "traders.levrage.max"
values = [40, 60]
EOF

cat >out_of_range.toml <<'EOF'
base = "small"
[[axes]]
key = "traders.leverage.mean"
values = [5, 10]
[[axes]]
key = "market_makers.level_size"
range = { from = -1, to = 8, steps = 4 }
EOF

cat >empty_axis.toml <<'EOF'
base = "small"
[[axes]]
key = "traders.leverage.mean"
values = []
EOF

cat >zero_runs.toml <<'EOF'
base = "small"
base_variant = false
EOF

cat >zero_seeds.toml <<'EOF'
base = "small"
seeds = 0
EOF

cat >duplicate_variants.toml <<'EOF'
base = "small"
[[variants]]
name = "no_liquidation"
set = { "liquidation.mechanism" = "none" }
[[variants]]
name = "no_liquidation"
set = { "liquidation.mechanism" = "keeper" }
EOF

cat >bad_variant_value.toml <<'EOF'
base = "small"
[[variants]]
name = "typo"
set = { "liquidation.mechanism" = "nonee" }
EOF

cat >lhs_without_points.toml <<'EOF'
base = "small"
design = "latin_hypercube"
[[axes]]
key = "traders.leverage.mean"
range = { from = 2, to = 50, scale = "log" }
EOF

cat >missing_base.toml <<'EOF'
base = "no-such-scenario.toml"
EOF

cat >seed_axis.toml <<'EOF'
base = "small"
[[axes]]
key = "seed"
values = [1, 2]
EOF

expect 2 "missing sweep file" "no-such.toml" "not found" -- sweep no-such.toml
expect 2 "malformed TOML" "malformed.toml" "TOML syntax error" "line 2" -- sweep malformed.toml
expect 2 "unknown sweep key" "seedz = 2" "unknown key" "seeds" -- sweep unknown_sweep_key.toml
expect 2 "unknown scenario key on an axis" "axes[1] (traders.levrage.max) = 40" "traders.levrage" "unknown key" -- \
  sweep unknown_scenario_key.toml
expect 2 "value out of range" "axes[1] (market_makers.level_size) = -1" "out of range" "allowed" -- \
  sweep out_of_range.toml
expect 2 "empty axis" "axes[0].values = []" "empty axis" -- sweep empty_axis.toml
expect 2 "zero runs (no variant)" "zero runs" "base_variant" -- sweep zero_runs.toml
expect 2 "zero runs (no seed)" "seeds = 0" "out of range" -- sweep zero_seeds.toml
expect 2 "duplicate variant names" "variants[1].name = \"no_liquidation\"" "duplicate variant name" -- \
  sweep duplicate_variants.toml
expect 2 "bad variant value" "variants[0] (typo)" "liquidation.mechanism = \"nonee\"" "not one of the choices" -- \
  sweep bad_variant_value.toml
expect 2 "latin hypercube without points" "points: missing" -- sweep lhs_without_points.toml
expect 2 "missing base" "no-such-scenario.toml" "neither a preset nor a scenario file" -- sweep missing_base.toml
expect 2 "seed as an axis" "axes[0].key = \"seed\"" "its seed" -- sweep seed_axis.toml
expect 2 "--jobs 0" "--jobs '0'" "[1, 1024]" -- sweep good.toml --jobs 0
expect 2 "--jobs abc" "--jobs 'abc'" "[1, 1024]" -- sweep good.toml --jobs abc
expect 2 "--force with --resume" "--force" "--resume" "exclude each other" -- sweep good.toml --force --resume
expect 2 "--resume without a file" "--resume" "resumed.h5" "not an existing sweep file" -- \
  sweep good.toml --resume --out resumed.h5
expect 2 "--out in a missing folder" "--out" "no-such-dir" "allowed" -- sweep good.toml --out no-such-dir/s.h5
expect 2 "--out is a directory" "--out '.'" "a directory" -- sweep good.toml --out . --force
expect 2 "no file argument" "SWEEP" -- sweep
no_sweep_files "bad input"

# --dry-run: the plan (run count, axes, variants, first rows) and nothing written.
expect 0 "--dry-run" "runs         4" "traders.leverage.mean" "[5, 10]" "no_liquidation" "first 4 of 4 runs" -- \
  sweep good.toml --dry-run
no_sweep_files "--dry-run"

# Nothing is overwritten without --force; a file of another plan is not resumed.
echo "precious" >kept.h5
expect 2 "existing --out" "kept.h5" "the file exists" "--resume" "--force" -- sweep good.toml --out kept.h5
[[ $(cat kept.h5) == precious ]] || fail "existing --out: the file was changed"
expect 2 "--resume on a file that is not a sweep file" "kept.h5" -- sweep good.toml --out kept.h5 --resume
[[ $(cat kept.h5) == precious ]] || fail "--resume on a non-sweep file: the file was changed"
expect 0 "a sweep of another plan" "4 runs (4 ok, 0 failed)" -- sweep good.toml --out other-plan.h5 --jobs 2 --quiet
sed 's/values = \[5, 10\]/values = [5, 11]/' good.toml >other.toml
before=$(cksum <other-plan.h5)
expect 2 "--resume on another plan's file" "another plan" "plan digest" -- sweep other.toml --out other-plan.h5 --resume
[[ $(cksum <other-plan.h5) == "$before" ]] || fail "--resume on another plan: the file was changed"
no_sweep_files "after the refusals"

cli_finish "every sweep bad-input case exits 2 and writes nothing"
