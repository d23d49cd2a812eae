#include "protocol/ledger.h"

#include "core/check.h"

namespace liqsim {

AccountId Ledger::open_account(AgentRole role, MarginMode mode) {
  AccountState s;
  s.role = role;
  s.mode = mode;
  accounts_.push_back(s);
  positions_.resize(positions_.size() + markets_);
  return static_cast<AccountId>(accounts_.size() - 1);
}

void Ledger::reserve(uint32_t accounts) {
  accounts_.reserve(accounts);
  positions_.reserve(size_t(accounts) * markets_);
}

bool Ledger::has_position(AccountId a) const {
  for (MarketId m = 0; m < markets_; ++m)
    if (position(a, m).size.raw() != 0) return true;
  return false;
}

void Ledger::deposit(AccountId a, Amount amount) {
  LIQSIM_CHECK(amount.raw() >= 0, "negative deposit");
  accounts_[a].balance += amount;
  accounts_[a].deposits += amount;
  external_ += amount;
}

void Ledger::seed_insurance_fund(Amount amount) {
  LIQSIM_CHECK(amount.raw() >= 0, "negative insurance seed");
  insurance_fund_ += amount;
  external_ += amount;
}

void Ledger::move_position(AccountId a, MarketId m, Quantity delta, Amount cash) {
  // cash: unsigned trade value; the signed cost of `delta` is +cash for buys, -cash for sells.
  Position& p = position(a, m);
  const Amount signed_cash = delta.raw() > 0 ? cash : -cash;
  const int64_t old_size = p.size.raw();
  const int64_t new_size = old_size + delta.raw();
  if (old_size == 0 || (old_size > 0) == (delta.raw() > 0)) {
    p.open_notional += signed_cash;
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
  open_interest_[m] += Quantity(long_after - long_before);
  p.size = Quantity(new_size);
  if (new_size == 0) p.open_notional = Amount(0);
}

void Ledger::trade(AccountId buyer, AccountId seller, MarketId m, Quantity quantity, Amount cash) {
  LIQSIM_CHECK(quantity.raw() > 0, "trade quantity must be positive");
  LIQSIM_CHECK(cash.raw() >= 0, "trade cash must be non-negative");
  accounts_[buyer].balance -= cash;
  accounts_[seller].balance += cash;
  move_position(buyer, m, quantity, cash);
  move_position(seller, m, -quantity, cash);
}

void Ledger::pay_fee(AccountId a, Amount fee) {
  accounts_[a].balance -= fee;
  fee_pool_ += fee;
}

void Ledger::pay_gas(AccountId a, Amount gas) {
  LIQSIM_CHECK(gas.raw() >= 0, "negative gas");
  accounts_[a].balance -= gas;
  gas_paid_ += gas;
}

void Ledger::transfer(AccountId from, AccountId to, Amount amount) {
  accounts_[from].balance -= amount;
  accounts_[to].balance += amount;
}

void Ledger::fund_credit(AccountId from, Amount amount) {
  LIQSIM_CHECK(amount.raw() >= 0, "negative fund credit");
  accounts_[from].balance -= amount;
  insurance_fund_ += amount;
}

Amount Ledger::fund_debit(AccountId to, Amount amount) {
  LIQSIM_CHECK(amount.raw() >= 0, "negative fund debit");
  accounts_[to].balance += amount;
  const Amount paid = amount <= insurance_fund_ ? amount : insurance_fund_;
  insurance_fund_ -= paid;
  bad_debt_ += amount - paid;
  return paid;
}

void Ledger::write_off(AccountId a, Amount amount) {
  LIQSIM_CHECK(amount.raw() >= 0, "negative write-off");
  accounts_[a].balance += amount;
  bad_debt_ += amount;
}

Amount Ledger::conservation_residual() const {
  __int128 sum = 0;
  for (const auto& s : accounts_) sum += s.balance.raw();
  sum += insurance_fund_.raw();
  sum += fee_pool_.raw();
  sum += gas_paid_.raw();
  sum -= bad_debt_.raw();
  sum -= external_.raw();
  return Amount(static_cast<int64_t>(sum));
}

Quantity Ledger::position_residual(MarketId m) const {
  __int128 sum = 0;
  for (size_t a = 0; a < accounts_.size(); ++a) sum += positions_[a * markets_ + m].size.raw();
  return Quantity(static_cast<int64_t>(sum));
}

}  // namespace liqsim
