// Strong ids: accounts, markets, assets and liquidations cross every API as these types, never as raw
// integers, so an account id cannot be passed where a market id is expected. Each is a tagged wrapper
// around its raw integer with the same size and layout (it compiles to the same code). Vectors indexed
// by an id use raw() inside the class that owns them; the recorded rows (core/recorder.h) keep raw
// integers because they are the run file's data, and are filled with raw() at that boundary.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>

namespace liqsim {

template <class Tag, class Rep>
struct Id {
  using rep_type = Rep;
  Rep v = 0;
  constexpr Id() = default;
  constexpr explicit Id(Rep raw) : v(raw) {}
  constexpr Rep raw() const { return v; }
  friend constexpr auto operator<=>(Id, Id) = default;
  // For loops over a dense id range: for (AccountId a(0); a < end; ++a).
  constexpr Id& operator++() {
    ++v;
    return *this;
  }
  constexpr Id operator++(int) {
    Id old = *this;
    ++v;
    return old;
  }
};

// std::ostream prints the raw value (diagnostics and test messages). Only <iosfwd> here: the call is
// resolved where it is used, which includes <ostream>.
template <class Tag, class Rep>
std::ostream& operator<<(std::ostream& os, Id<Tag, Rep> id) {
  return os << +id.raw();
}

struct AccountIdTag {};
struct MarketIdTag {};
struct AssetIdTag {};
struct LiquidationIdTag {};
struct VenueIdTag {};

// Index of an account in the ledger; the protocol's places are accounts 0 .. kPlaceCount-1.
using AccountId = Id<AccountIdTag, uint32_t>;
// Index of a perpetual market (one order book, one mark price, one margin model).
using MarketId = Id<MarketIdTag, uint32_t>;
// Index of an asset in the ledger's asset table; 0 is the quote (USD).
using AssetId = Id<AssetIdTag, uint16_t>;
// A liquidation, dense from 0 in the order liquidations happened (an API says "none" with
// std::optional; records say it with kNoId, see core/recorder.h).
using LiquidationId = Id<LiquidationIdTag, int64_t>;
// Index of a trading venue (an order book): the perpetual markets' books are venues 0 .. markets-1
// (VenueId(m) is market m's book), the simulated spot venues follow.
using VenueId = Id<VenueIdTag, uint32_t>;

}  // namespace liqsim

template <class Tag, class Rep>
struct std::hash<liqsim::Id<Tag, Rep>> {
  size_t operator()(liqsim::Id<Tag, Rep> id) const noexcept { return std::hash<Rep>{}(id.raw()); }
};
