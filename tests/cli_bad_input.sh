#!/usr/bin/env bash
# Bad input to the liqsim command line: each case must exit 2 with a message naming the problem, before
# any run, and leave no run file behind. Usage: bash tests/cli_bad_input.sh path/to/liqsim
set -u

# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"

# no_run_files NAME: no run file was created (the files made on purpose aside).
no_run_files() { no_h5_files "$1" existing.h5 existing.copy.h5; }

cat >good.toml <<'EOF'
name = "good"
duration_seconds = 3600
[traders]
count = 100
EOF

cat >malformed.toml <<'EOF'
name = "bad"
duration_seconds = = 3600
EOF

cat >unknown_key.toml <<'EOF'
name = "bad"
[traders]
count = 100
levrage = 5
EOF

cat >out_of_range.toml <<'EOF'
[[markets]]
[markets.funding]
clamp = 0.5
EOF

cat >missing_replay.toml <<'EOF'
[[markets]]
[markets.price]
model = "replay"
replay_file = "no-such-prices.csv"
EOF

cat >bad_margin_tiers.toml <<'EOF'
[[markets]]
[markets.margin]
model = "hyperliquid"
[[markets.margin.tiers]]
lower_bound = 0
max_leverage = 20
[[markets.margin.tiers]]
lower_bound = 1000000
max_leverage = 50
EOF

cat >several.toml <<'EOF'
seed = 1.5
[liquidation]
mechanism = "kepper"
EOF

expect 2 "malformed TOML" "malformed.toml" "TOML syntax error" "line 2" -- run --scenario malformed.toml --out o.h5
expect 2 "unknown key" "traders.levrage" "unknown key" "leverage" -- run --scenario unknown_key.toml --out o.h5
expect 2 "out-of-range value" "markets[0].funding.clamp = 0.5" "out of range" "[0, 0.1]" -- \
  run --scenario out_of_range.toml --out o.h5
expect 2 "missing replay file" "markets[0].price.replay_file" "no-such-prices.csv" "file not found" -- \
  run --scenario missing_replay.toml --out o.h5
expect 2 "every error at once" "2 problems" "seed = 1.5" "liquidation.mechanism" -- run --scenario several.toml
expect 2 "missing scenario file" "no-such.toml" "not found" -- run --scenario no-such.toml
expect 2 "non-numeric --seed" "--seed" "abc" "[0, 9223372036854775807]" -- run --preset small --seed abc --out o.h5
expect 2 "negative --seed" "--seed" "-3" -- run --preset small --seed=-3 --out o.h5
expect 2 "unknown preset" "--preset" "nope" "default" "small" -- run --preset nope --out o.h5
expect 2 "--scenario with --preset" "--scenario" "--preset" -- run --scenario good.toml --preset small --out o.h5
expect 2 "unknown option" "--bogus" -- run --bogus
expect 2 "no subcommand" "subcommand" --
expect 2 "unknown subcommand" "frobnicate" "unknown subcommand" "run, validate, presets" -- frobnicate
expect 2 "unknown subcommand with options" "frobnicate" "run, validate, presets" -- frobnicate --out x.h5
expect 2 "missing output folder" "--out" "no-such-dir" "allowed" -- run --scenario good.toml --out no-such-dir/o.h5
no_run_files "bad input"

# Output locations refused before the run starts: the message names --out, the value and what is allowed.
expect 2 "empty --out" "--out ''" "empty" "allowed" -- run --scenario good.toml --out ''
not_run "empty --out"
# Root can write almost anywhere; not in /proc or /sys.
expect 2 "--out in a folder nobody can write (/proc)" "--out '/proc/o.h5'" "cannot create a file" "allowed" -- \
  run --scenario good.toml --out /proc/o.h5
not_run "--out in /proc"
expect 2 "--out in a folder nobody can write (/sys)" "--out '/sys/o.h5'" "cannot create a file" "allowed" -- \
  run --scenario good.toml --out /sys/o.h5
not_run "--out in /sys"
expect 2 "--out under a file" "--out 'good.toml/o.h5'" "not a folder" "allowed" -- \
  run --scenario good.toml --out good.toml/o.h5
long_name=$(printf 'n%.0s' {1..250}).h5  # fits NAME_MAX (255), its temporary file does not
expect 2 "--out name too long for the filesystem" "--out '$long_name'" "too long" "allowed: at most" -- \
  run --scenario good.toml --out "$long_name"
not_run "--out name too long"
expect 2 "--out is a directory" "--out '.'" "a directory" "allowed" -- run --scenario good.toml --out . --force
expect 2 "--out is /dev/null" "--out '/dev/null'" "character device" "allowed" -- run --scenario good.toml --out /dev/null
mkfifo pipe.out
expect 2 "--out is a named pipe, with --force" "--out 'pipe.out'" "named pipe" "allowed" -- \
  run --scenario good.toml --out pipe.out --force
[[ -p pipe.out ]] || fail "--out is a named pipe: the pipe was replaced"
# A device node of our own (the null device's numbers), so that a regression cannot replace /dev/null.
if mknod null.dev c 1 3 2>/dev/null; then
  expect 2 "--out is a device, with --force" "--out 'null.dev'" "character device" "allowed" -- \
    run --scenario good.toml --out null.dev --force
  [[ -c null.dev ]] || fail "--out is a device: the device node was replaced"
  not_run "--out is a device"
  rm -f null.dev
fi
ln -s no-such-target dangling.out
expect 2 "--out is a dangling symbolic link" "--out 'dangling.out'" "no-such-target" "does not exist" "allowed" -- \
  run --scenario good.toml --out dangling.out
[[ -L dangling.out ]] || fail "--out is a dangling symbolic link: the link was replaced"
not_run "--out is a dangling symbolic link"
rm -f pipe.out dangling.out
no_run_files "bad output location"

echo "not a run file" >existing.h5
cp existing.h5 existing.copy.h5
expect 2 "existing --out without --force" "existing.h5" "--force" -- run --scenario good.toml --out existing.h5
cmp -s existing.h5 existing.copy.h5 || fail "existing --out without --force: file changed"
# The default run file name is checked the same way.
echo "not a run file" >liqsim-good-seed42.h5
cp liqsim-good-seed42.h5 default.copy
expect 2 "existing default output" "liqsim-good-seed42.h5" -- run --scenario good.toml
cmp -s liqsim-good-seed42.h5 default.copy || fail "existing default output: file changed"
rm -f liqsim-good-seed42.h5 default.copy

expect 0 "validate a good file" "good.toml: valid" -- validate good.toml
expect 2 "validate a bad file" "several.toml: 2 problems" "seed" -- validate several.toml
expect 2 "validate without a file" "FILE" -- validate
expect 2 "margin model tiers" "markets[0].margin.tiers[1].max_leverage = 50" "line 9" \
  "<= markets[0].margin.tiers[0].max_leverage (20)" -- validate bad_margin_tiers.toml
expect 2 "unknown margin model" "markets[0].margin.model = \"isolated\"" "not one of the choices" \
  "\"binance_tiered\" | \"hyperliquid\" | \"dydx_v4\" | \"collateral_ratio\"" -- validate good.toml --set 'markets[0].margin.model=isolated'
expect 2 "margin model key out of range" "markets[0].margin.initial_margin_ppm = 0" "[1, 1000000]" -- \
  validate good.toml --set 'markets[0].margin.model=dydx_v4' --set 'markets[0].margin.initial_margin_ppm=0'
expect 2 "opening ratio below the liquidation ratio" "markets[0].margin.initial_ratio = 1.2" \
  "below liquidation_ratio" ">= liquidation_ratio (1.5)" -- validate good.toml \
  --set 'markets[0].margin.model=collateral_ratio' --set 'markets[0].margin.initial_ratio=1.2'
expect 2 "measurement window after the run" "measure_from_seconds = 90000" "not before the end of the run" \
  "[0, duration_seconds) = [0, 86400)" -- run --preset default --set measure_from_seconds=90000 --out window.h5
not_run "measurement window after the run"
expect 2 "unknown counterfactual" "--counterfactual 'foo'" "not a counterfactual" "allowed: impact_free" -- \
  run --scenario good.toml --counterfactual foo --out counterfactual.h5
not_run "unknown counterfactual"
expect 2 "counterfactual of an impact-free run" "liquidation.execution = \"impact_free\"" \
  "allowed with --counterfactual: \"market\"" -- \
  run --preset small --set liquidation.execution=impact_free --counterfactual impact_free --out cf.h5
not_run "counterfactual of an impact-free run"
expect 2 "unknown execution" "liquidation.execution = \"book\"" "\"market\" | \"impact_free\"" -- \
  run --preset small --set liquidation.execution=book --out execution.h5
not_run "unknown execution"
# A keeper bonus the maintenance margin cannot pay (Aave v3: liquidation threshold x bonus <= 100%): the
# lowest maintenance rate of the market's model binds (binance_tiered's first bracket, hyperliquid's 40x tier).
expect 2 "keeper bonus above the lowest maintenance rate" "liquidation.keeper.bonus = 0.05" \
  "[0, 0.004]" "markets[0] (binance_tiered: 0.004)" -- \
  validate good.toml --set 'liquidation.mechanism=keeper' --set 'liquidation.keeper.bonus=0.05'
expect 2 "keeper bonus against hyperliquid tiers" "liquidation.keeper.bonus = 0.013" "[0, 0.0125]" -- \
  validate good.toml --set 'liquidation.mechanism=keeper' --set 'liquidation.keeper.bonus=0.013' \
  --set 'markets[0].margin.model=hyperliquid'
expect 0 "keeper bonus at the lowest maintenance rate" "good.toml: valid" -- \
  validate good.toml --set 'liquidation.mechanism=keeper' --set 'liquidation.keeper.bonus=0.004'
expect 0 "--version" "liqsim 0.1.0" -- --version
expect 0 "--help" "run" "validate" "presets" -- --help
expect 0 "run --help" "--scenario" "--seed" "--force" -- run --help
expect 0 "presets" "default" "exogenous" "keeper" "small" "merton" -- presets
no_run_files "validate"

cli_finish "all CLI bad-input checks passed"
