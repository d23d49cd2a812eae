// The tiny crash shared by the whole-run scenario tests: 300 traders, 40 minutes, an 18% fall over
// 5 minutes at 20 minutes, engine liquidation. Its golden digest is tests/data/golden/tiny_crash.txt.
#pragma once

#include <string_view>

namespace liqsim {

inline constexpr std::string_view kTinyCrash = R"(
name = "tiny-crash"
seed = 7
duration_seconds = 2400
record_interval_seconds = 10
[liquidation]
mechanism = "engine"
insurance_fund = 50000
[traders]
count = 300
entry_start_seconds = 30
entry_end_seconds = 600
[traders.leverage]
kind = "lognormal"
mean = 10
stdev = 5
min = 2
max = 50
[[markets]]
[markets.shock]
enabled = true
start_seconds = 1200
duration_seconds = 300
fall_fraction = 0.18
)";

}  // namespace liqsim
