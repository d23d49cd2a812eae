#include "protocol/comet_mechanism.h"

#include <algorithm>

#include "core/check.h"

namespace liqsim {

namespace {
// Comet's base asset is USDC, priced at $1 by its feed.
constexpr Price kBasePrice = Price(kPriceScale);
}  // namespace

Amount comet_reserves(const Ledger& ledger) { return ledger.insurance_fund() - ledger.bad_debt(); }

bool comet_store_open(const Ledger& ledger, Amount target_reserves) {
  // Comet.buyCollateral: `if (reserves >= 0 && uint(reserves) >= targetReserves) revert NotForSale()`.
  const Amount reserves = comet_reserves(ledger);
  return reserves < Amount(0) || reserves < target_reserves;
}

CometAbsorbLiquidation::CometAbsorbLiquidation(CometParams params, ClearingHouse& ch, Recorder& recorder,
                                               ExecutionVenue& venue)
    : params_(params),
      ch_(ch),
      recorder_(recorder),
      venue_(venue),
      unwinder_(ch, venue, ratio_from_double(0.05), seconds(1)) {
  LIQSIM_CHECK(params_.poll > Time(0), "the store front's poll interval must be positive");
  LIQSIM_CHECK(params_.liquidation_factor >= 0 && params_.liquidation_factor <= kCompoundMantissaOne &&
                   params_.store_front_price_factor >= 0 &&
                   params_.store_front_price_factor <= kCompoundMantissaOne,
               "Comet factors must be within [0, 1]");
}

bool CometAbsorbLiquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  if (!is_lending_borrower(ch_, a)) {
    absorb_into_fund_now(host, ch_, recorder_, unwinder_, venue_, a);
    return ch_.liquidatable(a);
  }
  host.publish_opportunity(a);  // Comet.absorb is permissionless
  return true;
}

void CometAbsorbLiquidation::ensure_poll(MechanismHost& host) {
  if (polling_) return;
  polling_ = true;
  host.schedule_timer(place_account(Place::AuctionHouse), host.now() + params_.poll);
}

void CometAbsorbLiquidation::on_timer(MechanismHost& host, AccountId a) {
  if (a == place_account(Place::InsuranceFund)) {
    unwinder_.on_timer(host, a);
    return;
  }
  if (a != place_account(Place::AuctionHouse)) return;
  polling_ = false;
  if (open_.empty()) return;
  if (comet_store_open(ch_.ledger(), params_.target_reserves)) {
    std::vector<AccountId> owners;  // one publication per owner, in the order its lots were absorbed
    for (const LiquidationId id : open_) {
      const AccountId owner = lots_.at(id.raw()).owner;
      if (std::find(owners.begin(), owners.end(), owner) == owners.end()) owners.push_back(owner);
    }
    for (const AccountId owner : owners) host.publish_opportunity(owner);
  }
  ensure_poll(host);
}

KeeperTakeover CometAbsorbLiquidation::absorb(MechanismHost& host, AccountId keeper, AccountId a,
                                              const TxIntent& intent) {
  KeeperTakeover out;
  if (!is_lending_borrower(ch_, a) || !ch_.liquidatable(a)) return out;  // Comet: NotLiquidatable
  const LiquidationTrigger trigger = host.trigger_for(a);
  Ledger& ledger = ch_.ledger();
  const AccountId house = place_account(Place::AuctionHouse);
  // Comet's collateral, every market with a position, valued at the feed.
  std::vector<CometCollateral> collateral;
  std::vector<MarketId> markets;
  for (MarketId m(0); m.raw() < ledger.market_count(); ++m) {
    const Quantity size = ledger.position(a, m).size;
    if (size.raw() <= 0) continue;
    collateral.push_back(CometCollateral{size, ch_.mark(m), 0, params_.liquidation_factor});
    markets.push_back(m);
  }
  const MarketId largest = largest_exposure(ch_, a);  // the lot an absorbing buyer asked for
  const Amount old_balance = ledger.account(a).balance;
  const CometAbsorb terms = comet_absorb_credit(old_balance, kBasePrice, collateral);
  // The collateral to the protocol, then the reserves pay the write-off (the fund, then bad debt).
  for (size_t i = 0; i < markets.size(); ++i)
    ledger.trade(house, a, markets[i], collateral[i].balance, Amount(0));
  ledger.fund_debit(a, terms.paid_by_reserves);
  LIQSIM_CHECK(ledger.account(a).balance == terms.new_balance, "absorb must leave Comet's new balance");
  // The reserves' payment is attributed to the lots by their value (rounded down; the first lot takes
  // the rest), for their records.
  Amount attributed;
  std::vector<Amount> due(markets.size());
  for (size_t i = 1; i < markets.size(); ++i) {
    const __int128 value = (__int128)collateral[i].balance.raw() * collateral[i].price.raw() / kQuantityScale;
    due[i] =
        terms.collateral_value.raw() > 0
            ? Amount(int64_t((__int128)terms.paid_by_reserves.raw() * value / terms.collateral_value.raw()))
            : Amount(0);
    attributed += due[i];
  }
  due[0] = terms.paid_by_reserves - attributed;
  for (size_t i = 0; i < markets.size(); ++i) {
    const MarketId m = markets[i];
    Lot lot;
    lot.id = ch_.next_liquidation_id();
    lot.owner = a;
    lot.market = m;
    lot.lot0 = lot.held = collateral[i].balance;
    lot.due = due[i];
    lot.feed = ch_.mark(m);
    lot.absorbed = host.now();
    // Reward 0: Comet pays absorbers nothing (liquidatorPoints only).
    LiquidationRecord rec = liquidation_record(a, m, lot.feed, LiquidationMechanismKind::Auction, trigger);
    rec.id = lot.id.raw();
    rec.quantity = -lot.lot0;
    // The credit per coin: the feed x liquidationFactor.
    rec.price = Price(int64_t((__int128)lot.feed.raw() * params_.liquidation_factor / kCompoundMantissaOne));
    rec.keeper = keeper.raw();
    commit_liquidation(ch_, recorder_, rec);
    lots_.emplace(lot.id.raw(), lot);
    open_.push_back(lot.id);
    per_owner_[a].push_back(lot.id);
    if (i == 0 || m == largest) {
      out.liquidation = lot.id;
      out.market = m;
    }
  }
  ch_.arm(a);
  ch_.arm(keeper);
  out.outcome = KeeperOutcome::Liquidated;
  ensure_poll(host);
  // absorbAndArbitrage: the absorber buys from the lot of the largest exposure.
  if (intent.quantity.raw() > 0) {
    Lot& first = lots_.at(out.liquidation->raw());
    const KeeperTakeover bought = buy(host, keeper, first, intent.quantity, intent.max_price);
    if (bought.outcome == KeeperOutcome::Liquidated) {
      out.quantity = bought.quantity;
      out.price = bought.price;
      out.market = bought.market;
    }
  }
  host.publish_opportunity(a);  // the store has new collateral
  return out;
}

KeeperTakeover CometAbsorbLiquidation::buy(MechanismHost& host, AccountId keeper, Lot& lot, Quantity quantity,
                                           Price max_price) {
  KeeperTakeover out;
  Ledger& ledger = ch_.ledger();
  const Price feed = ch_.mark(lot.market);
  const Quantity wanted = std::min(quantity, lot.held);
  if (wanted.raw() <= 0 || feed.raw() <= 0) return out;
  const Price price =
      comet_store_front_price(feed, params_.store_front_price_factor, params_.liquidation_factor);
  if (price.raw() <= 0 || price > max_price) return out;
  // buyCollateral's gate, then quoteCollateral for the base that pays for `wanted` at the store price
  // (rounded up): it quotes at least `wanted`; the buyer receives `wanted` and the part of a coin unit the
  // rounding would add stays with the protocol, so a lot sells out exactly.
  if (!comet_store_open(ledger, params_.target_reserves)) return out;  // NotForSale
  const Amount base = notional(price, wanted, Round::Up);
  const Quantity quoted = comet_quote_collateral(base, feed, kBasePrice, params_.store_front_price_factor,
                                                 params_.liquidation_factor);
  LIQSIM_CHECK(quoted >= wanted, "quoteCollateral must give the quantity its rounded-up base pays for");
  const Quantity bought = wanted;
  {
    // The buyer must be able to carry what it bought (it sells it into the book next).
    Ledger::Transaction tx(ledger);
    ledger.trade(keeper, place_account(Place::AuctionHouse), lot.market, bought, base);
    if (ch_.liquidatable(keeper)) {
      tx.revert();
      out.outcome = KeeperOutcome::KeeperUndercollateralised;
      return out;
    }
    tx.commit();
  }
  // The base goes to the reserves. Comet's reserves are one signed number: what the absorbs took below
  // zero (recorded bad debt here) is made good first, the rest is the fund's.
  const Amount repaid = std::min(base, ledger.bad_debt());
  ledger.transfer(place_account(Place::AuctionHouse), place_account(Place::Deficit), repaid);
  ledger.fund_credit(place_account(Place::AuctionHouse), base - repaid);
  lot.held -= bought;
  lot.raised += base;
  lot.buyer = keeper.raw();
  ++lot.buys;
  ch_.arm(keeper);
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = lot.id;
  out.market = lot.market;
  out.quantity = bought;
  out.price = price_for(base, bought, Round::Up);
  if (lot.held.raw() == 0) close(host, lot);
  return out;
}

void CometAbsorbLiquidation::close(MechanismHost& host, Lot& lot) {
  AuctionRecord r;
  r.id = lot.id.raw();
  r.account = lot.owner.raw();
  r.market = lot.market.raw();
  r.kind = 2;  // store front
  r.kicked = lot.absorbed;
  r.ended = host.now();
  r.lot = lot.lot0;
  r.sold = lot.lot0 - lot.held;
  r.due = lot.due;
  r.raised = lot.raised;
  r.shortfall = std::max(Amount(0), lot.due - lot.raised);
  r.feed = lot.feed;
  r.winner = lot.buyer;
  r.bids = lot.buys;
  recorder_.on_auction(r);
  const LiquidationId id = lot.id;
  std::vector<LiquidationId>& mine = per_owner_[lot.owner];
  mine.erase(std::find(mine.begin(), mine.end(), id));
  if (mine.empty()) per_owner_.erase(lot.owner);
  open_.erase(std::find(open_.begin(), open_.end(), id));
  lots_.erase(id.raw());
}

KeeperTakeover CometAbsorbLiquidation::on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                                      const TxIntent& intent) {
  switch (intent.action) {
    case TxAction::Bark:
      return absorb(host, keeper, a, intent);
    case TxAction::Take: {
      if (!intent.auction) return {};
      auto it = lots_.find(intent.auction->raw());
      if (it == lots_.end() || it->second.owner != a) return {};
      return buy(host, keeper, it->second, intent.quantity, intent.max_price);
    }
    default:
      return {};
  }
}

std::vector<AuctionView> CometAbsorbLiquidation::auctions(AccountId a, Time) const {
  std::vector<AuctionView> out;
  const auto it = per_owner_.find(a);
  if (it == per_owner_.end() || !comet_store_open(ch_.ledger(), params_.target_reserves)) return out;
  for (const LiquidationId id : it->second) {
    const Lot& lot = lots_.at(id.raw());
    AuctionView v;
    v.kind = AuctionKind::Dutch;
    v.id = lot.id;
    v.market = lot.market;
    v.lot = lot.held;
    v.price = comet_store_front_price(ch_.mark(lot.market), params_.store_front_price_factor,
                                      params_.liquidation_factor);
    out.push_back(v);
  }
  return out;
}

}  // namespace liqsim
