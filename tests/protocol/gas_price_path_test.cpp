// The base fee path: constant, a spike's trapezoid, a replayed gas price (step and linear) converted at
// gas units x ETH price, and the CSV reader's checks.
#include "protocol/gas_price_path.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace liqsim {
namespace {

Amount usd(double x) { return amount_from_double(x); }
constexpr int64_t kGwei = kWeiPerGwei;

TEST(GasPricePath, ConstantIsTheSameAtEveryTime) {
  const GasPricePath path = GasPricePath::constant(usd(2));
  for (Time t : {Time(0), seconds(1), seconds(86400 * 365)}) EXPECT_EQ(path.base_fee(t, Price(1)), usd(2));
  EXPECT_FALSE(path.needs_eth_price());
  EXPECT_FALSE(path.gas_price_wei(seconds(1)).has_value());
}

// $2 x 6 between 100 s and 400 s, ramps of 60 s: 100 s + 30 s is halfway up (x3.5), 340 s + 15 s a
// quarter down the fall (x4.75); the window is [start, start + duration).
TEST(GasPricePath, SpikeIsATrapezoid) {
  const GasPricePath path =
      GasPricePath::spike(usd(2), GasSpike{seconds(100), seconds(300), seconds(60), ratio_from_double(6)});
  EXPECT_EQ(path.base_fee(seconds(99), Price(1)), usd(2));
  EXPECT_EQ(path.base_fee(seconds(100), Price(1)), usd(2));
  EXPECT_EQ(path.base_fee(seconds(130), Price(1)), usd(7));  // 2 x 3.5
  EXPECT_EQ(path.base_fee(seconds(160), Price(1)), usd(12));
  EXPECT_EQ(path.base_fee(seconds(339), Price(1)), usd(12));
  EXPECT_EQ(path.base_fee(seconds(355), Price(1)), usd(9.5));  // 2 x 4.75
  EXPECT_EQ(path.multiple(seconds(355)), ratio_from_double(4.75));
  EXPECT_EQ(path.base_fee(seconds(400), Price(1)), usd(2));
}

TEST(GasPricePath, SpikeWithoutRampIsAStep) {
  const GasPricePath path =
      GasPricePath::spike(usd(1.5), GasSpike{seconds(10), seconds(20), Time(0), ratio_from_double(8)});
  EXPECT_EQ(path.base_fee(seconds(10) - Time(1), Price(1)), usd(1.5));
  EXPECT_EQ(path.base_fee(seconds(10), Price(1)), usd(12));
  EXPECT_EQ(path.base_fee(seconds(30) - Time(1), Price(1)), usd(12));
  EXPECT_EQ(path.base_fee(seconds(30), Price(1)), usd(1.5));
}

// The multiple's fraction rounds down at 1e-9 and the fee up at a micro-dollar: $1 x (1 + 2 x 1/3)
// = 1.666666666 x $1 = $1.666667 (rounded up from 1.666666666).
TEST(GasPricePath, SpikeRoundsTheFeeUp) {
  const GasPricePath path =
      GasPricePath::spike(usd(1), GasSpike{Time(0), seconds(6), seconds(3), ratio_from_double(3)});
  EXPECT_EQ(path.multiple(seconds(1)), Ratio(1'666'666'666));
  EXPECT_EQ(path.base_fee(seconds(1), Price(1)), Amount(1'666'667));
}

// Blocks of 0, 60 and 120 s at 10, 40 and 100 gwei; 300,000 gas at $150/ETH: 10 gwei is
// 10e-9 x 300,000 x 150 = $0.45 per transaction.
GasReplay black_thursday_like(GasInterpolation interpolation) {
  return GasReplay{{{Time(0), 10 * kGwei}, {seconds(60), 40 * kGwei}, {seconds(120), 100 * kGwei}},
                   interpolation,
                   300'000};
}

TEST(GasPricePath, ReplayStepHoldsTheLastRow) {
  const GasPricePath path = GasPricePath::replay(black_thursday_like(GasInterpolation::Step));
  const Price eth = price_from_double(150);
  EXPECT_TRUE(path.needs_eth_price());
  EXPECT_EQ(path.base_fee(Time(0), eth), usd(0.45));
  EXPECT_EQ(path.base_fee(seconds(59), eth), usd(0.45));
  EXPECT_EQ(path.base_fee(seconds(60), eth), usd(1.8));
  EXPECT_EQ(path.base_fee(seconds(119), eth), usd(1.8));
  EXPECT_EQ(path.base_fee(seconds(120), eth), usd(4.5));
  EXPECT_EQ(path.base_fee(seconds(100000), eth), usd(4.5));  // after the last row the last price holds
  // The ETH price scales the dollar fee: a market-priced ETH at half the price halves it.
  EXPECT_EQ(path.base_fee(seconds(120), price_from_double(75)), usd(2.25));
}

// Linear: 20 s into the 10 -> 40 gwei segment is 20 gwei; the wei value rounds down, the fee up.
TEST(GasPricePath, ReplayLinearInterpolatesInWei) {
  const GasPricePath path = GasPricePath::replay(black_thursday_like(GasInterpolation::Linear));
  EXPECT_EQ(*path.gas_price_wei(seconds(20)), 20 * kGwei);
  EXPECT_EQ(path.base_fee(seconds(20), price_from_double(150)), usd(0.9));
  // One nanosecond in: 10 gwei + 30 gwei x 1e-9 / 60 = 10e9 + 0.5 wei, rounded down.
  EXPECT_EQ(*path.gas_price_wei(Time(1)), 10 * kGwei);
  EXPECT_EQ(*path.gas_price_wei(seconds(90)), 70 * kGwei);
  EXPECT_EQ(*path.gas_price_wei(seconds(500)), 100 * kGwei);
  // 1 wei x 1 gas at $1/ETH is 1e-18 $: rounded up to one micro-dollar, against the payer.
  const GasPricePath tiny = GasPricePath::replay(GasReplay{{{Time(0), 1}}, GasInterpolation::Step, 1});
  EXPECT_EQ(tiny.base_fee(Time(0), price_from_double(1)), Amount(1));
  const GasPricePath free = GasPricePath::replay(GasReplay{{{Time(0), 0}}, GasInterpolation::Step, 1});
  EXPECT_EQ(free.base_fee(Time(0), price_from_double(1)), Amount(0));
}

// The dollar fee is clamped at $1e12: 1e7 gwei x 3e7 gas at $1e12 per ETH would be $3e14.
TEST(GasPricePath, ReplayFeeIsClampedAtTheLargestDollarValue) {
  const GasPricePath path =
      GasPricePath::replay(GasReplay{{{Time(0), kMaxGasPriceWei}}, GasInterpolation::Step, 30'000'000});
  EXPECT_EQ(path.base_fee(Time(0), Price(kMaxModelPriceRaw)), Amount(kMaxBaseFeeRaw));
  EXPECT_EQ(path.base_fee(Time(0), Price::max()), Amount(kMaxBaseFeeRaw));
}

class GasCsv : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + "liqsim_gas_price_path_test_" + name + ".csv";
    std::ofstream(path) << text;
    return path;
  }
  static std::string error(const std::variant<GasPriceSeries, std::string>& result) {
    return std::holds_alternative<std::string>(result) ? std::get<std::string>(result) : "(no error)";
  }
};

TEST_F(GasCsv, ReadsWeiOrGweiAndRebasesTime) {
  const std::string path = write("ok", "timestamp,gas\n1583971200,7.5\n\n1583971800,0\n1583972400,90.25\n");
  const auto gwei = load_gas_price_csv(path, "timestamp", "gas", 1.0, double(kGwei));
  ASSERT_TRUE(std::holds_alternative<GasPriceSeries>(gwei)) << error(gwei);
  const GasPriceSeries& s = std::get<GasPriceSeries>(gwei);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], std::make_pair(Time(0), int64_t(7'500'000'000)));
  EXPECT_EQ(s[1], std::make_pair(seconds(600), int64_t(0)));
  EXPECT_EQ(s[2], std::make_pair(seconds(1200), int64_t(90'250'000'000)));
  const auto wei = load_gas_price_csv(path, "timestamp", "gas", 60.0, 1.0);
  ASSERT_TRUE(std::holds_alternative<GasPriceSeries>(wei)) << error(wei);
  EXPECT_EQ(std::get<GasPriceSeries>(wei)[1].first, seconds(36000));  // minutes
  EXPECT_EQ(std::get<GasPriceSeries>(wei)[2].second, 90);             // 90.25 wei rounds to 90
}

TEST_F(GasCsv, ErrorsNameTheFileTheLineAndTheColumn) {
  const std::string missing = ::testing::TempDir() + "liqsim_gas_price_path_test_does_not_exist.csv";
  EXPECT_EQ(error(load_gas_price_csv(missing, "t", "g", 1, 1)), missing + ": cannot open file");
  const std::string empty = write("empty", "");
  EXPECT_EQ(error(load_gas_price_csv(empty, "t", "g", 1, 1)), empty + ": empty file, expected a header row");
  const std::string header_only = write("header", "t,g\n");
  EXPECT_EQ(error(load_gas_price_csv(header_only, "t", "g", 1, 1)),
            header_only + ": no data rows after the header");
  const std::string no_column = write("column", "t,gas\n0,1\n");
  EXPECT_EQ(error(load_gas_price_csv(no_column, "t", "g", 1, 1)),
            no_column + ":1: column 'g': not found in the header row");
  const std::string text = write("text", "t,g\n0,1\n60,high\n");
  EXPECT_EQ(error(load_gas_price_csv(text, "t", "g", 1, 1)), text + ":3: column 'g': not a number: 'high'");
  const std::string negative = write("negative", "t,g\n0,1\n60,-2\n");
  EXPECT_EQ(error(load_gas_price_csv(negative, "t", "g", 1, 1)),
            negative + ":3: column 'g': gas price must be >= 0: '-2'");
  const std::string infinite = write("infinite", "t,g\n0,inf\n");
  EXPECT_EQ(error(load_gas_price_csv(infinite, "t", "g", 1, 1)),
            infinite + ":2: column 'g': not a number: 'inf'");
  const std::string nan = write("nan", "t,g\n0,nan\n");
  EXPECT_EQ(error(load_gas_price_csv(nan, "t", "g", 1, 1)), nan + ":2: column 'g': not a number: 'nan'");
  const std::string huge = write("huge", "t,g\n0,20000000\n");
  EXPECT_EQ(error(load_gas_price_csv(huge, "t", "g", 1, double(kGwei))),
            huge + ":2: column 'g': gas price above 1e7 gwei: '20000000'");
  const std::string dust = write("dust", "t,g\n0,0.4\n");
  EXPECT_EQ(error(load_gas_price_csv(dust, "t", "g", 1, 1)),
            dust + ":2: column 'g': gas price rounds to 0 at 1 wei resolution: '0.4'");
  const std::string same_time = write("same_time", "t,g\n0,1\n60,2\n60,3\n");
  EXPECT_EQ(
      error(load_gas_price_csv(same_time, "t", "g", 1, 1)),
      same_time + ":4: column 't': time '60' is not after the previous row's time (times must increase)");
  const std::string backwards = write("backwards", "t,g\n0,1\n60,2\n30,3\n");
  EXPECT_NE(error(load_gas_price_csv(backwards, "t", "g", 1, 1)).find(":4: column 't'"), std::string::npos);
  const std::string short_row = write("short", "t,g\n0,1\n60\n");
  EXPECT_EQ(error(load_gas_price_csv(short_row, "t", "g", 1, 1)),
            short_row + ":3: column 'g': missing (row has 1 fields, header has 2)");
}

}  // namespace
}  // namespace liqsim
