#!/usr/bin/env bash
# Bad input to the keepers' chain keys ([liquidation.keeper] block space, [liquidation.keeper.gas], the
# keepers' bidding) and to a gas replay CSV: each case exits 2 naming the key, the value and what is
# allowed (the CSV: its file, line and column), before any run, and leaves no run file behind.
# Usage: bash tests/cli_gas_bad_input.sh path/to/liqsim
set -u

# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"

# Every refusal (exit 2) is made before the run and leaves no run file.
after_expect() {
  [[ $1 -eq 2 ]] || return 0
  not_run "$2"
  no_h5_files "$2"
}

mkdir -p scenarios/data
cat >scenarios/keepers.toml <<'EOF'
name = "keepers"
duration_seconds = 600
[liquidation]
mechanism = "keeper"
[traders]
count = 50
[[markets]]
symbol = "ETH-PERP"
initial_price = 2000
EOF

cat >scenarios/replay.toml <<'EOF'
base = "keepers.toml"
[liquidation.keeper.gas]
path = "replay"
replay_file = "data/gas.csv"
time_column = "timestamp"
price_column = "gwei"
eth_price_market = "ETH-PERP"
EOF

cat >scenarios/spike.toml <<'EOF'
name = "spike"
duration_seconds = 600
[liquidation]
mechanism = "keeper"
[liquidation.keeper.gas]
path = "spike"
spike_start_seconds = 60
spike_duration_seconds = 100
spike_ramp_seconds = 60
EOF

printf 'timestamp,gwei\n0,7.5\n600,30\n1200,90\n' >scenarios/data/gas.csv
s=scenarios/keepers.toml
k=liquidation.keeper
g=liquidation.keeper.gas

# A good replay, run from another folder: the CSV path is relative to the scenario file.
expect 0 "good replay validates" "valid" -- validate scenarios/replay.toml

expect 2 "unknown gas path" "$g.path = \"surge\"" "not one of the choices" '"constant" | "spike" | "replay"' -- \
  validate $s --set $g.path=surge
expect 2 "spike ramps longer than the spike" "$g.spike_ramp_seconds = 60" "line 9" \
  "longer than half the spike" "[0, spike_duration_seconds / 2] = [0, 50]" -- validate scenarios/spike.toml
expect 2 "spike multiple 0" "$g.spike_multiple = 0" "out of range" "(0, 1000]" -- \
  validate $s --set $g.spike_multiple=0
expect 2 "spike multiple rounds to 0" "$g.spike_multiple = 1e-10" "rounds to 0" -- \
  validate $s --set $g.spike_multiple=1e-10
expect 2 "spike fee above \$1e12" "$g.spike_multiple = 1000" "is above \$1e12" "at most 100" -- \
  validate $s --set $g.path=spike --set $k.gas_price=1e10 --set $g.spike_multiple=1000
expect 2 "spike after the run" "$g.spike_start_seconds = 600" "not before the end of the run" "[0, 600)" -- \
  validate $s --set $g.path=spike --set $g.spike_start_seconds=600
expect 2 "negative block space" "$k.max_transactions_per_block = -1" "[0, 1000000]" -- \
  validate $s --set $k.max_transactions_per_block=-1
expect 2 "fractional block space" "$k.max_transactions_per_block = 1.5" "wrong type (float)" -- \
  validate $s --set $k.max_transactions_per_block=1.5
expect 2 "gas units 0" "$g.gas_per_transaction = 0" "[1, 30000000]" -- validate $s --set $g.gas_per_transaction=0
expect 2 "eth price rounds to 0" "$g.eth_price = 1e-07" "rounds to 0" -- validate $s --set $g.eth_price=1e-7
expect 2 "unknown eth market" "$g.eth_price_market = \"BTC-PERP\"" "no such market" '"ETH-PERP"' -- \
  validate $s --set $g.eth_price_market=BTC-PERP
expect 2 "unknown price unit" "$g.price_unit = \"eth\"" '"gwei" | "wei"' -- validate $s --set $g.price_unit=eth
expect 2 "unknown gas key" "$g.multiple" "unknown key" "spike_multiple" -- validate $s --set $g.multiple=3
expect 2 "unknown bidding" "keepers.bidding = \"auction\"" '"fixed" | "adaptive"' -- \
  validate $s --set keepers.bidding=auction
expect 2 "bid raise below 1" "keepers.bid_raise = 0.5" "[1, 10]" -- validate $s --set keepers.bid_raise=0.5
expect 2 "bid decay 0" "keepers.bid_decay = 0" "(0, 1]" -- validate $s --set keepers.bid_decay=0
expect 2 "adaptive bids from 0" "keepers.priority_fee_min = 0" "must be positive for bidding = \"adaptive\"" -- \
  validate $s --set keepers.bidding=adaptive --set keepers.priority_fee_min=0
expect 2 "replay without a file" "$g.replay_file = \"\"" "required when path = \"replay\"" -- \
  validate $s --set $g.path=replay
expect 2 "replay file missing" "$g.replay_file = \"data/none.csv\"" "file not found" -- \
  validate scenarios/replay.toml --set $g.replay_file=data/none.csv
expect 2 "replay run refused too" "file not found" -- \
  run --scenario scenarios/replay.toml --set $g.replay_file=data/none.csv --out o.h5

# The CSV's own problems name the file, the line and the column.
bad_csv() {
  local name=$1 text=$2
  shift 2
  printf '%b' "$text" >"scenarios/data/$name.csv"
  expect 2 "csv: $name" "$g.replay_file = \"data/$name.csv\"" "$@" -- \
    validate scenarios/replay.toml --set $g.replay_file=data/$name.csv
}
bad_csv not_increasing 'timestamp,gwei\n0,7\n600,8\n600,9\n' "data/$(echo not_increasing).csv:4: column 'timestamp'" \
  "not after the previous row's time"
bad_csv backwards 'timestamp,gwei\n0,7\n600,8\n300,9\n' "backwards.csv:4: column 'timestamp'"
bad_csv negative 'timestamp,gwei\n0,7\n600,-1\n' "negative.csv:3: column 'gwei': gas price must be >= 0: '-1'"
bad_csv nan 'timestamp,gwei\n0,nan\n' "nan.csv:2: column 'gwei': not a number: 'nan'"
bad_csv infinite 'timestamp,gwei\n0,7\n600,inf\n' "infinite.csv:3: column 'gwei': not a number: 'inf'"
bad_csv text 'timestamp,gwei\n0,seven\n' "text.csv:2: column 'gwei': not a number: 'seven'"
bad_csv no_column 'timestamp,gas\n0,7\n' "no_column.csv:1: column 'gwei': not found in the header row"
bad_csv short_row 'timestamp,gwei\n0,7\n600\n' "short_row.csv:3: column 'gwei': missing"
bad_csv empty '' "empty.csv: empty file"
bad_csv header_only 'timestamp,gwei\n' "header_only.csv: no data rows after the header"
bad_csv huge 'timestamp,gwei\n0,20000000\n' "huge.csv:2: column 'gwei': gas price above 1e7 gwei"

# Several problems at once, each with its key.
expect 2 "all problems at once" "$g.spike_multiple" "keepers.bid_decay" "$k.max_transactions_per_block" -- \
  validate $s --set $g.spike_multiple=0 --set keepers.bid_decay=2 --set $k.max_transactions_per_block=-5

cli_finish "all gas and block-space bad-input checks passed"
