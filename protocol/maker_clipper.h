// Maker Liquidations 2.0 Clipper: the Dutch auction of a barked vault's collateral. kick sets the
// starting price and pays the keeper incentive, status says when a sale must be redone, take sells a
// slice at the current curve price without leaving a tab below chost, redo restarts a stale sale.
//
// Source: makerdao/dss src/clip.sol (fa4f6630; protocols.md 3.4):
//   getPrice: feed = rdiv(val * BLN, par)            top = rmul(feed, buf)     (kick, redo)
//   coin = tip + wmul(tab, chip)                     (kick; redo only if tab >= chost and lot * feed >=
//   chost) status: price = calc.price(top, now - tic); done = now - tic > tail or rdiv(price, top) < cusp
//   take: slice = min(lot, amt); owe = slice * price;
//         if owe > tab: owe = tab, slice = owe / price
//         elif owe < tab and slice < lot and tab - owe < chost: require tab > chost; owe = tab - chost,
//              slice = owe / price
//         tab -= owe; lot -= slice; lot == 0 ends the sale (the rest of tab is dropped from Dirt),
//         tab == 0 returns the rest of lot to the vault owner
//   chost = wmul(dust, chop)                         (upchost)
// Governance bounds (makerdao/dss-exec-lib src/DssExecLib.sol): buf in [100%, 1000%)
// (setStartingPriceMultiplicativeFactor), cusp < 100% (setAuctionPermittedDrop), chip < 100%
// (setKeeperIncentivePercent); clip.sol stores chip as uint64 and tip as uint192.
// Units: tab, owe, tip, coin, chost [rad]; lot, slice, amt [wad]; top, price, feed, max, buf, cusp, par
// [ray]; chip [wad]; val (the oracle's value) [wad]; tail and elapsed time in seconds.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "protocol/maker_abacus.h"
#include "protocol/maker_math.h"

namespace liqsim::maker {

struct ClipperConfig {
  Uint256 buf = kRay;  // starting price over the feed price [ray]
  uint64_t tail = 0;   // seconds before a sale needs a redo
  Uint256 cusp;        // price / top below which a sale needs a redo [ray]
  Uint256 chip;        // keeper incentive as a fraction of tab [wad]
  Uint256 tip;         // flat keeper incentive [rad]
  Uint256 chost;       // cached wmul(dust, chop): the smallest tab a partial take may leave [rad]
};

enum class ClipperProblem {
  BufBelowOne,      // buf < 1 RAY: the auction would start below the oracle price
  BufNotBelowTen,   // buf >= 10 RAY
  CuspNotBelowOne,  // cusp >= 1 RAY: every sale would need a redo at once
  ChipNotBelowOne,  // chip >= 1 WAD
  TipTooWide,       // tip >= 2^192: does not fit clip.sol's uint192
};

// Every problem of a Clipper's parameters (empty when valid). The curve is validated by validate_abacus.
std::vector<ClipperProblem> validate_clipper(const ClipperConfig& config);

// chost = wmul(dust, chop) [rad], rounded down (clip.sol upchost).
Uint256 chost(const Uint256& dust, const Uint256& chop);

// The Clipper's feed price: rdiv(val * BLN, par) [ray], rounded down; par > 0 (1 RAY for DAI at $1).
Uint256 clipper_feed_price(const Uint256& val, const Uint256& par);

// The starting price top = rmul(feed, buf) [ray], rounded down.
Uint256 starting_price(const Uint256& feed_price, const Uint256& buf);

// The keeper incentive tip + wmul(tab, chip) [rad]; wmul rounds down. Vector #70.
Uint256 keeper_incentive(const Uint256& tab, const ClipperConfig& config);

// A running sale.
struct Sale {
  Uint256 tab;  // DAI still to raise [rad]
  Uint256 lot;  // collateral still for sale [wad]
  Uint256 top;  // starting price [ray], > 0
};

struct Kick {
  Sale sale;
  Uint256 coin;  // keeper incentive minted to the kicker [rad]
};

enum class KickRefusal { ZeroTab, ZeroLot, ZeroTopPrice };

// Clipper.kick for tab against lot at `feed_price` [ray]. Vectors #68 (top), #70 (coin).
std::variant<Kick, KickRefusal> kick(const Uint256& tab, const Uint256& lot, const Uint256& feed_price,
                                     const ClipperConfig& config);

struct AuctionStatus {
  bool needs_redo = false;
  Uint256 price;  // the curve's price now [ray]
};

// Clipper.status: price = the curve at `elapsed` seconds since the (re)start; needs_redo when elapsed >
// tail or rdiv(price, top) < cusp (rdiv rounds down, so the redo can come one unit early). Vector #73.
AuctionStatus auction_status(const Sale& sale, const Abacus& abacus, uint64_t elapsed,
                             const ClipperConfig& config);

struct TakeAmounts {
  Uint256 slice;              // collateral bought [wad]
  Uint256 owe;                // DAI paid [rad]
  Uint256 tab;                // tab after the take [rad]
  Uint256 lot;                // lot after the take [wad]
  Uint256 returned_to_owner;  // collateral sent back to the vault owner because the tab is paid [wad]
  Uint256 dirt_released;      // removed from Dirt and the ilk's dirt (Dog.digs) [rad]
  bool finished = false;      // the sale is over (lot or tab is zero)
};

enum class TakeRefusal {
  NeedsReset,         // the sale is past tail or below cusp: redo first
  TooExpensive,       // max < price
  NoPartialPurchase,  // the take would leave a tab below chost and tab <= chost: buy the whole lot
};

// The amounts of a take of up to `amt` at `price` [ray] (> 0). owe = slice * price is exact; the
// adjusted slice owe / price rounds down (the buyer gets at most what they pay for). Vectors #71, #72.
std::variant<TakeAmounts, TakeRefusal> take_at_price(const Sale& sale, const Uint256& price,
                                                     const Uint256& amt, const Uint256& chost);

// Clipper.take at `elapsed` seconds since the (re)start: the status check, the buyer's max price, then
// take_at_price.
std::variant<TakeAmounts, TakeRefusal> take(const Sale& sale, const Abacus& abacus, uint64_t elapsed,
                                            const Uint256& amt, const Uint256& max,
                                            const ClipperConfig& config);

struct Redo {
  Uint256 top;   // the new starting price [ray]
  Uint256 coin;  // keeper incentive [rad]; zero for a dusty sale
};

enum class RedoRefusal { CannotReset, ZeroTopPrice };

// Clipper.redo: only a sale that needs a redo restarts, at rmul(feed, buf); the incentive is paid only
// if tab >= chost and lot * feed >= chost (a dusty sale earns nothing).
std::variant<Redo, RedoRefusal> redo(const Sale& sale, const Abacus& abacus, uint64_t elapsed,
                                     const Uint256& feed_price, const ClipperConfig& config);

}  // namespace liqsim::maker
