#include "protocol/maker_auction.h"

#include <algorithm>

#include "core/check.h"
#include "protocol/maker_dog.h"

namespace liqsim {

using maker::Uint256;

namespace maker_units {
namespace {
// 1e39 does not fit 128 bits: it is a 256-bit constant.
constexpr Uint256 kRadPerMicro = Uint256::product((unsigned __int128)1'000'000'000'000'000'000ull * 1'000ull,
                                                  1'000'000'000'000'000'000ull);
constexpr unsigned __int128 kWadPerUnit = 10'000'000'000ull;  // 1e10
constexpr unsigned __int128 kRayPerMicro =
    (unsigned __int128)1'000'000'000'000'000'000ull * 1'000ull;  // 1e21
}  // namespace

Uint256 rad(Amount a) {
  LIQSIM_CHECK(a.raw() >= 0, "a negative DAI amount in rad");
  return Uint256((unsigned __int128)a.raw()) * kRadPerMicro;
}
Uint256 wad(Quantity q) {
  LIQSIM_CHECK(q.raw() >= 0, "a negative collateral amount in wad");
  return Uint256::product((unsigned __int128)q.raw(), kWadPerUnit);
}
Uint256 ray(Price p) {
  LIQSIM_CHECK(p.raw() >= 0, "a negative price in ray");
  return Uint256::product((unsigned __int128)p.raw(), kRayPerMicro);
}
namespace {
int64_t to_int64(const Uint256& x) {
  LIQSIM_CHECK(x.high() == 0 && x.low() <= (unsigned __int128)INT64_MAX, "a dss amount beyond int64");
  return int64_t(x.low());
}
}  // namespace
Amount amount_up(const Uint256& r) {
  return Amount(to_int64((r + kRadPerMicro - Uint256(1)) / kRadPerMicro));
}
Amount amount_down(const Uint256& r) { return Amount(to_int64(r / kRadPerMicro)); }
Quantity quantity_down(const Uint256& w) { return Quantity(to_int64(w / Uint256(kWadPerUnit))); }
Price price_down(const Uint256& r) { return Price(to_int64(r / Uint256(kRayPerMicro))); }
}  // namespace maker_units

using namespace maker_units;

// ---- the common part ----

MakerAuctions::MakerAuctions(ClearingHouse& ch, Recorder& recorder, ExecutionVenue& venue, Time poll,
                             MakerFlopParams flop)
    : ch_(ch),
      recorder_(recorder),
      venue_(venue),
      poll_(poll),
      unwinder_(ch, venue, ratio_from_double(0.05), poll),
      flop_(std::move(flop)) {
  LIQSIM_CHECK(poll_ > Time(0), "the auction poll interval must be positive");
  LIQSIM_CHECK(!flop_.enabled || (!flop_.sump.is_zero() && !flop_.dump.is_zero() &&
                                  maker::validate_flopper(flop_.flopper).empty()),
               "invalid debt auction parameters");
}

std::optional<MarketId> MakerAuctions::vault_market(AccountId a) const {
  if (Ledger::is_place(a)) return std::nullopt;
  const MarketId m = largest_exposure(ch_, a);
  const Ledger& ledger = ch_.ledger();
  if (ledger.position(a, m).size.raw() <= 0) return std::nullopt;
  if (ledger.account(a).balance.raw() >= 0) return std::nullopt;
  return m;
}

Amount MakerAuctions::vault_debt(AccountId a, MarketId m) const {
  const Ledger& ledger = ch_.ledger();
  const Amount debt = -ledger.account(a).balance;
  // Several positions share the debt by their value at the marks (rounded down: the rest stays with
  // the vault's other collateral).
  __int128 total = 0, mine = 0;
  for (MarketId k(0); k.raw() < ledger.market_count(); ++k) {
    const Quantity size = ledger.position(a, k).size;
    if (size.raw() <= 0) continue;
    const __int128 v = (__int128)size.raw() * ch_.mark(k).raw();
    total += v;
    if (k == m) mine = v;
  }
  if (total == mine) return debt;
  return Amount(int64_t((__int128)debt.raw() * mine / total));
}

MakerAuctions::Auction& MakerAuctions::open(MechanismHost& host, AccountId a, MarketId m, Quantity lot,
                                            Amount due, Amount tab, std::optional<AccountId> keeper) {
  const LiquidationTrigger trigger = host.trigger_for(a);
  Ledger& ledger = ch_.ledger();
  const AccountId house = place_account(Place::AuctionHouse);
  // The vault hands over `lot` and is relieved of `due`: the auction house pays the debt and holds the
  // collateral (Vat.grab: ink and art to the auction, sin to the Vow).
  ledger.trade(house, a, m, lot, due);
  ch_.arm(a);
  const LiquidationId id = ch_.next_liquidation_id();
  Auction auction;
  auction.id = id;
  auction.owner = a;
  auction.market = m;
  auction.held = lot;
  auction.lot0 = lot;
  auction.due = due;
  auction.tab0 = tab;
  auction.feed_at_kick = ch_.mark(m);
  auction.kicked = host.now();
  auction.tic = host.now();
  // Reward 0: the incentive is the Vow's, not the vault's (AuctionRecord::incentive).
  LiquidationRecord rec = liquidation_record(a, m, ch_.mark(m), LiquidationMechanismKind::Auction, trigger);
  rec.id = id.raw();
  rec.quantity = -lot;
  rec.price = price_for(due, lot, Round::Down);
  rec.keeper = keeper ? int64_t(keeper->raw()) : kNoId;
  commit_liquidation(ch_, recorder_, rec);
  running_.push_back(id);
  per_owner_[a].push_back(id);
  ensure_poll(host);
  return auctions_.emplace(id.raw(), auction).first->second;
}

void MakerAuctions::pay_incentive(Auction& auction, AccountId keeper, Amount amount) {
  if (amount.raw() <= 0) return;
  ch_.ledger().fund_debit(keeper, amount);  // vat.suck(vow, kpr, coin): the fund, then bad debt
  auction.incentive += amount;
}

void MakerAuctions::give_back(Auction& auction, Quantity q) {
  if (q.raw() <= 0) return;
  ch_.ledger().trade(auction.owner, place_account(Place::AuctionHouse), auction.market, q, Amount(0));
  auction.held -= q;
  auction.returned += q;
  ch_.arm(auction.owner);
}

void MakerAuctions::settle(MechanismHost& host, LiquidationId id) {
  auto it = auctions_.find(id.raw());
  LIQSIM_CHECK(it != auctions_.end(), "settling an unknown auction");
  Auction& auction = it->second;
  give_back(auction, auction.held);
  Ledger& ledger = ch_.ledger();
  const AccountId house = place_account(Place::AuctionHouse);
  Amount shortfall;
  if (auction.raised >= auction.due) {
    ledger.fund_credit(house, auction.raised - auction.due);  // the penalty: the Vow's surplus
  } else {
    shortfall = auction.due - auction.raised;  // the Vow's sin: the fund, then bad debt (Flop)
    ledger.fund_debit(house, shortfall);
    if (flop_.enabled) ensure_poll(host);  // the Vow's next step auctions it
  }
  AuctionRecord r;
  r.id = id.raw();
  r.account = auction.owner.raw();
  r.market = auction.market.raw();
  r.kind = kind();
  r.kicked = auction.kicked;
  r.ended = host.now();
  r.lot = auction.lot0;
  r.sold = auction.lot0 - auction.returned;
  r.returned = auction.returned;
  r.due = auction.due;
  r.tab = auction.tab0;
  r.raised = auction.raised;
  r.shortfall = shortfall;
  r.incentive = auction.incentive;
  r.feed = auction.feed_at_kick;
  r.winner = auction.bidder ? int64_t(auction.bidder->raw()) : kNoId;
  r.bids = auction.bids;
  r.restarts = auction.redos;
  recorder_.on_auction(r);
  std::vector<LiquidationId>& mine = per_owner_[auction.owner];
  mine.erase(std::find(mine.begin(), mine.end(), id));
  if (mine.empty()) per_owner_.erase(auction.owner);
  running_.erase(std::find(running_.begin(), running_.end(), id));
  auctions_.erase(it);
}

MakerAuctions::Auction* MakerAuctions::find(std::optional<LiquidationId> id) {
  if (!id) return nullptr;
  auto it = auctions_.find(id->raw());
  return it == auctions_.end() ? nullptr : &it->second;
}

const MakerAuctions::Auction* MakerAuctions::find(LiquidationId id) const {
  auto it = auctions_.find(id.raw());
  return it == auctions_.end() ? nullptr : &it->second;
}

void MakerAuctions::ensure_poll(MechanismHost& host) {
  if (polling_) return;
  polling_ = true;
  host.schedule_timer(place_account(Place::AuctionHouse), host.now() + poll_);
}

void MakerAuctions::publish_running(MechanismHost& host) {
  // One publication per vault with running auctions, in the order the auctions started.
  std::vector<AccountId> owners;
  for (const LiquidationId id : running_) {
    const AccountId owner = auctions_.at(id.raw()).owner;
    if (std::find(owners.begin(), owners.end(), owner) == owners.end()) owners.push_back(owner);
  }
  for (const AccountId owner : owners) host.publish_opportunity(owner);
  if (!flops_.empty()) host.publish_opportunity(vow());
}

void MakerAuctions::on_timer(MechanismHost& host, AccountId a) {
  if (a == place_account(Place::InsuranceFund)) {
    unwinder_.on_timer(host, a);
    return;
  }
  if (a != place_account(Place::AuctionHouse)) return;
  polling_ = false;
  on_poll(host);
  if (flop_.enabled) vow_step(host);
  publish_running(host);
  if (!running_.empty() || !flops_.empty()) ensure_poll(host);
}

void MakerAuctions::vow_step(MechanismHost& host) {
  Ledger& ledger = ch_.ledger();
  const uint64_t now = seconds_of(host.now());
  // Flopper.deal of every auction whose last bid has expired (the lot minted to its bidder), tick of every
  // one that ended without a bid.
  for (auto it = flops_.begin(); it != flops_.end();) {
    Flop& f = *it;
    if (maker::flop_can_deal(f.auction, now)) {
      const Quantity minted = quantity_down(f.auction.lot);
      ledger.move(place_account(Place::Outside), *f.guy, flop_.mkr, AssetAmount(minted.raw()));
      const Amount bid = amount_up(f.auction.bid);
      AuctionRecord r;
      r.id = f.id;
      r.account = vow().raw();
      r.kind = 3;  // debt auction (AuctionRecord)
      r.kicked = f.kicked;
      r.ended = host.now();
      r.lot = quantity_down(f.lot0);
      r.sold = minted;
      r.due = bid;
      r.tab = bid;
      r.raised = bid;
      r.feed = flop_.mkr_price;
      r.winner = int64_t(f.guy->raw());
      r.bids = f.bids;
      r.restarts = f.ticks;
      recorder_.on_auction(r);
      it = flops_.erase(it);
      continue;
    }
    if (!f.auction.tic) {
      const auto restarted = maker::flop_tick(f.auction, now, flop_.flopper);
      if (const auto* a = std::get_if<maker::FlopAuction>(&restarted)) {
        f.auction = *a;
        ++f.ticks;
      }
    }
    ++it;
  }
  // Vow.heal: the surplus (the insurance fund) cancels the debt that is not on auction.
  const Amount not_on_auction = ledger.bad_debt() - amount_up(ash_);
  const Amount healed = std::min(ledger.insurance_fund(), not_on_auction);
  if (healed.raw() > 0) ledger.transfer(place_account(Place::InsuranceFund), vow(), healed);
  // Vow.flop for every whole sump of the rest (a bounded number per step; the next poll goes on).
  for (int kicked = 0; kicked < 1'000; ++kicked) {
    const Amount debt = std::max(ledger.bad_debt(), Amount(0));
    const Amount surplus = std::max(ledger.insurance_fund(), Amount(0));
    const auto next = maker::vow_flop(rad(debt), Uint256(0), ash_, rad(surplus), flop_.sump, flop_.dump, now,
                                      flop_.flopper);
    const auto* a = std::get_if<maker::FlopAuction>(&next);
    if (a == nullptr) break;
    ash_ = ash_ + flop_.sump;
    flops_.push_back(Flop{++kicks_, *a, std::nullopt, flop_.dump, host.now()});
  }
}

KeeperTakeover MakerAuctions::dent_flop(MechanismHost& host, AccountId keeper, const TxIntent& intent) {
  KeeperTakeover out;
  if (intent.action != TxAction::Dent || !intent.auction) return out;
  const auto it = std::find_if(flops_.begin(), flops_.end(),
                               [&](const Flop& f) { return f.id == intent.auction->raw(); });
  if (it == flops_.end()) return out;
  Flop& f = *it;
  const auto next =
      maker::flop_dent(f.auction, wad(intent.quantity), f.auction.bid, seconds_of(host.now()), flop_.flopper);
  const auto* a = std::get_if<maker::FlopAuction>(&next);
  if (a == nullptr) return out;
  Ledger& ledger = ch_.ledger();
  const Amount bid = amount_up(f.auction.bid);  // exact: sump is a whole micro-DAI
  if (f.guy != keeper) {
    if (ledger.account(keeper).balance < bid) {
      out.outcome = KeeperOutcome::KeeperUndercollateralised;
      return out;
    }
    if (f.guy) {
      ledger.transfer(keeper, *f.guy, bid);  // the displaced bidder is repaid
      ch_.arm(*f.guy);
    } else {
      // The first dent pays the Vow, which kisses the debt it was auctioning (Vow.kiss).
      ledger.transfer(keeper, vow(), bid);
      ash_ = ash_ - maker::min(f.auction.bid, ash_);
    }
  }
  f.auction = *a;
  f.guy = keeper;
  ++f.bids;
  ch_.arm(keeper);
  out.outcome = KeeperOutcome::Liquidated;
  host.publish_opportunity(vow());  // the others see the new lot
  return out;
}

AuctionView MakerAuctions::flop_view(const Flop& flop) const {
  AuctionView v;
  v.kind = AuctionKind::Debt;
  v.id = LiquidationId(flop.id);
  v.lot = quantity_down(flop.auction.lot);
  v.tab = amount_up(flop.auction.bid);
  v.price = flop_.mkr_price;
  v.bid = v.tab;
  v.bidder = flop.guy;
  v.dent_phase = true;
  v.max_lot = flop.auction.lot.is_zero() ? Quantity(0)
                                         : quantity_down(maker::max_flop_lot(flop.auction, flop_.flopper));
  const uint64_t end = flop.auction.tic ? std::min(*flop.auction.tic, flop.auction.end) : flop.auction.end;
  v.ends = seconds(int64_t(end));
  return v;
}

std::vector<AuctionView> MakerAuctions::auctions(AccountId a, Time now) const {
  std::vector<AuctionView> out;
  if (a == vow()) {
    for (const Flop& f : flops_) out.push_back(flop_view(f));
    return out;
  }
  const auto it = per_owner_.find(a);
  if (it == per_owner_.end()) return out;
  out.reserve(it->second.size());
  for (const LiquidationId id : it->second) out.push_back(view(auctions_.at(id.raw()), now));
  return out;
}

// ---- Liquidations 2.0: Dog + Clipper ----

MakerClipLiquidation::MakerClipLiquidation(MakerClipParams params, ClearingHouse& ch, Recorder& recorder,
                                           ExecutionVenue& venue)
    : MakerAuctions(ch, recorder, venue, params.poll, params.flop),
      params_(std::move(params)),
      ilk_dirt_(ch.market_count()) {
  params_.clipper.chost = maker::chost(params_.dust, params_.chop);
}

Uint256 MakerClipLiquidation::feed(MarketId m) const {
  // The OSM's val [wad] is the mark in micro-dollars x 1e12; par = 1 RAY (DAI at $1).
  const Uint256 val = Uint256::product((unsigned __int128)ch_.mark(m).raw(), 1'000'000'000'000ull);
  return maker::clipper_feed_price(val, maker::kRay);
}

bool MakerClipLiquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  if (!vault_market(a)) {
    absorb_into_fund_now(host, ch_, recorder_, unwinder_, venue_, a);
    return ch_.liquidatable(a);
  }
  // Keepers bark (Dog.bark is permissionless and paid), when it can succeed: a vault the Dog's limits
  // (Hole, hole) or dust keep out is no opportunity yet, and detection keeps watching it.
  if (bark_terms(a)) host.publish_opportunity(a);
  return true;
}

std::optional<MakerClipLiquidation::BarkTerms> MakerClipLiquidation::bark_terms(AccountId a) const {
  if (!ch_.liquidatable(a)) return std::nullopt;
  const std::optional<MarketId> m = vault_market(a);
  if (!m) return std::nullopt;
  const Quantity ink = ch_.ledger().position(a, *m).size;
  const Amount debt = vault_debt(a, *m);
  if (debt.raw() <= 0) return std::nullopt;
  // The Vat's view of the vault: rate 1 RAY, so art [wad] = debt in DAI x 1e18.
  const maker::Urn urn{wad(ink), rad(debt) / maker::kRay};
  const maker::VatIlk vat_ilk{maker::kRay, Uint256(0), params_.dust};
  const maker::DogIlk dog_ilk{params_.chop, params_.hole, ilk_dirt_[m->raw()]};
  const auto amounts = maker::bark_amounts(urn, vat_ilk, dog_ilk, maker::DogTotals{params_.Hole, dirt_});
  const auto* b = std::get_if<maker::Bark>(&amounts);
  if (b == nullptr) return std::nullopt;
  // Ledger units: the lot rounded down to the coin grid (the rest stays in the vault), the debt moved
  // exactly (rate is 1 RAY, so due is a whole number of micro-DAI when dart is).
  BarkTerms t;
  t.market = *m;
  t.lot = std::min(ink, quantity_down(b->dink));
  t.due = std::min(debt, amount_down(b->due));
  if (t.lot.raw() <= 0 || t.due.raw() <= 0) return std::nullopt;
  // The tab in whole micro-DAI, rounded down as dog.sol rounds it (by under one micro-DAI).
  t.tab = amount_down(b->tab);
  t.dirt = b->tab;
  const auto kicked = maker::kick(rad(t.tab), wad(t.lot), feed(*m), params_.clipper);
  const auto* k = std::get_if<maker::Kick>(&kicked);
  if (k == nullptr) return std::nullopt;
  t.kick = *k;
  return t;
}

KeeperTakeover MakerClipLiquidation::bark(MechanismHost& host, AccountId keeper, AccountId a) {
  KeeperTakeover out;
  const std::optional<BarkTerms> t = bark_terms(a);
  if (!t) return out;
  const std::optional<MarketId> m = t->market;
  Auction& auction = open(host, a, *m, t->lot, t->due, t->tab, keeper);
  auction.sale = t->kick.sale;
  dirt_ = dirt_ + t->dirt;
  ilk_dirt_[m->raw()] = ilk_dirt_[m->raw()] + t->dirt;
  pay_incentive(auction, keeper, amount_down(t->kick.coin));
  ch_.arm(keeper);
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = auction.id;
  out.market = *m;
  out.reward = auction.incentive;
  host.publish_opportunity(a);  // the new sale
  return out;
}

KeeperTakeover MakerClipLiquidation::take(MechanismHost& host, AccountId keeper, Auction& auction,
                                          const TxIntent& intent) {
  KeeperTakeover out;
  if (intent.quantity.raw() <= 0) return out;
  const uint64_t elapsed = seconds_of(host.now() - auction.tic);
  const auto taken = maker::take(auction.sale, params_.abacus, elapsed, wad(intent.quantity),
                                 ray(intent.max_price), params_.clipper);
  const auto* t = std::get_if<maker::TakeAmounts>(&taken);
  if (t == nullptr) return out;
  const Quantity slice = std::min(auction.held, quantity_down(t->slice));
  const Amount owe = amount_up(t->owe);
  if (slice.raw() <= 0) return out;  // less than the coin grid: nothing to deliver
  Ledger& ledger = ch_.ledger();
  {
    // The keeper pays owe and receives the slice; it must be able to carry what it bought (a keeper
    // without DAI would use Clipper's flash callback and sell at once: the account may go negative).
    Ledger::Transaction tx(ledger);
    ledger.trade(keeper, place_account(Place::AuctionHouse), auction.market, slice, owe);
    if (ch_.liquidatable(keeper)) {
      tx.revert();
      out.outcome = KeeperOutcome::KeeperUndercollateralised;
      return out;
    }
    tx.commit();
  }
  auction.held -= slice;
  auction.raised += owe;
  auction.sale.tab = t->tab;
  auction.sale.lot = t->lot;
  auction.bidder = keeper;
  ++auction.bids;
  ch_.arm(keeper);
  // Dog.digs: what the take released (the whole remaining tab when the sale ends).
  const Uint256 released = std::min(t->dirt_released, dirt_);
  dirt_ = dirt_ - released;
  ilk_dirt_[auction.market.raw()] =
      ilk_dirt_[auction.market.raw()] - std::min(released, ilk_dirt_[auction.market.raw()]);
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = auction.id;
  out.market = auction.market;
  out.quantity = slice;
  out.price = slice.raw() > 0 ? price_for(owe, slice, Round::Up) : Price(0);
  if (t->finished) settle(host, auction.id);
  return out;
}

KeeperTakeover MakerClipLiquidation::redo(MechanismHost& host, AccountId keeper, Auction& auction) {
  KeeperTakeover out;
  const uint64_t elapsed = seconds_of(host.now() - auction.tic);
  const auto redone =
      maker::redo(auction.sale, params_.abacus, elapsed, feed(auction.market), params_.clipper);
  const auto* r = std::get_if<maker::Redo>(&redone);
  if (r == nullptr) return out;
  auction.sale.top = r->top;
  auction.tic = host.now();
  ++auction.redos;
  const Amount before = auction.incentive;
  pay_incentive(auction, keeper, amount_down(r->coin));
  ch_.arm(keeper);
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = auction.id;
  out.market = auction.market;
  out.reward = auction.incentive - before;
  host.publish_opportunity(auction.owner);
  return out;
}

KeeperTakeover MakerClipLiquidation::on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                                    const TxIntent& intent) {
  if (a == vow()) return dent_flop(host, keeper, intent);
  switch (intent.action) {
    case TxAction::Bark:
      return bark(host, keeper, a);
    case TxAction::Take:
    case TxAction::Redo: {
      Auction* auction = find(intent.auction);
      if (auction == nullptr || auction->owner != a) return {};
      return intent.action == TxAction::Take ? take(host, keeper, *auction, intent)
                                             : redo(host, keeper, *auction);
    }
    default:
      return {};
  }
}

AuctionView MakerClipLiquidation::view(const Auction& auction, Time now) const {
  AuctionView v;
  v.kind = AuctionKind::Dutch;
  v.id = auction.id;
  v.market = auction.market;
  v.lot = auction.held;
  v.tab = amount_up(auction.sale.tab);
  const maker::AuctionStatus status =
      maker::auction_status(auction.sale, params_.abacus, seconds_of(now - auction.tic), params_.clipper);
  v.price = price_down(status.price);
  v.needs_redo = status.needs_redo;
  v.redo_incentive = amount_down(maker::keeper_incentive(auction.sale.tab, params_.clipper));
  return v;
}

// ---- Liquidations 1.2: Cat + Flipper ----

MakerFlipLiquidation::MakerFlipLiquidation(MakerFlipParams params, ClearingHouse& ch, Recorder& recorder,
                                           ExecutionVenue& venue)
    : MakerAuctions(ch, recorder, venue, params.poll, params.flop), params_(std::move(params)) {}

bool MakerFlipLiquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  if (!vault_market(a)) {
    absorb_into_fund_now(host, ch_, recorder_, unwinder_, venue_, a);
    return ch_.liquidatable(a);
  }
  if (bite(host, a)) host.publish_opportunity(a);
  return ch_.liquidatable(a);  // a vault bitten in part (lump, dunk, box) is bitten again later
}

bool MakerFlipLiquidation::bite(MechanismHost& host, AccountId a) {
  if (!ch_.liquidatable(a)) return false;
  const std::optional<MarketId> m = vault_market(a);
  if (!m) return false;
  const Quantity ink_q = ch_.ledger().position(a, *m).size;
  const Amount debt = vault_debt(a, *m);
  if (debt.raw() <= 0) return false;
  const Uint256 ink = wad(ink_q);
  const Uint256 art = rad(debt) / maker::kRay;  // rate = 1 RAY
  // cat.sol (1.2): room = box - litter ("Cat/liquidation-limit-hit" when none);
  // dart = min(art, min(dunk, room) * WAD / rate / chop); dink = ink * dart / art.
  if (params_.box <= litter_) return false;
  const Uint256 room = params_.box - litter_;
  Uint256 dart = maker::min(art, maker::min(params_.dunk, room) * maker::kWad / maker::kRay / params_.chop);
  Uint256 dink = ink * dart / art;
  // Cat 1.0's lump: at most `lump` collateral per auction.
  if (!params_.lump.is_zero() && dink > params_.lump) {
    dink = params_.lump;
    dart = art * dink / ink;
  }
  const Quantity lot = std::min(ink_q, quantity_down(dink));
  if (lot.raw() <= 0 || dart.is_zero()) return false;  // "Cat/null-auction"
  const Amount due = std::min(debt, amount_down(dart * maker::kRay));
  if (due.raw() <= 0) return false;
  // tab = dart * rate * chop / WAD, in whole micro-DAI rounded down (by under one micro-DAI).
  const Amount tab_amount = amount_down(dart * maker::kRay * params_.chop / maker::kWad);
  if (tab_amount.raw() <= 0) return false;
  const Uint256 tab = rad(tab_amount);
  litter_ = litter_ + tab;
  Auction& auction = open(host, a, *m, lot, due, tab_amount, std::nullopt);
  set_flip(auction, maker::flip_kick(tab, wad(lot), Uint256(0), seconds_of(host.now()), params_.flipper));
  return true;
}

KeeperTakeover MakerFlipLiquidation::on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                                    const TxIntent& intent) {
  if (a == vow()) return dent_flop(host, keeper, intent);
  KeeperTakeover out;
  if (intent.action != TxAction::Tend && intent.action != TxAction::Dent) return out;
  Auction* auction = find(intent.auction);
  if (auction == nullptr || auction->owner != a) return out;
  const uint64_t now = seconds_of(host.now());
  const Amount previous = auction->raised;
  const std::optional<AccountId> guy = auction->bidder;
  Ledger& ledger = ch_.ledger();
  if (intent.action == TxAction::Tend) {
    const auto next = maker::tend(auction->flip, auction->flip.lot, rad(intent.bid), now, params_.flipper);
    const auto* f = std::get_if<maker::FlipAuction>(&next);
    if (f == nullptr) return out;
    // flip.sol tend: the bidder repays the previous bidder's bid and sends the increase to the Vow; the
    // bid is DAI the bidder holds (no flash liquidity in Flipper).
    const bool raises_own = guy == keeper;
    if (ledger.account(keeper).balance < (raises_own ? intent.bid - previous : intent.bid)) {
      out.outcome = KeeperOutcome::KeeperUndercollateralised;
      return out;
    }
    if (guy && !raises_own) ledger.transfer(keeper, *guy, previous);
    ledger.transfer(keeper, place_account(Place::AuctionHouse), intent.bid - previous);
    set_flip(*auction, *f);
    auction->raised = intent.bid;
  } else {
    const Quantity lot = std::min(intent.quantity, auction->held);
    const auto next = maker::dent(auction->flip, wad(lot), auction->flip.bid, now, params_.flipper);
    const auto* f = std::get_if<maker::FlipAuction>(&next);
    if (f == nullptr) return out;
    // flip.sol dent: a new bidder repays the standing bid (the tab); the lot given up goes back to the
    // vault owner.
    if (guy != keeper) {
      if (ledger.account(keeper).balance < previous) {
        out.outcome = KeeperOutcome::KeeperUndercollateralised;
        return out;
      }
      if (guy) ledger.transfer(keeper, *guy, previous);
    }
    set_flip(*auction, *f);
    give_back(*auction, auction->held - lot);
  }
  if (guy && *guy != keeper) ch_.arm(*guy);
  auction->bidder = keeper;
  ++auction->bids;
  ch_.arm(keeper);
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = auction->id;
  out.market = auction->market;
  host.publish_opportunity(a);  // the others see the new bid
  return out;
}

void MakerFlipLiquidation::on_poll(MechanismHost& host) {
  const uint64_t now = seconds_of(host.now());
  const std::vector<LiquidationId> ids = running_;
  for (const LiquidationId id : ids) {
    Auction& auction = auctions_.at(id.raw());
    if (maker::can_deal(auction.flip, now)) {
      // flip.sol deal: the winner receives the lot; Cat.claw releases the tab from litter.
      const AccountId winner = *auction.bidder;
      const Quantity lot = auction.held;
      ch_.ledger().trade(winner, place_account(Place::AuctionHouse), auction.market, lot, Amount(0));
      auction.held = Quantity(0);
      ch_.arm(winner);
      const Uint256 tab = auction.flip.tab;
      litter_ = litter_ - maker::min(tab, litter_);
      KeeperTakeover won;
      won.outcome = KeeperOutcome::Liquidated;
      won.liquidation = id;
      won.market = auction.market;
      won.quantity = lot;
      won.price = lot.raw() > 0 ? price_for(auction.raised, lot, Round::Up) : Price(0);
      const AccountId owner = auction.owner;
      settle(host, id);
      host.deliver(winner, owner, won);
    } else if (!auction.bidder) {
      const auto restarted = maker::tick(auction.flip, now, params_.flipper);
      if (const auto* f = std::get_if<maker::FlipAuction>(&restarted)) {
        set_flip(auction, *f);
        ++auction.redos;
      }
    }
  }
}

void MakerFlipLiquidation::set_flip(Auction& auction, const maker::FlipAuction& flip) const {
  auction.flip = flip;
  const bool dent_phase = flip.bid == flip.tab;
  auction.min_bid = dent_phase ? Amount(0) : amount_up(maker::min_tend_bid(flip, params_.flipper));
  auction.max_lot = dent_phase && !flip.lot.is_zero()
                        ? quantity_down(maker::max_dent_lot(flip, params_.flipper))
                        : Quantity(0);
}

AuctionView MakerFlipLiquidation::view(const Auction& auction, Time) const {
  AuctionView v;
  v.kind = AuctionKind::English;
  v.id = auction.id;
  v.market = auction.market;
  v.lot = auction.held;
  v.tab = amount_up(auction.flip.tab);
  v.bid = auction.raised;
  v.bidder = auction.bidder;
  v.dent_phase = auction.flip.bid == auction.flip.tab;
  v.min_bid = auction.min_bid;
  v.max_lot = auction.max_lot;
  const uint64_t end = auction.flip.tic ? std::min(*auction.flip.tic, auction.flip.end) : auction.flip.end;
  v.ends = seconds(int64_t(end));
  return v;
}

}  // namespace liqsim
