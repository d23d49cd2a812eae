#include "protocol/maker_flopper.h"

#include "core/check.h"

namespace liqsim::maker {

std::vector<FlopperProblem> validate_flopper(const FlopperConfig& config) {
  std::vector<FlopperProblem> problems;
  if (config.beg <= kWad) problems.push_back(FlopperProblem::BegNotAboveOne);
  if (config.beg >= kWad * Uint256(2)) problems.push_back(FlopperProblem::BegNotBelowTwo);
  if (config.pad < kWad) problems.push_back(FlopperProblem::PadBelowOne);
  if (config.ttl == 0) problems.push_back(FlopperProblem::TtlNotPositive);
  if (config.tau == 0) problems.push_back(FlopperProblem::TauNotPositive);
  return problems;
}

std::variant<FlopAuction, FlopRefusal> vow_flop(const Uint256& sin, const Uint256& Sin, const Uint256& Ash,
                                                const Uint256& dai, const Uint256& sump, const Uint256& dump,
                                                uint64_t now, const FlopperConfig& config) {
  // sub(sub(sin, Sin), Ash) reverts on underflow in dss: that is the same refusal here.
  if (sin < Sin || sin - Sin < Ash || sump > sin - Sin - Ash) return FlopRefusal::InsufficientDebt;
  if (!dai.is_zero()) return FlopRefusal::SurplusNotZero;
  return FlopAuction{sump, dump, std::nullopt, now + config.tau};
}

Uint256 max_flop_lot(const FlopAuction& auction, const FlopperConfig& config) {
  LIQSIM_CHECK(!auction.lot.is_zero(), "a dent needs a lot to lower");
  return min(auction.lot - Uint256(1), auction.lot * kWad / config.beg);
}

std::variant<FlopAuction, FlopRefusal> flop_dent(const FlopAuction& auction, const Uint256& lot,
                                                 const Uint256& bid, uint64_t now,
                                                 const FlopperConfig& config) {
  if (auction.tic && *auction.tic <= now) return FlopRefusal::AlreadyFinishedTic;
  if (auction.end <= now) return FlopRefusal::AlreadyFinishedEnd;
  if (bid != auction.bid) return FlopRefusal::NotMatchingBid;
  if (lot >= auction.lot) return FlopRefusal::LotNotLower;
  if (config.beg * lot > auction.lot * kWad) return FlopRefusal::InsufficientDecrease;
  FlopAuction next = auction;
  next.lot = lot;
  next.tic = now + config.ttl;
  return next;
}

bool flop_can_deal(const FlopAuction& auction, uint64_t now) {
  return auction.tic && (*auction.tic < now || auction.end < now);
}

std::variant<FlopAuction, FlopRefusal> flop_tick(const FlopAuction& auction, uint64_t now,
                                                 const FlopperConfig& config) {
  if (!(auction.end < now)) return FlopRefusal::NotFinished;
  if (auction.tic) return FlopRefusal::BidAlreadyPlaced;
  FlopAuction next = auction;
  next.lot = config.pad * auction.lot / kWad;
  next.end = now + config.tau;
  return next;
}

}  // namespace liqsim::maker
