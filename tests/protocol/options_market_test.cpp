// OptionsMarket (protocol/options_market.h): marks by Black-76 at the surface, Deribit-style portfolio
// margin (reference/protocols.md 4.2: the worst loss over underlying moves x volatility shocks, plus the
// contingency of 0.01 of the underlying per net short option), the safe band that stands in for a scan of
// every member, and the liquidation of a portfolio into the series' books with its mark-to-execution gap.
#include "protocol/options_market.h"

#include <gtest/gtest.h>

#include <cmath>

namespace liqsim {
namespace {

constexpr double kF0 = 60'000;
constexpr int64_t kWeek = 7 * 86'400;

Price px(double x) { return price_from_double(x); }
Quantity contracts(double x) { return quantity_from_double(x); }
Amount usd(double x) { return amount_from_double(x); }

// A flat 60 % surface (a = vol^2 T, b = 0 has no smile), one put struck at 54,000 and one call at 66,000,
// both expiring in a week; sticky moneyness with no level or skew response unless a test asks.
OptionsMarketParams params(double level_beta = 0.0) {
  OptionsMarketParams p;
  const double years = 30.0 / 365.0;
  p.slices = {SviSlice{years, 0.36 * years, 0.0, 0.0, 0.0, 0.1}};
  p.dynamics = VolDynamics{"sticky_moneyness", level_beta, 0.0};
  p.initial_underlying = px(kF0);
  p.tick = px(0.01);
  p.series = {OptionSeries{OptionType::Put, px(54'000), Time(kWeek * kNanosPerSecond)},
              OptionSeries{OptionType::Call, px(66'000), Time(kWeek * kNanosPerSecond)}};
  p.liquidation_fee = ratio_from_double(0.001);
  return p;
}

struct Venue {
  Ledger ledger{1};
  OptionsMarket market{params()};
  RunLog log;
  AccountId maker_account, writer_account;
  uint32_t maker = 0, writer = 0;

  explicit Venue(double writer_capital = 20'000, double level_beta = 0.0) : market(params(level_beta)) {
    maker_account = ledger.open_account(AgentRole::OptionMaker, MarginMode::Cross);
    ledger.deposit(maker_account, usd(10'000'000));
    writer_account = ledger.open_account(AgentRole::OptionWriter, MarginMode::Cross);
    ledger.deposit(writer_account, usd(writer_capital));
    ledger.seed_insurance_fund(usd(1'000'000));
    maker = market.add_member(maker_account, false);
    writer = market.add_member(writer_account, true);
  }
  void ask(uint32_t series, double price, double size) {
    OrderRequest o;
    o.owner = maker_account;
    o.side = Side::Sell;
    o.type = OrderType::Limit;
    o.limit = round_down_to_tick(px(price), px(0.01));
    o.quantity = contracts(size);
    ASSERT_TRUE(market.book(series).submit(o).accepted());
  }
  bool conserved() const { return ledger.conservation_residual().raw() == 0 && market.positions_balanced(); }
};

TEST(OptionsMarket, MarksAreBlack76AtTheSurface) {
  Venue v;
  const double years = double(kWeek) / (365.0 * 86'400.0);
  EXPECT_EQ(v.market.mark(0, Time(0)), px(black76_price(OptionType::Put, kF0, 54'000, 0.6, years)));
  EXPECT_EQ(v.market.mark(1, Time(0)), px(black76_price(OptionType::Call, kF0, 66'000, 0.6, years)));
  // A day later the put is worth less (time decay), at a lower underlying more.
  EXPECT_LT(v.market.mark(0, Time(86'400 * kNanosPerSecond)), v.market.mark(0, Time(0)));
  v.market.set_underlying(px(57'000));
  EXPECT_EQ(v.market.mark(0, Time(0)), px(black76_price(OptionType::Put, 57'000, 54'000, 0.6, years)));
}

// Level response: after a 20 % fall with level_beta 2 the ATM variance is 1 / 0.8^2 times the start's,
// so the flat surface's vol is 0.6 / 0.8 = 0.75 (protocol/vol_surface.h, VolDynamics).
TEST(OptionsMarket, TheSurfaceFollowsTheUnderlyingWithItsLevelResponse) {
  Venue v(20'000, 2.0);
  v.market.set_underlying(px(0.8 * kF0));
  EXPECT_NEAR(v.market.surface().implied_vol(0.8 * kF0, 0.8 * kF0, 0.05), 0.75, 1e-9);
}

TEST(OptionsMarket, OpeningAtTheMarkMovesThePremiumAndTheContracts) {
  Venue v;
  v.market.trade_at_mark(v.ledger, v.maker, v.writer, 0, contracts(2), Time(0), v.log);
  const Price mark = v.market.mark(0, Time(0));
  EXPECT_EQ(v.ledger.account(v.writer_account).balance,
            usd(20'000) + notional(mark, contracts(2), Round::Up));
  EXPECT_EQ(v.market.member(v.writer).contracts[0], contracts(-2));
  EXPECT_EQ(v.market.member(v.maker).contracts[0], contracts(2));
  EXPECT_TRUE(v.conserved());
  // The writer's equity at the marks is its capital (the premium received offsets the short's value).
  EXPECT_NEAR(to_double(v.market.equity(v.ledger, v.writer, Time(0))), 20'000, 1e-5);
  ASSERT_EQ(v.log.option_fills.size(), 1u);
  EXPECT_EQ(v.log.option_fills[0].liquidation, kNoId);
  EXPECT_EQ(v.log.option_fills[0].side, 1);  // the writer sold
  EXPECT_EQ(v.log.option_fills[0].type, 1);  // a put
}

// The requirement is the worst loss of the Deribit grid (9 moves of -16 %..+16 % x vol up / unchanged /
// down) plus 0.01 x underlying per short contract.
TEST(OptionsMarket, RequirementIsTheWorstScenarioLossPlusTheShortOptionMinimum) {
  Venue v;
  v.market.trade_at_mark(v.ledger, v.maker, v.writer, 0, contracts(1), Time(0), v.log);
  const double years = double(kWeek) / (365.0 * 86'400.0);
  PmPortfolio p;
  p.options.push_back(PmOptionLeg{OptionType::Put, 54'000, -1.0, 0.6, years * 365.0});
  const double worst = pm_worst_scenario_loss(pm_scenario_grid(p, kF0, pm_price_moves(0.16, 9)));
  EXPECT_GT(worst, 1'000.0);  // a -16 % move puts the 54,000 put in the money
  EXPECT_NEAR(to_double(v.market.requirement(v.writer, Time(0))), worst + 0.01 * kF0, 1e-5);
  // Buying the put back from a clean state: no position, no requirement.
  v.market.trade_at_mark(v.ledger, v.writer, v.maker, 0, contracts(1), Time(0), v.log);
  EXPECT_EQ(v.market.requirement(v.writer, Time(0)), Amount(0));
}

// The band: inside it the member meets its requirement, just beyond its lower edge it does not.
TEST(OptionsMarket, TheSafeBandEdgeIsWhereTheRequirementIsNoLongerMet) {
  Venue v(20'000);
  v.market.trade_at_mark(v.ledger, v.maker, v.writer, 0, contracts(2), Time(0), v.log);
  v.market.trade_at_mark(v.ledger, v.maker, v.writer, 1, contracts(2), Time(0), v.log);  // a strangle
  v.market.refresh_band(v.ledger, v.writer, Time(0));
  const OptionMember& m = v.market.member(v.writer);
  ASSERT_GT(m.safe_low, 0.0);
  ASSERT_TRUE(std::isfinite(m.safe_high));  // a short call loses on the way up
  EXPECT_LT(m.safe_low, kF0);
  EXPECT_GT(m.safe_high, kF0);
  EXPECT_GE(v.market.margin_surplus(v.ledger, v.writer, kF0, Time(0)), 0.0);
  EXPECT_GE(v.market.margin_surplus(v.ledger, v.writer, m.safe_low * 1.001, Time(0)), 0.0);
  EXPECT_LT(v.market.margin_surplus(v.ledger, v.writer, m.safe_low * 0.999, Time(0)), 0.0);
  EXPECT_GE(v.market.margin_surplus(v.ledger, v.writer, m.safe_high * 0.999, Time(0)), 0.0);
  EXPECT_LT(v.market.margin_surplus(v.ledger, v.writer, m.safe_high * 1.001, Time(0)), 0.0);
  // Detection: nothing is due inside the band; crossing the lower edge makes the writer due.
  std::vector<uint32_t> due;
  v.market.set_underlying(px(0.5 * (m.safe_low + kF0)));
  v.market.due_checks(due);
  EXPECT_TRUE(due.empty());
  v.market.set_underlying(px(m.safe_low * 0.999));
  v.market.due_checks(due);
  EXPECT_EQ(due, std::vector<uint32_t>{v.writer});
}

// Liquidation closes every leg into the book: the writer buys its put back at the asks, the gap is what
// it paid above the model mark, the fee goes to the insurance fund, contracts and money are conserved.
TEST(OptionsMarket, LiquidationBuysBackIntoTheBookAndRecordsTheGapAgainstTheMark) {
  Venue v(3'000);
  v.market.trade_at_mark(v.ledger, v.maker, v.writer, 0, contracts(2), Time(0), v.log);
  v.market.refresh_band(v.ledger, v.writer, Time(0));
  const double low = v.market.member(v.writer).safe_low;
  ASSERT_GT(low, 0.0);
  const Time now(60 * kNanosPerSecond);
  v.market.set_underlying(px(low * 0.99));
  const Price mark = v.market.mark(0, now);
  v.ask(0, to_double(mark) * 1.10, 1.5);
  v.ask(0, to_double(mark) * 1.30, 5);
  const Amount fund_before = v.ledger.insurance_fund();
  const Amount cash_before = v.ledger.account(v.writer_account).balance;
  EXPECT_FALSE(v.market.check(v.ledger, v.writer, now, v.log));  // closed at once
  EXPECT_TRUE(v.conserved());
  EXPECT_EQ(v.market.member(v.writer).contracts[0], Quantity(0));
  ASSERT_EQ(v.log.option_liquidations.size(), 1u);
  const OptionLiquidationRecord& r = v.log.option_liquidations[0];
  const Price p1 = round_down_to_tick(px(to_double(mark) * 1.10), px(0.01));
  const Price p2 = round_down_to_tick(px(to_double(mark) * 1.30), px(0.01));
  EXPECT_EQ(r.gap,
            notional(p1 - mark, contracts(1.5), Round::Up) + notional(p2 - mark, contracts(0.5), Round::Up));
  EXPECT_EQ(r.contracts, contracts(2));
  EXPECT_EQ(r.equity_after,
            cash_before - notional(p1, contracts(1.5), Round::Up) - notional(p2, contracts(0.5), Round::Up));
  EXPECT_LT(r.equity_at_trigger, r.requirement_at_trigger);
  EXPECT_EQ(r.fee,
            apply(notional(px(low * 0.99), contracts(2), Round::Up), ratio_from_double(0.001), Round::Up));
  EXPECT_EQ(v.ledger.insurance_fund(), fund_before + r.fee);
  // Two fills, each with the mark beside its price.
  int fills = 0;
  for (const OptionFillRecord& f : v.log.option_fills) {
    if (f.liquidation != r.id) continue;
    ++fills;
    EXPECT_EQ(f.mark, mark);
    EXPECT_EQ(f.side, 0);
    EXPECT_GT(f.price, f.mark);
  }
  EXPECT_EQ(fills, 2);
}

// Incremental liquidation (liquidation_step 0.25): each step buys back a quarter of the leg at the trigger
// and the liquidation ends as soon as the writer meets its requirement again, keeping the rest of its
// position, refiled with a band.
TEST(OptionsMarket, AStepwiseLiquidationStopsOnceTheRequirementIsMet) {
  OptionsMarketParams p = params();
  p.liquidation_step = 0.25;
  Venue v(12'000);  // meets its requirement (about $11,400 for the two puts) at time 0
  v.market = OptionsMarket(p);
  v.maker = v.market.add_member(v.maker_account, false);
  v.writer = v.market.add_member(v.writer_account, true);
  v.market.trade_at_mark(v.ledger, v.maker, v.writer, 0, contracts(2), Time(0), v.log);
  v.market.refresh_band(v.ledger, v.writer, Time(0));
  const double low = v.market.member(v.writer).safe_low;
  ASSERT_LT(low, kF0);
  const Time now(60 * kNanosPerSecond);
  v.market.set_underlying(px(low * 0.995));
  const Price mark = v.market.mark(0, now);
  v.ask(0, to_double(mark) * 1.01, 10);
  EXPECT_FALSE(v.market.check(v.ledger, v.writer, now, v.log));
  ASSERT_EQ(v.log.option_liquidations.size(), 1u);
  const OptionLiquidationRecord& r = v.log.option_liquidations[0];
  const Quantity left = v.market.member(v.writer).contracts[0];
  EXPECT_LT(left, Quantity(0));  // still short
  EXPECT_EQ(r.contracts, contracts(2) + left);
  EXPECT_EQ(r.contracts.raw() % contracts(0.5).raw(), 0);  // whole steps of a quarter of 2 contracts
  EXPECT_GE(v.market.equity(v.ledger, v.writer, now), v.market.requirement(v.writer, now));
  EXPECT_FALSE(v.market.member(v.writer).liquidating);
  EXPECT_GT(v.market.member(v.writer).safe_low, 0.0);
  EXPECT_EQ(r.equity_after, v.market.equity(v.ledger, v.writer, now) + r.fee);
  EXPECT_TRUE(v.conserved());
}

// A book too thin to close the portfolio leaves the liquidation open; it is due again and settles once
// the book refills. A balance below zero is paid by the fund.
TEST(OptionsMarket, AThinBookLeavesTheLiquidationOpenUntilItRefills) {
  Venue v(1'500);
  v.market.trade_at_mark(v.ledger, v.maker, v.writer, 0, contracts(2), Time(0), v.log);
  v.market.refresh_band(v.ledger, v.writer, Time(0));
  const Time now(60 * kNanosPerSecond);
  v.market.set_underlying(px(48'000));
  const Price mark = v.market.mark(0, now);
  v.ask(0, to_double(mark) * 1.5, 0.5);
  EXPECT_TRUE(v.market.check(v.ledger, v.writer, now, v.log));
  EXPECT_TRUE(v.market.member(v.writer).liquidating);
  EXPECT_EQ(v.market.member(v.writer).contracts[0], contracts(-1.5));
  EXPECT_TRUE(v.log.option_liquidations.empty());
  EXPECT_TRUE(v.conserved());
  std::vector<uint32_t> due;
  v.market.due_checks(due);
  EXPECT_EQ(due, std::vector<uint32_t>{v.writer});
  v.ask(0, to_double(mark) * 1.8, 5);
  EXPECT_FALSE(v.market.check(v.ledger, v.writer, now, v.log));
  ASSERT_EQ(v.log.option_liquidations.size(), 1u);
  const OptionLiquidationRecord& r = v.log.option_liquidations[0];
  ASSERT_LT(r.equity_after, Amount(0));  // the buy-back cost more than the writer had
  EXPECT_EQ(r.fee, Amount(0));
  EXPECT_EQ(r.insurance_paid, -r.equity_after);
  EXPECT_EQ(r.bad_debt, Amount(0));
  EXPECT_EQ(v.ledger.account(v.writer_account).balance, Amount(0));
  EXPECT_TRUE(v.conserved());
}

}  // namespace
}  // namespace liqsim
