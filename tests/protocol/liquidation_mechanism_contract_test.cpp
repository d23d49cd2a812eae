// The LiquidationMechanism contract, run against every implementation (typed GoogleTest suite, as
// ns-3 runs one test on every scheduler): conservation after every call, rewards paid by a call never
// above the liquidated account's equity before it, healthy accounts never liquidated, liquidatable
// accounts handled or, for `none`, left untouched, and every loss accounted for by the waterfall. A fake
// host plays the kernel: it runs timers in time order and answers a published opportunity with one
// keeper transaction (for auctions: bark, then buy or bid on what it finds running).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "core/check.h"
#include "market/order_book.h"
#include "protocol/aave_v3_mechanism.h"
#include "protocol/comet_mechanism.h"
#include "protocol/drift_mechanism.h"
#include "protocol/engine_liquidation.h"
#include "protocol/gmx_mechanism.h"
#include "protocol/gmx_v2_mechanism.h"
#include "protocol/liquidation.h"
#include "protocol/liquity_mechanism.h"
#include "protocol/maker_auction.h"
#include "protocol/no_liquidation.h"
#include "protocol/synthetix_mechanism.h"
#include "protocol/tiered_margin.h"

namespace liqsim {
namespace {

Amount dollars(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }
Ratio rate(double x) { return ratio_from_double(x); }

bool conserved(const ClearingHouse& ch) {
  const Ledger& l = ch.ledger();
  if (l.conservation_residual() != Amount(0)) return false;
  for (MarketId m(0); m.raw() < l.market_count(); ++m)
    if (l.position_residual(m) != Quantity(0)) return false;
  return true;
}

// One book for market 0; fills applied to the ledger before execute() returns (as World::execute).
class Venue final : public ExecutionVenue, public PositionSource {
 public:
  Venue(ClearingHouse& ch, Price tick) : ch_(ch), book_(tick) { book_.set_position_source(this); }
  Execution execute(MarketId m, const ExecutionRequest& request, bool taker_fee_waived) override {
    const Execution x = venue_.execute(request);
    for (const Fill& f : x.fills) ch_.apply_fill(m, f, taker_fee_waived);
    return x;
  }
  // A resting limit order (test set-up).
  void rest(const OrderRequest& order) {
    const SubmitResult r = book_.submit(order);
    for (const Fill& f : r.fills) ch_.apply_fill(MarketId(0), f, false);
  }
  void cancel_orders(AccountId, MarketId) override {}
  Price tick_size(MarketId) const override { return book_.tick_size(); }
  Quantity position(AccountId owner) const override { return ch_.ledger().position(owner, MarketId(0)).size; }

 private:
  ClearingHouse& ch_;
  OrderBook book_;
  OrderBookVenue venue_{book_};
};

// A trader long 1 BTC at 10,000 with $1,000 (flat 0.5 % MMR: liquidation price about 9,045), a deep
// counterparty, a funded keeper and a $1,000 insurance fund.
struct Fixture {
  RunLog log;
  ClearingHouse ch{
      {ProtocolMarket{TieredMaintenanceMargin::flat(rate(0.005)), rate(0.0004), rate(0.0002), px(10'000)}}};
  Venue venue{ch, px(0.01)};
  AccountId counterparty = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(10'000'000));
  AccountId maker = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(10'000'000));
  AccountId trader = ch.open_account(AgentRole::Trader, MarginMode::Isolated, dollars(1'000));
  AccountId keeper = ch.open_account(AgentRole::Keeper, MarginMode::Cross, dollars(1'000'000));

  explicit Fixture(double bid = 9'000) {
    ch.ledger().seed_insurance_fund(dollars(1'000));
    ch.ledger().trade(trader, counterparty, MarketId(0), coins(1), dollars(10'000));
    ch.arm(trader);
    ch.arm(counterparty);
    // Bids for the engine's closes, well inside its slippage limit.
    venue.rest(OrderRequest{maker, Side::Buy, OrderType::Limit, px(bid), coins(5), false, -1});
  }
};

template <class M>
class FakeHost final : public MechanismHost {
 public:
  FakeHost(LiquidationMechanism& mechanism, Fixture& f, TxAction first)
      : mechanism_(mechanism), f_(f), first_(first) {}
  Time now() const override { return now_; }
  void schedule_timer(AccountId a, Time at) override {
    EXPECT_GE(at, now_) << "a timer in the past";
    timers_.emplace(std::make_pair(at, sequence_++), a);
  }
  void publish_opportunity(AccountId a) override { opportunities_.push_back(a); }
  LiquidationTrigger trigger_for(AccountId) override { return LiquidationTrigger{now_, 1, std::nullopt}; }
  void deliver(AccountId keeper, AccountId, const KeeperTakeover& result) override {
    EXPECT_EQ(keeper, f_.keeper);
    EXPECT_EQ(result.outcome, KeeperOutcome::Liquidated);
    ++delivered;
  }
  int delivered = 0;

  // The keeper's answer to an opportunity: the first action on a vault without auctions, else a bid on
  // the first running auction (any price for a Dutch one, the whole tab, then the smallest decrease, for
  // an English one it has not already won).
  TxIntent intent_for(AccountId a) const {
    const std::vector<AuctionView> running = mechanism_.auctions(a, now_);
    if (running.empty()) {
      // The mechanism's own quote names the call where it has one (Synthetix: flag, then liquidate).
      if (const std::optional<LiquidationQuote> q = mechanism_.quote(a, now_)) return TxIntent{q->action};
      return TxIntent{first_};
    }
    const AuctionView& v = running.front();
    TxIntent intent;
    intent.auction = v.id;
    if (v.kind == AuctionKind::Dutch) {
      intent.action = v.needs_redo ? TxAction::Redo : TxAction::Take;
      intent.quantity = v.lot;
      intent.max_price = Price::max();
    } else if (v.bidder == f_.keeper) {
      intent.action = TxAction::Liquidate;  // its bid stands: nothing to do
    } else if (!v.dent_phase) {
      intent.action = TxAction::Tend;
      intent.bid = v.tab;
    } else {
      intent.action = TxAction::Dent;
      intent.quantity = v.max_lot;
    }
    return intent;
  }

  // Runs every timer and answers each opportunity with a keeper transaction, checking conservation
  // after each call and that the rewards the call paid are at most the liquidated account's equity
  // before it (a keeper's bonus is the account's own money, never the fund's or bad debt: Aave caps the
  // seized collateral at the borrower's balance; Drift's exception is checked on the whole drain); at
  // most `limit` calls.
  void drain(int limit = 100) {
    const Amount equity_start = f_.ch.equity(f_.trader);
    Amount covered, paid;
    for (int k = 0; k < limit; ++k) {
      const Amount equity_before = f_.ch.equity(f_.trader);
      const size_t records_before = f_.log.liquidations.size();
      const Amount fund_before = f_.ch.ledger().insurance_fund();
      const Amount bad_debt_before = f_.ch.ledger().bad_debt();
      const size_t social_before = f_.log.social_losses.size();
      if (!opportunities_.empty()) {
        const AccountId a = opportunities_.front();
        opportunities_.erase(opportunities_.begin());
        mechanism_.on_transaction(*this, f_.keeper, a, intent_for(a));
      } else if (!timers_.empty()) {
        const auto it = timers_.begin();
        now_ = it->first.first;
        const AccountId a = it->second;
        timers_.erase(it);
        mechanism_.on_timer(*this, a);
      } else {
        return;
      }
      ASSERT_TRUE(conserved(f_.ch)) << "after call " << k;
      Amount rewards;
      for (size_t r = records_before; r < f_.log.liquidations.size(); ++r) {
        ASSERT_EQ(f_.log.liquidations[r].account, f_.trader.raw());
        ASSERT_GE(f_.log.liquidations[r].reward, Amount(0));
        rewards += f_.log.liquidations[r].reward;
      }
      if constexpr (requires { M::kRewardCoveredByWaterfall; }) {
        // The venue pays its liquidator even from an account without equity (Drift): what the keepers
        // received beyond the account's own money since the drain began was paid visibly by the waterfall
        // (the fund, recorded bad debt, a loss socialised over the open positions) or is still owed by the
        // account (its negative equity, until its bankruptcy is resolved).
        covered += std::max(Amount(0), fund_before - f_.ch.ledger().insurance_fund()) +
                   (f_.ch.ledger().bad_debt() - bad_debt_before);
        for (size_t r = social_before; r < f_.log.social_losses.size(); ++r)
          covered += f_.log.social_losses[r].socialised;
        paid += rewards;
        ASSERT_LE(paid,
                  std::max(equity_start, Amount(0)) + covered + std::max(Amount(0), -f_.ch.equity(f_.trader)))
            << "call " << k << ": rewards beyond the account's money that nobody paid";
      } else {
        ASSERT_LE(rewards, std::max(equity_before, Amount(0)))
            << "call " << k << " paid rewards beyond the equity";
      }
    }
  }

 private:
  LiquidationMechanism& mechanism_;
  Fixture& f_;
  Time now_ = seconds(100);
  uint64_t sequence_ = 0;
  std::map<std::pair<Time, uint64_t>, AccountId> timers_;
  std::vector<AccountId> opportunities_;
  TxAction first_;
};

// Each implementation, built as the registry builds it, and what the contract expects of it.
// The engine in each venue's sequence, with the registry's default keys (dYdX: genesis.sh's config).
EngineLiquidationParams engine_defaults(EngineSequence sequence, Time cooldown) {
  EngineLiquidationParams p;
  p.sequence = sequence;
  p.step_fraction = rate(0.2);
  p.full_close_below = dollars(100'000);
  p.cooldown = cooldown;
  p.max_slippage = rate(0.2);
  p.clearance_fee = sequence == EngineSequence::Binance ? rate(0.005) : Ratio(0);
  p.no_progress_retry = seconds(1);
  return p;
}
template <EngineSequence S>
struct Engine {
  static constexpr bool kLiquidates = true;
  static constexpr TxAction kFirst = TxAction::Liquidate;
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    return std::make_unique<EngineLiquidation>(engine_defaults(S, seconds(30)), f.ch, f.venue, f.log);
  }
};
using BinanceEngine = Engine<EngineSequence::Binance>;
using HyperliquidEngine = Engine<EngineSequence::Hyperliquid>;
using BitmexEngine = Engine<EngineSequence::Bitmex>;
// dYdX with genesis.sh's liquidations config. Its orders fill only at or above the fillable price (9,032.2
// for the fixture's account at 9,040: ABR = 1 - 40 / 45.2, SMMR 1.5), above the fixture's 9,000 bid: a
// maker bids 9,035 too.
struct DydxEngine {
  static constexpr bool kLiquidates = true;
  static constexpr TxAction kFirst = TxAction::Liquidate;
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    f.venue.rest(OrderRequest{f.maker, Side::Buy, OrderType::Limit, px(9'035), coins(0.5), false, -1});
    return std::make_unique<EngineLiquidation>(engine_defaults(EngineSequence::Dydx, seconds(1)), f.ch,
                                               f.venue, f.log);
  }
};
// A 5 % bonus against the fixture's 0.5 % maintenance rate (scenario validation would refuse it): the
// contract's reward bound must hold through the mechanism's own cap.
struct Keeper {
  static constexpr bool kLiquidates = true;
  static constexpr TxAction kFirst = TxAction::Liquidate;
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    return std::make_unique<KeeperLiquidation>(KeeperLiquidationParams{rate(0.5), rate(0.05), dollars(2'000)},
                                               f.ch, f.log, KeeperAbsorb{&f.venue, rate(0.2), seconds(1)});
  }
};
struct None {
  static constexpr bool kLiquidates = false;
  static constexpr TxAction kFirst = TxAction::Liquidate;
  static std::unique_ptr<LiquidationMechanism> make(Fixture&) { return std::make_unique<NoLiquidation>(); }
};

// Maker Liquidations 2.0 with the registry's defaults (experiments/liquidation_mechanisms.h MakerClipSpec)
// and 1.2 (MakerFlipSpec), in dss's units.
maker::Uint256 wad_of(uint64_t thousandths) {
  return maker::kWad * maker::Uint256(thousandths) / maker::Uint256(1000);
}
maker::Uint256 ray_of(uint64_t thousandths) {
  return maker::kRay * maker::Uint256(thousandths) / maker::Uint256(1000);
}
maker::Uint256 rad_of(double d) { return maker_units::rad(dollars(d)); }
struct MakerClip {
  static constexpr bool kLiquidates = true;
  static constexpr TxAction kFirst = TxAction::Bark;
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    MakerClipParams p;
    p.chop = wad_of(1130);
    p.hole = rad_of(8e6);
    p.Hole = rad_of(1e8);
    p.dust = rad_of(5000);
    p.clipper = maker::ClipperConfig{ray_of(1300), 8400, ray_of(400), wad_of(1), rad_of(300), {}};
    p.abacus = maker::StairstepExponentialDecrease{ray_of(990), 90};
    return std::make_unique<MakerClipLiquidation>(p, f.ch, f.log, f.venue);
  }
};
struct MakerFlip {
  static constexpr bool kLiquidates = true;
  static constexpr TxAction kFirst = TxAction::Liquidate;  // the Cat bites by itself
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    MakerFlipParams p;
    p.chop = wad_of(1130);
    p.dunk = rad_of(50'000);
    p.box = rad_of(1e8);
    // Black Thursday's bid and auction lives (10 min, 6 h), so that auctions end within a drain.
    p.flipper = maker::FlipperConfig{wad_of(1030), 600, 6 * 3600};
    return std::make_unique<MakerFlipLiquidation>(p, f.ch, f.log, f.venue);
  }
};

// Liquity with a Stability Pool deep enough to offset the fixture's trove whole.
struct Liquity {
  static constexpr bool kLiquidates = true;
  static constexpr TxAction kFirst = TxAction::Liquidate;
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    auto m = std::make_unique<LiquityMechanism>(LiquityParams{}, f.ch, f.log, f.venue);
    m->seed_pool(dollars(100'000));
    return m;
  }
};

// Compound v3 with the registry's defaults (cUSDCv3: liquidationFactor 0.95, storeFrontPriceFactor 0.5,
// targetReserves 5M USDC).
struct CompoundV3 {
  static constexpr bool kLiquidates = true;
  static constexpr TxAction kFirst = TxAction::Bark;  // absorb
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    return std::make_unique<CometAbsorbLiquidation>(CometParams{}, f.ch, f.log, f.venue);
  }
};

// GMX v1 with the registry's defaults ($5 liquidation fee, 10 bps, 50x).
struct GmxV1 {
  static constexpr bool kLiquidates = true;
  static constexpr bool kCounterpartyPool = true;
  static constexpr TxAction kFirst = TxAction::Liquidate;
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    return std::make_unique<GmxV1Liquidation>(GmxMechanismParams{}, f.ch, f.log);
  }
};

// GMX v2 with the registry's defaults (ETH/USD: 0.5% minimum collateral factor, 0.06% position fee, 0.20%
// liquidation fee, 37% to the fee receiver): the protocol's keepers act on a timer, not by transaction.
struct GmxV2 {
  static constexpr bool kLiquidates = true;
  static constexpr bool kCounterpartyPool = true;
  static constexpr TxAction kFirst = TxAction::Liquidate;
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    return std::make_unique<GmxV2Liquidation>(GmxV2MechanismParams{}, f.ch, f.log);
  }
};

// Synthetix Perps v2 with the registry's defaults (sETH-PERP on mainnet-ovm).
struct Synthetix {
  static constexpr bool kLiquidates = true;
  static constexpr bool kCounterpartyPool = true;
  static constexpr TxAction kFirst = TxAction::Bark;  // flagPosition, then liquidatePosition
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    return std::make_unique<SynthetixLiquidation>(SynthetixLiquidationParams{}, f.ch, f.log);
  }
};

// Drift with the registry's defaults: 1% liquidator fee escalating to 5%, 10% of the shortage at once and
// all of it after 150 slots, 2% buffer, 1% IF fee; its liquidator fee is paid even by a bankrupt account.
struct Drift {
  static constexpr bool kLiquidates = true;
  static constexpr bool kRewardCoveredByWaterfall = true;
  static constexpr TxAction kFirst = TxAction::Liquidate;
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    return std::make_unique<DriftLiquidation>(DriftMechanismParams{}, f.ch, f.log);
  }
};

// Aave v3.3 with the fixture's market as its one reserve: LT 99.5% (the fixture's 0.5% maintenance rate),
// a 0.4% bonus (99.5% x 100.4% <= 100%) and a 10% protocol fee. Aave pays the bonus out of the collateral
// even when the debt exceeds it (the deficit grows by it).
struct AaveV3 {
  static constexpr bool kLiquidates = true;
  static constexpr bool kRewardCoveredByWaterfall = true;
  static constexpr TxAction kFirst = TxAction::Liquidate;
  static std::unique_ptr<LiquidationMechanism> make(Fixture& f) {
    return std::make_unique<AaveV3Liquidation>(
        AaveV3MechanismParams{
            AaveRules::V33, {AaveReserveConfig{9'950, 10'040, 1'000}}, Ray(0), seconds(3600)},
        f.ch, f.log, f.venue);
  }
};

template <class M>
class LiquidationMechanismContract : public ::testing::Test {};
using Mechanisms =
    ::testing::Types<BinanceEngine, HyperliquidEngine, BitmexEngine, DydxEngine, Keeper, None, MakerClip,
                     MakerFlip, Liquity, CompoundV3, GmxV1, GmxV2, Synthetix, Drift, AaveV3>;
TYPED_TEST_SUITE(LiquidationMechanismContract, Mechanisms);

TYPED_TEST(LiquidationMechanismContract, HealthyAccountIsNeverLiquidated) {
  Fixture f;
  f.ch.set_mark(MarketId(0), px(9'900));
  ASSERT_FALSE(f.ch.liquidatable(f.trader));
  auto mechanism = TypeParam::make(f);
  FakeHost<TypeParam> host(*mechanism, f, TypeParam::kFirst);
  // Every entry point, called on a healthy account: no record, nothing moves.
  const Amount balance = f.ch.ledger().account(f.trader).balance;
  mechanism->on_timer(host, f.trader);
  for (const TxAction action : {TxAction::Liquidate, TxAction::Bark}) {
    const KeeperTakeover out = mechanism->on_transaction(host, f.keeper, f.trader, TxIntent{action});
    EXPECT_NE(out.outcome, KeeperOutcome::Liquidated);
  }
  const KeeperTakeover out = mechanism->on_transaction(host, f.keeper, f.trader, TxIntent{});
  EXPECT_NE(out.outcome, KeeperOutcome::Liquidated);
  host.drain();
  EXPECT_TRUE(f.log.liquidations.empty());
  EXPECT_EQ(f.ch.ledger().position(f.trader, MarketId(0)).size, coins(1));
  EXPECT_EQ(f.ch.ledger().account(f.trader).balance, balance);
  EXPECT_TRUE(conserved(f.ch));
}

TYPED_TEST(LiquidationMechanismContract, LiquidatableAccountIsHandledAndMoneyConserved) {
  Fixture f;
  f.ch.set_mark(MarketId(0), px(9'040));
  ASSERT_TRUE(f.ch.liquidatable(f.trader));
  auto mechanism = TypeParam::make(f);
  FakeHost<TypeParam> host(*mechanism, f, TypeParam::kFirst);
  mechanism->on_liquidatable(host, f.trader);
  host.drain();
  ASSERT_TRUE(conserved(f.ch));
  const Ledger& l = f.ch.ledger();
  if (TypeParam::kLiquidates) {
    ASSERT_FALSE(f.log.liquidations.empty());
    for (const LiquidationRecord& r : f.log.liquidations) EXPECT_EQ(r.account, f.trader.raw());
    // Some of the position was closed, and a flat account holds no negative balance.
    EXPECT_LT(l.position(f.trader, MarketId(0)).size, coins(1));
    if (l.position(f.trader, MarketId(0)).size == Quantity(0)) {
      EXPECT_GE(l.account(f.trader).balance, Amount(0));
    }
  } else {
    EXPECT_TRUE(f.log.liquidations.empty());
    EXPECT_EQ(l.position(f.trader, MarketId(0)).size, coins(1));
    EXPECT_TRUE(f.ch.liquidatable(f.trader));
  }
}

TYPED_TEST(LiquidationMechanismContract, BankruptAccountsLossGoesThroughTheWaterfall) {
  // The mark and the book far below bankruptcy (9,000): closing loses more than the account holds; the
  // difference must come from the fund, ADL or be recorded as bad debt, never appear or vanish.
  Fixture f(8'500);
  f.ch.set_mark(MarketId(0), px(8'500));
  ASSERT_TRUE(f.ch.liquidatable(f.trader));
  auto mechanism = TypeParam::make(f);
  FakeHost<TypeParam> host(*mechanism, f, TypeParam::kFirst);
  const Amount fund_before = f.ch.ledger().insurance_fund();
  const Amount pool_before = f.ch.ledger().account(place_account(Place::StabilityPool)).balance;
  const Amount vault_before = f.ch.ledger().account(place_account(Place::BackstopVault)).balance;
  mechanism->on_liquidatable(host, f.trader);
  host.drain();
  ASSERT_TRUE(conserved(f.ch));
  const Ledger& l = f.ch.ledger();
  if (TypeParam::kLiquidates) {
    ASSERT_FALSE(f.log.liquidations.empty());
    if (l.position(f.trader, MarketId(0)).size == Quantity(0)) {
      EXPECT_GE(l.account(f.trader).balance, Amount(0)) << "a flat account's shortfall must be absorbed";
    }
    // Liquity: the Stability Pool's depositors take it (they paid the debt for less collateral); GMX: the
    // pool (GLP, the backstop vault) that is every trader's counterparty.
    EXPECT_TRUE(l.insurance_fund() != fund_before || l.bad_debt() > Amount(0) || !f.log.adl.empty() ||
                l.position(f.trader, MarketId(0)).size != Quantity(0) ||
                l.account(place_account(Place::StabilityPool)).balance != pool_before ||
                l.account(place_account(Place::BackstopVault)).balance != vault_before)
        << "the loss below bankruptcy went nowhere visible";
  } else {
    EXPECT_EQ(l.insurance_fund(), fund_before);
    EXPECT_EQ(l.bad_debt(), Amount(0));
  }
}

// What a protocol place took over (the insurance fund, the liquidator vault) is unwound into the book
// once it has bids: no place is left holding a position, and no account is left flat below zero.
TYPED_TEST(LiquidationMechanismContract, PlacesUnwindWhatTheyTookOver) {
  for (const double mark : {9'040.0, 9'020.0, 8'500.0}) {
    SCOPED_TRACE(mark);
    Fixture f(mark);
    f.ch.set_mark(MarketId(0), px(mark));
    auto mechanism = TypeParam::make(f);
    FakeHost<TypeParam> host(*mechanism, f, TypeParam::kFirst);
    mechanism->on_liquidatable(host, f.trader);
    host.drain(1000);
    ASSERT_TRUE(conserved(f.ch));
    for (AccountId p(0); p.raw() < kPlaceCount; ++p) {
      // The Stability Pool's ETH is its depositors' gain, kept as Liquity's depositors keep it; a pool that
      // is every trader's counterparty (GMX's GLP) keeps the positions it closes.
      if (p == place_account(Place::StabilityPool)) continue;
      if constexpr (requires { TypeParam::kCounterpartyPool; }) {
        if (p == place_account(Place::BackstopVault)) continue;
      }
      EXPECT_EQ(f.ch.ledger().position(p, MarketId(0)).size, Quantity(0)) << "place " << p.raw();
    }
    if (f.ch.ledger().position(f.trader, MarketId(0)).size == Quantity(0)) {
      EXPECT_GE(f.ch.ledger().account(f.trader).balance, Amount(0));
    }
  }
}

}  // namespace
}  // namespace liqsim
