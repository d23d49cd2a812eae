// Compound v3 (Comet) liquidation as a mechanism of the kernel (`compound_v3`): absorb, then the store
// front. Amounts come from the formula module protocol/compound_liquidation.h, which follows
// compound-finance/comet contracts/Comet.sol.
//
// A borrower is an account holding long positions (its collateral) and a negative quote balance (its
// base debt, USDC at $1). The market's margin model is Comet's liquidation test (`collateral_ratio` with
// liquidation_ratio = 1 / liquidateCollateralFactor: liquidatable when sum value x liquidateCF < debt).
//
// absorb (Comet.absorbInternal; anyone may call it, paid nothing but liquidatorPoints): a keeper's Bark
// transaction. Every collateral of the account moves to the protocol (the `auction_house` place holds
// Comet's collateral reserves), the account is credited sum value x liquidationFactor at the feed (the
// mark) and its balance becomes max(0, old + credit): the debt is written off and any rest is the
// owner's supply. The reserves (the insurance fund, then recorded bad debt) pay new - old.
//
// buyCollateral (Comet.buyCollateral, quoteCollateral): anyone buys absorbed collateral at the feed less
// storeFrontPriceFactor x (1 - liquidationFactor), paying base into the reserves, but only while the
// reserves are below targetReserves (NotForSale otherwise). Comet's reserves are one signed number, so
// the base first makes good what absorbs took below zero (recorded bad debt while it lasts), then goes
// to the fund. A keeper's Take transaction names the lot
// (the absorb's liquidation id), the quantity and its highest price. A Bark may carry a Take of the lot
// it creates (quantity, max_price): Compound's liquidator contract absorbs and buys in one transaction
// (comet scripts/liquidation_bot, OnChainLiquidator.absorbAndArbitrage). The buyer sells what it bought
// into the book (agents/keeper).
//
// Records: an absorb is a LiquidationRecord (mechanism 2, `price` = the credit per coin, `reward` 0) per
// market whose collateral it took; each such lot is an AuctionRecord of kind 2 (store front) once sold
// out: `due` what the reserves paid at the absorb, `raised` what buyers paid, `shortfall` max(due -
// raised, 0), `tab` 0.
//
// Not modelled: interest (the base index stays 1), several collateral assets with their own factors
// (every market uses this mechanism's liquidationFactor), Comet's reserve accounting of supplied base
// (reserves = the fund's balance less recorded bad debt), absorbers without gain. An account holding a
// short (no collateral to absorb) is absorbed by the insurance fund at its bankruptcy price and unwound
// into the book, as the other lending mechanisms do.
#pragma once

#include <optional>
#include <unordered_map>
#include <vector>

#include "core/recorder.h"
#include "protocol/compound_liquidation.h"
#include "protocol/liquidation.h"

namespace liqsim {

struct CometParams {
  int64_t liquidation_factor = 950'000'000'000'000'000;        // mantissa: cUSDCv3 WETH 0.95
  int64_t store_front_price_factor = 500'000'000'000'000'000;  // mantissa: cUSDCv3 0.5
  Amount target_reserves = Amount(5'000'000'000'000);          // cUSDCv3 5,000,000 USDC
  Time poll = seconds(60);  // lots for sale are re-published to keepers this often
};

// Comet's getReserves as the ledger keeps it: the insurance fund less the recorded bad debt.
Amount comet_reserves(const Ledger& ledger);
// buyCollateral's gate: the store sells while the reserves are below the target.
bool comet_store_open(const Ledger& ledger, Amount target_reserves);

class CometAbsorbLiquidation final : public LiquidationMechanism {
 public:
  CometAbsorbLiquidation(CometParams params, ClearingHouse& ch, Recorder& recorder, ExecutionVenue& venue);
  std::string_view name() const override { return "compound_v3"; }
  // A liquidatable borrower is an opportunity to absorb, published at every mark update while it lasts.
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  void on_timer(MechanismHost& host, AccountId a) override;
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
  // The account's absorbed collateral for sale now (none while the store is closed), oldest first.
  std::vector<AuctionView> auctions(AccountId a, Time now) const override;
  // Lots not sold out yet.
  size_t open_lots() const { return open_.size(); }

 private:
  struct Lot {
    LiquidationId id;
    AccountId owner;
    MarketId market;
    Quantity lot0;  // collateral absorbed
    Quantity held;  // still in the protocol
    Amount due;     // the reserves' payment at the absorb attributed to this lot
    Amount raised;  // base paid by buyers
    Price feed;     // the mark at the absorb
    Time absorbed;
    int64_t buyer = kNoId;
    uint32_t buys = 0;
  };

  KeeperTakeover absorb(MechanismHost& host, AccountId keeper, AccountId a, const TxIntent& intent);
  KeeperTakeover buy(MechanismHost& host, AccountId keeper, Lot& lot, Quantity quantity, Price max_price);
  void close(MechanismHost& host, Lot& lot);
  void ensure_poll(MechanismHost& host);

  CometParams params_;
  ClearingHouse& ch_;
  Recorder& recorder_;
  ExecutionVenue& venue_;
  PlaceUnwinder unwinder_;
  bool polling_ = false;
  std::unordered_map<int64_t, Lot> lots_;  // by liquidation id, looked up only
  std::vector<LiquidationId> open_;        // in the order they were absorbed
  std::unordered_map<AccountId, std::vector<LiquidationId>> per_owner_;
};

}  // namespace liqsim
