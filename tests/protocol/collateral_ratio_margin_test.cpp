// The collateral-ratio margin model against the lending protocols' rules, worked by hand: MakerDAO's
// Spotter / Dog (dss spot.sol `spot = val * 1e9 / par / mat`, dog.sol `ink * spot < art * rate`; ETH-A
// mat 150%), Liquity v1's MCR 110% and Aave v3's health factor with one collateral (mat = 1 / LT).
#include "protocol/collateral_ratio_margin.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/rng.h"
#include "protocol/clearing_house.h"
#include "protocol/maker_dog.h"

namespace liqsim {
namespace {

constexpr const char* kDogSol = "makerdao/dss src/dog.sol bark: ink * spot < art * rate";

Amount dollars(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }
Ratio rate(double x) { return ratio_from_double(x); }

CollateralRatioMargin model(double liquidation_ratio, double initial_ratio) {
  return CollateralRatioMargin({rate(liquidation_ratio), rate(initial_ratio)});
}

// A clearing house with one market on `m`, a lender (the counterparty) and a vault: `ink` coins long
// bought at a price that leaves the vault's balance at -debt (no deposit), so value = ink x mark and
// equity = value - debt.
struct Vault {
  ClearingHouse ch;
  AccountId account;

  Vault(const CollateralRatioMargin& m, Quantity ink, Amount debt, Price mark)
      : ch({ProtocolMarket{m, Ratio(0), Ratio(0), mark}}) {
    const AccountId lender = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e11));
    account = ch.open_account(AgentRole::Trader, MarginMode::Isolated, Amount(0));
    ch.ledger().trade(account, lender, MarketId(0), ink, debt);
  }
  bool unsafe_at(Price p) const { return ch.liquidatable_at(account, MarketId(0), p); }
};

// A vault of 10 ETH with 1,000 DAI of debt at mat 1.5 (Maker ETH-A): at $150 the collateral is worth
// 1,500, 1,500 / 1.5 = 1,000 is not below the debt: safe (equity 500 = requirement 1,500 - 1,000). At
// $149.99: 1,499.90 / 1.5 = 999.9333 < 1,000: unsafe (equity 499.90 < requirement 1,499.90 -
// floor(999.933333) = 499.966667).
TEST(CollateralRatioMargin, MakerEthAVaultIsSafeAtExactly150Percent) {
  const CollateralRatioMargin m = model(1.5, 1.5);
  EXPECT_EQ(m.maintenance(coins(10), px(150)), dollars(500));
  EXPECT_EQ(m.maintenance(coins(-10), px(150)), dollars(500));  // a short: the same on |notional|
  EXPECT_EQ(m.maintenance(coins(10), px(149.99)), Amount(499'966'667));
  const Vault v(m, coins(10), dollars(1'000), px(150));
  EXPECT_EQ(v.ch.equity(v.account), dollars(500));
  EXPECT_FALSE(v.unsafe_at(px(150))) << kDogSol;
  EXPECT_TRUE(v.unsafe_at(px(149.99))) << kDogSol;
  EXPECT_TRUE(v.unsafe_at(px(149.999999))) << kDogSol;  // one micro-dollar below the liquidation price
  EXPECT_FALSE(v.unsafe_at(px(1'000)));
}

// The trigger is Maker's liquidation price debt x mat / ink, rounded to the safe side (up for a long):
// 1,000 x 1.5 / 10 = 150 exactly; 1,000 x 1.5 / 7 = 214.285714285..., rounded up to 214.285715. A mark
// above it leaves the vault safe; the one below it does not.
TEST(CollateralRatioMargin, TriggerIsTheLiquidationPriceDebtTimesMatOverInk) {
  const CollateralRatioMargin m = model(1.5, 1.5);
  // Equity at the mark: 10 x 150 - 1,000 = 500; 7 x 150 - 1,000 = 50.
  EXPECT_EQ(m.trigger(coins(10), px(150), dollars(500)), px(150));
  EXPECT_EQ(m.trigger(coins(10), px(300), dollars(2'000)), px(150));  // the same vault at another mark
  EXPECT_EQ(m.trigger(coins(7), px(150), dollars(50)), Price(214'285'715));
  const Vault v(m, coins(7), dollars(1'000), px(300));
  EXPECT_FALSE(v.unsafe_at(Price(214'285'715)));
  EXPECT_TRUE(v.unsafe_at(Price(214'285'714)));
  // No debt: no mark makes the vault unsafe.
  EXPECT_EQ(m.trigger(coins(10), px(150), dollars(1'500)), std::nullopt);
  EXPECT_EQ(m.trigger(coins(10), px(150), dollars(2'000)), std::nullopt);
}

// Liquity v1: a trove is liquidated when ICR = coll x price / debt < MCR = 110%. One ETH against 1,800
// LUSD (the 200 LUSD gas reserve included): liquidation price 1,800 x 1.1 = 1,980; at 1,980 the ICR is
// exactly 110% (not below: safe), at 1,979.999999 it is below.
TEST(CollateralRatioMargin, LiquityMinimumCollateralRatio110Percent) {
  const CollateralRatioMargin m = model(1.1, 1.1);
  const Vault v(m, coins(1), dollars(1'800), px(2'000));
  EXPECT_FALSE(v.unsafe_at(px(2'000)));  // ICR 111.1%
  EXPECT_FALSE(v.unsafe_at(px(1'980)));
  EXPECT_TRUE(v.unsafe_at(px(1'979.999999)));
  EXPECT_EQ(m.trigger(coins(1), px(2'000), dollars(200)), px(1'980));
  // The requirement is notional - notional / 1.1 = notional / 11: 180 at 1,980, where equity = 180.
  EXPECT_EQ(m.maintenance(coins(1), px(1'980)), dollars(180));
  // Max leverage at an opening ratio of 110%: 1.1 / 0.1 = 11x, initial margin notional / 11.
  EXPECT_EQ(m.initial_margin_at_max_leverage(coins(1'980), px(1)), dollars(180));
  EXPECT_EQ(m.initial_rate(coins(1'980), px(1)), Ratio(90'909'091));  // 1/11 rounded up
}

// Aave v3 with one collateral: HF = collateral x LT / debt < 1 is value / (1 / LT) < debt. LT 80% is
// mat 1.25: 10 ETH at 2,000 against 16,000 of debt has HF exactly 1 (not liquidatable); a micro-dollar
// lower it is.
TEST(CollateralRatioMargin, AaveHealthFactorWithLiquidationRatioOneOverThreshold) {
  const CollateralRatioMargin m = model(1.25, 1.25);
  const Vault v(m, coins(10), dollars(16'000), px(2'500));
  EXPECT_FALSE(v.unsafe_at(px(2'000)));
  EXPECT_TRUE(v.unsafe_at(px(1'999.999999)));
  EXPECT_EQ(m.trigger(coins(10), px(2'500), dollars(9'000)), px(2'000));
  EXPECT_EQ(m.min_maintenance_rate(), rate(0.2));  // 1 - LT
  EXPECT_EQ(m.max_maintenance_rate(), rate(0.2));
}

// requirement(n) = n - floor(n / mat), exact in integers, for any notional and ratio; max leverage
// initial_ratio / (initial_ratio - 1).
// Aave's form in basis points (GenericLogic.calculateUserAccountData: sum(value x LT) against the debt;
// the borrowing limit sum(value x LTV)): requirement n - floor(n x 8250 / 10000), initial margin
// n - floor(n x 8000 / 10000), max leverage 1 / (1 - 0.8) = 5x.
TEST(CollateralRatioMargin, AaveBasisPointsAreExact) {
  const CollateralRatioMargin m = CollateralRatioMargin::from_basis_points(8'250, 8'000);
  EXPECT_EQ(m.maintenance(coins(10), px(1'800)), dollars(18'000 - 14'850));
  EXPECT_EQ(m.maintenance(coins(-10), px(1'800)), dollars(18'000 - 14'850));
  // A notional of one micro-dollar (rounded up): floor(1 x 0.825) = 0 of it counts, all of it is required.
  EXPECT_EQ(m.maintenance(Quantity(1), px(1)), Amount(1));
  EXPECT_EQ(m.initial_rate(coins(1'000), px(1)), rate(0.2));
  EXPECT_EQ(m.initial_margin_at_max_leverage(coins(18'000), px(1)), dollars(3'600));
  EXPECT_EQ(m.min_maintenance_rate(), rate(0.175));
  EXPECT_EQ(m.max_maintenance_rate(), rate(0.175));
  EXPECT_EQ(m.params().liquidation_ratio, rate(1.212121212));
  EXPECT_EQ(m.params().initial_ratio, rate(1.25));
  // The same rule as the mat form where 1 / LT is exact (LT 80%: mat 1.25).
  const CollateralRatioMargin bps = CollateralRatioMargin::from_basis_points(8'000, 8'000);
  const CollateralRatioMargin mat = model(1.25, 1.25);
  for (const double p : {1'234.567891, 0.01, 97'000.5})
    EXPECT_EQ(bps.maintenance(coins(3.3), px(p)), mat.maintenance(coins(3.3), px(p))) << p;
  // A vault at exactly HF 1 (10 coins at $1,800, debt $14,850) is safe; one micro-dollar more debt is not.
  EXPECT_EQ(m.trigger(coins(10), px(1'800), dollars(18'000 - 14'850)), px(1'800));
}

TEST(CollateralRatioMargin, RequirementIsNotionalLessFlooredNotionalOverMat) {
  Rng rng(0xc0'11a7ull);
  for (int trial = 0; trial < 20'000; ++trial) {
    const Ratio mat(rng.uniform_int(CollateralRatioMargin::kMinRatio.raw(), 5 * kRatioScale));
    const CollateralRatioMargin m({mat, mat});
    const Quantity q(rng.uniform_int(1, 1'000'000 * kQuantityScale));
    const Price p(rng.uniform_int(1, 200'000 * kPriceScale));
    const int64_t n = notional(p, q, Round::Up).raw();
    const int64_t expected = n - static_cast<int64_t>(__int128(n) * kRatioScale / mat.raw());
    ASSERT_EQ(m.maintenance(q, p).raw(), expected) << "trial " << trial;
    ASSERT_EQ(m.maintenance(-q, p).raw(), expected) << "trial " << trial;
    ASSERT_EQ(m.initial_margin_at_max_leverage(q, p).raw(), expected) << "trial " << trial;
  }
  const CollateralRatioMargin m = model(1.5, 2.0);  // max leverage 2x
  EXPECT_EQ(m.initial_rate(coins(1), px(1)), rate(0.5));
  EXPECT_EQ(m.initial_margin_at_max_leverage(coins(1'000), px(1)), dollars(500));
  EXPECT_EQ(m.initial_rate(coins(1), px(1)),
            model(1.001, 2.0).initial_rate(coins(1), px(1)));  // initial only
}

// With a whole-micro-dollar value the clearing house's test is exactly Maker's: unsafe iff value / mat <
// debt, i.e. value x 1e9 < debt x mat in integers; and it agrees with the dss port's
// ink x spot < art x rate (protocol/maker_dog.h) with spot = val x 1e9 / par / mat as the Spotter pokes
// it, except where value / mat equals the debt exactly and dss's floored spot can tip it to unsafe.
TEST(CollateralRatioMargin, WholeUnitValuesFollowMakersRuleExactly) {
  Rng rng(0xc0'11a8ull);
  int unsafe = 0, safe = 0;
  for (int trial = 0; trial < 20'000; ++trial) {
    const Ratio mat(rng.bernoulli(0.5)
                        ? rng.uniform_int(CollateralRatioMargin::kMinRatio.raw(), 3 * kRatioScale)
                        : 1'500'000'000);
    const CollateralRatioMargin m({mat, mat});
    const Quantity ink(rng.uniform_int(1, 1'000) * kQuantityScale);  // whole coins: whole-unit values
    const Price p(rng.uniform_int(1, 10'000 * kPriceScale));
    const Amount value = notional(p, ink, Round::Down);
    // Debts around value / mat (and the exact boundary when it is whole).
    const int64_t boundary = static_cast<int64_t>(__int128(value.raw()) * kRatioScale / mat.raw());
    const Amount debt(std::max<int64_t>(1, boundary + rng.uniform_int(-3, 3)));
    const bool ours = value - debt < m.maintenance(ink, p);
    const bool maker_rule = __int128(value.raw()) * kRatioScale < __int128(debt.raw()) * mat.raw();
    ASSERT_EQ(ours, maker_rule) << "trial " << trial;
    (ours ? unsafe : safe) += 1;
    // dss: val [wad] = p x 1e12, par = 1 RAY, mat [ray] = mat x 1e18; ink, art [wad]; rate = 1 RAY.
    using maker::Uint256;
    const Uint256 val(static_cast<unsigned __int128>(p.raw()) * 1'000'000'000'000ull);
    const Uint256 mat_ray(static_cast<unsigned __int128>(mat.raw()) * maker::kWadRaw);  // 1e9 -> 1e27
    const Uint256 spot = maker::rdiv(maker::rdiv(val * maker::kBln, maker::kRay), mat_ray);
    const maker::Urn urn{Uint256(static_cast<unsigned __int128>(ink.raw()) * 10'000'000'000ull),
                         Uint256(static_cast<unsigned __int128>(debt.raw()) * 1'000'000'000'000ull)};
    const maker::VatIlk ilk{maker::kRay, spot, Uint256(0)};
    const bool exact_boundary = __int128(value.raw()) * kRatioScale == __int128(debt.raw()) * mat.raw();
    if (!exact_boundary) {
      ASSERT_EQ(ours, maker::is_unsafe(urn, ilk)) << "trial " << trial;
    }
  }
  EXPECT_GT(unsafe, 5'000);
  EXPECT_GT(safe, 5'000);
}

// A fractional notional V (the equity floors it, the requirement ceils it): the test is
// (ceil(V) - mat) / mat < debt in micro-dollars, i.e. ceil(V) x 1e9 < (debt + 1) x mat: never later than
// Maker's V / mat < debt, and earlier only within mat micro-dollars of value.
TEST(CollateralRatioMargin, FractionalValuesErrAgainstTheAccountByLessThanMat) {
  Rng rng(0xc0'11acull);
  int fractional = 0;
  for (int trial = 0; trial < 20'000; ++trial) {
    const Ratio mat(rng.uniform_int(CollateralRatioMargin::kMinRatio.raw(), 3 * kRatioScale));
    const CollateralRatioMargin m({mat, mat});
    const Quantity ink(rng.uniform_int(1, 100 * kQuantityScale));
    const Price p(rng.uniform_int(1, 10'000 * kPriceScale));
    const __int128 x = __int128(ink.raw()) * p.raw();  // V = x / 1e8 micro-dollars
    if (x % kQuantityScale == 0) continue;
    ++fractional;
    const Amount floor_value = notional(p, ink, Round::Down), ceil_value = notional(p, ink, Round::Up);
    const int64_t boundary = static_cast<int64_t>(__int128(ceil_value.raw()) * kRatioScale / mat.raw());
    const Amount debt(std::max<int64_t>(1, boundary + rng.uniform_int(-3, 3)));
    const bool ours = floor_value - debt < m.maintenance(ink, p);
    ASSERT_EQ(ours, __int128(ceil_value.raw()) * kRatioScale < __int128(debt.raw() + 1) * mat.raw())
        << "trial " << trial;
    // Maker's rule on the exact value, x / 1e8 / mat < debt: whenever it holds, so does ours.
    const bool maker_rule = x * kRatioScale < __int128(debt.raw()) * mat.raw() * kQuantityScale;
    if (maker_rule) {
      ASSERT_TRUE(ours) << "trial " << trial;
    }
    // And ours holds only within mat micro-dollars of value: (V - mat) / mat < debt.
    if (ours) {
      ASSERT_TRUE((x - __int128(mat.raw()) * kQuantityScale / kRatioScale) * kRatioScale <
                  __int128(debt.raw()) * mat.raw() * kQuantityScale)
          << "trial " << trial;
    }
  }
  EXPECT_GT(fractional, 15'000);
}

// The trigger over random vaults: a whole-coin long's is exactly ceil(debt x mat / ink); any long's is at
// least that and at most mat micro-dollars of notional above it, and when above it, unsafe itself; at
// every mark above it (tried: the next 20 and a random sample up to 2x) the vault is safe, and for whole
// coins the mark below it is unsafe.
TEST(CollateralRatioMargin, LongTriggerIsTheExactRootOnTheSafeSide) {
  Rng rng(0xc0'11a9ull);
  int whole = 0;
  for (int trial = 0; trial < 3'000; ++trial) {
    const Ratio mat(rng.uniform_int(CollateralRatioMargin::kMinRatio.raw(), 3 * kRatioScale));
    const CollateralRatioMargin m({mat, mat});
    // Whole coins, any size, or hundredths of a coin (where whole-unit notionals are frequent marks).
    const int kind = int(rng.uniform_below(3));
    const bool whole_coins = kind == 0;
    int64_t raw = kind == 0 ? rng.uniform_int(1, 100) * kQuantityScale
                            : (kind == 1 ? rng.uniform_int(1, 100 * kQuantityScale)
                                         : rng.uniform_int(1, 10'000) * (kQuantityScale / 100));
    if (kind != 0 && raw % kQuantityScale == 0) raw += kQuantityScale / 100;
    const Quantity ink(raw);
    const Price mark(rng.uniform_int(100 * kPriceScale, 10'000 * kPriceScale));
    const Amount value = notional(mark, ink, Round::Down);
    const Amount debt(rng.uniform_int(1, std::max<int64_t>(1, value.raw())));
    const std::optional<Price> t = m.trigger(ink, mark, value - debt);
    ASSERT_TRUE(t.has_value()) << "trial " << trial;
    // ceil(debt x mat / ink) in price units: debt x (mat / 1e9) x 1e8 / ink.
    const __int128 num = __int128(debt.raw()) * mat.raw(), den = __int128(ink.raw()) * 10;
    const int64_t root_up = static_cast<int64_t>((num + den - 1) / den);
    if (whole_coins) {
      ASSERT_EQ(t->raw(), root_up) << "trial " << trial;
      ++whole;
    } else {
      ASSERT_GE(t->raw(), root_up) << "trial " << trial;
      const int64_t slack =
          static_cast<int64_t>(__int128(mat.raw()) * kQuantityScale / kRatioScale / ink.raw());
      ASSERT_LE(t->raw(), root_up + slack + 1) << "trial " << trial;
    }
    const Vault v(m, ink, debt, mark);
    // Above the rounded root, the trigger is the last mark the clearing house's rounding makes unsafe.
    if (t->raw() > root_up) {
      ASSERT_TRUE(v.unsafe_at(*t)) << "trial " << trial;
    }
    for (int k = 1; k <= 20; ++k) {
      ASSERT_FALSE(v.unsafe_at(Price(t->raw() + k))) << "trial " << trial;
    }
    for (int k = 0; k < 20; ++k)
      ASSERT_FALSE(v.unsafe_at(Price(t->raw() + 1 + rng.uniform_int(0, t->raw())))) << "trial " << trial;
    if (whole_coins && t->raw() > 1) {
      ASSERT_TRUE(v.unsafe_at(Price(t->raw() - 1))) << "trial " << trial;
    }
  }
  EXPECT_GT(whole, 800);
}

// A short is charged the same on |notional|: with balance B it is liquidatable when B - V < V - V / mat.
// Short 10 at 150 with 2,000 of balance (1,500 of proceeds and 500 deposited), mat 1.5: equity 500 =
// requirement 500 at 150; above it the requirement outgrows the equity: the trigger is 150.000001, the
// first mark (micro-dollar resolution) where 2,000 < V x (2 - 1/1.5).
TEST(CollateralRatioMargin, ShortTriggerIsTheFirstUnsafeMark) {
  const CollateralRatioMargin m = model(1.5, 1.5);
  EXPECT_EQ(m.trigger(coins(-10), px(150), dollars(500)), Price(150'000'001));
  ClearingHouse ch({ProtocolMarket{m, Ratio(0), Ratio(0), px(150)}});
  const AccountId lp = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e11));
  const AccountId x = ch.open_account(AgentRole::Trader, MarginMode::Isolated, dollars(500));
  ch.ledger().trade(lp, x, MarketId(0), coins(10), dollars(1'500));
  EXPECT_FALSE(ch.liquidatable_at(x, MarketId(0), px(150)));
  EXPECT_TRUE(ch.liquidatable_at(x, MarketId(0), Price(150'000'001)));
  // A short with no balance left is unsafe at every mark; one with a fortune is safe below a high mark.
  EXPECT_EQ(m.trigger(coins(-10), px(150), dollars(-1'500)), Price(0));
  Rng rng(0xc0'11aaull);
  for (int trial = 0; trial < 3'000; ++trial) {
    const Ratio mat(rng.uniform_int(CollateralRatioMargin::kMinRatio.raw(), 3 * kRatioScale));
    const CollateralRatioMargin r({mat, mat});
    const Quantity q(rng.uniform_int(1, 100 * kQuantityScale));
    const Price mark(rng.uniform_int(100 * kPriceScale, 10'000 * kPriceScale));
    ClearingHouse h({ProtocolMarket{r, Ratio(0), Ratio(0), mark}});
    const AccountId c = h.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e11));
    const AccountId s = h.open_account(AgentRole::Trader, MarginMode::Isolated, Amount(0));
    h.ledger().trade(c, s, MarketId(0), q, notional(mark, q, Round::Down));
    h.deposit(s, Amount(rng.uniform_int(1, std::max<int64_t>(1, notional(mark, q, Round::Down).raw()))));
    const std::optional<Price> t = r.trigger(-q, mark, h.equity(s));
    ASSERT_TRUE(t.has_value());
    if (*t == Price(0)) continue;
    // The first unsafe mark: unsafe there, safe at the one below.
    ASSERT_TRUE(h.liquidatable_at(s, MarketId(0), *t)) << "trial " << trial;
    ASSERT_FALSE(h.liquidatable_at(s, MarketId(0), Price(t->raw() - 1))) << "trial " << trial;
  }
}

// scaled(k): k x the maintenance fraction, and its trigger fires before equity falls below k x this
// model's requirement as rounded.
TEST(CollateralRatioMargin, ScaledCopyCoversTheMultipleOfTheRoundedRequirement) {
  const CollateralRatioMargin m = model(1.5, 1.5);
  const auto scaled = m.scaled(rate(1.5));
  EXPECT_EQ(scaled->maintenance(coins(10), px(150)), dollars(750));
  Rng rng(0xc0'11abull);
  for (int trial = 0; trial < 3'000; ++trial) {
    const Quantity q(rng.uniform_int(1, 10 * kQuantityScale));
    const Quantity size = rng.bernoulli(0.5) ? q : -q;
    const Price mark(rng.uniform_int(1 * kPriceScale, 1'000 * kPriceScale));
    const Amount base = m.maintenance(size, mark);
    const Amount equity(base.raw() * 3 / 2 + rng.uniform_int(0, base.raw() + 10));
    const std::optional<Price> t = scaled->trigger(size, mark, equity);
    if (!t.has_value() || *t == Price(0) || *t == Price::max()) continue;
    // Just beyond the trigger, equity stays at least 1.5 x the rounded requirement.
    const Price beyond(size.raw() > 0 ? t->raw() + 1 : t->raw() - 1);
    const Amount moved = equity + notional(beyond, size, Round::Down) - notional(mark, size, Round::Down);
    ASSERT_GE(__int128(moved.raw()) * 2, __int128(m.maintenance(size, beyond).raw()) * 3)
        << "trial " << trial;
  }
}

TEST(CollateralRatioMargin, ValidateRefusesRatiosOutsideTheirRanges) {
  EXPECT_EQ(CollateralRatioMargin::validate({rate(1.5), rate(1.5)}), std::nullopt);
  EXPECT_EQ(CollateralRatioMargin::validate({rate(1.001), rate(100)}), std::nullopt);
  EXPECT_TRUE(CollateralRatioMargin::validate({rate(1.0009), rate(1.5)}).has_value());
  EXPECT_TRUE(CollateralRatioMargin::validate({rate(1), rate(1.5)}).has_value());  // never safe with debt
  EXPECT_TRUE(CollateralRatioMargin::validate({rate(100.5), rate(101)}).has_value());
  EXPECT_TRUE(CollateralRatioMargin::validate({rate(1.5), rate(1.4)}).has_value());
}

}  // namespace
}  // namespace liqsim
