// Keeper bots for keeper-driven liquidation. A keeper learns of a liquidatable account when the
// protocol's detection finds it, and if the expected reward minus gas and its priority fee clears its
// minimum profit, its equity pays that gas and its capital can carry the position it would receive, it
// sends a liquidation transaction after its latency; the transaction lands in a block, ordered by the
// scenario's rule, and may fail (someone else was first, or the account recovered) -- gas is paid
// either way. The expected take and reward are the protocol's own terms at the current marks
// (keeper_take_terms: the close factor, 100% at a low health factor or for a small position, the bonus
// capped by the account's equity), as a bot simulates the liquidation call against the pending state
// before it sends it. A successful keeper unwinds the seized position into the book: at once (IOC) or in
// equal slices over a TWAP horizon, so keepers' selling moves the price too; or into the market's AMM
// pool (unwind_on_amm), which arbitrageurs carry to the book.
//
// Priority fees (the priority-gas auction): each keeper draws one fee uniformly in [min, max]. With
// `fixed` bidding it bids that fee all run. With `adaptive` bidding (KeeperBidding::Adaptive) the draw is
// its starting bid level; a transaction that found its account already liquidated (a lost race) raises
// the level to ceil(level x raise), one that liquidated lowers it to floor(level x decay), both kept within
// [min, max]; on each account it bids min(level, reward - base fee - min_profit), so its expected profit
// stays >= min_profit, and skips the account when that is below min. Raising by a fixed factor is how
// clients replace a pending transaction in a gas auction (Parity required +12.5%, geth +10%; Daian et
// al. 2020, "Flash Boys 2.0", on priority-gas auctions).
#pragma once

#include <optional>
#include <unordered_set>
#include <vector>

#include "agents/agent_context.h"
#include "agents/population.h"
#include "core/rng.h"
#include "protocol/liquidation.h"

namespace liqsim {

enum class KeeperBidding : uint8_t { Fixed, Adaptive };

// How keepers act on a mechanism that sells collateral in auctions (Maker's Clipper and Flipper): they
// value collateral at the market (the index) less `valuation_discount` and buy or bid below that; they
// bark an unsafe vault when the kick incentive pays their gas (Clipper: tip + chip x debt x chop).
struct KeeperAuctionParams {
  bool enabled = false;
  Ratio valuation_discount;  // bids and takes at most index x (1 - discount) per coin
  bool bark = false;         // the mechanism waits for keepers to bark (Clipper), paying the incentive
  Amount bark_tip;           // Clipper tip
  Ratio bark_chip;           // Clipper chip: share of the tab
  Ratio chop;                // 1 + liquidation penalty: tab = debt x chop
  // Comet: the bark (absorb) pays nothing, so a keeper absorbs to buy the collateral in the same
  // transaction at the mark x (1 - buy_discount), while the store is open (the reserves below
  // buy_target_reserves, protocol/comet_mechanism.h); its gain at its valuation is the incentive.
  bool buy_on_bark = false;
  // GMX: the mechanism liquidates positions, long or short, not debts: any liquidatable account is barked
  // (the incentive is bark_tip, paid by the pool).
  bool bark_any_position = false;
  Ratio buy_discount;
  Amount buy_target_reserves;
};

// A group of keepers with a strategy of their own ([[keeper_groups]]: a game's players): every member bids
// `priority_fee` (fixed bidding; the starting level with adaptive bidding), skips liquidations below
// `min_profit`, sells what it seizes by its own rule, may finance takes with flash loans and values
// auctioned collateral at the market less its own `valuation_discount` (KeeperAuctionParams).
struct KeeperStrategy {
  uint32_t count = 0;
  Amount priority_fee;
  Amount min_profit;
  bool twap = false;
  bool hold = false;
  bool flash_loan = false;
  Ratio valuation_discount;
};

struct KeeperParams {
  Time latency;
  Time latency_jitter;
  Amount priority_fee_min, priority_fee_max;
  Amount min_profit;
  bool twap = false;
  Time twap_horizon;
  int twap_slices = 1;
  // The protocol's take-over rule (close factor, bonus, full-close thresholds), the same parameters the
  // mechanism executes with: the keeper estimates its take and reward with them.
  KeeperLiquidationParams liquidation;
  KeeperBidding bidding = KeeperBidding::Fixed;
  Ratio bid_raise = Ratio(kRatioScale);  // adaptive: level multiple after a lost race, >= 1
  Ratio bid_decay = Ratio(kRatioScale);  // adaptive: level multiple after a won race, in (0, 1]
  KeeperAuctionParams auction;
  // A keeper with a gas cap sends nothing while the base fee is above it (its transactions would not be
  // included: Black Thursday's keepers with fixed gas prices). The first `capped` keepers have it;
  // Amount(0) = no cap.
  Amount gas_cap;
  uint32_t capped = 0;
  // Each capped keeper's cap is gas_cap x (1 - gas_cap_spread x u), u uniform in [0, 1) from its own
  // stream: bots configured with different fixed gas prices drop out at different base fees.
  Ratio gas_cap_spread;
  // The last `lowball` keepers bid the smallest acceptable tend in English auctions and never dent (the
  // zero-DAI bidders of 12 March 2020).
  uint32_t lowball = 0;
  // The first `down` keepers send nothing in [outage_start, outage_end) (bots that stopped: out of DAI,
  // a failing node or gas oracle).
  uint32_t down = 0;
  Time outage_start, outage_end;
  // Sell seized positions into the market's AMM pool instead of its book (on-chain keepers swapping the
  // collateral), no unit of a swap more than amm_max_slippage below (above, for a buy) the market's index,
  // the keeper's valuation (a swap's minimum output); what the limit leaves unsold the keeper carries, as
  // with an empty book side.
  bool unwind_on_amm = false;
  Ratio amm_max_slippage;
  // Flash-loan liquidations (TxIntent::flash_loan): a keeper values a take of a long by what its unwind
  // venue pays for it now (the market's AMM pool, AmmVenue::preview, or the book's bids after the taker
  // fee, book_sale) less the loan (the cash the take costs) and its fee, needs no capital beyond its gas,
  // and receives nothing to unwind (the sale is in the transaction).
  bool flash_loan = false;
  Ratio flash_loan_fee;
  // The first `endorsed` keepers are the venue's endorsed liquidators (Synthetix's forceLiquidatePosition):
  // they send the forced call the mechanism quotes, for no reward, whatever their gas costs.
  uint32_t endorsed = 0;
  // Hold seized positions by a risk rule instead of selling them at once (sell_rule "hold"): every
  // hold_check the keeper compares the mark with the mark at the seizure and unwinds the whole position
  // once it moved hold_take_profit in the keeper's favour or hold_stop_loss against it, or after
  // hold_horizon. Fractions of the seizure's mark (beliefs of the keeper, so doubles).
  bool hold = false;
  Time hold_horizon, hold_check;
  double hold_take_profit = 0, hold_stop_loss = 0;
  // Price the unwind at the public book (unwind_valuation "book"): a keeper values the position it would
  // seize by walking the side of the market's book it would sell into (buy from, for a short), not at the
  // mark, and adds the difference to its expected reward; a take the book cannot absorb is skipped. So a
  // keeper passes on liquidations whose bonus does not pay for the book's depth (book unwinds only).
  bool unwind_valuation_book = false;
  // The last sum-of-counts keepers, in group order, follow these strategies instead of the population's
  // priority-fee draw, min_profit, sell rule and flash_loan; the lowballers are the last of the others.
  std::vector<KeeperStrategy> groups;
};

class Keepers final : public Population {
 public:
  // The wake-up arg of a keeper's periodic check of what it holds (other wake-ups carry a liquidation
  // id, never negative).
  static constexpr int64_t kHoldCheck = -1;
  Keepers(KeeperParams params, std::vector<AccountId> accounts, uint64_t master_seed);
  std::string_view name() const override { return "keepers"; }
  // The protocol found `target` liquidatable at this mark update.
  void on_opportunity(AgentContext& ctx, AccountId target) override;
  // Keeper i's transaction against `target` was executed by the protocol (gas already paid): on
  // success start unwinding the seized position.
  void on_transaction_result(AgentContext& ctx, uint32_t keeper, AccountId target,
                             const KeeperTakeover& result) override;
  // Unwind slices (TWAP).
  void on_wake(AgentContext& ctx, uint32_t keeper, int64_t arg) override;
  uint32_t size() const override { return uint32_t(keepers_.size()); }
  AccountId account(uint32_t i) const override { return keepers_[i].account; }
  // Keeper i's priority fee (fixed) or bid level (adaptive).
  Amount bid_level(uint32_t i) const { return keepers_[i].priority_fee; }
  // What `quantity` coins fetch when sold into the book's bids (side Buy: the resting side walked), or
  // cost when bought from its asks (side Sell), walking up to 4,096 levels; nothing when they cannot
  // absorb it. Rounded against the keeper (proceeds down, cost up).
  static std::optional<Amount> book_value(const OrderBook& book, Side resting, Quantity quantity);
  // What selling `quantity` coins into the book's bids pays after the taker fee (a flash-loan bundle's
  // sale on the book), rounded against the keeper; nothing when the bids cannot absorb it.
  static std::optional<Amount> book_sale(const OrderBook& book, Quantity quantity, Ratio taker_fee);
  // The adaptive rule's next level after a race: raised after a loss, lowered after a win, in [min, max].
  static Amount next_bid_level(const KeeperParams& params, Amount level, bool won);
  // The adaptive bid on one account: min(level, reward - base fee - min_profit), or nothing when that is
  // below priority_fee_min.
  // What a keeper expects from a liquidation of `target` at the current marks: the protocol's terms
  // (keeper_take_terms) for the account's largest exposure; nullopt when it holds no position.
  struct Expected {
    MarketId market;
    KeeperTakeTerms terms;
    Amount value;  // notional of the take at the mark, rounded down
  };
  static std::optional<Expected> expected_take(const KeeperParams& params, const ClearingHouse& ch,
                                               AccountId target);
  static std::optional<Amount> adaptive_bid(const KeeperParams& params, Amount level, Amount reward,
                                            Amount base_fee, Amount min_profit);

 private:
  struct Unwind {
    MarketId market;
    Quantity remaining;  // signed: quantity still to sell (+) or buy back (-)
    Quantity slice;
    LiquidationId liquidation;
    Price entry;  // hold: the mark at the seizure
    Time since;   // hold: the seizure's time
  };
  // Hold: whether the risk rule says to unwind `u` now.
  bool hold_over(AgentContext& ctx, const Unwind& u) const;
  struct Keeper {
    AccountId account;
    Rng rng;
    Amount priority_fee;  // fixed: the fee; adaptive: the bid level
    Amount gas_cap;       // Amount(0): none
    // Targets with a transaction in flight: only looked up (a queue of waiting transactions can hold
    // thousands), never iterated.
    std::unordered_set<AccountId> pending;
    std::vector<Unwind> unwinds;
    bool hold_check_pending = false;  // hold: a kHoldCheck wake-up is queued
    // The keeper's strategy: the population's, or its group's (whose priority fee is already the keeper's
    // priority_fee above).
    KeeperStrategy strategy;
  };
  void unwind_slice(AgentContext& ctx, Keeper& k, Unwind& u);
  // Keeper i can send now: not in an outage, and the base fee within its gas cap.
  bool available(uint32_t i, Time now, Amount base_fee) const;
  void send(AgentContext& ctx, Keeper& k, AccountId target, Amount fee, const TxIntent& intent);
  void on_auction_opportunity(AgentContext& ctx, AccountId target);

  KeeperParams params_;
  std::vector<Keeper> keepers_;
  uint32_t ungrouped_ = 0;  // keepers before the first group's
  bool any_flash_ = false;  // some keeper finances takes with flash loans
};

}  // namespace liqsim
