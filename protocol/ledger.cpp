#include "protocol/ledger.h"

#include <algorithm>

#include "core/check.h"
#include "core/checked.h"

namespace liqsim {

const char* place_name(Place p) {
  switch (p) {
    case Place::Outside:
      return "outside";
    case Place::InsuranceFund:
      return "insurance_fund";
    case Place::FeePool:
      return "fee_pool";
    case Place::BlockProducer:
      return "block_producer";
    case Place::Deficit:
      return "deficit";
    case Place::BackstopVault:
      return "backstop_vault";
    case Place::StabilityPool:
      return "stability_pool";
    case Place::AuctionHouse:
      return "auction_house";
    case Place::LendingPool:
      return "lending_pool";
    case Place::AmmPool:
      return "amm_pool";
  }
  return "?";
}

Ledger::Ledger(uint32_t markets) : markets_(markets) {
  assets_.push_back(AssetSpec{"USD", 6, AssetKind::Quote, kQuoteAsset});
  for (uint32_t p = 0; p < kPlaceCount; ++p) open_account(AgentRole::Protocol, MarginMode::Cross);
}

AssetId Ledger::add_asset(const AssetSpec& spec) {
  LIQSIM_CHECK(spec.decimals >= 0 && spec.decimals <= 18, "asset decimals outside [0, 18]");
  LIQSIM_CHECK(assets_.size() < 0xFFFF, "too many assets");
  for (const AssetSpec& a : assets_) LIQSIM_CHECK(a.symbol != spec.symbol, "duplicate asset symbol");
  if (spec.kind == AssetKind::DebtShare || spec.kind == AssetKind::LpShare)
    LIQSIM_CHECK(spec.underlying.raw() < assets_.size(), "share of an unknown underlying asset");
  assets_.push_back(spec);
  return AssetId(static_cast<uint16_t>(assets_.size() - 1));
}

AccountId Ledger::open_account(AgentRole role, MarginMode mode) {
  LIQSIM_CHECK(depth_ == 0, "accounts are opened outside transactions");
  AccountState s;
  s.role = role;
  s.mode = mode;
  accounts_.push_back(s);
  positions_.resize(positions_.size() + markets_);
  return AccountId(static_cast<uint32_t>(accounts_.size() - 1));
}

void Ledger::reserve(uint32_t accounts) {
  accounts_.reserve(accounts + kPlaceCount);
  positions_.reserve(size_t(accounts + kPlaceCount) * markets_);
}

bool Ledger::has_position(AccountId a) const {
  for (MarketId m(0); m.raw() < markets_; ++m)
    if (position(a, m).size.raw() != 0) return true;
  return false;
}

void Ledger::move_quote(AccountId from, AccountId to, Amount amount) {
  // Both sides are computed before either is written, so a move that overflows changes nothing.
  AccountState& f = accounts_[from.raw()];
  AccountState& t = accounts_[to.raw()];
  const int64_t debited =
      checked_sub(f.balance.raw(), amount.raw(), "ledger move: debit of the quote balance");
  const int64_t credited = checked_add(from == to ? debited : t.balance.raw(), amount.raw(),
                                       "ledger move: credit of the quote balance");
  if (journaling()) {
    journal_.push_back({JournalEntry::Kind::Balance, from.raw(), 0, f.balance.raw(), 0});
    journal_.push_back({JournalEntry::Kind::Balance, to.raw(), 0, t.balance.raw(), 0});
  }
  f.balance = Amount(debited);
  t.balance = Amount(credited);
}

void Ledger::add_holding(AccountId a, AssetId asset, int64_t delta) {
  if (delta == 0) return;
  const uint64_t key = holding_key(a, asset);
  auto it = holdings_.find(key);
  const int64_t old = it == holdings_.end() ? 0 : it->second;
  if (journaling()) journal_.push_back({JournalEntry::Kind::Holding, a.raw(), asset.raw(), old, 0});
  const int64_t now = old + delta;  // checked by the caller
  if (now == 0) {
    if (it != holdings_.end()) holdings_.erase(it);
  } else if (it == holdings_.end()) {
    holdings_.emplace(key, now);
  } else {
    it->second = now;
  }
}

void Ledger::move(AccountId from, AccountId to, AssetId asset, AssetAmount amount) {
  LIQSIM_CHECK(asset.raw() < assets_.size(), "move of an unknown asset");
  if (asset == kQuoteAsset) {
    move_quote(from, to, Amount(amount.raw()));
    return;
  }
  // Checked before either side is written, so a move that overflows changes nothing.
  const int64_t from_after =
      checked_sub(balance(from, asset).raw(), amount.raw(), "ledger move: debit of an asset balance");
  checked_add(from == to ? from_after : balance(to, asset).raw(), amount.raw(),
              "ledger move: credit of an asset balance");
  add_holding(from, asset, -amount.raw());
  add_holding(to, asset, amount.raw());
}

AssetAmount Ledger::balance(AccountId a, AssetId asset) const {
  if (asset == kQuoteAsset) return AssetAmount(accounts_[a.raw()].balance.raw());
  const auto it = holdings_.find(holding_key(a, asset));
  return AssetAmount(it == holdings_.end() ? 0 : it->second);
}

std::vector<Holding> Ledger::holdings() const {
  std::vector<Holding> out;
  out.reserve(holdings_.size());
  for (const auto& [key, amount] : holdings_)
    out.push_back({AccountId(uint32_t(key >> 16)), AssetId(uint16_t(key & 0xFFFF)), AssetAmount(amount)});
  std::sort(out.begin(), out.end(), [](const Holding& x, const Holding& y) {
    return x.account != y.account ? x.account < y.account : x.asset < y.asset;
  });
  return out;
}

void Ledger::borrow(AccountId a, AssetId debt_share, AssetAmount amount, Ray index) {
  const AssetSpec& share = asset(debt_share);
  LIQSIM_CHECK(share.kind == AssetKind::DebtShare, "borrow needs a debt-share asset");
  LIQSIM_CHECK(amount.raw() >= 0, "negative borrow");
  const AccountId pool = place_account(Place::LendingPool);
  // Shares minted round up: the borrower owes at least what it received.
  const AssetAmount shares(ray_unapply(amount.raw(), index, Round::Up));
  move(pool, a, debt_share, shares);
  move(pool, a, share.underlying, amount);
}

void Ledger::repay(AccountId a, AssetId debt_share, AssetAmount amount, Ray index) {
  const AssetSpec& share = asset(debt_share);
  LIQSIM_CHECK(share.kind == AssetKind::DebtShare, "repay needs a debt-share asset");
  LIQSIM_CHECK(amount.raw() >= 0, "negative repayment");
  const AccountId pool = place_account(Place::LendingPool);
  // Shares burnt round down: a repayment never clears more debt than it pays.
  const AssetAmount shares(ray_unapply(amount.raw(), index, Round::Down));
  move(a, pool, debt_share, shares);
  move(a, pool, share.underlying, amount);
}

AssetAmount Ledger::debt_value(AccountId a, AssetId debt_share, Ray index) const {
  return AssetAmount(ray_apply(balance(a, debt_share).raw(), index, Round::Up));
}

void Ledger::deposit(AccountId a, Amount amount) {
  LIQSIM_CHECK(amount.raw() >= 0, "negative deposit");
  move_quote(place_account(Place::Outside), a, amount);
  AccountState& s = accounts_[a.raw()];
  if (journaling()) journal_.push_back({JournalEntry::Kind::Deposits, a.raw(), 0, s.deposits.raw(), 0});
  s.deposits = Amount(checked_add(s.deposits.raw(), amount.raw(), "ledger deposit: deposits total"));
}

void Ledger::deposit_asset(AccountId a, AssetId asset, AssetAmount amount) {
  LIQSIM_CHECK(amount.raw() >= 0, "negative deposit");
  move(place_account(Place::Outside), a, asset, amount);
}

void Ledger::seed_insurance_fund(Amount amount) {
  LIQSIM_CHECK(amount.raw() >= 0, "negative insurance seed");
  move_quote(place_account(Place::Outside), place_account(Place::InsuranceFund), amount);
}

void Ledger::move_position(AccountId a, MarketId m, Quantity delta, Amount cash) {
  // cash: unsigned trade value; the signed cost of `delta` is +cash for buys, -cash for sells.
  Position& p = position(a, m);
  if (journaling())
    journal_.push_back({JournalEntry::Kind::Position, a.raw(), m.raw(), p.size.raw(), p.open_notional.raw()});
  const Amount signed_cash = delta.raw() > 0 ? cash : -cash;
  const int64_t old_size = p.size.raw();
  const int64_t new_size = checked_add(old_size, delta.raw(), "ledger trade: position size");
  if (old_size == 0 || (old_size > 0) == (delta.raw() > 0)) {
    p.open_notional =
        Amount(checked_add(p.open_notional.raw(), signed_cash.raw(), "ledger trade: open notional"));
  } else if ((old_size > 0 && new_size >= 0) || (old_size < 0 && new_size <= 0)) {
    // Reduce: the remaining cost is the old cost scaled by the remaining share (rounded toward zero).
    const int64_t remaining = new_size < 0 ? -new_size : new_size;
    const int64_t old_abs = old_size < 0 ? -old_size : old_size;
    const int64_t kept = p.open_notional.raw() >= 0
                             ? mul_div(p.open_notional.raw(), remaining, old_abs, Round::Down)
                             : -mul_div(-p.open_notional.raw(), remaining, old_abs, Round::Down);
    p.open_notional = Amount(kept);
  } else {
    // Flip: the excess beyond zero opens a new position at this trade's price.
    const int64_t excess = new_size < 0 ? -new_size : new_size;
    const int64_t delta_abs = delta.raw() < 0 ? -delta.raw() : delta.raw();
    const int64_t part = mul_div(cash.raw(), excess, delta_abs, Round::Down);
    p.open_notional = Amount(delta.raw() > 0 ? part : -part);
  }
  const int64_t long_before = old_size > 0 ? old_size : 0;
  const int64_t long_after = new_size > 0 ? new_size : 0;
  if (long_after != long_before) {
    Quantity& oi = open_interest_[m.raw()];
    if (journaling()) journal_.push_back({JournalEntry::Kind::OpenInterest, m.raw(), 0, oi.raw(), 0});
    oi = Quantity(checked_add(oi.raw(), long_after - long_before, "ledger trade: open interest"));
  }
  p.size = Quantity(new_size);
  if (new_size == 0) p.open_notional = Amount(0);
}

void Ledger::trade(AccountId buyer, AccountId seller, MarketId m, Quantity quantity, Amount cash) {
  LIQSIM_CHECK(quantity.raw() > 0, "trade quantity must be positive");
  LIQSIM_CHECK(cash.raw() >= 0, "trade cash must be non-negative");
  move_quote(buyer, seller, cash);
  move_position(buyer, m, quantity, cash);
  move_position(seller, m, -quantity, cash);
}

void Ledger::pay_gas(AccountId a, Amount gas) {
  LIQSIM_CHECK(gas.raw() >= 0, "negative gas");
  move_quote(a, place_account(Place::BlockProducer), gas);
}

void Ledger::fund_credit(AccountId from, Amount amount) {
  LIQSIM_CHECK(amount.raw() >= 0, "negative fund credit");
  move_quote(from, place_account(Place::InsuranceFund), amount);
}

Amount Ledger::fund_debit(AccountId to, Amount amount) {
  LIQSIM_CHECK(amount.raw() >= 0, "negative fund debit");
  const Amount fund = insurance_fund();
  const Amount paid = amount <= fund ? amount : std::max(fund, Amount(0));
  move_quote(place_account(Place::InsuranceFund), to, paid);
  move_quote(place_account(Place::Deficit), to, amount - paid);
  return paid;
}

void Ledger::write_off(AccountId a, Amount amount) {
  LIQSIM_CHECK(amount.raw() >= 0, "negative write-off");
  move_quote(place_account(Place::Deficit), a, amount);
}

Amount Ledger::conservation_residual() const {
  __int128 sum = 0;
  for (const auto& s : accounts_) sum += s.balance.raw();
  return Amount(static_cast<int64_t>(sum));
}

AssetAmount Ledger::conservation_residual(AssetId asset) const {
  if (asset == kQuoteAsset) return AssetAmount(conservation_residual().raw());
  __int128 sum = 0;
  for (const auto& [key, amount] : holdings_)
    if ((key & 0xFFFF) == asset.raw()) sum += amount;
  return AssetAmount(static_cast<int64_t>(sum));
}

Quantity Ledger::position_residual(MarketId m) const {
  __int128 sum = 0;
  for (size_t a = 0; a < accounts_.size(); ++a) sum += positions_[a * markets_ + m.raw()].size.raw();
  return Quantity(static_cast<int64_t>(sum));
}

Ledger::Transaction::Transaction(Ledger& ledger) : ledger_(ledger), mark_(ledger.journal_.size()) {
  ++ledger_.depth_;
}

Ledger::Transaction::~Transaction() {
  if (open_) revert();
}

void Ledger::Transaction::commit() {
  LIQSIM_CHECK(open_, "transaction already closed");
  open_ = false;
  // The outermost commit forgets the journal; an inner one leaves its entries to the outer scope.
  if (--ledger_.depth_ == 0) ledger_.journal_.clear();
}

void Ledger::Transaction::revert() {
  LIQSIM_CHECK(open_, "transaction already closed");
  open_ = false;
  ledger_.rollback_to(mark_);
  --ledger_.depth_;
}

void Ledger::rollback_to(size_t mark) {
  while (journal_.size() > mark) {
    const JournalEntry e = journal_.back();
    journal_.pop_back();
    switch (e.kind) {
      case JournalEntry::Kind::Balance:
        accounts_[e.account].balance = Amount(e.first);
        break;
      case JournalEntry::Kind::Deposits:
        accounts_[e.account].deposits = Amount(e.first);
        break;
      case JournalEntry::Kind::Holding: {
        const uint64_t key = holding_key(AccountId(e.account), AssetId(static_cast<uint16_t>(e.key)));
        if (e.first == 0)
          holdings_.erase(key);
        else
          holdings_[key] = e.first;
        break;
      }
      case JournalEntry::Kind::Position:
        position(AccountId(e.account), MarketId(e.key)) = Position{Quantity(e.first), Amount(e.second)};
        break;
      case JournalEntry::Kind::OpenInterest:
        open_interest_[e.account] = Quantity(e.first);
        break;
    }
  }
}

}  // namespace liqsim
