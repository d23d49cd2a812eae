// Margin arithmetic of BitMEX and Bybit perpetuals: BitMEX's funding rate, the bankruptcy price of an
// isolated inverse (coin-margined) position, Bybit's USDT-perpetual isolated liquidation price and
// Bybit's inverse cross-margin bankruptcy and liquidation prices.
//
// Sources: bitmex.com/app/perpetualContractsGuideExamples (funding, inverse PnL
// contracts * (1/entry - 1/exit)); bitmex.com/app/liquidation (bankruptcy = margin 0);
// testnet.bybit.com/en-US/help-center/s/article/Liquidation-Price-USDT-Contract (USDT isolated);
// help.bybit.com articles 900000031623 (inverse bankruptcy price) and 360039261334 (inverse cross
// margin); summarised in reference/protocols.md 1.2 and 1.3.
//
// Units. Inverse contracts (BitMEX XBTUSD, Bybit BTCUSD) are one USD each and settle in BTC: a
// position is a signed count of USD contracts (UsdContracts, long > 0); BTC balances, margins and
// funding are Quantity, whose scale 1e-8 is the satoshi. Prices are Price (1e-6 $ per BTC), rates and
// leverage Ratio (1e-9; 50x leverage is Ratio(50e9)). USDT-perpetual money is Amount.
//
// Rounding. Every price is the exact rational of the venue's formula rounded once on the 1e-6 grid,
// against the account: up for a long (it is liquidated or bankrupt sooner), down for a short. The
// venues publish their prices on the tick grid; round_up_to_tick / round_down_to_tick do that step.
#pragma once

#include <cstdint>
#include <optional>

#include "core/units.h"

namespace liqsim {

// A number of one-USD inverse contracts, signed like the position (long > 0).
struct UsdContractsTag {};
using UsdContracts = StrongInt<UsdContractsTag>;

// Value in BTC of an inverse position at `price`: contracts / price, signed like the position. Rounded
// down (toward -infinity). price > 0.
Quantity inverse_position_value(UsdContracts contracts, Price price);

// Realised PnL in BTC of closing an inverse position: contracts * (1/entry - 1/exit). Rounded down
// (toward -infinity, against the account). entry, exit > 0.
Quantity inverse_pnl(UsdContracts contracts, Price entry, Price exit);

// BitMEX interest rate of one funding interval: (quote rate - base rate) / intervals per day, both
// rates daily. Rounded to the nearest Ratio unit (a rate favours neither side). intervals_per_day > 0.
Ratio bitmex_interest_rate(Ratio quote_rate_daily, Ratio base_rate_daily, int64_t intervals_per_day);

// BitMEX funding rate F = P + clamp(I - P, -dead_band, +dead_band): inside the dead band (0.05% by
// default) the rate is the interest rate alone.
Ratio bitmex_funding_rate(Ratio premium_index, Ratio interest_rate, Ratio dead_band = Ratio(500'000));

// Funding paid by a position at one interval: position value (BTC at mark, signed like the position)
// times the rate; positive when the position pays. Rounded up (toward +infinity), so a payer pays the
// odd satoshi and a receiver forgoes it.
Quantity bitmex_funding_payment(Quantity position_value_btc, Ratio funding_rate);

// Bankruptcy price of an isolated inverse position opened at `entry` with initial margin
// value / leverage and fees ignored, from contracts * (1/entry - 1/B) = -margin for a long:
//   long B = entry * L / (L + 1), short B = entry * L / (L - 1).
// BitMEX and Bybit use the same formula. nullopt for a short with leverage <= 1 (its margin covers any
// rise). leverage > 0.
std::optional<Price> inverse_isolated_bankruptcy_price(UsdContracts contracts, Price entry, Ratio leverage);

// Bybit USDT perpetual, isolated margin, liquidation price (classic account, no fee to close):
//   long  LP = entry - (IM - MM) / size - extra / size,
//   short LP = entry + (IM - MM) / size + extra / size,
// IM = size * entry / leverage, MM = size * entry * mmr - mm_deduction. size != 0 (signed), leverage > 0.
Price bybit_linear_isolated_liquidation_price(Quantity size, Price entry, Ratio leverage, Ratio mmr,
                                              Amount mm_deduction, Amount extra_margin);

// Bybit inverse cross margin. W = account balance - order margin (BTC available to the position),
// X = |contracts| / entry (position value in BTC), f the taker fee to close at the bankruptcy price.
// Bankruptcy: the PnL equation with the fee term |contracts| * f / B and no maintenance margin:
//   long B = |Q| (1 + f) / (X + W), short B = |Q| (1 - f) / (X - W).
// nullopt when no positive price solves it (a short whose W covers X, a long with X + W <= 0).
std::optional<Price> bybit_inverse_cross_bankruptcy_price(UsdContracts contracts, Price entry,
                                                          Quantity account_balance, Quantity order_margin,
                                                          Ratio taker_fee);

// Liquidation price: Q (1/entry - 1/LP) = -(W - X mmr - |Q| f / B) for a long (mirrored for a short),
// with B the exact bankruptcy price above; substituting B gives the closed forms
//   long LP = |Q| (1 + f) / (X (1 - mmr (1 + f)) + W), short LP = |Q| (1 - f) / (X (1 + mmr (1 - f)) - W).
// nullopt when no positive price solves it.
std::optional<Price> bybit_inverse_cross_liquidation_price(UsdContracts contracts, Price entry,
                                                           Quantity account_balance, Quantity order_margin,
                                                           Ratio mmr, Ratio taker_fee);

}  // namespace liqsim
