#include "protocol/maker_dog.h"

namespace liqsim::maker {

std::vector<DogIlkProblem> validate_dog_ilk(const DogIlk& dog_ilk, const VatIlk& vat_ilk) {
  std::vector<DogIlkProblem> problems;
  if (dog_ilk.chop < kWad) problems.push_back(DogIlkProblem::ChopBelowOne);
  if (dog_ilk.chop >= kWad * Uint256(2)) problems.push_back(DogIlkProblem::ChopNotBelowTwo);
  if (dog_ilk.hole < vat_ilk.dust) problems.push_back(DogIlkProblem::HoleBelowDust);
  return problems;
}

bool is_unsafe(const Urn& urn, const VatIlk& vat_ilk) {
  return !vat_ilk.spot.is_zero() && urn.ink * vat_ilk.spot < urn.art * vat_ilk.rate;
}

std::optional<Uint256> liquidation_room(const DogIlk& dog_ilk, const DogTotals& totals) {
  if (totals.hole <= totals.dirt || dog_ilk.hole <= dog_ilk.dirt) return std::nullopt;
  return min(totals.hole - totals.dirt, dog_ilk.hole - dog_ilk.dirt);
}

std::variant<Bark, BarkRefusal> bark(const Urn& urn, const VatIlk& vat_ilk, const DogIlk& dog_ilk,
                                     const DogTotals& totals) {
  if (!is_unsafe(urn, vat_ilk)) return BarkRefusal::NotUnsafe;
  return bark_amounts(urn, vat_ilk, dog_ilk, totals);
}

std::variant<Bark, BarkRefusal> bark_amounts(const Urn& urn, const VatIlk& vat_ilk, const DogIlk& dog_ilk,
                                             const DogTotals& totals) {
  if (urn.art.is_zero() || vat_ilk.rate.is_zero()) return BarkRefusal::NotUnsafe;
  const std::optional<Uint256> room = liquidation_room(dog_ilk, totals);
  if (!room) return BarkRefusal::LiquidationLimitHit;

  Bark out;
  out.dart = min(urn.art, *room * kWad / vat_ilk.rate / dog_ilk.chop);
  if (urn.art > out.dart) {
    if ((urn.art - out.dart) * vat_ilk.rate < vat_ilk.dust) {
      out.dart = urn.art;  // the remainder would be dust: liquidate the whole vault, past the limits
    } else if (out.dart * vat_ilk.rate < vat_ilk.dust) {
      return BarkRefusal::DustyAuctionFromPartialLiquidation;
    }
  }
  out.dink = urn.ink * out.dart / urn.art;
  if (out.dink.is_zero()) return BarkRefusal::NullAuction;
  out.due = out.dart * vat_ilk.rate;
  out.tab = out.due * dog_ilk.chop / kWad;
  return out;
}

}  // namespace liqsim::maker
