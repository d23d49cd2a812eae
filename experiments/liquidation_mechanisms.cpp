#include "experiments/liquidation_mechanisms.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <variant>

#include "core/check.h"
#include "experiments/scenario_paths.h"

namespace liqsim {

EngineLiquidationParams EngineLiquidationSpec::params(Time shortest_mark_interval) const {
  EngineLiquidationParams p;
  p.sequence = sequence == "hyperliquid" ? EngineSequence::Hyperliquid
               : sequence == "bitmex"    ? EngineSequence::Bitmex
               : sequence == "dydx"      ? EngineSequence::Dydx
                                         : EngineSequence::Binance;
  p.step_fraction = ratio_from_double(step_fraction);
  p.full_close_below = amount_from_double(full_close_below_notional);
  p.cooldown = time_from_seconds(cooldown_seconds);
  p.max_slippage = ratio_from_double(max_slippage);
  // Hyperliquid charges no clearance fee (the user keeps any leftover margin); BitMEX's engine keeps
  // the margin above bankruptcy through its take-over.
  p.clearance_fee = p.sequence == EngineSequence::Binance ? ratio_from_double(clearance_fee) : Ratio(0);
  p.no_progress_retry = std::max(shortest_mark_interval, Time(1));
  // dYdX's ppm fields, to the nearest part per million.
  const auto ppm = [](double x) { return int64_t(std::llround(x * kDydxPpm)); };
  p.dydx.max_liquidation_fee_ppm = ppm(dydx.max_liquidation_fee);
  p.dydx.bankruptcy_adjustment_ppm = ppm(dydx.bankruptcy_adjustment);
  p.dydx.spread_to_maintenance_margin_ratio_ppm = ppm(dydx.spread_to_maintenance);
  p.dydx.min_position_notional_liquidated = amount_from_double(dydx.min_position_notional);
  p.dydx.max_position_portion_liquidated_ppm = ppm(dydx.max_position_portion);
  p.dydx.subaccount_max_notional_liquidated = amount_from_double(dydx.subaccount_block_limit);
  p.dydx_max_insurance_lost_per_block = amount_from_double(dydx.max_insurance_lost_per_block);
  p.adl_ranking = adl_ranking == "hyperliquid"    ? AdlRanking::Hyperliquid
                  : adl_ranking == "random_start" ? AdlRanking::RandomStart
                                                  : AdlRanking::ProfitLeverage;
  return p;
}

std::unique_ptr<LiquidationMechanism> EngineLiquidationSpec::build(const MechanismBuildContext& c) const {
  EngineLiquidationParams p = params(c.shortest_mark_interval);
  p.adl_seed = c.seed;
  return std::make_unique<EngineLiquidation>(p, c.clearing, c.venue, c.recorder);
}

KeeperLiquidationParams KeeperLiquidationSpec::params() const {
  return KeeperLiquidationParams{ratio_from_double(close_factor), ratio_from_double(bonus),
                                 amount_from_double(full_close_below_notional),
                                 ratio_from_double(close_factor_full_below_health),
                                 ratio_from_double(protocol_fee)};
}

std::unique_ptr<LiquidationMechanism> KeeperLiquidationSpec::build(const MechanismBuildContext& c) const {
  return std::make_unique<KeeperLiquidation>(
      params(), c.clearing, c.recorder,
      KeeperAbsorb{absorb_bankrupt ? &c.venue : nullptr, ratio_from_double(absorb_max_slippage),
                   std::max(c.shortest_mark_interval, Time(1))});
}

ChainParams KeeperLiquidationSpec::chain_params(const std::string& source_dir) const {
  ChainParams params;
  params.block_interval = time_from_seconds(block_interval_seconds);
  params.max_transactions_per_block = uint32_t(max_transactions_per_block);
  const Amount fee = amount_from_double(gas_price);
  if (gas.path == "spike") {
    params.gas = GasPricePath::spike(
        fee,
        GasSpike{time_from_seconds(gas.spike_start_seconds), time_from_seconds(gas.spike_duration_seconds),
                 time_from_seconds(gas.spike_ramp_seconds), ratio_from_double(gas.spike_multiple)});
  } else if (gas.path == "replay") {
    auto loaded =
        load_gas_price_csv(scenario_file_path(source_dir, gas.replay_file).string(), gas.time_column,
                           gas.price_column, gas.time_unit_seconds, gas_wei_per_unit(gas.price_unit));
    LIQSIM_CHECK(std::holds_alternative<GasPriceSeries>(loaded), "gas replay file failed after validation");
    params.gas = GasPricePath::replay(
        GasReplay{std::get<GasPriceSeries>(std::move(loaded)),
                  gas.interpolation == "linear" ? GasInterpolation::Linear : GasInterpolation::Step,
                  gas.gas_per_transaction});
  } else {
    params.gas = GasPricePath::constant(fee);
  }
  return params;
}

double gas_wei_per_unit(std::string_view price_unit) {
  return price_unit == "wei" ? 1.0 : double(kWeiPerGwei);
}

namespace {
// A scenario fraction in dss's units: the ratio at 1e-9 (the run's Ratio), times 1e9 for a wad or 1e18
// for a ray, so 1.13 is exactly 1.13 WAD.
maker::Uint256 wad_of(double x) {
  return maker::Uint256::product((unsigned __int128)ratio_from_double(x).raw(), 1'000'000'000ull);
}
maker::Uint256 ray_of(double x) {
  return maker::Uint256::product((unsigned __int128)ratio_from_double(x).raw(),
                                 (unsigned __int128)1'000'000'000'000'000'000ull);
}
maker::Uint256 rad_of(double dollars) { return maker_units::rad(amount_from_double(dollars)); }
}  // namespace

MakerFlopParams MakerFlopSpec::params(AssetId mkr) const {
  MakerFlopParams p;
  p.enabled = enabled;
  p.sump = rad_of(sump);
  p.dump = maker_units::wad(quantity_from_double(dump));
  p.flopper.beg = wad_of(beg);
  p.flopper.pad = wad_of(pad);
  p.flopper.ttl = uint64_t(ttl_seconds);
  p.flopper.tau = uint64_t(tau_seconds);
  p.mkr_price = price_from_double(mkr_price);
  p.mkr = mkr;
  return p;
}

namespace {
// The ledger's MKR asset (8 decimals, the Quantity scale), registered once; none without debt auctions.
AssetId mkr_asset(Ledger& ledger, bool needed) {
  if (!needed) return AssetId(0);
  for (uint32_t i = 0; i < ledger.asset_count(); ++i)
    if (ledger.asset(AssetId(i)).symbol == "MKR") return AssetId(i);
  return ledger.add_asset(AssetSpec{"MKR", 8, AssetKind::Coin, {}});
}
}  // namespace

MakerClipParams MakerClipSpec::params() const {
  MakerClipParams p;
  p.chop = wad_of(chop);
  p.hole = rad_of(hole);
  p.Hole = rad_of(global_hole);
  p.dust = rad_of(dust);
  p.clipper.buf = ray_of(buf);
  p.clipper.tail = uint64_t(tail_seconds);
  p.clipper.cusp = ray_of(cusp);
  p.clipper.chip = wad_of(chip);
  p.clipper.tip = rad_of(tip);
  if (curve == "linear")
    p.abacus = maker::LinearDecrease{uint64_t(linear_seconds)};
  else if (curve == "exponential")
    p.abacus = maker::ExponentialDecrease{ray_of(cut)};
  else
    p.abacus = maker::StairstepExponentialDecrease{ray_of(cut), uint64_t(step_seconds)};
  p.poll = time_from_seconds(poll_seconds);
  return p;
}

std::unique_ptr<LiquidationMechanism> MakerClipSpec::build(const MechanismBuildContext& c) const {
  MakerClipParams p = params();
  p.flop = flop.params(mkr_asset(c.clearing.ledger(), flop.enabled));
  return std::make_unique<MakerClipLiquidation>(std::move(p), c.clearing, c.recorder, c.venue);
}

MakerFlipParams MakerFlipSpec::params() const {
  MakerFlipParams p;
  p.chop = wad_of(chop);
  p.dunk = rad_of(dunk);
  p.box = rad_of(box);
  p.lump = maker_units::wad(quantity_from_double(lump));
  p.flipper.beg = wad_of(beg);
  p.flipper.ttl = uint64_t(ttl_seconds);
  p.flipper.tau = uint64_t(tau_seconds);
  p.poll = time_from_seconds(poll_seconds);
  return p;
}

std::unique_ptr<LiquidationMechanism> MakerFlipSpec::build(const MechanismBuildContext& c) const {
  MakerFlipParams p = params();
  p.flop = flop.params(mkr_asset(c.clearing.ledger(), flop.enabled));
  return std::make_unique<MakerFlipLiquidation>(std::move(p), c.clearing, c.recorder, c.venue);
}

std::unique_ptr<LiquidationMechanism> LiquitySpec::build(const MechanismBuildContext& c) const {
  auto mechanism =
      std::make_unique<LiquityMechanism>(LiquityParams{amount_from_double(gas_compensation), recovery_mode,
                                                       time_from_seconds(recovery_check_seconds)},
                                         c.clearing, c.recorder, c.venue);
  mechanism->seed_pool(amount_from_double(stability_pool));
  return mechanism;
}

namespace {
// A decimal factor as Compound's 1e18 mantissa: the nearest 1e-9 (the scenario's precision), exact.
int64_t compound_mantissa(double x) { return ratio_from_double(x).raw() * 1'000'000'000; }
}  // namespace

CometParams CompoundV3Spec::params() const {
  CometParams p;
  p.liquidation_factor = compound_mantissa(liquidation_factor);
  p.store_front_price_factor = compound_mantissa(store_front_price_factor);
  p.target_reserves = amount_from_double(target_reserves);
  p.poll = time_from_seconds(poll_seconds);
  return p;
}

std::unique_ptr<LiquidationMechanism> CompoundV3Spec::build(const MechanismBuildContext& c) const {
  return std::make_unique<CometAbsorbLiquidation>(params(), c.clearing, c.recorder, c.venue);
}

GmxMechanismParams GmxV1Spec::params() const {
  GmxMechanismParams p;
  p.margin_fee_basis_points = std::llround(margin_fee * kGmxBasisPointsDivisor);
  p.liquidation_fee = amount_from_double(liquidation_fee);
  p.max_leverage = std::llround(max_leverage * kGmxBasisPointsDivisor);
  return p;
}

std::unique_ptr<LiquidationMechanism> GmxV1Spec::build(const MechanismBuildContext& c) const {
  return std::make_unique<GmxV1Liquidation>(params(), c.clearing, c.recorder);
}

GmxV2MechanismParams GmxV2Spec::params() const {
  // GMX's 1e30 factors from the scenario's fractions to the nearest 1e-9 (exact), dollars to the
  // micro-dollar.
  const auto factor = [](double x) {
    return GmxFactor(ratio_from_double(x).raw()) * (kGmxFloatPrecision / kRatioScale);
  };
  GmxV2MechanismParams p;
  p.check.min_collateral_factor = factor(min_collateral_factor);
  p.check.min_collateral_usd =
      GmxUsd(amount_from_double(min_collateral_usd).raw()) * (kGmxFloatPrecision / 1'000'000);
  p.check.max_position_impact_factor_for_liquidations = 0;
  p.position_fee_factor = factor(position_fee_factor);
  p.liquidation_fee_factor = factor(liquidation_fee_factor);
  p.fee_receiver_factor = factor(fee_receiver_factor);
  p.keeper_delay = time_from_seconds(keeper_delay_seconds);
  return p;
}

std::unique_ptr<LiquidationMechanism> GmxV2Spec::build(const MechanismBuildContext& c) const {
  return std::make_unique<GmxV2Liquidation>(params(), c.clearing, c.recorder);
}

SynthetixLiquidationParams SynthetixSpec::params() const {
  // Synthetix's 18 decimals from the scenario's: fractions to the nearest 1e-9, dollars to the
  // micro-dollar, coins to 1e-8 (all exact in 1e18).
  const auto fraction = [](double x) { return SynthetixDecimal(ratio_from_double(x).raw()) * 1'000'000'000; };
  const auto dollars = [](double x) {
    return SynthetixDecimal(amount_from_double(x).raw()) * 1'000'000'000'000;
  };
  SynthetixLiquidationParams p;
  p.liquidation_fee_ratio = fraction(liquidation_fee_ratio);
  p.min_keeper_fee = dollars(min_keeper_fee);
  p.max_keeper_fee = dollars(max_keeper_fee);
  p.liquidation_buffer_ratio = fraction(liquidation_buffer_ratio);
  p.keeper_liquidation_fee = dollars(keeper_liquidation_fee);
  p.skew_scale = SynthetixDecimal(quantity_from_double(skew_scale).raw()) * 10'000'000'000;
  p.liquidation_premium_multiplier = fraction(liquidation_premium_multiplier);
  p.max_liquidation_delta = fraction(max_liquidation_delta);
  p.max_pd = fraction(max_pd);
  return p;
}

std::unique_ptr<LiquidationMechanism> SynthetixSpec::build(const MechanismBuildContext& c) const {
  auto mechanism = std::make_unique<SynthetixLiquidation>(params(), c.clearing, c.recorder,
                                                          time_from_seconds(flag_poll_seconds));
  for (size_t i = 0; i < c.keepers.size() && i < size_t(endorsed_keepers); ++i)
    mechanism->endorse(c.keepers[i]);
  return mechanism;
}

DriftMechanismParams DriftSpec::params() const {
  // Drift's precisions: fees in ppm, ratios and shares in 1e-4, to the nearest unit.
  const auto ppm = [](double x) { return std::llround(x * double(kDriftLiquidationFeePrecision)); };
  DriftMechanismParams p;
  p.liquidator_fee_ppm = ppm(liquidator_fee);
  p.max_liquidator_fee_ppm = ppm(max_liquidator_fee);
  p.if_liquidation_fee_ppm = ppm(if_liquidation_fee);
  p.margin_buffer_ratio = std::llround(margin_buffer * double(kDriftMarginPrecision));
  p.initial_pct_to_liquidate = std::llround(initial_pct_to_liquidate * double(kDriftLiquidationPctPrecision));
  p.liquidation_duration_slots = liquidation_duration_slots;
  p.slot = time_from_seconds(slot_seconds);
  p.max_insurance_claim = amount_from_double(max_insurance_claim);
  return p;
}

std::unique_ptr<LiquidationMechanism> DriftSpec::build(const MechanismBuildContext& c) const {
  DriftMechanismParams p = params();
  p.min_republish = std::max(c.shortest_mark_interval, Time(1));
  return std::make_unique<DriftLiquidation>(p, c.clearing, c.recorder);
}

AaveV3MechanismParams AaveV3Spec::params(const std::vector<MarginSpec>& margins) const {
  AaveV3MechanismParams p;
  p.rules = rules == "v3.0" ? AaveRules::V30 : AaveRules::V33;
  p.borrow_rate = ray_from_double(borrow_rate);
  p.accrual_interval = time_from_seconds(accrual_interval_seconds);
  for (const MarginSpec& margin : margins) {
    LIQSIM_CHECK(margin.model == AaveV3ReserveMarginSpec::kModel,
                 "aave_v3 needs every market's margin model to be aave_v3 (validate the scenario first)");
    const AaveReserveBps b = aave_reserve_bps(margin.get<AaveV3ReserveMarginSpec>());
    p.reserves.push_back(AaveReserveConfig{b.liquidation_threshold, b.liquidation_bonus, b.protocol_fee,
                                           b.emode_liquidation_threshold, b.emode_liquidation_bonus});
  }
  return p;
}

std::unique_ptr<LiquidationMechanism> AaveV3Spec::build(const MechanismBuildContext& c) const {
  return std::make_unique<AaveV3Liquidation>(params(c.margins), c.clearing, c.recorder, c.venue);
}

std::unique_ptr<LiquidationMechanism> NoLiquidationSpec::build(const MechanismBuildContext&) const {
  return std::make_unique<NoLiquidation>();
}

namespace {

const std::array<MechanismEntry, std::tuple_size_v<MechanismSpecs>> kMechanisms = std::apply(
    [](const auto&... spec) {
      return std::array<MechanismEntry, sizeof...(spec)>{
          MechanismEntry{std::decay_t<decltype(spec)>::kName, std::decay_t<decltype(spec)>::kDescription}...};
    },
    MechanismSpecs{});

}  // namespace

std::span<const MechanismEntry> liquidation_mechanisms() { return kMechanisms; }

const MechanismEntry* find_liquidation_mechanism(std::string_view name) {
  for (const MechanismEntry& entry : kMechanisms)
    if (entry.name == name) return &entry;
  return nullptr;
}

std::unique_ptr<LiquidationMechanism> build_liquidation_mechanism(std::string_view name,
                                                                  const MechanismSpecs& specs,
                                                                  const MechanismBuildContext& c) {
  std::unique_ptr<LiquidationMechanism> out;
  std::apply(
      [&](const auto&... spec) {
        ((std::decay_t<decltype(spec)>::kName == name ? (void)(out = spec.build(c)) : void()), ...);
      },
      specs);
  LIQSIM_CHECK(out != nullptr, "unknown liquidation mechanism (the scenario was not validated)");
  return out;
}

}  // namespace liqsim
