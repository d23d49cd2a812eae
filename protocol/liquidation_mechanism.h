// The interface every liquidation mechanism implements, and the kernel services it may use.
//
// Contract (tests/protocol/liquidation_mechanism_contract_test.cpp runs it against every
// implementation): money and positions are conserved after every call; an account that is not
// liquidatable at the current marks is never liquidated (no record, nothing moves); the rewards one call
// pays are at most the liquidated account's equity before it (a keeper's bonus is the account's own
// money); every loss is accounted for by the loss waterfall (insurance fund, ADL, recorded bad debt).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/recorder.h"
#include "core/units.h"
#include "protocol/clearing_house.h"

namespace liqsim {

// What set a liquidation off: the mark update that found the account and the earlier liquidation
// whose fills moved that mark (none for a root).
struct LiquidationTrigger {
  Time now;
  int64_t mark_update = kNoId;
  std::optional<LiquidationId> cause;
};

enum class KeeperOutcome : uint8_t { Liquidated, NotLiquidatable, KeeperUndercollateralised };

struct KeeperTakeover {
  KeeperOutcome outcome = KeeperOutcome::NotLiquidatable;
  std::optional<LiquidationId> liquidation;  // set when Liquidated (none for a debt-auction bid)
  MarketId market;
  Quantity quantity;  // signed position the keeper received
  Price price;
  Amount reward;  // what the take removed from the account's equity at the marks (the bonus, capped by it)
};

// What a keeper's transaction asks the mechanism to do. Keeper take-overs need nothing more than the
// target; auctions name the auction and the bid (Maker's Clipper.take, Flipper.tend / dent, Dog.bark,
// Clipper.redo).
enum class TxAction : uint8_t {
  Liquidate = 0,  // the keeper mechanism's take-over
  Bark = 1,       // start an auction of the target's collateral (Dog.bark + Clipper.kick); Synthetix's flag
  Take = 2,       // Dutch auction: buy up to `quantity` at a price at most `max_price`
  Tend = 3,       // English auction: bid `bid` for the whole lot
  Dent = 4,       // English auction: accept `quantity` (< lot) of collateral for the full tab
  Redo = 5,       // Dutch auction: restart a sale past its tail or cusp
  ForceLiquidate = 6,  // Synthetix: an endorsed liquidator's forceLiquidatePosition (no limits, no fee)
};

struct TxIntent {
  TxAction action = TxAction::Liquidate;
  std::optional<LiquidationId> auction;  // Take, Tend, Dent, Redo: the auction (its bark's liquidation id)
  Quantity quantity;                     // Take: most collateral bought; Dent: the lot asked for
  Price max_price;                       // Take: highest price per coin paid
  Amount bid;                            // Tend: the DAI bid for the lot
  // Liquidate: the keeper pays with a flash loan, sells what it receives on the market's AMM pool in the
  // same transaction and repays the loan and its fee; the transaction reverts unless the sale covers them.
  bool flash_loan = false;

  TxIntent() = default;
  explicit TxIntent(TxAction a, std::optional<LiquidationId> id = std::nullopt, Quantity q = {}, Price p = {},
                    Amount b = {})
      : action(a), auction(id), quantity(q), max_price(p), bid(b) {}
};

// The public state of a running auction of one account's collateral: what a keeper's bot reads on
// chain before it bids.
// Debt: Maker's Flopper, a fixed DAI bid for a falling MKR lot (the view's price: the bidders' MKR value).
enum class AuctionKind : uint8_t { Dutch = 0, English = 1, Debt = 2 };

struct AuctionView {
  AuctionKind kind = AuctionKind::Dutch;
  LiquidationId id;  // the bark's (bite's) liquidation id
  MarketId market;
  Quantity lot;  // collateral for sale
  Amount tab;    // DAI the auction still wants
  // Dutch: the curve's price now per coin, and whether the sale must be redone before a take.
  Price price;
  bool needs_redo = false;
  Amount redo_incentive;  // what a redo pays its caller (tip + chip x tab, 0 for a dusty sale)
  // English: the standing bid and its bidder (none before the first), the dent phase (bid == tab), the
  // smallest acceptable next bid (tend) and the largest acceptable next lot (dent), and when the
  // standing bid (or the auction) ends.
  Amount bid;
  std::optional<AccountId> bidder;
  bool dent_phase = false;
  Amount min_bid;
  Quantity max_lot;
  Time ends;
};

// What a keeper's liquidation transaction against an account would give it now, by the mechanism's own
// rules (a bot simulating the call before it sends it): the position it would receive and its reward.
struct LiquidationQuote {
  MarketId market;
  Quantity take;  // absolute quantity the keeper would receive
  Amount value;   // the take's notional at the mark
  Amount reward;  // what the keeper would earn at the mark
  // A reward already earned by one account that this transaction pays out, on top of `reward` when that
  // account sends it (Synthetix's flagger fee, paid at liquidatePosition).
  std::optional<AccountId> beneficiary;
  Amount beneficiary_reward;
  // The call to send (Synthetix: Bark to flag, Liquidate once flagged).
  TxAction action = TxAction::Liquidate;
};

// The flash loan a liquidation of `value` at the mark paying the keeper `reward` needs: its cost, value -
// reward, one micro-dollar over (the keeper mechanism's cash rounds per slice of the position).
inline Amount flash_loan_amount(Amount value, Amount reward) { return value - reward + Amount(1); }

// What the kernel offers a mechanism: the clock, timers, the keeper population, cause attribution.
class MechanismHost {
 public:
  virtual ~MechanismHost() = default;
  virtual Time now() const = 0;
  // Calls the mechanism's on_timer(a) at `at` (>= now).
  virtual void schedule_timer(AccountId a, Time at) = 0;
  // Publishes an opportunity: keepers may send a liquidation transaction against account a.
  virtual void publish_opportunity(AccountId a) = 0;
  // What set off a liquidation of account a now (the mark update, the earlier liquidation that moved it).
  virtual LiquidationTrigger trigger_for(AccountId a) = 0;
  // Tells keeper `keeper`'s population of an outcome that came without a transaction of its own (an
  // English auction it won, settled when its last bid expired): what it received, as a transaction
  // result.
  virtual void deliver(AccountId keeper, AccountId target, const KeeperTakeover& result) = 0;
};

class LiquidationMechanism {
 public:
  virtual ~LiquidationMechanism() = default;
  virtual std::string_view name() const = 0;
  // The run starts (time 0, before any event): mechanisms with their own clock schedule it here.
  virtual void on_start(MechanismHost& /*host*/) {}
  // Detection found account a liquidatable at the current marks. Returns true when detection should
  // watch the account again at once (the mechanism waits for others to act on it), false when the
  // mechanism took it over (it re-arms the account when done) or leaves it alone.
  virtual bool on_liquidatable(MechanismHost& host, AccountId a) = 0;
  // A timer this mechanism scheduled through the host.
  virtual void on_timer(MechanismHost& host, AccountId a) = 0;
  // A keeper's liquidation transaction against a, included in a block now, asking for `intent`.
  // Mechanisms without transactions answer NotLiquidatable and move nothing.
  virtual KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                        const TxIntent& intent) = 0;
  // The running auctions of account a's collateral at time `now` (auction mechanisms), oldest first.
  virtual std::vector<AuctionView> auctions(AccountId /*a*/, Time /*now*/) const { return {}; }
  // A keeper's take-over of account a now by this mechanism's own rules; none where keepers estimate it
  // from the keeper parameters (keeper_take_terms) or the mechanism has no take-over.
  virtual std::optional<LiquidationQuote> quote(AccountId /*a*/, Time /*now*/) const { return std::nullopt; }
  // The account's owner may not trade or add margin (Synthetix freezes a flagged position).
  virtual bool frozen(AccountId /*a*/) const { return false; }
};

}  // namespace liqsim
