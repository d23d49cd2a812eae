// Maker Liquidations 2.0 Dog.bark: how much of an unsafe vault is taken into a Clipper auction, under
// the global (Hole/Dirt) and per-collateral (hole/dirt) limits on DAI in auction, and the dust rule that
// never leaves a vault with a debt below the minimum.
//
// Source: makerdao/dss src/dog.sol bark() (fa4f6630; protocols.md 3.4):
//   require spot > 0 and ink * spot < art * rate                       ("Dog/not-unsafe")
//   require Hole > Dirt and hole > dirt; room = min(Hole - Dirt, hole - dirt)  ("Dog/liquidation-limit-hit")
//   dart = min(art, room * WAD / rate / chop)
//   if art > dart: if (art - dart) * rate < dust: dart = art  (never leave a dusty vault)
//                  else require dart * rate >= dust ("Dog/dusty-auction-from-partial-liquidation")
//   dink = ink * dart / art; require dink > 0                            ("Dog/null-auction")
//   due = dart * rate; tab = due * chop / WAD
// Governance bounds (makerdao/dss-exec-lib src/DssExecLib.sol): setIlkLiquidationPenalty sets chop = 1 +
// pct with pct < 100%; setIlkMaxLiquidationAmount and setIlkMinVaultAmount keep hole >= dust.
// Units: ink, art, dart, dink [wad]; rate, spot [ray]; dust, hole, dirt, Hole, Dirt, room, due, tab
// [rad]; chop [wad].
#pragma once

#include <optional>
#include <variant>
#include <vector>

#include "protocol/maker_math.h"

namespace liqsim::maker {

struct Urn {
  Uint256 ink;  // collateral locked [wad]
  Uint256 art;  // normalised debt [wad]; the debt in DAI is art * rate [rad]
};

struct VatIlk {
  Uint256 rate;  // debt accumulator [ray]
  Uint256 spot;  // collateral price over the liquidation ratio (price / mat) [ray]
  Uint256 dust;  // minimum vault debt [rad]
};

struct DogIlk {
  Uint256 chop;  // 1 + liquidation penalty [wad], e.g. 1.13 WAD
  Uint256 hole;  // max DAI (debt + penalty) in this collateral's active auctions [rad]
  Uint256 dirt;  // DAI in this collateral's active auctions [rad]
};

struct DogTotals {
  Uint256 hole;  // the Dog's global Hole [rad]
  Uint256 dirt;  // the Dog's global Dirt [rad]
};

// The amounts of one bark; the caller adds tab to Dirt and to the ilk's dirt, and kicks a Clipper
// auction of tab against lot = dink.
struct Bark {
  Uint256 dart;  // debt taken from the vault [wad]
  Uint256 dink;  // collateral taken from the vault, the auction's lot [wad]
  Uint256 due;   // dart * rate, the debt sent to the Vow [rad]
  Uint256 tab;   // due * chop, the DAI the auction tries to raise [rad]
};

enum class BarkRefusal {
  NotUnsafe,                           // spot == 0 or ink * spot >= art * rate
  LiquidationLimitHit,                 // Hole <= Dirt or hole <= dirt
  DustyAuctionFromPartialLiquidation,  // a partial liquidation whose own debt would be below dust
  NullAuction,                         // dink rounds to zero
};

enum class DogIlkProblem {
  ChopBelowOne,     // chop < 1 WAD: a negative penalty
  ChopNotBelowTwo,  // chop >= 2 WAD: DssExecLib refuses a penalty of 100% or more
  HoleBelowDust,    // hole < dust: DssExecLib keeps hole >= dust, else no auction fits
};

// Every problem of one collateral's liquidation parameters (empty when valid).
std::vector<DogIlkProblem> validate_dog_ilk(const DogIlk& dog_ilk, const VatIlk& vat_ilk);

// ink * spot < art * rate with spot > 0 (both products in rad, exact).
bool is_unsafe(const Urn& urn, const VatIlk& vat_ilk);

// min(Hole - Dirt, hole - dirt) [rad], exact; nullopt when either limit is already reached.
std::optional<Uint256> liquidation_room(const DogIlk& dog_ilk, const DogTotals& totals);

// The amounts of Dog.bark. Divisions, all rounding down as in dog.sol: room * WAD / rate / chop (two
// truncating divisions, so dart never exceeds the room), ink * dart / art, due * chop / WAD (tab rounds
// down, against the protocol by under one rad unit: dog.sol's own choice). Vectors #68, #69.
std::variant<Bark, BarkRefusal> bark(const Urn& urn, const VatIlk& vat_ilk, const DogIlk& dog_ilk,
                                     const DogTotals& totals);
// bark after its safety check, for a caller whose own margin model decided the vault is unsafe (the
// kernel's detection); `vat_ilk.spot` is not read. A vault without debt is NotUnsafe.
std::variant<Bark, BarkRefusal> bark_amounts(const Urn& urn, const VatIlk& vat_ilk, const DogIlk& dog_ilk,
                                             const DogTotals& totals);

}  // namespace liqsim::maker
