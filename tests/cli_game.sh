#!/usr/bin/env bash
# `liqsim game`: bad input exits 2 naming the key, the value and why, before any run and with no file; a
# small hunting game on a 90-minute day writes /equilibria (one row per sweep value) and /episodes, and
# the same game twice gives the same numbers. Usage: bash tests/cli_game.sh path/to/liqsim
set -u

# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"

game() {  # game NAME GAME-SECTION-LINES...: a game file on the small preset with two hunter groups
  local name=$1
  shift
  {
    echo 'base = "small"'
    echo '[set]'
    echo 'duration_seconds = 5400'
    echo 'hunters = [{count = 1, min_edge = 0.0}, {count = 1, min_edge = 0.0}]'
    printf '%s\n' "$@"
  } >"$name"
}

game good.toml '[game]' 'rule = "best_response"' 'players = ["hunters[0]", "hunters[1]"]' 'tolerance = 50' \
  '[[game.strategies]]' 'max_position = 0' '[[game.strategies]]' 'max_position = 30' \
  '[sweep]' 'key = "markets[0].mark.method"' 'values = ["last", "index"]'
game empty.toml '[game]' 'rule = "best_response"' 'players = ["hunters[0]"]' 'strategies = []'
game rate.toml '[game]' 'rule = "hedge"' 'learning_rate = 1.5' 'players = ["hunters[0]"]' \
  '[[game.strategies]]' 'max_position = 0'
game player.toml '[game]' 'players = ["traders"]' '[[game.strategies]]' 'max_position = 0'
game missing.toml '[game]' 'players = ["hunters[5]"]' '[[game.strategies]]' 'max_position = 0'
game key.toml '[game]' 'players = ["hunters[0]"]' '[[game.strategies]]' 'max_positon = 10'
game private.toml '[game]' 'players = ["hunters[0]"]' '[[game.strategies]]' 'information = "mark,positions"'

expect 2 "an empty strategy set" "game.strategies = []: the strategy set is empty" -- game empty.toml --out e.h5
expect 2 "a learning rate out of range" "game.learning_rate = 1.5" "(0, 1]" -- game rate.toml --out r.h5
expect 2 "a player that is not a hunter group" 'game.players[0] = "traders": not a player' -- game player.toml --out p.h5
expect 2 "a player beyond the scenario's groups" "hunters[5]" "the scenario has 2 [[hunters]] groups" -- game missing.toml --out m.h5
expect 2 "a strategy key the scenario lacks" "hunters[0].max_positon = 10: unknown key" -- game key.toml --out k.h5
expect 2 "a strategy asking for private state" "private state" -- game private.toml --out v.h5
for f in e r p m k v; do [[ ! -e $f.h5 ]] || fail "bad input left $f.h5"; done
expect 0 "a dry run" "2 players x 2 strategies" -- game good.toml --dry-run --out dry.h5
[[ ! -e dry.h5 ]] || fail "--dry-run wrote a file"

expect 0 "a hunting game across two mark designs" 'markets[0].mark.method = "last"' 'output game.h5' -- game good.toml --out game.h5
first=$output
expect 2 "no overwrite without --force" "game.h5" -- game good.toml --out game.h5
expect 0 "the same game again" "output again.h5" -- game good.toml --out again.h5
[[ ${first%output*} == "${output%output*}" ]] || fail "the same game gave other results"
if ! "$python" - game.h5 <<'PY'; then
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f.attrs["file_kind"] == "game", f.attrs["file_kind"]
eq = f["equilibria"]
assert eq["sweep_value"].shape == (2,), eq["sweep_value"].shape
assert [v.decode() for v in eq["sweep_value"][:]] == ['"last"', '"index"']
assert eq["mean_payoff"].attrs["units"] == "USD"
ep = f["episodes"]
n = ep["episode"].shape[0]
assert n >= 4 and n % 2 == 0, n
assert set(ep["player"][:]) == {0, 1}
assert "[[game.strategies]]" in f.attrs["game_toml"]
PY
  fail "the game file's tables"
fi
cat >entry.toml <<'EOF'
base = "keeper"
[set]
"traders.count" = 300
duration_seconds = 28800
[game]
kind = "keeper_entry"
entry_cost = 100
max_keepers = 3
max_episodes = 6
EOF
sed 's/kind = "keeper_entry"/kind = "keepers"/' entry.toml >kind.toml
expect 2 "an unknown game kind" 'game.kind = "keepers": not one of the choices' -- game kind.toml --out kind.h5
[[ ! -e kind.h5 ]] || fail "bad input left kind.h5"
expect 0 "the keeper free-entry game" "keepers (mean profit" "output entry.h5" -- game entry.toml --out entry.h5
if ! "$python" - entry.h5 <<'PY'; then
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f.attrs["kind"] == "keeper_entry"
eq, ep = f["equilibria"], f["episodes"]
assert eq["equilibrium_keepers"].shape == (1,)
assert 0 <= eq["equilibrium_keepers"][0] <= 3
assert ep["active"].shape[0] == eq["episodes"][0]
assert ep["mean_profit"].attrs["units"] == "USD"
PY
  fail "the keeper entry game file's tables"
fi
"$python" "$root/analysis/plot_game.py" entry.h5 --out entry.png >/dev/null || fail "plot_game.py on the keeper entry file"
"$python" "$root/analysis/plot_game.py" game.h5 --out game.png >/dev/null || fail "plot_game.py on the game file"
[[ -s game.png ]] || fail "plot_game.py wrote no PNG"
cli_finish "liqsim game: bad input, file, plot and determinism"
