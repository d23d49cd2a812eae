#include "protocol/maker_flipper.h"

#include "core/check.h"

namespace liqsim::maker {
namespace {

// The checks tend and dent share: the current bid has not expired and the auction has not ended.
std::optional<FlipRefusal> still_open(const FlipAuction& auction, uint64_t now) {
  if (auction.tic && *auction.tic <= now) return FlipRefusal::AlreadyFinishedTic;
  if (auction.end <= now) return FlipRefusal::AlreadyFinishedEnd;
  return std::nullopt;
}

}  // namespace

std::vector<FlipperProblem> validate_flipper(const FlipperConfig& config) {
  std::vector<FlipperProblem> problems;
  if (config.beg < kWad) problems.push_back(FlipperProblem::BegBelowOne);
  if (config.beg >= kWad * Uint256(2)) problems.push_back(FlipperProblem::BegNotBelowTwo);
  return problems;
}

FlipAuction flip_kick(const Uint256& tab, const Uint256& lot, const Uint256& bid, uint64_t now,
                      const FlipperConfig& config) {
  return FlipAuction{bid, lot, tab, std::nullopt, now + config.tau};
}

Uint256 min_tend_bid(const FlipAuction& auction, const FlipperConfig& config) {
  LIQSIM_CHECK(auction.bid < auction.tab, "the tend phase ends when the bid reaches the tab");
  const Uint256 scaled = config.beg * auction.bid;
  Uint256 step_up = scaled / kWad;
  if (!(scaled % kWad).is_zero()) step_up = step_up + Uint256(1);
  const Uint256 higher = auction.bid + Uint256(1);
  return min(auction.tab, step_up > higher ? step_up : higher);
}

Uint256 max_dent_lot(const FlipAuction& auction, const FlipperConfig& config) {
  LIQSIM_CHECK(!auction.lot.is_zero(), "a dent needs a lot to lower");
  return min(auction.lot - Uint256(1), auction.lot * kWad / config.beg);
}

std::variant<FlipAuction, FlipRefusal> tend(const FlipAuction& auction, const Uint256& lot,
                                            const Uint256& bid, uint64_t now, const FlipperConfig& config) {
  if (const auto refusal = still_open(auction, now)) return *refusal;
  if (lot != auction.lot) return FlipRefusal::LotNotMatching;
  if (bid > auction.tab) return FlipRefusal::HigherThanTab;
  if (bid <= auction.bid) return FlipRefusal::BidNotHigher;
  if (bid * kWad < config.beg * auction.bid && bid != auction.tab) return FlipRefusal::InsufficientIncrease;
  FlipAuction next = auction;
  next.bid = bid;
  next.tic = now + config.ttl;
  return next;
}

std::variant<FlipAuction, FlipRefusal> dent(const FlipAuction& auction, const Uint256& lot,
                                            const Uint256& bid, uint64_t now, const FlipperConfig& config) {
  if (const auto refusal = still_open(auction, now)) return *refusal;
  if (bid != auction.bid) return FlipRefusal::NotMatchingBid;
  if (bid != auction.tab) return FlipRefusal::TendNotFinished;
  if (lot >= auction.lot) return FlipRefusal::LotNotLower;
  if (config.beg * lot > auction.lot * kWad) return FlipRefusal::InsufficientDecrease;
  FlipAuction next = auction;
  next.lot = lot;
  next.tic = now + config.ttl;
  return next;
}

bool can_deal(const FlipAuction& auction, uint64_t now) {
  return auction.tic && (*auction.tic < now || auction.end < now);
}

std::variant<FlipAuction, FlipRefusal> tick(const FlipAuction& auction, uint64_t now,
                                            const FlipperConfig& config) {
  if (!(auction.end < now)) return FlipRefusal::NotFinished;
  if (auction.tic) return FlipRefusal::BidAlreadyPlaced;
  FlipAuction next = auction;
  next.end = now + config.tau;
  return next;
}

}  // namespace liqsim::maker
