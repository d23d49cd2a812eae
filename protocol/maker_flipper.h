// Maker Liquidations 1.2 Flipper: the English collateral auction that the Clipper replaced. In the tend
// phase bidders raise the DAI bid for the whole lot up to the tab; in the dent phase, once the bid equals
// the tab, they bid the lot down for that fixed bid and the forgone collateral returns to the vault owner.
//
// Source: makerdao/dss src/flip.sol (protocols.md 3.5):
//   kick: end = now + tau, no bid time (tic) yet
//   tend: tic > now or no bid yet; end > now; lot unchanged; bid <= tab; bid > previous bid;
//         bid * ONE >= beg * previous bid, or bid == tab;                       then tic = now + ttl
//   dent: tic > now or no bid yet; end > now; bid == previous bid == tab; lot < previous lot;
//         beg * lot <= previous lot * ONE;                                      then tic = now + ttl
//   deal: a bid was placed and (tic < now or end < now)
//   tick: end < now and no bid was placed: end = now + tau
// Defaults: beg = 1.05 (5% minimum step), ttl = 3 h, tau = 2 days. Governance bound
// (makerdao/dss-exec-lib src/DssExecLib.sol setIlkMinAuctionBidIncrease): beg = 1 + pct with pct < 100%.
// Units: bid, tab [rad]; lot [wad]; beg [wad] (flip.sol's ONE = 1e18); times are whole seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "protocol/maker_math.h"

namespace liqsim::maker {

struct FlipperConfig {
  Uint256 beg = Uint256(1'050'000'000'000'000'000ull);  // minimum bid step [wad]
  uint64_t ttl = 3 * 3600;                              // single bid lifetime, seconds
  uint64_t tau = 2 * 24 * 3600;                         // maximum auction duration, seconds
};

enum class FlipperProblem {
  BegBelowOne,     // beg < 1 WAD: a bid could go down
  BegNotBelowTwo,  // beg >= 2 WAD
};

// Every problem of a Flipper's parameters (empty when valid).
std::vector<FlipperProblem> validate_flipper(const FlipperConfig& config);

struct FlipAuction {
  Uint256 bid;                  // DAI bid [rad]
  Uint256 lot;                  // collateral for sale [wad]
  Uint256 tab;                  // DAI wanted [rad]
  std::optional<uint64_t> tic;  // when the current bid expires; empty before the first bid
  uint64_t end = 0;             // when the auction ends regardless of bids
};

enum class FlipRefusal {
  AlreadyFinishedTic,    // the last bid has expired
  AlreadyFinishedEnd,    // the auction is past its end
  LotNotMatching,        // tend: the lot must stay the same
  HigherThanTab,         // tend: bid > tab
  BidNotHigher,          // tend: bid <= previous bid
  InsufficientIncrease,  // tend: bid < beg * previous bid and bid != tab
  NotMatchingBid,        // dent: the bid must stay the same
  TendNotFinished,       // dent: the bid has not reached the tab
  LotNotLower,           // dent: lot >= previous lot
  InsufficientDecrease,  // dent: beg * lot > previous lot
  NotFinished,           // deal: still running, or no bid; tick: not past its end
  BidAlreadyPlaced,      // tick: only an auction without bids restarts
};

// Flipper.kick at `now`: bid starts at `bid` (0 from the Cat), end = now + tau.
FlipAuction flip_kick(const Uint256& tab, const Uint256& lot, const Uint256& bid, uint64_t now,
                      const FlipperConfig& config);

// The smallest bid tend accepts: min(tab, max(bid + 1, ceil(beg * bid / ONE))). ceil because the rule is
// bid * ONE >= beg * previous bid; the tab itself is always accepted. Requires bid < tab. Vector #74.
Uint256 min_tend_bid(const FlipAuction& auction, const FlipperConfig& config);
// The largest lot dent accepts: min(lot - 1, floor(lot * ONE / beg)), from beg * lot_new <= lot * ONE.
// Requires lot > 0. Vector #74.
Uint256 max_dent_lot(const FlipAuction& auction, const FlipperConfig& config);

// Flipper.tend at `now`: the auction after a bid of `bid` for `lot`.
std::variant<FlipAuction, FlipRefusal> tend(const FlipAuction& auction, const Uint256& lot,
                                            const Uint256& bid, uint64_t now, const FlipperConfig& config);
// Flipper.dent at `now`: the auction after a bid of `bid` for the smaller `lot`; the caller returns
// auction.lot - lot to the vault owner.
std::variant<FlipAuction, FlipRefusal> dent(const FlipAuction& auction, const Uint256& lot,
                                            const Uint256& bid, uint64_t now, const FlipperConfig& config);
// Flipper.deal: whether the auction can be settled at `now` (the winner gets the lot).
bool can_deal(const FlipAuction& auction, uint64_t now);
// Flipper.tick: restart an auction that ended without a bid.
std::variant<FlipAuction, FlipRefusal> tick(const FlipAuction& auction, uint64_t now,
                                            const FlipperConfig& config);

}  // namespace liqsim::maker
