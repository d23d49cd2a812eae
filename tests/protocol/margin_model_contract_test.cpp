// The MarginModel contract (protocol/margin_model.h), run against every implementation (typed GoogleTest
// suite; one type line per model in `Models` below):
//   - the requirement is never negative, side-symmetric, monotone in the notional, rounded against the
//     account (at least the venue's documented formula evaluated exactly, at most a few micro-dollars
//     more), its slope is bounded by max_maintenance_rate() and its share of the notional is at least
//     min_maintenance_rate();
//   - initial margin at max leverage covers the requirement; a scaled model requires at least the multiple;
//   - triggers are conservative: over random books of isolated and cross accounts in three markets and
//     random mark paths (small steps and jumps), checked against a brute-force scan of every account after
//     every step, no account becomes liquidatable, or falls below its alert multiple of the requirement,
//     without detection reporting it; at micro-dollar resolution, one to three price units on the safe side
//     of a single position's trigger the account is not liquidatable.
// Each model's venue-specific behaviour (documented examples, reference vectors) is in its own test file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/rng.h"
#include "market/order_book.h"
#include "protocol/bitmex_margin.h"
#include "protocol/clearing_house.h"
#include "protocol/collateral_ratio_margin.h"
#include "protocol/dydx_margin.h"
#include "protocol/hyperliquid_margin.h"
#include "protocol/tiered_margin.h"

namespace liqsim {
namespace {

Amount dollars(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Ratio rate(double x) { return ratio_from_double(x); }

// ---------------------------------------------------------------------------------------------------
// One venue table per model, with its documented requirement evaluated exactly (long double) as the
// reference the rounding is judged against.

template <class Model>
struct Venue;

// Binance USDⓈ-M legacy BTCUSDT brackets (vector #4; protocols.md 1.1): MM = notional * MMR_k - cum_k.
template <>
struct Venue<TieredMaintenanceMargin> {
  static constexpr const char* kName = "binance_tiered (legacy BTCUSDT brackets)";
  static constexpr double kFloors[] = {0, 50'000, 250'000, 1'000'000, 5'000'000};
  static constexpr double kRates[] = {0.004, 0.005, 0.01, 0.025, 0.05};
  static TieredMaintenanceMargin make() {
    std::vector<MarginBracketSpec> specs;
    for (size_t k = 0; k < 5; ++k)
      specs.push_back({dollars(kFloors[k]), k + 1 < 5 ? dollars(kFloors[k + 1]) : dollars(20'000'000),
                       rate(kRates[k]), std::nullopt});
    return TieredMaintenanceMargin(specs);
  }
  static long double reference(long double n, long double) {
    long double cum = 0;
    size_t k = 0;
    for (size_t j = 1; j < 5 && n >= kFloors[j]; ++j) {
      cum += (long double)kFloors[j] * ((long double)kRates[j] - kRates[j - 1]);
      k = j;
    }
    return n * kRates[k] - cum;
  }
};

// Hyperliquid's BTC testnet margin tiers (trading/margin-tiers): MM = notional / (2 L_n) - deduction_n.
template <>
struct Venue<HyperliquidMargin> {
  static constexpr const char* kName = "hyperliquid (BTC testnet tiers)";
  static constexpr double kBounds[] = {0, 10'000, 50'000, 100'000, 300'000};
  static constexpr int64_t kLeverage[] = {40, 25, 10, 5, 3};
  static HyperliquidMargin make() {
    std::vector<HyperliquidMarginTier> tiers;
    for (size_t n = 0; n < 5; ++n) tiers.push_back({dollars(kBounds[n]), kLeverage[n]});
    return HyperliquidMargin(tiers);
  }
  static long double reference(long double x, long double) {
    long double deduction = 0;
    size_t t = 0;
    for (size_t n = 1; n < 5 && x >= kBounds[n]; ++n) {
      deduction += (long double)kBounds[n] * (1.0L / (2 * kLeverage[n]) - 1.0L / (2 * kLeverage[n - 1]));
      t = n;
    }
    return x / (2.0L * kLeverage[t]) - deduction;
  }
};

// dYdX v4 Mid-Cap liquidity tier (protocols.md 2.1): IMF 5%, maintenance fraction 60%, MMF 3%.
template <>
struct Venue<DydxMargin> {
  static constexpr const char* kName = "dydx_v4 (Mid-Cap tier)";
  static DydxMargin make() { return DydxMargin({50'000, 600'000}); }
  static long double reference(long double n, long double) { return n * 0.05L * 0.6L; }
};

// MakerDAO ETH-A's liquidation ratio mat = 150% (dss spot.sol, dog.sol; protocols.md 3.4): unsafe when
// value / mat < debt, i.e. MM = notional - notional / mat = notional / 3.
template <>
struct Venue<CollateralRatioMargin> {
  static constexpr const char* kName = "collateral_ratio (Maker ETH-A mat 1.5)";
  static CollateralRatioMargin make() { return CollateralRatioMargin({rate(1.5), rate(1.5)}); }
  static long double reference(long double n, long double) { return n - n / 1.5L; }
};

// BitMEX XBTUSD risk limits (bitmex.com/app/riskLimitsExamples): 0.5% + 0.5% per 150-coin step above 200
// coins, on the whole position, up to 10 steps: MM = notional x rate(|size|), a jump at every step.
template <>
struct Venue<BitmexRiskLimitMargin> {
  static constexpr const char* kName = "bitmex_risk_limit (XBTUSD risk limits)";
  static BitmexRiskLimitMargin make() {
    return BitmexRiskLimitMargin(
        {quantity_from_double(200), quantity_from_double(150), rate(0.005), rate(0.01), 10});
  }
  static long double reference(long double n, long double coins) {
    const long double steps = coins < 200 ? 0 : std::min(10.0L, std::floor((coins - 200) / 150) + 1);
    return n * 0.005L * (1 + steps);
  }
};

template <class Model>
class MarginModelContract : public ::testing::Test {};

using Models = ::testing::Types<TieredMaintenanceMargin, HyperliquidMargin, DydxMargin, CollateralRatioMargin,
                                BitmexRiskLimitMargin>;
TYPED_TEST_SUITE(MarginModelContract, Models);

// The exact notional |size| * mark in dollars.
long double exact_notional(Quantity size, Price mark) {
  const long double q = std::fabs((long double)size.raw()) / kQuantityScale;
  return q * ((long double)mark.raw() / kPriceScale);
}

// The venue's documented requirement of the position, evaluated exactly.
template <class Model>
long double reference_requirement(Quantity size, Price mark) {
  return Venue<Model>::reference(exact_notional(size, mark),
                                 std::fabs((long double)size.raw()) / kQuantityScale);
}

// A random position (either side) and mark covering every tier of the tables above: notionals from
// micro-dollars to $10M.
std::pair<Quantity, Price> random_position(Rng& rng) {
  const Price mark(rng.uniform_int(1, 100'000 * kPriceScale));
  const double target = std::exp(std::log(1e-6) + (std::log(1e7) - std::log(1e-6)) * rng.uniform01());
  const int64_t q = std::max<int64_t>(1, int64_t(target / to_double(mark) * kQuantityScale));
  return {Quantity(rng.bernoulli(0.5) ? q : -q), mark};
}

TYPED_TEST(MarginModelContract, RequirementIsNonNegativeSideSymmetricAndMonotone) {
  const TypeParam model = Venue<TypeParam>::make();
  SCOPED_TRACE(Venue<TypeParam>::kName);
  Rng rng(0x3a'0001ull);
  EXPECT_EQ(model.maintenance(Quantity(0), px(50'000)), Amount(0));
  for (int trial = 0; trial < 20'000; ++trial) {
    const auto [size, mark] = random_position(rng);
    const Amount mm = model.maintenance(size, mark);
    ASSERT_GE(mm, Amount(0)) << "trial " << trial;
    ASSERT_EQ(mm, model.maintenance(-size, mark)) << "trial " << trial;
    // More coins at the same mark, and the same coins at a higher mark, never need less.
    const Quantity bigger(size.raw() + (size.raw() > 0 ? 1 : -1) * rng.uniform_int(0, std::abs(size.raw())));
    ASSERT_LE(mm, model.maintenance(bigger, mark)) << "trial " << trial;
    const Price higher(mark.raw() + rng.uniform_int(0, mark.raw()));
    ASSERT_LE(mm, model.maintenance(size, higher)) << "trial " << trial;
  }
}

// Rounding goes against the account: the requirement is at least the documented formula evaluated
// exactly on the exact notional, and at most 3 micro-dollars above it (ceilings of the notional and the
// product, and the deductions' rounding down).
TYPED_TEST(MarginModelContract, RequirementRoundsAgainstTheAccount) {
  const TypeParam model = Venue<TypeParam>::make();
  SCOPED_TRACE(Venue<TypeParam>::kName);
  Rng rng(0x3a'0002ull);
  for (int trial = 0; trial < 20'000; ++trial) {
    const auto [size, mark] = random_position(rng);
    const long double reference = reference_requirement<TypeParam>(size, mark);
    const long double mm = (long double)model.maintenance(size, mark).raw() / kAmountScale;
    ASSERT_GE(mm, reference - 1e-9L) << "trial " << trial << ": below the documented requirement";
    ASSERT_LE(mm, reference + 3e-6L + 1e-9L) << "trial " << trial;
  }
}

// A mark move changes the requirement by at most max_maintenance_rate() x the notional's change (plus the
// requirement's own rounding): the bound the cross-margin trigger relies on.
TYPED_TEST(MarginModelContract, MaxMaintenanceRateBoundsTheSlope) {
  const TypeParam model = Venue<TypeParam>::make();
  SCOPED_TRACE(Venue<TypeParam>::kName);
  const long double max_rate = (long double)model.max_maintenance_rate().raw() / kRatioScale;
  Rng rng(0x3a'0003ull);
  for (int trial = 0; trial < 20'000; ++trial) {
    const auto [size, mark] = random_position(rng);
    const Price higher(mark.raw() + rng.uniform_int(0, mark.raw()));
    const long double grow =
        (long double)(model.maintenance(size, higher) - model.maintenance(size, mark)).raw() / kAmountScale;
    const long double dn = exact_notional(size, higher) - exact_notional(size, mark);
    ASSERT_LE(grow, max_rate * dn + 3e-6L) << "trial " << trial;
  }
}

// No position's requirement is below its notional at min_maintenance_rate() (the bound keeper-bonus
// validation relies on: a bonus up to it is paid out of the equity of an account at its liquidation
// point), and the bound is tight: it is the documented rate of the first tier, less its rounding.
TYPED_TEST(MarginModelContract, MinMaintenanceRateBoundsTheRequirementFromBelow) {
  const TypeParam model = Venue<TypeParam>::make();
  SCOPED_TRACE(Venue<TypeParam>::kName);
  const long double min_rate = (long double)model.min_maintenance_rate().raw() / kRatioScale;
  // The first tier's documented rate: the reference requirement of $1 of notional.
  EXPECT_NEAR(min_rate, Venue<TypeParam>::reference(1.0L, 0.0L), 1e-9L);
  Rng rng(0x3a'0006ull);
  for (int trial = 0; trial < 20'000; ++trial) {
    const auto [size, mark] = random_position(rng);
    const long double mm = (long double)model.maintenance(size, mark).raw() / kAmountScale;
    ASSERT_GE(mm, min_rate * exact_notional(size, mark) - 1e-9L) << "trial " << trial;
  }
  EXPECT_LE(model.min_maintenance_rate(), model.max_maintenance_rate());
}

TYPED_TEST(MarginModelContract, InitialMarginAtMaxLeverageCoversTheRequirement) {
  const TypeParam model = Venue<TypeParam>::make();
  SCOPED_TRACE(Venue<TypeParam>::kName);
  Rng rng(0x3a'0004ull);
  for (int trial = 0; trial < 20'000; ++trial) {
    const auto [size, mark] = random_position(rng);
    const Quantity q = abs_quantity(size);
    ASSERT_GE(model.initial_margin_at_max_leverage(q, mark), model.maintenance(size, mark))
        << "trial " << trial;
    ASSERT_GT(model.initial_rate(q, mark), Ratio(0));
    ASSERT_LE(model.initial_rate(q, mark), Ratio(kRatioScale));
  }
}

// scaled(k) requires at least k x the documented requirement (alerts at k x MM fire no later).
TYPED_TEST(MarginModelContract, ScaledModelRequiresAtLeastTheMultiple) {
  const TypeParam model = Venue<TypeParam>::make();
  SCOPED_TRACE(Venue<TypeParam>::kName);
  Rng rng(0x3a'0005ull);
  for (const double k : {1.1, 1.5, 2.0, 3.0}) {
    const auto scaled = model.scaled(rate(k));
    for (int trial = 0; trial < 5'000; ++trial) {
      const auto [size, mark] = random_position(rng);
      const long double reference = reference_requirement<TypeParam>(size, mark);
      const long double mm = (long double)scaled->maintenance(size, mark).raw() / kAmountScale;
      ASSERT_GE(mm, k * reference - 1e-9L) << "multiple " << k << " trial " << trial;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Triggers, through the clearing house

Fill fill(AccountId buyer, AccountId seller, Price price, Quantity quantity) {
  Fill f;
  f.taker_owner = buyer;
  f.maker_owner = seller;
  f.taker_side = Side::Buy;
  f.price = price;
  f.quantity = quantity;
  return f;
}

bool reported(const std::vector<TriggerHit>& hits, AccountId a, TriggerKind kind) {
  for (const TriggerHit& h : hits)
    if (h.account == a && h.kind == kind) return true;
  return false;
}

// equity < 3/2 x MM, compared exactly.
bool below_one_and_a_half(const ClearingHouse& ch, AccountId a) {
  const Health h = ch.health(a);
  return static_cast<__int128>(h.value.raw()) * 2 < static_cast<__int128>(h.requirement.raw()) * 3;
}

// Three markets (marks 10,000, 2,000 and 50; position sizes reach $250k of notional, across the tiers of
// the tables above), 300 accounts, isolated (one market each) or cross (one to three markets), half of
// them with a 1.5 x MM alert. 2,000 steps: mark moves (mostly 0.2%, sometimes 5%, rarely 30% jumps),
// trades and deposits. After detection in every market, a scan of every account: each liquidatable one
// was reported (Liquidation) since it was last armed, and each below 1.5 x MM (with an alert) was reported
// (Alert or Liquidation). Reported accounts that are not liquidatable are re-armed, as the simulation does.
void random_book_is_always_detected(std::vector<ProtocolMarket> markets, uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  Rng rng(seed);
  const uint32_t market_count = uint32_t(markets.size());
  const int64_t max_coins[] = {25, 125, 5'000};
  ClearingHouse ch(std::move(markets));
  const AccountId lp = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e11));
  std::vector<AccountId> accounts;
  for (int i = 0; i < 300; ++i) {
    const MarginMode mode = rng.bernoulli(0.5) ? MarginMode::Cross : MarginMode::Isolated;
    accounts.push_back(ch.open_account(AgentRole::Trader, mode, Amount(0)));
  }
  std::vector<uint8_t> liquidation_reported(accounts.back().raw() + 1, 0),
      any_reported(accounts.back().raw() + 1, 0);
  std::vector<uint8_t> has_alert(accounts.back().raw() + 1, 0);
  for (const AccountId a : accounts) has_alert[a.raw()] = rng.bernoulli(0.5);
  for (const AccountId a : accounts)
    ch.set_alert(a, has_alert[a.raw()] ? std::optional<Ratio>(rate(1.5)) : std::nullopt);
  const auto rearmed = [&](AccountId a) { liquidation_reported[a.raw()] = any_reported[a.raw()] = 0; };
  const auto trade = [&](AccountId a) {
    const bool cross = ch.ledger().account(a).mode == MarginMode::Cross;
    const MarketId m = cross ? MarketId(rng.uniform_below(market_count)) : MarketId(a.raw() % market_count);
    const Quantity q(rng.uniform_int(1, max_coins[m.raw()] * kQuantityScale));
    const Price price = ch.mark(m);
    if (rng.bernoulli(0.5))
      ch.apply_fill(m, fill(a, lp, price, q), false);
    else
      ch.apply_fill(m, fill(lp, a, price, q), false);
    rearmed(a);
  };
  for (const AccountId a : accounts) {
    trade(a);
    if (ch.ledger().account(a).mode == MarginMode::Cross)
      while (rng.bernoulli(0.5)) trade(a);
    const Amount margin = Amount(int64_t(double(ch.maintenance(a).raw()) * (1.05 + 5 * rng.uniform01())));
    ch.deposit(a, std::max(margin - ch.equity(a), Amount(1)));
  }
  std::vector<TriggerHit> hits;
  int liquidatable_seen = 0, below_seen = 0;  // account-steps
  for (int step = 0; step < 2'000; ++step) {
    const int action = int(rng.uniform_below(20));
    if (action < 15) {
      const MarketId m = MarketId(rng.uniform_below(market_count));
      const double width = action == 0 ? 0.6 : (action < 3 ? 0.1 : 0.004);
      const double move = 1.0 + (rng.uniform01() - 0.5) * width;
      ch.set_mark(m, Price(std::max<int64_t>(1, int64_t(double(ch.mark(m).raw()) * move))));
    } else if (action < 19) {
      trade(accounts[rng.uniform_below(accounts.size())]);
    } else {
      const AccountId a = accounts[rng.uniform_below(accounts.size())];
      ch.deposit(a, dollars(1'000 * rng.uniform01()));
      rearmed(a);
    }
    std::vector<AccountId> safe_hits;
    for (MarketId m(0); m.raw() < market_count; ++m) {
      hits.clear();
      ch.detect(m, hits);
      for (const TriggerHit& h : hits) {
        any_reported[h.account.raw()] = 1;
        if (h.kind == TriggerKind::Liquidation) liquidation_reported[h.account.raw()] = 1;
        if (!ch.liquidatable(h.account)) safe_hits.push_back(h.account);
      }
    }
    for (const AccountId a : accounts) {
      if (!ch.ledger().has_position(a)) continue;
      if (ch.liquidatable(a)) {
        ASSERT_TRUE(liquidation_reported[a.raw()]) << "step " << step << " account " << a;
        ++liquidatable_seen;
      } else if (has_alert[a.raw()] && below_one_and_a_half(ch, a)) {
        ASSERT_TRUE(any_reported[a.raw()])
            << "step " << step << " account " << a << ": below 1.5 x MM, no alert";
        ++below_seen;
      }
    }
    for (const AccountId a : safe_hits) {
      ch.arm(a);
      rearmed(a);
    }
  }
  EXPECT_GT(liquidatable_seen, 50);  // the walk does reach liquidations
  EXPECT_GT(below_seen, 50);         // and alerts
}

TYPED_TEST(MarginModelContract, NoAccountBecomesLiquidatableOrCrossesItsAlertUnreported) {
  SCOPED_TRACE(Venue<TypeParam>::kName);
  std::vector<ProtocolMarket> markets;
  for (const double mark : {10'000.0, 2'000.0, 50.0})
    markets.push_back(ProtocolMarket{Venue<TypeParam>::make(), Ratio(0), Ratio(0), px(mark)});
  random_book_is_always_detected(std::move(markets), 0x7219'9e5ull);
}

// Cross accounts spanning markets with different models (one of each) share one balance.
TEST(MarginModelContractMixed, AccountsAcrossMarketsWithDifferentModels) {
  std::vector<ProtocolMarket> markets = {
      ProtocolMarket{Venue<TieredMaintenanceMargin>::make(), Ratio(0), Ratio(0), px(10'000)},
      ProtocolMarket{Venue<HyperliquidMargin>::make(), Ratio(0), Ratio(0), px(2'000)},
      ProtocolMarket{Venue<DydxMargin>::make(), Ratio(0), Ratio(0), px(50)}};
  random_book_is_always_detected(std::move(markets), 0x3a1'3edull);
  std::vector<ProtocolMarket> with_collateral_ratio = {
      ProtocolMarket{Venue<CollateralRatioMargin>::make(), Ratio(0), Ratio(0), px(10'000)},
      ProtocolMarket{Venue<DydxMargin>::make(), Ratio(0), Ratio(0), px(2'000)},
      ProtocolMarket{Venue<HyperliquidMargin>::make(), Ratio(0), Ratio(0), px(50)}};
  random_book_is_always_detected(std::move(with_collateral_ratio), 0x3a1'3eeull);
  std::vector<ProtocolMarket> with_risk_limits = {
      ProtocolMarket{Venue<BitmexRiskLimitMargin>::make(), Ratio(0), Ratio(0), px(10'000)},
      ProtocolMarket{Venue<TieredMaintenanceMargin>::make(), Ratio(0), Ratio(0), px(2'000)},
      ProtocolMarket{Venue<CollateralRatioMargin>::make(), Ratio(0), Ratio(0), px(50)}};
  random_book_is_always_detected(std::move(with_risk_limits), 0x3a1'3efull);
}

// At micro-dollar resolution, where rounding decides: random fractional single positions with equity
// 1-3 x MM. One to three price units on the safe side of the trigger the account is not liquidatable, or
// a mark resting there would never be reported; and the trigger is not absurdly early (1% beyond it on the
// unsafe side the account is liquidatable).
TYPED_TEST(MarginModelContract, SinglePositionTriggerIsConservativeAtMicroDollarResolution) {
  SCOPED_TRACE(Venue<TypeParam>::kName);
  Rng rng(0x3a'0006ull);
  int checked = 0;
  for (int trial = 0; trial < 3'000; ++trial) {
    const Price mark(rng.uniform_int(1'000, 100'000) * kPriceScale / 10 + rng.uniform_int(0, kPriceScale));
    ClearingHouse ch({ProtocolMarket{Venue<TypeParam>::make(), Ratio(0), Ratio(0), mark}});
    const AccountId c = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e11));
    const AccountId x = ch.open_account(AgentRole::Trader, MarginMode::Isolated, Amount(0));
    const double target = std::exp(std::log(1.0) + (std::log(2e6) - std::log(1.0)) * rng.uniform01());
    const Quantity q(std::max<int64_t>(1, int64_t(target / to_double(mark) * kQuantityScale)));
    const bool is_long = rng.bernoulli(0.5);
    ch.ledger().trade(is_long ? x : c, is_long ? c : x, MarketId(0), q, notional(mark, q, Round::Down));
    const Amount wanted = Amount(int64_t(double(ch.maintenance(x).raw()) * (1.0 + 2 * rng.uniform01())));
    if (wanted <= ch.equity(x)) continue;
    ch.deposit(x, wanted - ch.equity(x));  // arms x
    const std::optional<Price> t =
        ch.market(MarketId(0)).margin->trigger(ch.ledger().position(x, MarketId(0)).size, mark, ch.equity(x));
    if (!t.has_value() || *t == Price(0) || *t == Price::max()) continue;
    ++checked;
    for (int k = 1; k <= 3; ++k) {
      const Price safe_side(is_long ? t->raw() + k : t->raw() - k);
      ASSERT_FALSE(ch.liquidatable_at(x, MarketId(0), safe_side))
          << "trial " << trial << ": liquidatable " << k << " unit(s) beyond the trigger "
          << format_price(*t);
    }
    // Detection agrees: a mark at the trigger reports the account, one unit on the safe side does not.
    ClearingHouse at_trigger = ch;
    at_trigger.set_mark(MarketId(0), *t);
    std::vector<TriggerHit> hits;
    at_trigger.detect(MarketId(0), hits);
    ASSERT_TRUE(reported(hits, x, TriggerKind::Liquidation)) << "trial " << trial;
    const Price beyond = apply(*t, rate(is_long ? 0.99 : 1.01), is_long ? Round::Down : Round::Up);
    if (beyond > Price(0)) {
      ASSERT_TRUE(ch.liquidatable_at(x, MarketId(0), beyond)) << "trial " << trial;
    }
  }
  EXPECT_GE(checked, 2'000);
}

}  // namespace
}  // namespace liqsim
