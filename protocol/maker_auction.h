// MakerDAO's collateral auctions as liquidation mechanisms of the kernel: Liquidations 2.0 (Dog.bark +
// Clipper Dutch auctions, `maker_clip`) and Liquidations 1.2 (Cat.bite + Flipper English auctions,
// `maker_flip`). The amounts come from the formula modules (protocol/maker_dog.h, maker_clipper.h,
// maker_flipper.h, maker_abacus.h), which follow makerdao/dss in its own units; this file maps them onto
// the ledger and the keepers' transactions.
//
// A vault is an account holding a long position (its collateral, `ink`) and a negative quote balance (its
// debt, `art * rate` in DAI): equity = ink x price - debt, exactly the vault's. The market's margin model
// is the Vat's safety rule (the `collateral_ratio` model is Maker's `ink * spot < art * rate` with spot =
// price / mat) and its mark is the feed (the `oracle` mark method with a one-hour delay is the OSM).
//
// Bark / bite moves the auctioned collateral and its share of the debt from the vault to the
// `auction_house` place: the vault's debt is gone, the auction house holds the collateral and owes the
// debt (`due`, the Vow's `sin`). Keepers' transactions buy collateral (Clipper.take) or bid for it
// (Flipper.tend / dent); the DAI they pay goes to the auction house. When the auction ends, what it
// raised above `due` (the penalty, at most tab - due) goes to the insurance fund (the Vow's surplus); a
// shortfall is the system's debt: the fund pays it while it can, the rest is recorded bad debt (what
// Maker covers by minting MKR in Flop auctions). Collateral not sold goes back to the vault owner
// (Clipper: once the tab is raised; Flipper: the lot given up in the dent phase).
//
// Units: 1 micro-DAI of the ledger is 1e39 rad, 1e-8 coin is 1e10 wad, 1e-6 $/coin is 1e21 ray. Amounts
// computed by the formula modules go to the ledger rounded against the keeper (it pays owe rounded up
// and receives a slice rounded down); each auction tracks its own collateral in ledger units, so what is
// left of it goes back to the owner exactly.
//
// The Vow's debt auctions (`flop`, protocol/maker_flopper.h), when enabled: at every poll the Vow heals
// what it can of the recorded bad debt with its surplus (the insurance fund), then kicks a Flopper
// auction of `dump` MKR for `sump` DAI for each whole sump of bad debt not already on auction. Keepers
// dent the lot down at their valuation of MKR (`mkr_price`: MKR has no market in the run); the first
// dent's DAI cancels recorded bad debt (Vow.kiss), a later one repays the displaced bidder; the lot is
// minted to the winner (from the Outside place, in the MKR asset) when its last bid has lived ttl. Keepers
// reach the debt auctions through the Deficit place (the Vow) as target; their records are auctions of
// kind 3 (AuctionRecord), numbered by the Flopper's kicks. Not modelled: Vow.wait (bad debt is floppable
// at once, not after the debt queue's delay) and MKR's price response to the dilution.
//
// Keepers' incentives (Clipper tip + chip at kick and redo) are minted by the Vow (vat.suck): paid by the
// insurance fund, then recorded as bad debt. They are not the vault's money, so a bark's
// LiquidationRecord carries reward 0 and the incentive is in the auction's record.
//
// Not modelled: several collateral types with their own Dog/Cat ilk (every market is one ilk with the
// same parameters); the stability fee (rate stays 1 RAY); Clipper's flash callback (a keeper's account
// may go negative in DAI if it can carry the collateral it bought, then sells it into the book, which is
// the economic effect of the callback). A short position, which has no collateral to auction, is
// absorbed by the insurance fund at its bankruptcy price and unwound into the book (as Compound v3's
// absorb), so a mixed population still runs.
#pragma once

#include <optional>
#include <unordered_map>
#include <vector>

#include "core/recorder.h"
#include "protocol/liquidation.h"
#include "protocol/maker_abacus.h"
#include "protocol/maker_clipper.h"
#include "protocol/maker_flipper.h"
#include "protocol/maker_flopper.h"

namespace liqsim {

// Conversions between the ledger's fixed point and dss's units.
namespace maker_units {
maker::Uint256 rad(Amount a);    // a >= 0
maker::Uint256 wad(Quantity q);  // q >= 0
maker::Uint256 ray(Price p);     // p >= 0
Amount amount_up(const maker::Uint256& rad);
Amount amount_down(const maker::Uint256& rad);
Quantity quantity_down(const maker::Uint256& wad);
Price price_down(const maker::Uint256& ray);
}  // namespace maker_units

// The Vow's debt auctions (Vow.sump, Vow.dump, the Flopper's parameters).
struct MakerFlopParams {
  bool enabled = false;
  maker::Uint256 sump;  // DAI per auction, fixed [rad]
  maker::Uint256 dump;  // MKR offered at the start [wad]
  maker::FlopperConfig flopper;
  Price mkr_price;  // what bidders value one MKR at, in DAI (the view's price)
  AssetId mkr;      // the ledger's MKR asset (8 decimals: one unit is 1e10 wad)
};

struct MakerClipParams {
  maker::Uint256 chop;           // 1 + liquidation penalty [wad]
  maker::Uint256 hole;           // per collateral type (market): max DAI in active auctions [rad]
  maker::Uint256 Hole;           // all collateral types [rad]
  maker::Uint256 dust;           // smallest vault debt [rad]
  maker::ClipperConfig clipper;  // chost is derived (wmul(dust, chop)) by the constructor
  maker::Abacus abacus;
  Time poll = seconds(60);  // running auctions are re-published to keepers this often
  MakerFlopParams flop;
};

struct MakerFlipParams {
  maker::Uint256 chop;  // 1 + liquidation penalty [wad]
  maker::Uint256 dunk;  // most debt + penalty per auction [rad] (Cat 1.2)
  maker::Uint256 box;   // most debt + penalty in all active auctions [rad] (Cat 1.2)
  maker::Uint256 lump;  // most collateral per auction [wad] (Cat 1.0, Black Thursday: 50 ETH); 0: none
  maker::FlipperConfig flipper;
  Time poll = seconds(60);  // running auctions are settled and re-published to keepers this often
  MakerFlopParams flop;
};

// The common part: vaults, the auction house, settlement, records.
class MakerAuctions : public LiquidationMechanism {
 public:
  MakerAuctions(ClearingHouse& ch, Recorder& recorder, ExecutionVenue& venue, Time poll,
                MakerFlopParams flop);
  std::vector<AuctionView> auctions(AccountId a, Time now) const override;
  void on_timer(MechanismHost& host, AccountId a) override;
  // Auctions running now.
  size_t running() const { return running_.size(); }
  // Debt auctions running now, and the DAI on them no dent has paid yet (the Vow's Ash) [rad].
  size_t running_flops() const { return flops_.size(); }
  const maker::Uint256& ash() const { return ash_; }

 protected:
  struct Auction {
    LiquidationId id;
    AccountId owner;
    MarketId market;
    Quantity held;       // this auction's collateral still in the auction house (ledger units)
    Quantity lot0;       // collateral at the start
    Amount due;          // the vault's debt the auction house took over
    Amount tab0;         // DAI wanted at the start
    Amount raised;       // DAI received so far
    Amount incentive;    // paid to keepers for kick and redos
    Quantity returned;   // collateral given back to the owner
    Price feed_at_kick;  // the feed (mark) when it started
    Time kicked;
    uint32_t bids = 0;   // takes, tends and dents accepted
    uint32_t redos = 0;  // Clipper redos / Flipper ticks
    // Dutch
    maker::Sale sale;
    Time tic;  // the sale's (re)start
    // English
    maker::FlipAuction flip;
    std::optional<AccountId> bidder;
    // What keepers read, refreshed when the flip changes (a view is read far more often than a bid lands).
    Amount min_bid;
    Quantity max_lot;
  };

  // A vault: the account's largest exposure is a long and its balance is a debt. Returns the market.
  std::optional<MarketId> vault_market(AccountId a) const;
  // The vault's debt attributed to market m (the whole debt for one position; by mark value for several).
  Amount vault_debt(AccountId a, MarketId m) const;
  // Moves `lot` of a's collateral in m and `due` of its debt to the auction house and opens an auction
  // (recorded as a liquidation of the vault); the caller fills in the sale or the flip.
  Auction& open(MechanismHost& host, AccountId a, MarketId m, Quantity lot, Amount due, Amount tab,
                std::optional<AccountId> keeper);
  // Pays a keeper incentive out of the Vow (fund, then bad debt).
  void pay_incentive(Auction& auction, AccountId keeper, Amount amount);
  // Gives `q` of the auction's collateral back to its owner.
  void give_back(Auction& auction, Quantity q);
  // Ends an auction: the rest of its collateral to the owner, the penalty to the fund or the shortfall
  // through the waterfall, its record; removes it.
  void settle(MechanismHost& host, LiquidationId id);
  Auction* find(std::optional<LiquidationId> id);
  const Auction* find(LiquidationId id) const;
  void ensure_poll(MechanismHost& host);
  void publish_running(MechanismHost& host);
  virtual AuctionView view(const Auction& auction, Time now) const = 0;
  // A poll: settle what can be settled (Flipper deal / tick), before re-publishing.
  virtual void on_poll(MechanismHost& host) = 0;
  // The Vow's account (the Deficit place): keepers' target for debt auctions.
  static AccountId vow() { return place_account(Place::Deficit); }
  // Flopper.dent by a keeper (the target is the Vow).
  KeeperTakeover dent_flop(MechanismHost& host, AccountId keeper, const TxIntent& intent);
  virtual uint8_t kind() const = 0;
  static uint64_t seconds_of(Time t) { return uint64_t(t.raw() / kNanosPerSecond); }

  ClearingHouse& ch_;
  Recorder& recorder_;
  ExecutionVenue& venue_;
  Time poll_;
  bool polling_ = false;
  PlaceUnwinder unwinder_;
  std::unordered_map<int64_t, Auction> auctions_;  // by liquidation id, looked up only
  std::vector<LiquidationId> running_;             // in the order they started
  // Running auctions per vault, in the order they started: a keeper's view of one vault costs its own
  // auctions, not every running one.
  std::unordered_map<AccountId, std::vector<LiquidationId>> per_owner_;

 private:
  struct Flop {
    int64_t id = 0;  // the Flopper's kick number, from 1
    maker::FlopAuction auction;
    std::optional<AccountId> guy;  // the standing bidder; none while the Vow's own bid stands
    maker::Uint256 lot0;
    Time kicked;
    uint32_t bids = 0, ticks = 0;
  };
  // The Vow's step at a poll: heal, kick what the debt allows, deal and tick the debt auctions.
  void vow_step(MechanismHost& host);
  AuctionView flop_view(const Flop& flop) const;

  MakerFlopParams flop_;
  std::vector<Flop> flops_;  // running, in kick order
  maker::Uint256 ash_;       // Vow.Ash [rad]
  int64_t kicks_ = 0;
};

// Liquidations 2.0: keepers bark unsafe vaults (Dog.bark, paid tip + chip), Dutch auctions on the
// abacus curve from top = feed x buf, keepers take at the curve's price, redo past tail or cusp.
class MakerClipLiquidation final : public MakerAuctions {
 public:
  MakerClipLiquidation(MakerClipParams params, ClearingHouse& ch, Recorder& recorder, ExecutionVenue& venue);
  std::string_view name() const override { return "maker_clip"; }
  // An unsafe vault is an opportunity to bark, published at every mark update while it lasts.
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
  // The Dog's Dirt now [rad].
  const maker::Uint256& dirt() const { return dirt_; }

 private:
  // What Dog.bark + Clipper.kick would do to vault a now; none when it would revert.
  struct BarkTerms {
    MarketId market;
    Quantity lot;
    Amount due, tab;
    maker::Uint256 dirt;  // the tab in rad, added to Dirt and the market's dirt
    maker::Kick kick;
  };
  std::optional<BarkTerms> bark_terms(AccountId a) const;
  KeeperTakeover bark(MechanismHost& host, AccountId keeper, AccountId a);
  KeeperTakeover take(MechanismHost& host, AccountId keeper, Auction& auction, const TxIntent& intent);
  KeeperTakeover redo(MechanismHost& host, AccountId keeper, Auction& auction);
  AuctionView view(const Auction& auction, Time now) const override;
  void on_poll(MechanismHost&) override {}
  uint8_t kind() const override { return 0; }
  maker::Uint256 feed(MarketId m) const;

  MakerClipParams params_;
  maker::Uint256 dirt_;                   // Dog.Dirt
  std::vector<maker::Uint256> ilk_dirt_;  // per market
};

// Liquidations 1.2: the Cat bites an unsafe vault as soon as the feed shows it (keepers' bots call bite
// at once; no incentive), Flipper English auctions: tend raises the DAI bid for the whole lot by at
// least beg, dent lowers the lot for the full tab, each bid lives ttl, the auction at most tau; settled
// (deal) at the first poll after it ended, restarted (tick) when it ended without a bid.
class MakerFlipLiquidation final : public MakerAuctions {
 public:
  MakerFlipLiquidation(MakerFlipParams params, ClearingHouse& ch, Recorder& recorder, ExecutionVenue& venue);
  std::string_view name() const override { return "maker_flip"; }
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
  // Cat.litter now [rad].
  const maker::Uint256& litter() const { return litter_; }

 private:
  bool bite(MechanismHost& host, AccountId a);
  // Sets the auction's flip and the bid limits keepers read (min_tend_bid, max_dent_lot).
  void set_flip(Auction& auction, const maker::FlipAuction& flip) const;
  AuctionView view(const Auction& auction, Time now) const override;
  void on_poll(MechanismHost& host) override;
  uint8_t kind() const override { return 1; }

  MakerFlipParams params_;
  maker::Uint256 litter_;  // Cat.litter
};

}  // namespace liqsim
