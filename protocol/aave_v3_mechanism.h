// Aave v3 liquidationCall as a mechanism of the kernel (`aave_v3`), over lending accounts with several
// collaterals. Amounts come from the formula module protocol/aave_v3_liquidation.h (LiquidationLogic.sol,
// GenericLogic.sol; reference/protocols.md 3.1).
//
// A borrower is an account holding long positions, one per collateral reserve (one market per reserve, its
// price the market's mark: the protocol's oracle), and a negative quote balance, its debt in the one
// borrowable reserve (a $1 stablecoin, 8 decimals here). Each market carries its reserve configuration
// (liquidation threshold, bonus, protocol fee) and, when the reserve is in the run's efficiency-mode
// category, the category's threshold and bonus, which apply to accounts in e-mode (ClearingHouse::
// set_emode; aave-v3-origin EModeConfiguration: an e-mode account's collateral in the category uses the
// category's liquidation threshold and bonus, other collateral its own).
//
// A keeper's Liquidate transaction is the liquidator's best liquidationCall(collateral, debt, user,
// type(uint256).max, false): for every collateral reserve the mechanism evaluates the call (close factor,
// seizure, the dust rule) and sends the one whose seized collateral, less the protocol fee, exceeds the
// debt repaid by the most at the oracle, as a liquidation bot simulating its options does. The account
// must be liquidatable both by the clearing house and by Aave's health factor (< 1 in WAD).
//   - v3.3 rules (aave-v3-origin, `rules = V33`): the whole debt, unless the reserve's collateral and
//     debt are both worth >= $2,000 and HF > 0.95, where half of the total debt; MustNotLeaveDust
//     reverts a partial call leaving less than $1,000 of debt or collateral: the bot then passes the
//     largest amount that leaves $1,000 of the collateral ((value - $1,000) / bonus), and has no call
//     against that reserve if that reverts too;
//     when the call seizes all the account's collateral, the rest of its debt is burned into the
//     reserve deficit (_burnBadDebt): recorded bad debt, not the insurance fund's money.
//   - v3.0-3.2 rules (aave-v3-core, `rules = V30`): half the debt while HF > 0.95, all of it at or
//     below; no dust rule, no deficit accounting: debt left without collateral stays unpaid on the
//     account, written off as recorded bad debt once the account holds nothing.
// Movements: the keeper pays the debt repaid (rounded UP to the micro-dollar from Aave's 8 decimals:
// against the liquidator) and receives the seized collateral (liquidator part and protocol fee); it then
// pays the protocol fee's value at the oracle (rounded DOWN) to the treasury (the insurance fund) instead
// of Aave's transfer of the fee in aTokens, so that the treasury holds no collateral to unwind. The
// record's reward is the seized value at the oracle less the debt repaid (the keeper's gain before gas),
// which may exceed a nearly bankrupt account's equity: Aave pays the bonus out of collateral whatever
// the deficit (tests/protocol/liquidation_mechanism_contract_test.cpp: kRewardCoveredByWaterfall).
//
// Not modelled: interest (the debt index stays 1), several debt reserves, isolation mode, the
// receiveAToken option, price oracle sentinels. An account holding a short (no collateral to seize) is
// absorbed by the insurance fund at its bankruptcy price and unwound into the book, as the other lending
// mechanisms do.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/recorder.h"
#include "protocol/aave_v3_liquidation.h"
#include "protocol/interest_index.h"
#include "protocol/liquidation.h"

namespace liqsim {

// One market's reserve configuration in Aave's basis points (10000 = 100%; bonus 10500 = 105%).
struct AaveReserveConfig {
  int64_t liquidation_threshold_bps = 8'250;
  int64_t liquidation_bonus_bps = 10'500;
  int64_t protocol_fee_bps = 1'000;  // liquidationProtocolFee, share of the bonus
  // The e-mode category's values for an account in e-mode; 0: the reserve is not in the category.
  int64_t emode_liquidation_threshold_bps = 0;
  int64_t emode_liquidation_bonus_bps = 0;
};

enum class AaveRules : uint8_t { V30 = 0, V33 = 1 };

struct AaveV3MechanismParams {
  AaveRules rules = AaveRules::V33;
  std::vector<AaveReserveConfig> reserves;  // one per market, in market order
  // The debt reserve's variable borrow rate (yearly, ray; 0: no interest) and how often the borrowers'
  // debts accrue it (> 0).
  Ray borrow_rate;
  Time accrual_interval = seconds(3600);
};

// The liquidationCall a liquidator would send against one collateral reserve, evaluated.
struct AaveCall {
  MarketId market;
  AaveV33Liquidation result;  // outcome, seizure, deficit (v3.0: never a deficit)
  Amount repaid;              // debt repaid in Amount, rounded UP
  Amount fee_cash;            // the protocol fee's value at the oracle, rounded DOWN
  Amount seized_value;        // the whole seizure's value at the oracle, rounded DOWN
  Amount gain() const { return seized_value - fee_cash - repaid; }  // the keeper's, at the oracle
};

class AaveV3Liquidation final : public LiquidationMechanism {
 public:
  // `reserves` must hold one configuration per market of `ch`.
  AaveV3Liquidation(AaveV3MechanismParams params, ClearingHouse& ch, Recorder& recorder,
                    ExecutionVenue& venue);
  std::string_view name() const override { return "aave_v3"; }

  // Aave's health factor of account a at the marks (kAaveHealthFactorNoDebt without debt), with each
  // collateral's threshold (the e-mode one where it applies).
  AaveWad health_factor(AccountId a) const;
  // The liquidator's best call against account a now (the highest gain among the calls that do not
  // revert), or none when a is not liquidatable or every call reverts.
  std::optional<AaveCall> best_call(AccountId a) const;
  // The call against one collateral reserve, whatever its outcome.
  AaveCall call(AccountId a, MarketId collateral) const;

  // Interest: every accrual_interval the debt reserve's borrow index compounds (Aave's
  // calculateCompoundedInterest, protocol/interest_index.h) and every borrower's debt grows with it:
  // debt x index_now / index_before, rounded up (against the borrower), paid to the lending pool place
  // (the suppliers). A debt is its scaled balance times the index, as Aave keeps it, re-based at each
  // accrual; borrowers re-armed, so a debt that outgrows its collateral is liquidated with no price move.
  void on_start(MechanismHost& host) override;
  void accrue_interest(Time now);
  Ray borrow_index() const { return borrow_index_.value(); }

  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  void on_timer(MechanismHost& host, AccountId a) override;
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
  std::optional<LiquidationQuote> quote(AccountId a, Time now) const override;

 private:
  // The account as calculateUserAccountData sees it: collateral and debt in the base currency, the HF.
  struct AccountData {
    Amount collateral_value;
    Amount debt;
    AaveWad health_factor = kAaveHealthFactorNoDebt;
  };
  AccountData account_data(AccountId a) const;
  AaveCall call(AccountId a, MarketId collateral, const AccountData& data) const;
  const AaveReserveConfig& reserve(MarketId m) const { return params_.reserves[m.raw()]; }
  // Account a is in e-mode and market m's reserve in the category: the category's values apply.
  bool in_category(AccountId a, MarketId m) const;
  int64_t threshold_bps(AccountId a, MarketId m) const;
  int64_t bonus_bps(AccountId a, MarketId m) const;

  AaveV3MechanismParams params_;
  InterestIndex borrow_index_;
  ClearingHouse& ch_;
  Recorder& recorder_;
  ExecutionVenue& venue_;
  PlaceUnwinder unwinder_;
};

}  // namespace liqsim
