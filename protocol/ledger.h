// The ledger: every unit of quote money and every position in the protocol, stored data-oriented
// (one contiguous array of account states, one of positions indexed account * markets + market).
//
// Contract (conservation): value only moves between ledger places, never appears or vanishes:
//   sum(account balances) + insurance fund + fee pool + gas paid - bad debt == external deposits
// and for every market the signed positions sum to zero. check_conservation() verifies both from
// scratch. A balance is quote cash: buying q at p debits floor(p*q) from the buyer and credits the
// same amount to the seller, so a long's balance is typically negative and its equity is
// balance + size * mark. Lending positions fit the same shape: debt is a negative quote balance and
// collateral a positive holding valued by a price (see docs/ARCHITECTURE.md).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/units.h"

namespace liqsim {

using AccountId = uint32_t;
using MarketId = uint32_t;

enum class AgentRole : uint8_t { Trader = 0, NoiseTrader = 1, MarketMaker = 2, Keeper = 3 };
enum class MarginMode : uint8_t { Isolated = 0, Cross = 1 };

struct Position {
  Quantity size;         // signed: long > 0
  Amount open_notional;  // signed cost of the open position (entry price = open_notional / size)
};

struct AccountState {
  Amount balance;
  Amount deposits;               // external money brought in (initial margin + top-ups)
  uint32_t trigger_version = 0;  // bumps invalidate this account's trigger-index entries
  uint16_t liquidations = 0;
  MarginMode mode = MarginMode::Cross;
  AgentRole role = AgentRole::Trader;
  bool in_liquidation = false;
  Time last_liquidation_step;
};

class Ledger {
 public:
  explicit Ledger(uint32_t markets) : markets_(markets) {}

  AccountId open_account(AgentRole role, MarginMode mode);
  uint32_t account_count() const { return static_cast<uint32_t>(accounts_.size()); }
  uint32_t market_count() const { return markets_; }
  void reserve(uint32_t accounts);

  AccountState& account(AccountId a) { return accounts_[a]; }
  const AccountState& account(AccountId a) const { return accounts_[a]; }
  Position& position(AccountId a, MarketId m) { return positions_[size_t(a) * markets_ + m]; }
  const Position& position(AccountId a, MarketId m) const { return positions_[size_t(a) * markets_ + m]; }
  bool has_position(AccountId a) const;

  // External money in: margin deposits and top-ups.
  void deposit(AccountId a, Amount amount);
  void seed_insurance_fund(Amount amount);

  // A trade of `quantity` (> 0) at `cash` total, buyer pays seller; positions and entry cost move.
  void trade(AccountId buyer, AccountId seller, MarketId m, Quantity quantity, Amount cash);
  // Fees, gas and funding: money between an account and a protocol place.
  void pay_fee(AccountId a, Amount fee);  // account -> fee pool (negative = rebate)
  void pay_gas(AccountId a, Amount gas);  // account -> block producers
  void transfer(AccountId from, AccountId to, Amount amount);
  // Insurance fund <-> account. A debit that would take the fund below zero takes it to zero and
  // records the rest as bad debt (the protocol's recorded deficit). Returns the part the fund paid.
  void fund_credit(AccountId from, Amount amount);
  Amount fund_debit(AccountId to, Amount amount);
  // Funding pool settlement helpers: collected and paid through the fee pool so rounding residue stays.
  void pool_collect(AccountId from, Amount amount) {
    accounts_[from].balance -= amount;
    fee_pool_ += amount;
  }
  void pool_pay(AccountId to, Amount amount) {
    accounts_[to].balance += amount;
    fee_pool_ -= amount;
  }
  // Writes off a negative balance of an account with no position as bad debt (after the fund is empty).
  void write_off(AccountId a, Amount amount);

  Amount insurance_fund() const { return insurance_fund_; }
  Amount fee_pool() const { return fee_pool_; }
  Amount gas_paid() const { return gas_paid_; }
  Amount bad_debt() const { return bad_debt_; }
  Amount external_deposits() const { return external_; }
  Quantity open_interest(MarketId m) const { return open_interest_[m]; }

  // sum of balances + fund + fees + gas - bad debt - deposits; 0 when value is conserved.
  Amount conservation_residual() const;
  // Signed sum of positions in market m; 0 when positions are conserved.
  Quantity position_residual(MarketId m) const;

 private:
  void move_position(AccountId a, MarketId m, Quantity delta, Amount cash);

  uint32_t markets_;
  std::vector<AccountState> accounts_;
  std::vector<Position> positions_;
  std::vector<Quantity> open_interest_ = std::vector<Quantity>(markets_);
  Amount insurance_fund_, fee_pool_, gas_paid_, bad_debt_, external_;
};

}  // namespace liqsim
