// MakerDAO's debt auction: the Vow covers system debt that its surplus cannot by minting MKR. Vow.flop
// kicks a Flopper auction offering `dump` MKR for a fixed `sump` DAI; bidders dent the lot down (each
// accepting at least beg times less MKR for the same DAI); the first dent's DAI cancels the Vow's debt
// (Vow.kiss), a later one repays the bidder it displaces; when the last bid has lived ttl (or the auction
// reached its end) deal mints the lot to the winner; an auction that ended without a bid is restarted
// with pad times the lot (tick).
//
// Sources: makerdao/dss src/flop.sol and src/vow.sol (snapshot fa4f6630; protocols.md 3.4 "system debt
// ... covered by MKR minting (Flop debt auctions)"):
//   Vow.flop:  sump <= sin - Sin - Ash ("Vow/insufficient-debt"); dai(vow) == 0 ("Vow/surplus-not-zero");
//              Ash += sump; kick(vow, dump, sump)
//   kick:      bid = sump, lot = dump, guy = vow, end = now + tau, no tic
//   dent:      guy set; tic > now or no tic ("already-finished-tic"); end > now ("already-finished-end");
//              bid == previous bid ("not-matching-bid"); lot < previous lot ("lot-not-lower");
//              beg * lot <= previous lot * ONE ("insufficient-decrease"); the bidder pays bid to guy (on
//              the first dent the Vow, which kisses min(bid, Ash)); then guy = bidder, tic = now + ttl
//   deal:      tic set and (tic < now or end < now) ("not-finished"): mint lot MKR to guy
//   tick:      end < now ("not-finished") and no tic ("bid-already-placed"): lot = pad * lot / ONE,
//              end = now + tau
// Defaults: flop.sol's beg 1.05, pad 1.50, ttl 3 h, tau 2 days. Units: bid [rad], lot [wad], beg and pad
// [wad] (ONE = 1e18), whole seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "protocol/maker_math.h"

namespace liqsim::maker {

struct FlopperConfig {
  Uint256 beg = Uint256(1'050'000'000'000'000'000ull);  // minimum lot decrease [wad]
  Uint256 pad = Uint256(1'500'000'000'000'000'000ull);  // lot increase of a restart [wad]
  uint64_t ttl = 3 * 3600;                              // single bid lifetime, seconds
  uint64_t tau = 2 * 24 * 3600;                         // maximum auction duration, seconds
};

enum class FlopperProblem {
  BegNotAboveOne,  // beg <= 1 WAD: the largest lot a dent may offer would not be lower (lot-not-lower)
  BegNotBelowTwo,  // beg >= 2 WAD (flip.sol's bound, kept for the debt auction)
  PadBelowOne,     // pad < 1 WAD: a restart would offer less MKR
  TtlNotPositive,
  TauNotPositive,
};

// Every problem of a Flopper's parameters (empty when valid).
std::vector<FlopperProblem> validate_flopper(const FlopperConfig& config);

struct FlopAuction {
  Uint256 bid;                  // DAI wanted [rad], fixed
  Uint256 lot;                  // MKR offered [wad]
  std::optional<uint64_t> tic;  // when the current bid expires; empty before the first dent
  uint64_t end = 0;             // when the auction ends regardless of bids
};

enum class FlopRefusal {
  InsufficientDebt,      // Vow.flop: sump > sin - Sin - Ash
  SurplusNotZero,        // Vow.flop: the Vow holds DAI (it must heal first)
  AlreadyFinishedTic,    // dent: the last bid has expired
  AlreadyFinishedEnd,    // dent: the auction is past its end
  NotMatchingBid,        // dent: the bid is fixed
  LotNotLower,           // dent: lot >= previous lot
  InsufficientDecrease,  // dent: beg * lot > previous lot * ONE
  NotFinished,           // deal: no bid, or still running; tick: not past its end
  BidAlreadyPlaced,      // tick: only an auction without bids restarts
};

// Vow.flop at `now`: the auction of `dump` MKR for `sump` DAI when the Vow's unqueued, unauctioned debt
// (`sin` - `Sin` - `Ash`, rad) covers sump and its surplus `dai` is 0; the caller adds sump to Ash.
std::variant<FlopAuction, FlopRefusal> vow_flop(const Uint256& sin, const Uint256& Sin, const Uint256& Ash,
                                                const Uint256& dai, const Uint256& sump, const Uint256& dump,
                                                uint64_t now, const FlopperConfig& config);

// The largest lot dent accepts: min(lot - 1, floor(lot * ONE / beg)), from beg * lot_new <= lot * ONE.
// Requires lot > 0.
Uint256 max_flop_lot(const FlopAuction& auction, const FlopperConfig& config);

// Flopper.dent at `now`: the auction after a bid of `bid` DAI for the smaller `lot`.
std::variant<FlopAuction, FlopRefusal> flop_dent(const FlopAuction& auction, const Uint256& lot,
                                                 const Uint256& bid, uint64_t now,
                                                 const FlopperConfig& config);
// Flopper.deal: whether the auction can be settled at `now` (the winner is minted the lot).
bool flop_can_deal(const FlopAuction& auction, uint64_t now);
// Flopper.tick: restart an auction that ended without a bid, with pad times the lot.
std::variant<FlopAuction, FlopRefusal> flop_tick(const FlopAuction& auction, uint64_t now,
                                                 const FlopperConfig& config);

}  // namespace liqsim::maker
