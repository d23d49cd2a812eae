// A constant-product AMM pool (Uniswap v2) as a Venue: a reserve of the market's coin and one of the
// quote, x * y = k before fees; a swap pays the pool's fee on its input, which stays in the reserves.
//
// Source: Uniswap/v2-periphery contracts/libraries/UniswapV2Library.sol: getAmountOut(amountIn, reserveIn,
// reserveOut) = floor(amountIn * 997 * reserveOut / (reserveIn * 1000 + amountIn * 997)) and getAmountIn =
// floor(reserveIn * amountOut * 1000 / ((reserveOut - amountOut) * 997)) + 1; here the fee is a Ratio (1e9
// = 100%, 0.3% for Uniswap v2) in place of 3/1000, with the same roundings (against the trader). Reserves
// are the tokens' base units as the ledger counts them: Quantity (1e-8 coin) and Amount (1e-6 $), so the
// formulas run on the same integers the ledger moves, with 256-bit products (core/wide_int.h).
//
// As a venue: an execution request is one swap, filled as one Fill with the pool's account as maker. Its
// worst price bounds every unit of it, as a limit order's does on a book: the largest quantity whose
// marginal price after the swap (a sell's gamma * y / x, a buy's y / (gamma * x), gamma = 1 - fee) is not
// worse than `worst`, and whose fill price is not either. The fill's price is the swap's average, rounded
// in the pool's favour (a sell's down, a buy's up), and the ledger's cash for it (floor(price x quantity))
// is what the reserves move by: the pool never pays more than getAmountOut nor receives less than
// getAmountIn. best_bid / best_ask are the marginal prices (what an infinitesimal sell or buy gets),
// rounded down and up; with a fee above 0 the bid is below the ask. `reduce_only` is the caller's to
// enforce (the pool does not know positions). A swap that would move no cash fills nothing.
#pragma once

#include <optional>

#include "market/amm_venue.h"

namespace liqsim {

class ConstantProductPool final : public AmmVenue {
 public:
  // Requires reserves > 0 and 0 < fee < 1.
  ConstantProductPool(AccountId owner, Quantity base_reserve, Amount quote_reserve, Ratio fee);

  std::string_view kind() const override { return "amm"; }
  Execution execute(const ExecutionRequest& request) override;
  SwapPreview preview(const ExecutionRequest& request) const override {
    ConstantProductPool copy = *this;
    return summarize_swap(copy.execute(request));
  }
  std::optional<Price> best_bid() const override;
  std::optional<Price> best_ask() const override;
  Price tick_size() const override { return Price(1); }

  AccountId owner() const { return owner_; }
  Quantity base_reserve() const override { return base_; }
  Amount quote_reserve() const override { return quote_; }
  Ratio fee() const { return fee_; }
  // y / x, rounded down: the pool's price before fees.
  Price price() const override;

  // getAmountOut and getAmountIn in the reserves' base units (see above). amount_in > 0; 0 < amount_out <
  // the output reserve.
  static __int128 amount_out(__int128 amount_in, __int128 reserve_in, __int128 reserve_out, Ratio fee);
  static __int128 amount_in(__int128 amount_out, __int128 reserve_in, __int128 reserve_out, Ratio fee);

  // Coins a trader would sell (Side::Sell) or buy into the pool to bring its marginal price to `target`,
  // ignoring the fee's growth of the reserves: a decision aid for arbitrage sizing (double), 0 when the
  // pool is already at or beyond it.
  double quantity_to(Side side, double target) const override;

 private:
  // The quantity (raw) whose swap leaves the marginal price at `worst`, in long double: where the exact
  // search starts.
  int64_t boundary_estimate(Side side, Price worst) const;
  // The marginal price after selling (or buying) q coins is not worse than `worst`.
  bool sell_within(Quantity q, Price worst) const;
  bool buy_within(Quantity q, Price worst) const;

  AccountId owner_;
  Quantity base_;
  Amount quote_;
  Ratio fee_;
  Fill fill_;  // the last execution's fill (the span an execution returns)
};

}  // namespace liqsim
