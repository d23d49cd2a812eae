#include "market/amm_pool.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "core/wide_int.h"

namespace liqsim {

namespace {

using Wide = __int128;
// A swap amount beyond any ledger amount: getAmountIn saturates here instead of overflowing (a buy of
// nearly the whole reserve), and such a swap is never within a representable worst price.
constexpr Wide kSaturated = Wide(1) << 100;
// Price raw (1e-6 $ per coin) of `cash` micro-dollars for q (1e-8 coin): cash * 1e8 / q.
constexpr Wide kPerCoin = kQuantityScale;

Wide gamma_of(Ratio fee) { return Wide(kRatioScale) - fee.raw(); }

}  // namespace

ConstantProductPool::ConstantProductPool(AccountId owner, Quantity base_reserve, Amount quote_reserve,
                                         Ratio fee)
    : owner_(owner), base_(base_reserve), quote_(quote_reserve), fee_(fee) {
  LIQSIM_CHECK(base_.raw() > 0 && quote_.raw() > 0, "an AMM pool needs both reserves");
  LIQSIM_CHECK(fee_.raw() > 0 && fee_.raw() < kRatioScale, "an AMM pool's fee is in (0, 1)");
}

Wide ConstantProductPool::amount_out(Wide amount_in, Wide reserve_in, Wide reserve_out, Ratio fee) {
  LIQSIM_CHECK(amount_in > 0 && reserve_in > 0 && reserve_out > 0, "getAmountOut of empty amounts");
  const Wide in_with_fee = amount_in * gamma_of(fee);
  const Int256 numerator = wide_mul(in_with_fee, reserve_out);
  const Wide denominator = reserve_in * kRatioScale + in_with_fee;
  return wide_div(numerator, denominator, Round::Down);
}

Wide ConstantProductPool::amount_in(Wide amount_out, Wide reserve_in, Wide reserve_out, Ratio fee) {
  LIQSIM_CHECK(amount_out > 0 && amount_out < reserve_out && reserve_in > 0, "getAmountIn out of range");
  const Int256 numerator = wide_mul(reserve_in * amount_out, kRatioScale);
  const Wide denominator = (reserve_out - amount_out) * gamma_of(fee);
  if (numerator >= wide_mul(denominator, kSaturated)) return kSaturated;
  return wide_div(numerator, denominator, Round::Down) + 1;
}

std::optional<Price> ConstantProductPool::best_bid() const {
  // gamma * y / x per coin: gamma y 1e8 / (1e9 x) = gamma y / (10 x), rounded down.
  return Price(int64_t(gamma_of(fee_) * quote_.raw() / (Wide(10) * base_.raw())));
}

std::optional<Price> ConstantProductPool::best_ask() const {
  // y / (gamma x) per coin: y 1e17 / (gamma x), rounded up.
  const Wide num = Wide(quote_.raw()) * kPerCoin * kRatioScale;
  const Wide den = gamma_of(fee_) * base_.raw();
  const Wide ask = (num + den - 1) / den;
  return Price(int64_t(std::min<Wide>(ask, Price::max().raw())));
}

Price ConstantProductPool::price() const {
  return Price(int64_t(Wide(quote_.raw()) * kPerCoin / base_.raw()));
}

bool ConstantProductPool::sell_within(Quantity q, Price worst) const {
  const Wide out = amount_out(q.raw(), base_.raw(), quote_.raw(), fee_);
  // gamma y' / (10 x') >= worst.
  return wide_mul(gamma_of(fee_), Wide(quote_.raw()) - out) >=
         wide_mul(Wide(10) * worst.raw(), Wide(base_.raw()) + q.raw());
}

bool ConstantProductPool::buy_within(Quantity q, Price worst) const {
  if (q >= base_) return false;
  const Wide in = amount_in(q.raw(), quote_.raw(), base_.raw(), fee_);
  if (in >= kSaturated) return false;
  // y' 1e17 / (gamma x') <= worst.
  return wide_mul(Wide(quote_.raw()) + in, kPerCoin * kRatioScale) <=
         wide_mul(Wide(worst.raw()) * gamma_of(fee_), Wide(base_.raw()) - q.raw());
}

Execution ConstantProductPool::execute(const ExecutionRequest& request) {
  Execution out = check_request(request);
  if (!out.accepted()) return out;
  const bool sell = request.side == Side::Sell;
  // The largest quantity within the worst price: the condition is monotone in the quantity.
  const auto within = [&](int64_t q) {
    return sell ? sell_within(Quantity(q), request.worst) : buy_within(Quantity(q), request.worst);
  };
  const int64_t cap = sell ? request.quantity.raw() : std::min(request.quantity.raw(), base_.raw() - 1);
  if (cap <= 0 || !within(1)) return out;
  int64_t lo = 1, hi = cap;  // within(lo); within(q) is false for q > hi unless hi == cap
  if (within(cap)) {
    lo = cap;
  } else {
    // Bracket the boundary from the closed-form estimate (a few exact checks), then bisect exactly.
    const int64_t guess = std::clamp<int64_t>(boundary_estimate(request.side, request.worst), 1, cap - 1);
    if (within(guess)) {
      lo = guess;  // gallop up: hi stays cap (not within) unless a probe fails first
      for (int64_t step = 1; lo + step < cap; step *= 2) {
        if (!within(lo + step)) {
          hi = lo + step;
          break;
        }
        lo += step;
      }
    } else {
      hi = guess;  // gallop down: lo stays 1 (within) unless a probe succeeds first
      for (int64_t step = 1; hi - step > 1; step *= 2) {
        if (within(hi - step)) {
          lo = hi - step;
          break;
        }
        hi -= step;
      }
    }
    while (hi - lo > 1) {
      const int64_t mid = lo + (hi - lo) / 2;
      (within(mid) ? lo : hi) = mid;
    }
  }
  const Quantity q(lo);
  // The fill's price: the swap's average, in the pool's favour; the ledger moves floor(price x q).
  Wide price;
  if (sell) {
    const Wide received = amount_out(q.raw(), base_.raw(), quote_.raw(), fee_);
    price = received * kPerCoin / q.raw();
    if (price < request.worst.raw()) return out;
  } else {
    const Wide paid = amount_in(q.raw(), quote_.raw(), base_.raw(), fee_);
    price = (paid * kPerCoin + q.raw() - 1) / q.raw();
    if (price > request.worst.raw()) return out;
  }
  const Amount cash = notional(Price(int64_t(price)), q, Round::Down);
  if (cash.raw() <= 0) return out;
  if (sell) {
    base_ += q;
    quote_ -= cash;
  } else {
    base_ -= q;
    quote_ += cash;
  }
  LIQSIM_CHECK(base_.raw() > 0 && quote_.raw() > 0, "an AMM swap emptied a reserve");
  fill_ = Fill{};
  fill_.maker_owner = owner_;
  fill_.taker_owner = request.owner;
  fill_.taker_side = request.side;
  fill_.price = Price(int64_t(price));
  fill_.quantity = q;
  fill_.taker_tag = request.tag;
  out.filled = q;
  out.fills = std::span<const Fill>(&fill_, 1);
  return out;
}

int64_t ConstantProductPool::boundary_estimate(Side side, Price worst) const {
  // The swap whose marginal price after is `worst`, from the exact post-swap reserves (long double): a
  // sell of d leaves y' = x y / (x + g d) against x' = x + d, so g y' / x' = w is g d^2 + x (1 + g) d + x^2
  // - g x y / w = 0; a buy leaves u = x - d and y' = y (g u + x - u) / (g u), so y' / (g u) = w is
  // w g^2 u^2 + y (1 - g) u - x y = 0. Both roots in the cancellation-free form.
  using Real = long double;
  const Real x = base_.raw(), y = quote_.raw();
  const Real g = Real(kRatioScale - fee_.raw()) / kRatioScale;
  const Real w = Real(worst.raw()) / Real(kPerCoin);  // micro-dollars per 1e-8 coin
  Real d;
  if (side == Side::Sell) {
    const Real b = x * (1 + g), c = x * x - g * x * y / w;
    if (c >= 0) return 0;
    d = -2 * c / (b + std::sqrt(b * b - 4 * g * c));
  } else {
    const Real a = w * g * g, b = y * (1 - g), c = -x * y;
    const Real u = -2 * c / (b + std::sqrt(b * b - 4 * a * c));
    d = x - u;
  }
  if (!(d > 0)) return 0;
  return d >= Real(INT64_MAX) ? INT64_MAX : int64_t(d);
}

double ConstantProductPool::quantity_to(Side side, double target) const {
  if (target <= 0) return 0;
  const double x = to_double(base_), y = to_double(quote_);
  const double gamma = 1.0 - to_double(fee_);
  // x' such that the marginal price after the swap is the target, with x' y' = x y.
  const double x_after =
      side == Side::Sell ? std::sqrt(gamma * x * y / target) : std::sqrt(x * y / (gamma * target));
  return std::max(0.0, side == Side::Sell ? x_after - x : x - x_after);
}

}  // namespace liqsim
