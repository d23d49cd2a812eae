// The lending-protocol form of maintenance margin: a position is collateral valued at the mark against a
// debt (the account's negative quote balance), and the account is unsafe when the collateral's value over
// the liquidation ratio is below the debt. The margin model `collateral_ratio` (protocol/margin_model.h).
//
// Sources (summarised in reference/protocols.md 3.1, 3.4 and 3.6):
//   - MakerDAO dss (makerdao/dss): src/spot.sol poke, `spot = rdiv(rdiv(mul(uint(val), 10 ** 9), par),
//     ilks[ilk].mat)`, i.e. spot = val * 1e9 / par / mat, the collateral price over the liquidation ratio
//     `mat` [ray]; src/dog.sol bark, `require(spot > 0 && mul(ink, spot) < mul(art, rate),
//     "Dog/not-unsafe")`: a vault is unsafe when ink * spot < art * rate, collateral value / mat < debt
//     (src/vat.sol frob draws debt only while art * rate <= ink * spot). ETH-A's mat is 1.5 (150%).
//   - Liquity v1 (liquity/dev, contracts/Dependencies/LiquityBase.sol `MCR = 1100000000000000000; //
//     110%`; docs.liquity.org "minimum collateral ratio of 110%"): a trove is liquidatable when its
//     ICR = coll * price / debt < MCR, i.e. mat = 1.1.
//   - Aave v3 (GenericLogic.calculateUserAccountData): health factor = collateral * LT / debt < 1, for a
//     single collateral the same rule with mat = 1 / LT (LT 80% is mat 1.25).
//
// The rule as a maintenance requirement. With V the position's value and D the debt, equity = V - D and
//   equity < V - V / mat   <=>   V / mat < D,
// so the requirement of a position of notional n is n - floor(n / mat), computed exactly in integers
// (Amount units, 128-bit intermediates); it equals ceil(n * (mat - 1) / mat), the maintenance rate
// 1 - 1/mat applied exactly and rounded UP, against the account. n is |size * mark| rounded up, as in
// the other models. When n is a whole micro-dollar the clearing house's test equity < requirement is
// exactly Maker's "value / mat < debt"; otherwise (a fractional notional, which the equity rounds down
// and the requirement up) it is "(ceil(value) - mat) / mat < debt" (micro-dollars): against the account,
// by less than mat micro-dollars of value.
// A short is charged the same on |notional| (the MarginModel contract is side-symmetric): its collateral is
// its positive balance B and it is liquidatable when B - V < V - V / mat, i.e. B < V * (2 - 1/mat); this is
// not the lending rule with the roles swapped (B / mat < V).
//
// The ratios are fixed point of the Ratio scale (1e9 = 100%): the scenario's decimal is converted to the
// nearest 1e-9 (experiments/margin_models.cpp), exact for every ratio of at most 9 decimals (Maker's
// 1.5, 1.45, 1.7, Liquity's 1.1); 1 / LT for an LT such as 82.5% (1.2121212121...) becomes 1.212121212.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/units.h"
#include "protocol/margin_model.h"

namespace liqsim {

struct CollateralRatioParams {
  Ratio liquidation_ratio;  // Maker's mat: liquidatable when value / this < debt; [1.001, 100]
  Ratio initial_ratio;      // the ratio a position may be opened at; [liquidation_ratio, 100]
};

class CollateralRatioMargin final : public MarginModel {
 public:
  static constexpr Ratio kMinRatio{1'001'000'000};    // 100.1%
  static constexpr Ratio kMaxRatio{100'000'000'000};  // 10,000%

  // The problem with the ratios, or nullopt: liquidation_ratio in [kMinRatio, kMaxRatio] and
  // initial_ratio in [liquidation_ratio, kMaxRatio].
  static std::optional<std::string> validate(const CollateralRatioParams& params);
  // The ratios must pass validate(): invalid ones here are a bug in the caller and abort.
  explicit CollateralRatioMargin(const CollateralRatioParams& params);
  // Aave's form, exact in basis points: liquidatable when sum(value x LT) < debt, i.e. the requirement of a
  // notional n is n - floor(n x LT / 10000); initial margin n - floor(n x LTV / 10000) (max leverage
  // 1 / (1 - LTV)). 0 < liquidation_threshold_bps < 10000, 0 <= ltv_bps <= liquidation_threshold_bps
  // (checked: a bug in the caller otherwise). params() then holds 1 / LT and 1 / LTV to the nearest 1e-9
  // (1 / LTV capped at 100), for reports only.
  static CollateralRatioMargin from_basis_points(int64_t liquidation_threshold_bps, int64_t ltv_bps);

  const CollateralRatioParams& params() const { return params_; }
  // The maintenance fraction of the notional, exactly and reduced: (mat - 1) / mat for this model; a
  // scaled copy's is the multiple times it, rounded UP to a multiple of 1e-9.
  ExactRate maintenance_fraction() const { return rate_; }

  // MarginModel. maintenance: n - floor(n / mat) = ceil(n * (mat - 1) / mat) with n = |S * P| rounded UP.
  Amount maintenance(Quantity size, Price mark) const override;
  // 1 - 1/mat rounded UP (the requirement's slope, but for its own rounding of one unit).
  Ratio max_maintenance_rate() const override;
  // 1 - 1/mat rounded DOWN: one rate for every position size.
  Ratio min_maintenance_rate() const override;
  // 1 - 1/initial_ratio rounded UP: max leverage initial_ratio / (initial_ratio - 1).
  Ratio initial_rate(Quantity abs_size, Price mark) const override;
  // n - floor(n / initial_ratio) with n = |notional| rounded UP, exactly (at least n * initial_rate(), the
  // base class's form, less its rounding).
  Amount initial_margin_at_max_leverage(Quantity abs_size, Price mark) const override;
  // The exact root of equity = requirement, nudged to the safe side. A long (collateral `size` coins,
  // debt D = -balance): liquidatable below D * mat / size (Maker's liquidation price), rounded UP; when
  // size is not a whole coin, some marks give a fractional notional, where the clearing house's rounding
  // is stricter (above), and the trigger is the highest such mark that is liquidatable, if higher (at
  // most mat micro-dollars of notional above the root). A short: the first mark at which B < V(2 - 1/mat)
  // as the clearing house rounds it. A scaled copy subtracts its allowance from the equity first.
  std::optional<Price> trigger(Quantity size, Price mark, Amount equity_at_mark) const override;
  // The maintenance fraction times `multiple`, rounded UP to a multiple of 1e-9, with an allowance of
  // ceil(multiple) micro-dollars of equity in its trigger, so that equity below multiple x this model's
  // requirement as rounded (each requirement is up to one unit above the exact fraction) is reported.
  std::shared_ptr<const MarginModel> scaled(Ratio multiple) const override;

 private:
  CollateralRatioMargin(const CollateralRatioParams& params, ExactRate rate, ExactRate initial,
                        Amount allowance);

  CollateralRatioParams params_;
  ExactRate rate_;     // maintenance fraction num / den, reduced
  ExactRate initial_;  // initial margin fraction num / den, reduced: (initial_ratio - 1) / initial_ratio
  Amount allowance_;   // subtracted from the equity by trigger(): 0 for the model itself
};

}  // namespace liqsim
