// Auto-deleveraging: who is closed first when the insurance fund cannot absorb a bankrupt position.
//
// Scores are statistics used only for ordering, so they are doubles; the allocation of quantity is
// exact. Sources: BitMEX https://bitmex.com/app/autoDeleveraging (score) and
// https://testnet.bitmex.com/app/autoDeleveragingExamples (allocation); Hyperliquid
// https://hyperliquid.gitbook.io/hyperliquid-docs/trading/auto-deleveraging (sorting index).
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/units.h"

namespace liqsim {

// BitMEX ranking from position values at mark, average entry and bankruptcy price, in quote money, signed
// like the position (shorts negative):
//   PNL% = (MarkValue - AvgEntryValue) / |AvgEntryValue|
//   EffectiveLeverage = |MarkValue| / (MarkValue - BankruptValue)
//   score = PNL% * EffectiveLeverage if PNL% > 0, PNL% / EffectiveLeverage if PNL% < 0, 0 if PNL% = 0.
// Edge cases (not specified by BitMEX; our choice): MarkValue - BankruptValue <= 0 (at or past
// bankruptcy) counts as infinite leverage, giving +infinity for a profit and 0 for a loss;
// AvgEntryValue = 0 gives 0. Vectors #12, #13, #14.
double bitmex_adl_score(double mark_value, double avg_entry_value, double bankrupt_value);

// The same score for a linear position: values are size * price (size signed), and the bankrupt value is
// size * EP - wallet_balance (size * bankruptcy price without the clamp at 0), wallet_balance being the
// margin backing the position (isolated margin, or the cross WB' of margin_model.h).
double bitmex_adl_score(Quantity size, Price mark, Price entry, Amount wallet_balance);

// Hyperliquid sorting index (mark_price / entry_price) * (notional_position / account_value), applied as
// published for both sides (the venue gives no mirrored form for shorts). notional_position is the
// absolute position value at mark. account_value <= 0 ranks first (+infinity; our choice). Vector #26.
double hyperliquid_adl_index(Price mark, Price entry, Amount notional_position, Amount account_value);

// An opposite-side position that ADL may close. `available` is the absolute quantity it holds.
struct AdlCandidate {
  uint32_t account;
  Quantity available;
  double score;  // higher is deleveraged first
};

// Fills `needed` (absolute quantity) from the highest score down, ties by account id ascending, taking
// min(available, remaining) from each; NaN scores rank last. Returns (account, quantity) fills in order;
// their sum is less than `needed` only when the candidates hold too little. All fills execute at the
// bankrupt position's bankruptcy price on BitMEX (the caller's concern). Vector #15.
std::vector<std::pair<uint32_t, Quantity>> allocate_adl(std::span<const AdlCandidate> candidates,
                                                        Quantity needed);

}  // namespace liqsim
