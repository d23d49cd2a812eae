// The ledger: every unit of every asset in the protocol and every perpetual position, stored
// data-oriented (one contiguous array of account states, one of positions indexed
// account * markets + market, sparse rows for the other assets).
//
// Double entry. Protocol places (the outside world, insurance fund, fee pool, block producer, recorded
// deficit, backstop vault, stability pool, auction house, lending pool) are ordinary accounts, ids
// 0 .. kPlaceCount-1, so one primitive, move(from, to, asset, amount), carries every transfer, and
// conservation is exact per asset: the balances of every account, places included, sum to 0. Money
// brought in comes from the Outside place (its balance is minus the deposits); a loss nobody can pay is
// moved from the Deficit place (its balance is minus the recorded bad debt).
//
// Assets have their own scales: asset 0 is the quote (USD, 6 decimals; the balance of AccountState,
// the Amount type); others (stablecoins, BTC at 8 decimals, ETH at 9, debt shares, LP shares) are
// registered with add_asset() and held in sparse rows. A debt is a DebtShare asset: a scaled balance
// whose value in the underlying is scaled * index (protocol/interest_index.h), minted by the lending
// pool place (which holds the opposite, negative shares), so interest accrues without moving anything.
//
// A buy of q at p debits floor(p*q) from the buyer and credits the seller, so a long's quote balance is
// typically negative and its equity is balance + size * mark. Every mutation is checked: an overflow
// throws ArithmeticError naming the operation and the values (core/checked.h). Inside a Transaction
// every mutation is journaled, and revert() restores balances, holdings, positions and open interest
// exactly (a failed keeper transaction reverts as a whole).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ids.h"
#include "core/ray.h"
#include "core/units.h"

namespace liqsim {

// AccountId, MarketId and AssetId are strong ids (core/ids.h).
constexpr AssetId kQuoteAsset{0};

// A quantity of some asset in that asset's base units (its scale is the asset's `decimals`).
struct AssetAmountTag {};
using AssetAmount = StrongInt<AssetAmountTag>;

enum class AssetKind : uint8_t { Quote = 0, Stablecoin = 1, Coin = 2, DebtShare = 3, LpShare = 4 };

struct AssetSpec {
  std::string symbol;  // unique, e.g. "USD", "USDC", "BTC", "ETH", "dUSDC" (scaled debt)
  int decimals = 6;    // base units per whole unit = 10^decimals, [0, 18]
  AssetKind kind = AssetKind::Coin;
  AssetId underlying;  // DebtShare / LpShare: the asset the shares are claims on
};

enum class AgentRole : uint8_t {
  Trader = 0,
  NoiseTrader = 1,
  MarketMaker = 2,
  Keeper = 3,
  Protocol = 4,
  Hunter = 5,
  OptionWriter = 6,  // the options venue's margined members (protocol/options_market.h)
  OptionMaker = 7    // its market makers
};
enum class MarginMode : uint8_t { Isolated = 0, Cross = 1 };

// The protocol's own accounts, opened first: Place p is account AccountId(p).
enum class Place : uint8_t {
  Outside = 0,        // the world outside the protocol: deposits come from here
  InsuranceFund = 1,  // surplus of liquidations in, shortfalls out
  FeePool = 2,        // trading fees and funding rounding residue
  BlockProducer = 3,  // gas paid by keepers' transactions
  Deficit = 4,        // losses nobody could pay: its balance is minus the recorded bad debt
  BackstopVault = 5,  // Hyperliquid-style liquidator vault (mechanisms to come)
  StabilityPool = 6,  // Liquity-style stability pool
  AuctionHouse = 7,   // collateral lots under auction (Maker Clipper / Flipper)
  LendingPool = 8,    // reserves of lending markets; mints debt shares
  AmmPool = 9,        // the reserves of the markets' constant-product pools (market/amm_pool.h)
};
constexpr uint32_t kPlaceCount = 10;
constexpr AccountId place_account(Place p) { return AccountId(static_cast<uint32_t>(p)); }
const char* place_name(Place p);

struct Position {
  Quantity size;         // signed: long > 0
  Amount open_notional;  // signed cost of the open position (entry price = open_notional / size)
};

struct AccountState {
  Amount balance;                // quote asset
  Amount deposits;               // external quote money brought in (initial margin + top-ups)
  uint32_t trigger_version = 0;  // bumps invalidate this account's trigger-index entries
  uint16_t liquidations = 0;
  MarginMode mode = MarginMode::Cross;
  AgentRole role = AgentRole::Trader;
  bool in_liquidation = false;
  Time last_liquidation_step;
};

// One non-zero balance of a non-quote asset.
struct Holding {
  AccountId account;
  AssetId asset;
  AssetAmount amount;
};

class Ledger {
 public:
  // Opens the places and registers the quote asset.
  explicit Ledger(uint32_t markets);

  // Assets. The symbol must be new and decimals in [0, 18] (invariants: the scenario validates them).
  AssetId add_asset(const AssetSpec& spec);
  const AssetSpec& asset(AssetId id) const { return assets_[id.raw()]; }
  uint32_t asset_count() const { return static_cast<uint32_t>(assets_.size()); }

  AccountId open_account(AgentRole role, MarginMode mode);
  uint32_t account_count() const { return static_cast<uint32_t>(accounts_.size()); }
  uint32_t market_count() const { return markets_; }
  void reserve(uint32_t accounts);
  static bool is_place(AccountId a) { return a.raw() < kPlaceCount; }
  // The amm_pool place's position in a market is the pool's coin reserve, and the outside place's the
  // coins that came from outside: holdings, not perpetual exposure. They pay and receive no funding and
  // bear no socialised loss.
  static bool holds_coins_not_exposure(AccountId a) {
    return a == place_account(Place::AmmPool) || a == place_account(Place::Outside);
  }

  AccountState& account(AccountId a) { return accounts_[a.raw()]; }
  const AccountState& account(AccountId a) const { return accounts_[a.raw()]; }
  Position& position(AccountId a, MarketId m) { return positions_[size_t(a.raw()) * markets_ + m.raw()]; }
  const Position& position(AccountId a, MarketId m) const {
    return positions_[size_t(a.raw()) * markets_ + m.raw()];
  }
  bool has_position(AccountId a) const;

  // The one transfer primitive: `amount` of `asset` from one account to another (either may be a
  // place; amounts may be negative, which moves the other way).
  void move(AccountId from, AccountId to, AssetId asset, AssetAmount amount);
  // Balance of any asset (the quote balance as AssetAmount for asset 0).
  AssetAmount balance(AccountId a, AssetId asset) const;
  // Every non-zero non-quote balance, ordered by (account, asset).
  std::vector<Holding> holdings() const;

  // Scaled debt: borrowing `amount` of debt_share's underlying from the lending pool at `index` mints
  // ceil(amount / index) shares to the borrower (the pool holds the negative side) and moves the
  // underlying to the borrower; repaying burns floor(amount / index) shares. Both round against the
  // account. debt_value is what the shares are worth now: ceil(shares * index).
  void borrow(AccountId a, AssetId debt_share, AssetAmount amount, Ray index);
  void repay(AccountId a, AssetId debt_share, AssetAmount amount, Ray index);
  AssetAmount debt_value(AccountId a, AssetId debt_share, Ray index) const;

  // External money in (from the Outside place): margin deposits and top-ups, and other assets.
  void deposit(AccountId a, Amount amount);
  void deposit_asset(AccountId a, AssetId asset, AssetAmount amount);
  void seed_insurance_fund(Amount amount);

  // A trade of `quantity` (> 0) at `cash` total, buyer pays seller; positions and entry cost move.
  void trade(AccountId buyer, AccountId seller, MarketId m, Quantity quantity, Amount cash);
  // Quote money between an account and a place, or two accounts.
  void pay_fee(AccountId a, Amount fee) { move_quote(a, place_account(Place::FeePool), fee); }  // < 0: rebate
  void pay_gas(AccountId a, Amount gas);  // account -> block producer
  void transfer(AccountId from, AccountId to, Amount amount) { move_quote(from, to, amount); }
  // Insurance fund <-> account. A debit beyond the fund takes the fund to zero and moves the rest from
  // the Deficit place (recorded bad debt). Returns the part the fund paid.
  void fund_credit(AccountId from, Amount amount);
  Amount fund_debit(AccountId to, Amount amount);
  // Funding settlement: collected into and paid out of the fee pool, so rounding residue stays there.
  void pool_collect(AccountId from, Amount amount) {
    move_quote(from, place_account(Place::FeePool), amount);
  }
  void pool_pay(AccountId to, Amount amount) { move_quote(place_account(Place::FeePool), to, amount); }
  // Writes off a negative balance of an account with no position as bad debt (after the fund is empty).
  void write_off(AccountId a, Amount amount);

  Amount place_balance(Place p) const { return accounts_[place_account(p).raw()].balance; }
  Amount insurance_fund() const { return place_balance(Place::InsuranceFund); }
  Amount fee_pool() const { return place_balance(Place::FeePool); }
  Amount gas_paid() const { return place_balance(Place::BlockProducer); }
  Amount bad_debt() const { return -place_balance(Place::Deficit); }
  Amount external_deposits() const { return -place_balance(Place::Outside); }
  Quantity open_interest(MarketId m) const { return open_interest_[m.raw()]; }

  // Sum of every account's quote balance, places included: 0 when quote money is conserved.
  Amount conservation_residual() const;
  // The same for any asset.
  AssetAmount conservation_residual(AssetId asset) const;
  // Signed sum of positions in market m; 0 when positions are conserved.
  Quantity position_residual(MarketId m) const;

  // A scope whose mutations revert as a whole unless committed (nested scopes revert only their own
  // part). Destroying an uncommitted scope reverts it.
  class Transaction {
   public:
    explicit Transaction(Ledger& ledger);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();
    void revert();

   private:
    Ledger& ledger_;
    size_t mark_;
    bool open_ = true;
  };

 private:
  struct JournalEntry {
    enum class Kind : uint8_t { Balance, Deposits, Holding, Position, OpenInterest } kind;
    uint32_t account;  // or market for OpenInterest
    uint32_t key;      // market (Position) or asset (Holding)
    int64_t first;     // the old value (Position: size)
    int64_t second;    // Position: open notional
  };

  void move_quote(AccountId from, AccountId to, Amount amount);
  void add_holding(AccountId a, AssetId asset, int64_t delta);
  void move_position(AccountId a, MarketId m, Quantity delta, Amount cash);
  static uint64_t holding_key(AccountId a, AssetId asset) { return (uint64_t(a.raw()) << 16) | asset.raw(); }
  bool journaling() const { return depth_ > 0; }
  void rollback_to(size_t mark);

  uint32_t markets_;
  std::vector<AssetSpec> assets_;
  std::vector<AccountState> accounts_;
  std::vector<Position> positions_;
  std::vector<Quantity> open_interest_ = std::vector<Quantity>(markets_);
  std::unordered_map<uint64_t, int64_t> holdings_;  // non-quote assets, key (account, asset)
  std::vector<JournalEntry> journal_;
  uint32_t depth_ = 0;  // open transactions
};

}  // namespace liqsim
