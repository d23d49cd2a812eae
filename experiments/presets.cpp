#include "experiments/presets.h"

#include <array>

namespace liqsim {
namespace {

// The main knobs are spelled out so the numbers are easy to tune; every other field keeps its
// scenario.h default.

constexpr std::string_view kDefault =
    R"(# The spiral demo: a calm day, then an 18% fall over 10 minutes at 6 h; engine-driven liquidation.
name = "default"
seed = 42
duration_seconds = 86400
record_interval_seconds = 10

[liquidation]
mechanism = "engine"
insurance_fund = 2000000

[traders]
count = 10000
entry_start_seconds = 60
entry_end_seconds = 3600

[[markets]]
symbol = "BTC-PERP"
initial_price = 60000

[markets.price]
model = "gbm"
vol_per_year = 0.6

[markets.shock]
enabled = true
start_seconds = 21600
duration_seconds = 600
fall_fraction = 0.18
)";

constexpr std::string_view kKeeper =
    R"(# The spiral demo with keeper-driven liquidation (Aave-style close factor and bonus).
name = "keeper"
seed = 42
duration_seconds = 86400
record_interval_seconds = 10

[liquidation]
mechanism = "keeper"
insurance_fund = 2000000

[keepers]
count = 5

[traders]
count = 10000
entry_start_seconds = 60
entry_end_seconds = 3600

[[markets]]
symbol = "BTC-PERP"
initial_price = 60000

[markets.price]
model = "gbm"
vol_per_year = 0.6

[markets.shock]
enabled = true
start_seconds = 21600
duration_seconds = 600
fall_fraction = 0.18
)";

constexpr std::string_view kSmall =
    R"(# A fast run for tests and quick looks: 500 traders, 2 hours, the 18% fall at 1 h.
name = "small"
seed = 42
duration_seconds = 7200
record_interval_seconds = 10

[liquidation]
mechanism = "engine"
insurance_fund = 100000

[traders]
count = 500
entry_start_seconds = 60
entry_end_seconds = 1800

[[markets]]
symbol = "BTC-PERP"
initial_price = 60000

[markets.price]
model = "gbm"
vol_per_year = 0.6

[markets.shock]
enabled = true
start_seconds = 3600
duration_seconds = 600
fall_fraction = 0.18
)";

constexpr std::string_view kMerton =
    R"(# Merton jump-diffusion, no scripted shock: about 4 jumps a day, mean -1%, stdev 3% (log).
name = "merton"
seed = 42
duration_seconds = 86400
record_interval_seconds = 10

[liquidation]
mechanism = "engine"
insurance_fund = 2000000

[traders]
count = 10000
entry_start_seconds = 60
entry_end_seconds = 3600

[[markets]]
symbol = "BTC-PERP"
initial_price = 60000

[markets.price]
model = "merton"
vol_per_year = 0.6
jump_intensity_per_year = 1460
jump_mean_log = -0.01
jump_stdev_log = 0.03
)";

constexpr std::array kPresets = {
    Preset{"default", "spiral demo: 10,000 traders, 1 day, 18% fall over 10 min at 6 h, engine liquidation",
           kDefault},
    Preset{"keeper", "the spiral demo with keeper-driven liquidation", kKeeper},
    Preset{"small", "fast: 500 traders, 2 hours, 18% fall at 1 h (tests, quick looks)", kSmall},
    Preset{"merton", "jump-diffusion price (about 4 jumps a day), no scripted shock, 1 day", kMerton},
};

}  // namespace

std::span<const Preset> presets() { return kPresets; }

const Preset* find_preset(std::string_view name) {
  for (const Preset& preset : kPresets) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

}  // namespace liqsim
