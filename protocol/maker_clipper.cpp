#include "protocol/maker_clipper.h"

#include "core/check.h"

namespace liqsim::maker {

std::vector<ClipperProblem> validate_clipper(const ClipperConfig& config) {
  std::vector<ClipperProblem> problems;
  if (config.buf < kRay) problems.push_back(ClipperProblem::BufBelowOne);
  if (config.buf >= kRay * Uint256(10)) problems.push_back(ClipperProblem::BufNotBelowTen);
  if (config.cusp >= kRay) problems.push_back(ClipperProblem::CuspNotBelowOne);
  if (config.chip >= kWad) problems.push_back(ClipperProblem::ChipNotBelowOne);
  if (config.tip >= Uint256::from_parts(static_cast<unsigned __int128>(1) << 64, 0))
    problems.push_back(ClipperProblem::TipTooWide);
  return problems;
}

Uint256 chost(const Uint256& dust, const Uint256& chop) { return wmul(dust, chop); }

Uint256 clipper_feed_price(const Uint256& val, const Uint256& par) { return rdiv(val * kBln, par); }

Uint256 starting_price(const Uint256& feed_price, const Uint256& buf) { return rmul(feed_price, buf); }

Uint256 keeper_incentive(const Uint256& tab, const ClipperConfig& config) {
  return config.tip + wmul(tab, config.chip);
}

std::variant<Kick, KickRefusal> kick(const Uint256& tab, const Uint256& lot, const Uint256& feed_price,
                                     const ClipperConfig& config) {
  if (tab.is_zero()) return KickRefusal::ZeroTab;
  if (lot.is_zero()) return KickRefusal::ZeroLot;
  const Uint256 top = starting_price(feed_price, config.buf);
  if (top.is_zero()) return KickRefusal::ZeroTopPrice;
  return Kick{Sale{tab, lot, top}, keeper_incentive(tab, config)};
}

AuctionStatus auction_status(const Sale& sale, const Abacus& abacus, uint64_t elapsed,
                             const ClipperConfig& config) {
  LIQSIM_CHECK(!sale.top.is_zero(), "a running sale has a positive top (kick refuses a zero top)");
  AuctionStatus status;
  status.price = abacus_price(abacus, sale.top, elapsed);
  status.needs_redo = elapsed > config.tail || rdiv(status.price, sale.top) < config.cusp;
  return status;
}

std::variant<TakeAmounts, TakeRefusal> take_at_price(const Sale& sale, const Uint256& price,
                                                     const Uint256& amt, const Uint256& chost) {
  TakeAmounts out;
  out.slice = min(sale.lot, amt);
  out.owe = out.slice * price;
  if (out.owe > sale.tab) {
    out.owe = sale.tab;  // never collect more than the tab
    out.slice = out.owe / price;
  } else if (out.owe < sale.tab && out.slice < sale.lot && sale.tab - out.owe < chost) {
    // A partial take may not leave a tab below chost: a tab at or below chost must be bought whole.
    if (sale.tab <= chost) return TakeRefusal::NoPartialPurchase;
    out.owe = sale.tab - chost;
    out.slice = out.owe / price;
  }
  out.tab = sale.tab - out.owe;
  out.lot = sale.lot - out.slice;
  out.dirt_released = out.lot.is_zero() ? out.tab + out.owe : out.owe;
  if (out.lot.is_zero()) {
    out.finished = true;  // the unpaid tab, if any, stays as bad debt in the Vow
  } else if (out.tab.is_zero()) {
    out.returned_to_owner = out.lot;
    out.finished = true;
  }
  return out;
}

std::variant<TakeAmounts, TakeRefusal> take(const Sale& sale, const Abacus& abacus, uint64_t elapsed,
                                            const Uint256& amt, const Uint256& max,
                                            const ClipperConfig& config) {
  const AuctionStatus status = auction_status(sale, abacus, elapsed, config);
  if (status.needs_redo) return TakeRefusal::NeedsReset;
  if (max < status.price) return TakeRefusal::TooExpensive;
  return take_at_price(sale, status.price, amt, config.chost);
}

std::variant<Redo, RedoRefusal> redo(const Sale& sale, const Abacus& abacus, uint64_t elapsed,
                                     const Uint256& feed_price, const ClipperConfig& config) {
  if (!auction_status(sale, abacus, elapsed, config).needs_redo) return RedoRefusal::CannotReset;
  Redo out;
  out.top = starting_price(feed_price, config.buf);
  if (out.top.is_zero()) return RedoRefusal::ZeroTopPrice;
  if (sale.tab >= config.chost && sale.lot * feed_price >= config.chost)
    out.coin = keeper_incentive(sale.tab, config);
  return out;
}

}  // namespace liqsim::maker
