// The liquidation mechanisms a scenario can name (`liquidation.mechanism`), with the keys each one owns.
// Every mechanism is a block here (its spec: name, description, commented keys, their description for
// the schema, and the builder of its protocol/ implementation) and one line of the compile-time registry
// `MechanismSpecs`: the scenario schema (reader, validator, TOML writer, random generator), the scenario
// reference (scripts/gen_scenario_reference.py) and the run's construction walk that list. The
// contract suite (tests/protocol/liquidation_mechanism_contract_test.cpp) runs every implementation.
//
// TOML layout: a mechanism's keys are the table [liquidation.<name>]; every mechanism's table may be
// given (counterfactual sweeps switch `mechanism` and keep the rest), only the chosen one acts.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>

#include "core/recorder.h"
#include "experiments/margin_models.h"
#include "experiments/schema_vocabulary.h"
#include "protocol/aave_v3_mechanism.h"
#include "protocol/chain.h"
#include "protocol/comet_mechanism.h"
#include "protocol/drift_mechanism.h"
#include "protocol/engine_liquidation.h"
#include "protocol/gmx_mechanism.h"
#include "protocol/gmx_v2_mechanism.h"
#include "protocol/liquidation.h"
#include "protocol/liquity_mechanism.h"
#include "protocol/maker_auction.h"
#include "protocol/no_liquidation.h"
#include "protocol/synthetix_mechanism.h"

namespace liqsim {

// The kernel parts a mechanism acts on.
struct MechanismBuildContext {
  ClearingHouse& clearing;
  ExecutionVenue& venue;
  Recorder& recorder;
  Time shortest_mark_interval;           // engine: an unfilled step is retried no sooner than this
  uint64_t seed = 0;                     // the run's master seed (dYdX's random deleveraging start)
  std::vector<MarginSpec> margins = {};  // every market's margin keys, in market order (Aave's reserves)
  std::vector<AccountId> keepers = {};   // the keeper population's accounts, in member order
};

// ---- engine: the protocol closes positions into the book (protocol/engine_liquidation.h) ----

// dYdX v4's liquidations config, the table [liquidation.engine.dydx]: defaults from dydxprotocol/v4-chain
// protocol/testing/genesis.sh (protocols.md 2.1).
struct DydxEngineSpec {
  double max_liquidation_fee = 0.015;         // (0, 1]: fee to the insurance fund, share of the quote (1.5%)
  double bankruptcy_adjustment = 1.0;         // [1, 100]: BA of the fillable price (100%)
  double spread_to_maintenance = 1.5;         // (0, 100]: SMMR of the fillable price (150%)
  double min_position_notional = 1'000;       // $ >= 0: a block may always liquidate this much of a position
  double max_position_portion = 0.1;          // (0, 1]: share of a position liquidated per block (10%)
  double subaccount_block_limit = 100'000;    // $ > 0: most notional liquidated per account and block
  double max_insurance_lost_per_block = 1e6;  // $ >= 0: most the fund pays for liquidations in a block
};

struct EngineLiquidationSpec {
  static constexpr std::string_view kName = "engine";
  static constexpr std::string_view kDescription =
      "the protocol closes positions into the book in a venue's sequence (Binance, Hyperliquid, BitMEX): "
      "partial closes at market, the user keeps the rest; take-over at the bankruptcy price, then ADL";
  static constexpr bool kHasKeys = true;
  // "dydx": one IOC per block (cooldown_seconds = the block time) of the block limit at the fillable
  // price, the insurance fund settling each order at the bankruptcy quote, deleveraging when it cannot;
  // "binance": IOC steps with a clearance fee to the fund, fund take-over when the book cannot absorb;
  // "hyperliquid": 20% steps above $100k, whole position for cooldown_seconds after a liquidation, no
  // fee, liquidator-vault take-over below 2/3 of maintenance margin; "bitmex": risk-limit tier step-down,
  // then take-over at the bankruptcy price
  std::string sequence = "binance";
  double step_fraction = 0.2;  // (0, 1]: share of the position closed per step (Hyperliquid 20%)
  double full_close_below_notional = 100000;  // $ >= 0: positions at or below close in one step
  // >= 0: binance / bitmex: between steps on an account; hyperliquid: the whole-position window (30 s)
  double cooldown_seconds = 30;
  double max_slippage = 0.05;  // (0, 1): IOC limit = mark * (1 -/+ max_slippage)
  // [0, 0.1]: binance: share of each executed step's value paid to the insurance fund (at most what the
  // account holds); Binance's documented 0.3-0.5% "on the liquidated amount"
  double clearance_fee = 0.005;
  // "profit_leverage" (BitMEX / Bybit: PnL% x effective leverage), "hyperliquid" ((mark / entry) x
  // (notional / account value)), "random_start" (dYdX: offsetting positions from a random one on)
  std::string adl_ranking = "profit_leverage";
  DydxEngineSpec dydx;  // sequence "dydx": its liquidations config

  EngineLiquidationParams params(Time shortest_mark_interval) const;
  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- keeper: keepers take over positions at a bonus (protocol/liquidation.h KeeperLiquidation) ----

// The chain's base fee over time (protocol/gas_price_path.h): the table [liquidation.keeper.gas].
struct GasPathSpec {
  // "constant": gas_price at every block; "spike": gas_price x a multiple over a window; "replay": a
  // recorded gas price x gas_per_transaction x the ETH price
  std::string path = "constant";
  double spike_start_seconds = 0;       // [0, duration_seconds): the spike begins
  double spike_duration_seconds = 600;  // > 0: from its start until the fee is back at gas_price
  double spike_ramp_seconds = 0;        // >= 0, at most half the duration: linear rise, and fall, time
  double spike_multiple = 6;            // (0, 1000]: fee on the top = gas_price x multiple (<= $1e12)
  // replay: CSV path, relative to the scenario file's folder; times re-based so the first row is 0
  std::string replay_file;
  std::string time_column = "timestamp";   // replay: the time column's header (numbers)
  std::string price_column = "gas_price";  // replay: the gas price column's header (per gas unit)
  double time_unit_seconds = 1;            // (0, 86400]: seconds per unit of the time column
  std::string price_unit = "gwei";         // "gwei" / "wei": unit of the price column (finite, >= 0)
  std::string interpolation = "step";      // "step" (last row at or before t) / "linear" (rounded down, wei)
  int gas_per_transaction = 500000;        // [1, 30000000]: gas units one liquidation transaction uses
  double eth_price = 2000;                 // $ per ETH, (0, 1e7]: converts the replayed gas to dollars
  // the symbol of a market whose index price is the ETH price instead of eth_price; empty: eth_price
  std::string eth_price_market;
};

// Wei per unit of a gas replay's price column: `price_unit` "wei" or "gwei".
double gas_wei_per_unit(std::string_view price_unit);

struct KeeperLiquidationSpec {
  static constexpr std::string_view kName = "keeper";
  static constexpr std::string_view kDescription =
      "keepers take over positions at a bonus with a close factor, in block transactions";
  static constexpr bool kHasKeys = true;
  double close_factor = 0.5;  // (0, 1] (Aave v3 DEFAULT_LIQUIDATION_CLOSE_FACTOR: 0.5)
  // [0, 0.5): keeper buys at mark * (1 - bonus) (long), paid out of the account's equity and capped by
  // it. Validated against the markets' margin models: at most the lowest maintenance margin rate (the
  // perp form of Aave v3's liquidationThreshold x liquidationBonus <= 100%); the default is the first
  // default binance_tiered bracket's 0.4%.
  double bonus = 0.004;
  // [0, 1]: at a health factor (equity / maintenance requirement) at or below this the close factor is
  // 100% (Aave v3 CLOSE_FACTOR_HF_THRESHOLD: 0.95). 0 turns it off.
  double close_factor_full_below_health = 0.95;
  double block_interval_seconds = 2;  // [0.001, 3.2e7]: the chain's block interval (keepers' transactions)
  double gas_price = 2.0;             // $ per liquidation transaction (base fee), >= 0
  // Aave v3.3: close factor 100% when the position is below this notional ($2,000,
  // MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD), and a partial take may not leave less than half of it ($1,000,
  // MIN_LEFTOVER_BASE, the dust rule): then the keeper takes everything. >= 0; 0 disables.
  double full_close_below_notional = 2000;
  // [0, 1]: share of the bonus the protocol takes from the keeper, to the insurance fund (Aave v3
  // liquidationProtocolFee: 10% on WETH; Compound v2's 2.8% of the seized collateral is 0.378 of a 1.08
  // incentive's bonus). 0: none.
  double protocol_fee = 0;
  // [0, 1000000]: keeper transactions one block can hold (the rest wait for later blocks, in the
  // same-time rule's order); 0 = unlimited
  int max_transactions_per_block = 0;
  GasPathSpec gas;  // the base fee of one liquidation transaction over time (a constant, a spike, a replay)
  // An account found without equity (no bonus left for a keeper) is absorbed by the insurance fund at
  // its bankruptcy price (Compound v3 absorb), which unwinds it into the book; false: it waits for a
  // keeper (Aave: nobody liquidates it for free)
  bool absorb_bankrupt = true;
  double absorb_max_slippage = 0.05;  // (0, 1): the fund's unwinding IOCs stay this far from the mark

  // The take-over rule in fixed point: what the mechanism executes and the keepers estimate with.
  KeeperLiquidationParams params() const;
  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
  // The chain these keys describe (blocks, block space, base fee path); a replay file is read from
  // `source_dir` when relative (the scenario was validated: a failure here is a bug and aborts).
  ChainParams chain_params(const std::string& source_dir) const;
};

// ---- none: liquidatable accounts are left alone (protocol/no_liquidation.h) ----

struct NoLiquidationSpec {
  static constexpr std::string_view kName = "none";
  static constexpr std::string_view kDescription =
      "liquidatable accounts are left alone (the counterfactual)";
  static constexpr bool kHasKeys = false;

  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- maker_clip: Maker Liquidations 2.0, Dog.bark + Clipper Dutch auctions (protocol/maker_auction.h) ----

// Defaults: the ETH-B onboarding poll's Clipper (stairstep, cut 0.99 every 90 s, buf 1.3, cusp 0.4, tail
// 8,400 s, hole 8M DAI) and the typical incentives chip 0.1%, tip 300 DAI (reference/protocols.md 3.4).
// Maker's debt auctions (the Vow's Flopper, protocol/maker_flopper.h), the table `flop` of maker_clip and
// maker_flip. Defaults: flop.sol's beg 1.05, pad 1.5, ttl 3 h, tau 2 days; sump 50,000 DAI for an
// opening lot (dump) of 250 MKR, the terms of MakerDAO's first debt auctions (19 March 2020).
struct MakerFlopSpec {
  // false: the system debt stays recorded bad debt (the Vow's sin), as without debt auctions
  bool enabled = false;
  double sump = 50'000;          // $ > 0: the fixed DAI bid of each debt auction (Vow.sump)
  double dump = 250;             // MKR > 0: the lot each auction opens with (Vow.dump)
  double beg = 1.05;             // (1, 2): a dent lowers the lot by at least this factor
  double pad = 1.5;              // [1, 10]: a restart (no bid by the end) multiplies the lot by this
  double ttl_seconds = 10'800;   // [1, 3.2e7]: a bid's lifetime
  double tau_seconds = 172'800;  // [1, 3.2e7]: the auction's longest life; >= ttl_seconds
  // $ > 0: what bidders value one MKR at (MKR has no market in the run; MakerDAO's March 2020 debt
  // auctions sold it for about $250-300)
  double mkr_price = 300;

  // The run's parameters, MKR being the ledger's asset `mkr`.
  MakerFlopParams params(AssetId mkr) const;
};

struct MakerClipSpec {
  static constexpr std::string_view kName = "maker_clip";
  static constexpr std::string_view kDescription =
      "Maker Liquidations 2.0: keepers bark unsafe vaults (paid tip + chip), Dutch auctions on an abacus "
      "curve from feed x buf, keepers take at the curve's price, redo past tail or cusp";
  static constexpr bool kHasKeys = true;
  double chop = 1.13;                // [1, 2): 1 + liquidation penalty; tab = debt x chop
  double hole = 8'000'000;           // $ > 0: most DAI (debt + penalty) in one market's running auctions
  double global_hole = 100'000'000;  // $ > 0: the Dog's Hole, over every market
  double dust = 5'000;               // $ >= 0: smallest vault debt; at most hole (DssExecLib)
  double buf = 1.3;                  // [1, 10): starting price = feed x buf (DssExecLib range)
  double tail_seconds = 8'400;       // [1, 3.2e7]: a sale older than this needs a redo; >= step_seconds
  double cusp = 0.4;                 // [0, 1): a sale whose price fell below cusp x top needs a redo
  // [0, 0.1]: keeper incentive, share of the tab (kick and redo). DssExecLib allows < 100%; governance
  // set 0.1%. Bounded, with tip, so that what the Vow mints over many redos stays inside the ledger.
  double chip = 0.001;
  double tip = 300;                 // $ [0, 10000]: flat keeper incentive (kick and redo); typical 300 DAI
  std::string curve = "stairstep";  // "stairstep" | "exponential" | "linear" (the abacus)
  double cut = 0.99;                // (0, 1): stairstep: price multiple per step; exponential: per second
  double step_seconds = 90;         // [1, 86400]: stairstep: seconds between price drops
  double linear_seconds = 3'600;    // [1, 3.2e7]: linear: seconds until the price reaches 0
  double poll_seconds = 60;         // [1, 86400]: running auctions are re-published to keepers this often
  MakerFlopSpec flop;               // the Vow's debt auctions

  MakerClipParams params() const;
  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- maker_flip: Maker Liquidations 1.2, Cat.bite + Flipper English auctions (protocol/maker_auction.h)
// ----

// Defaults: flip.sol's own (beg 5%, ttl 3 h, tau 2 days) and Cat 1.2's ETH-A dunk of 50,000 DAI.
struct MakerFlipSpec {
  static constexpr std::string_view kName = "maker_flip";
  static constexpr std::string_view kDescription =
      "Maker Liquidations 1.2: the Cat bites unsafe vaults, Flipper English auctions (tend raises the bid by "
      "beg, dent lowers the lot, each bid lives ttl, the auction tau)";
  static constexpr bool kHasKeys = true;
  double chop = 1.13;        // [1, 2): 1 + liquidation penalty; tab = debt x chop
  double dunk = 50'000;      // $ > 0: most debt + penalty per auction (Cat 1.2)
  double box = 100'000'000;  // $ > 0: most debt + penalty in all running auctions (Cat 1.2)
  double lump = 0;    // coins >= 0: most collateral per auction (Cat 1.0, 50 ETH in March 2020); 0: none
  double beg = 1.05;  // (1, 2): a tend raises the bid, a dent lowers the lot, by at least this factor
  double ttl_seconds = 10'800;   // [1, 3.2e7]: a bid's lifetime
  double tau_seconds = 172'800;  // [1, 3.2e7]: the auction's longest life; >= ttl_seconds
  double poll_seconds = 60;  // [1, 86400]: ended auctions are settled, running ones re-published, this often
  MakerFlopSpec flop;        // the Vow's debt auctions

  MakerFlipParams params() const;
  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- liquity: Liquity v1, Stability Pool offset and redistribution (protocol/liquity_mechanism.h) ----

struct LiquitySpec {
  static constexpr std::string_view kName = "liquity";
  static constexpr std::string_view kDescription =
      "Liquity v1 (Normal and Recovery Mode): keepers liquidate troves below the MCR (below the TCR in "
      "Recovery Mode) for 0.5% of the collateral + 200 "
      "LUSD; "
      "the Stability Pool offsets the debt for the collateral, the rest is redistributed to the other troves";
  static constexpr bool kHasKeys = true;
  double stability_pool = 10'000'000;  // $ [0, 1e12]: LUSD deposited in the Stability Pool at the start
  double gas_compensation = 200;       // $ [0, 1e6]: LUSD_GAS_COMPENSATION paid to the liquidator (200 LUSD)
  // Recovery Mode (TCR < 150%): troves below the TCR become liquidatable, the pool offsets capped at 110%;
  // false: Normal Mode always (a counterfactual)
  bool recovery_mode = true;
  double recovery_check_seconds = 60;  // [1, 86400]: how often troves below the TCR are looked for

  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- compound_v3: Comet's absorb, then the store front (protocol/comet_mechanism.h) ----

// Defaults: cUSDCv3's launch configuration (compound-finance/comet deployments/mainnet/usdc/
// configuration.json): WETH liquidationFactor 0.95, storeFrontPriceFactor 0.5, targetReserves 5,000,000
// USDC. The liquidation test is the market's margin model (`collateral_ratio` at 1 / liquidateCF).
struct CompoundV3Spec {
  static constexpr std::string_view kName = "compound_v3";
  static constexpr std::string_view kDescription =
      "Compound v3 (Comet): keepers absorb unsafe borrowers (the protocol takes the collateral, credits "
      "value x liquidationFactor, its reserves cover the rest), then buy the collateral at the store "
      "front's discount while the reserves are below target";
  static constexpr bool kHasKeys = true;
  double liquidation_factor = 0.95;       // [0, 1]: share of the collateral's value credited on absorb
  double store_front_price_factor = 0.5;  // [0, 1]: discount = this x (1 - liquidation_factor)
  double target_reserves = 5'000'000;     // $ >= 0: the store sells only while reserves are below this
  double poll_seconds = 60;  // [1, 86400]: unsold collateral is re-published to keepers this often

  CometParams params() const;
  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- gmx_v1: keepers close positions against the GLP pool at the oracle (protocol/gmx_mechanism.h) ----

// Defaults: gmx-io/gmx-contracts Vault (marginFeeBasisPoints 10, maxLeverage 50x) and setFees.js
// (liquidationFeeUsd $5).
struct GmxV1Spec {
  static constexpr std::string_view kName = "gmx_v1";
  static constexpr std::string_view kDescription =
      "GMX v1: keepers liquidate positions against the pool at the oracle price (no order book); the pool "
      "keeps the collateral, bears losses beyond it and pays the keeper a flat fee";
  static constexpr bool kHasKeys = true;
  double margin_fee = 0.001;   // [0, 0.05]: position fee, share of the size (Vault: <= 500 bps)
  double liquidation_fee = 5;  // $ [0, 100]: paid by the pool to the keeper (Vault: <= $100)
  double max_leverage = 50;    // (1, 1000]: above it a position is closed and the user keeps the rest

  GmxMechanismParams params() const;
  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- gmx_v2: GMX's keepers close positions against the GM pool at the oracle (protocol/gmx_v2_mechanism.h)

// Defaults: gmx-io/gmx-synthetics config/markets.ts, the Arbitrum ETH/USD market (minCollateralFactor
// ForLiquidation 0.5%, positionFeeFactorForNegativeImpact 0.06%, liquidationFeeFactor 0.20%) and
// config/general.ts (minCollateralUsd $1, positionFeeReceiverFactor = liquidationFeeReceiverFactor 37%).
struct GmxV2Spec {
  static constexpr std::string_view kName = "gmx_v2";
  static constexpr std::string_view kDescription =
      "GMX v2: the protocol's liquidation keepers close positions against the pool at the oracle price (no "
      "order book, no reward); position and liquidation fees to the pool and the fee receiver, the rest of "
      "the collateral back to the trader, losses beyond it the pool's";
  static constexpr bool kHasKeys = true;
  // Ranges: ConfigUtils.validateRange (MIN_COLLATERAL_USD <= $10, POSITION_FEE_FACTOR <= 5%, receiver
  // factors <= 100%); the liquidation fee's 1% check is commented out there, 10% here.
  double min_collateral_factor = 0.005;   // (0, 1]: liquidatable below size x this
  double min_collateral_usd = 1;          // $ [0, 10]: liquidatable below this
  double position_fee_factor = 0.0006;    // [0, 0.05]: the close's position fee, share of the size
  double liquidation_fee_factor = 0.002;  // [0, 0.1]: the liquidation fee, share of the size
  double fee_receiver_factor = 0.37;      // [0, 1]: the fee receiver's share of both fees
  double keeper_delay_seconds = 1;        // [0, 86400]: from detection to the keepers' order

  GmxV2MechanismParams params() const;
  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- synthetix: keepers flag, then liquidate against the debt pool (protocol/synthetix_mechanism.h) ----

// Defaults: mainnet-ovm params.json (fee ratio 2 bps, keeper fee 4-100 sUSD), sETH-PERP in
// perpsv2-markets.json (buffer 0.75%, skew scale 1e6 ETH, premium multiplier 1.5625) and index.js
// (keeperLiquidationFee 2 sUSD); protocols.md 2.5.
struct SynthetixSpec {
  static constexpr std::string_view kName = "synthetix";
  static constexpr std::string_view kDescription =
      "Synthetix Perps v2: keepers flag positions (frozen from then) and liquidate them in a second "
      "transaction against the debt pool at the oracle price (no order book), paid minted fees; the "
      "remaining margin less the fees goes to the stakers";
  static constexpr bool kHasKeys = true;
  double liquidation_fee_ratio = 0.0002;           // [0, 0.1]: flag fee, share of the notional
  double min_keeper_fee = 4;                       // $ [0, 10000]: the flag fee's floor; <= max_keeper_fee
  double max_keeper_fee = 100;                     // $ [0, 10000]: the flag fee's cap
  double liquidation_buffer_ratio = 0.0075;        // [0, 0.5]: liquidation margin, share of the notional
  double keeper_liquidation_fee = 2;               // $ [0, 10000]: paid to the liquidator
  double skew_scale = 1'000'000;                   // coins (0, 1e9]: the premium's scale
  double liquidation_premium_multiplier = 1.5625;  // [0, 100]
  // liquidatePosition reverts unless max_liquidation_delta > |size| / skew_scale and max_pd > |skew| /
  // skew_scale (sETH-PERP: 0.0008 and 0.0016); 0 = no limit. Endorsed force-liquidations are not modelled.
  double max_liquidation_delta = 0;  // [0, 1]
  double max_pd = 0;                 // [0, 1]
  double flag_poll_seconds = 60;     // [0.001, 86400]: keepers' poll of flagged positions
  // [0, 1000]: the first keepers are endorsed liquidators (Synthetix's own): they forceLiquidatePosition a
  // flagged position the limits hold, for no fee, whatever it costs them in gas
  int endorsed_keepers = 0;

  SynthetixLiquidationParams params() const;
  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- drift: keepers take over positions in steps, fees to keeper and fund, loss socialised ----

// Defaults: drift-labs/protocol-v2 math/constants.rs (DEFAULT_LIQUIDATION_MARGIN_BUFFER_RATIO 2%,
// INSURANCE_A_MAX $100M), instructions/admin.rs (if_liquidation_fee 1% at market creation) and the
// liquidation math's tests (liquidator fee 1% escalating to 5%; 10% at once, 100% after 150 slots, "~1
// minute if per slot is 400ms"); protocols.md 2.4, vectors #35-#41. Mainnet markets' values are set on
// chain and not in the reference material.
struct DriftSpec {
  static constexpr std::string_view kName = "drift";
  static constexpr std::string_view kDescription =
      "Drift v2: keepers take over positions at the oracle in gradual steps to maintenance + a buffer, paid "
      "a "
      "fee that grows with time; the account pays the insurance fund a fee; losses beyond the fund's claim "
      "are socialised over every open position";
  static constexpr bool kHasKeys = true;
  // Fees in ppm and shares in 1e-4, as Drift stores them (to the nearest unit).
  double liquidator_fee = 0.01;      // [0, 1): keeper's fee, share of the value taken over
  double max_liquidator_fee = 0.05;  // [0, 1): the fee's cap as it grows 1 ppm per slot; >= liquidator_fee
  double if_liquidation_fee = 0.01;  // [0, 1): the insurance fund fee's cap; + liquidator_fee < 1
  double margin_buffer = 0.02;       // [0, 1]: liquidation continues to maintenance + this x notional
  double initial_pct_to_liquidate = 0.1;     // [0, 1]: share of the shortage covered at once
  int liquidation_duration_slots = 150;      // [0, 10000000]: slots until the whole shortage may be covered
  double slot_seconds = 0.4;                 // (0, 60]: Solana's slot
  double max_insurance_claim = 100'000'000;  // $ >= 0: most the fund pays bankruptcies per market (tier A)

  DriftMechanismParams params() const;
  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- aave_v3: Aave v3 liquidationCall over multi-collateral borrowers (protocol/aave_v3_mechanism.h) ----

// Every market must use the `aave_v3` margin model: its reserve configuration (threshold, bonus, protocol
// fee, e-mode) is this mechanism's per-reserve parameters.
struct AaveV3Spec {
  static constexpr std::string_view kName = "aave_v3";
  static constexpr std::string_view kDescription =
      "Aave v3 liquidationCall: keepers repay a borrower's debt (half or all of it by the close factor) and "
      "seize the collateral of their choice at its reserve's bonus, the treasury taking a share of the "
      "bonus; v3.3's dust rule and deficit, or v3.0-3.2's rules";
  static constexpr bool kHasKeys = true;
  // "v3.3" (aave-v3-origin: 100% close factor below $2,000 or HF <= 0.95, MustNotLeaveDust, debt without
  // collateral burned into the deficit) | "v3.0" (aave-v3-core: 50% / 100% at HF 0.95, no dust rule)
  std::string rules = "v3.3";
  // [0, 5]: the debt reserve's variable borrow rate, yearly (Aave compounds it per second,
  // calculateCompoundedInterest); 0: debts bear no interest
  double borrow_rate = 0;
  double accrual_interval_seconds = 3600;  // [1, 2592000]: how often the borrowers' debts accrue it

  AaveV3MechanismParams params(const std::vector<MarginSpec>& margins) const;
  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// The registry: one line per mechanism. The first is the default.
using MechanismSpecs =
    std::tuple<EngineLiquidationSpec, KeeperLiquidationSpec, NoLiquidationSpec, MakerClipSpec, MakerFlipSpec,
               LiquitySpec, CompoundV3Spec, GmxV1Spec, GmxV2Spec, SynthetixSpec, DriftSpec, AaveV3Spec>;

struct MechanismEntry {
  std::string_view name;  // the scenario's `liquidation.mechanism`
  std::string_view description;
};

// The registered mechanisms, in registry order.
std::span<const MechanismEntry> liquidation_mechanisms();
// nullptr for an unknown name.
const MechanismEntry* find_liquidation_mechanism(std::string_view name);
// Builds the mechanism `name` from its spec in `specs` (an unknown name here is a bug and aborts).
std::unique_ptr<LiquidationMechanism> build_liquidation_mechanism(std::string_view name,
                                                                  const MechanismSpecs& specs,
                                                                  const MechanismBuildContext& c);

namespace schema {

template <class V>
void describe(V& v, EngineLiquidationSpec& s) {
  v.text("sequence", s.sequence, one_of({"binance", "hyperliquid", "bitmex", "dydx"}));
  v.number("step_fraction", s.step_fraction, open_closed(0, 1), Unit::Fraction);
  v.number("full_close_below_notional", s.full_close_below_notional, closed(0, kMaxDollars), Unit::Dollars);
  v.number("cooldown_seconds", s.cooldown_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("max_slippage", s.max_slippage, open(0, 1), Unit::Fraction);
  v.number("clearance_fee", s.clearance_fee, closed(0, 0.1), Unit::Fraction);
  v.text("adl_ranking", s.adl_ranking, one_of({"profit_leverage", "hyperliquid", "random_start"}));
  v.table("dydx", s.dydx);
}

template <class V>
void describe(V& v, DydxEngineSpec& s) {
  v.number("max_liquidation_fee", s.max_liquidation_fee, open_closed(0, 1), Unit::Fraction);
  v.number("bankruptcy_adjustment", s.bankruptcy_adjustment, closed(1, 100), Unit::Fraction);
  v.number("spread_to_maintenance", s.spread_to_maintenance, open_closed(0, 100), Unit::Fraction);
  v.number("min_position_notional", s.min_position_notional, closed(0, kMaxDollars), Unit::Dollars);
  v.number("max_position_portion", s.max_position_portion, open_closed(0, 1), Unit::Fraction);
  v.number("subaccount_block_limit", s.subaccount_block_limit, open_closed(0, kMaxDollars), Unit::Dollars);
  v.number("max_insurance_lost_per_block", s.max_insurance_lost_per_block, closed(0, kMaxDollars),
           Unit::Dollars);
}

// Largest gas units of one transaction: 3e7, Ethereum's block gas limit in 2021-2024.
constexpr int kMaxGasPerTransaction = 30000000;
// Largest multiple of a gas spike (the fee on its top stays <= $1e12: a cross-field rule).
constexpr double kMaxGasSpikeMultiple = 1000;

template <class V>
void describe(V& v, GasPathSpec& s) {
  v.text("path", s.path, one_of({"constant", "spike", "replay"}));
  v.number("spike_start_seconds", s.spike_start_seconds, closed_open(0, kMaxSeconds), Unit::Seconds);
  v.number("spike_duration_seconds", s.spike_duration_seconds, open_closed(0, kMaxSeconds), Unit::Seconds);
  v.number("spike_ramp_seconds", s.spike_ramp_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("spike_multiple", s.spike_multiple, open_closed(0, kMaxGasSpikeMultiple), Unit::Fraction);
  v.text("replay_file", s.replay_file, any_text());
  v.text("time_column", s.time_column, any_text());
  v.text("price_column", s.price_column, any_text());
  v.number("time_unit_seconds", s.time_unit_seconds, open_closed(0, 86400));
  v.text("price_unit", s.price_unit, one_of({"gwei", "wei"}));
  v.text("interpolation", s.interpolation, one_of({"step", "linear"}));
  v.integer("gas_per_transaction", s.gas_per_transaction, 1, kMaxGasPerTransaction);
  v.number("eth_price", s.eth_price, open_closed(0, kMaxInitialPrice), Unit::Dollars);
  v.text("eth_price_market", s.eth_price_market, any_text());
}

template <class V>
void describe(V& v, KeeperLiquidationSpec& s) {
  v.number("close_factor", s.close_factor, open_closed(0, 1), Unit::Fraction);
  v.number("bonus", s.bonus, closed_open(0, 0.5), Unit::Fraction);
  v.number("close_factor_full_below_health", s.close_factor_full_below_health, closed(0, 1), Unit::Fraction);
  v.number("block_interval_seconds", s.block_interval_seconds, closed(kMinInterval, kMaxSeconds),
           Unit::Seconds);
  v.number("gas_price", s.gas_price, closed(0, kMaxDollars), Unit::Dollars);
  v.number("full_close_below_notional", s.full_close_below_notional, closed(0, kMaxDollars), Unit::Dollars);
  v.number("protocol_fee", s.protocol_fee, closed(0, 1), Unit::Fraction);
  v.integer("max_transactions_per_block", s.max_transactions_per_block, 0, 1000000);
  v.table("gas", s.gas);
  v.flag("absorb_bankrupt", s.absorb_bankrupt);
  v.number("absorb_max_slippage", s.absorb_max_slippage, open(0, 1), Unit::Fraction);
}

template <class V>
void describe(V& v, MakerClipSpec& s) {
  v.number("chop", s.chop, closed_open(1, 2), Unit::Fraction);
  v.number("hole", s.hole, open_closed(0, kMaxDollars), Unit::Dollars);
  v.number("global_hole", s.global_hole, open_closed(0, kMaxDollars), Unit::Dollars);
  v.number("dust", s.dust, closed(0, kMaxDollars), Unit::Dollars);
  v.number("buf", s.buf, closed_open(1, 10), Unit::Fraction);
  v.number("tail_seconds", s.tail_seconds, closed(1, kMaxSeconds), Unit::Seconds);
  v.number("cusp", s.cusp, closed_open(0, 1), Unit::Fraction);
  v.number("chip", s.chip, closed(0, 0.1), Unit::Fraction);
  v.number("tip", s.tip, closed(0, 10000), Unit::Dollars);
  v.text("curve", s.curve, one_of({"stairstep", "exponential", "linear"}));
  v.number("cut", s.cut, open(0, 1), Unit::Fraction);
  v.number("step_seconds", s.step_seconds, closed(1, 86400), Unit::Seconds);
  v.number("linear_seconds", s.linear_seconds, closed(1, kMaxSeconds), Unit::Seconds);
  v.number("poll_seconds", s.poll_seconds, closed(1, 86400), Unit::Seconds);
  v.table("flop", s.flop);
}

template <class V>
void describe(V& v, MakerFlopSpec& s) {
  v.flag("enabled", s.enabled);
  v.number("sump", s.sump, open_closed(0, kMaxDollars), Unit::Dollars);
  v.number("dump", s.dump, open_closed(0, 1e9), Unit::Coins);
  v.number("beg", s.beg, open(1, 2), Unit::Fraction);
  v.number("pad", s.pad, closed(1, 10), Unit::Fraction);
  v.number("ttl_seconds", s.ttl_seconds, closed(1, kMaxSeconds), Unit::Seconds);
  v.number("tau_seconds", s.tau_seconds, closed(1, kMaxSeconds), Unit::Seconds);
  v.number("mkr_price", s.mkr_price, open_closed(0, 1e7), Unit::Dollars);
}

template <class V>
void describe(V& v, MakerFlipSpec& s) {
  v.number("chop", s.chop, closed_open(1, 2), Unit::Fraction);
  v.number("dunk", s.dunk, open_closed(0, kMaxDollars), Unit::Dollars);
  v.number("box", s.box, open_closed(0, kMaxDollars), Unit::Dollars);
  v.number("lump", s.lump, closed(0, 1e9), Unit::Coins);
  v.number("beg", s.beg, open(1, 2), Unit::Fraction);
  v.number("ttl_seconds", s.ttl_seconds, closed(1, kMaxSeconds), Unit::Seconds);
  v.number("tau_seconds", s.tau_seconds, closed(1, kMaxSeconds), Unit::Seconds);
  v.number("poll_seconds", s.poll_seconds, closed(1, 86400), Unit::Seconds);
  v.table("flop", s.flop);
}

template <class V>
void describe(V& v, LiquitySpec& s) {
  v.number("stability_pool", s.stability_pool, closed(0, kMaxDollars), Unit::Dollars);
  v.number("gas_compensation", s.gas_compensation, closed(0, 1e6), Unit::Dollars);
  v.flag("recovery_mode", s.recovery_mode);
  v.number("recovery_check_seconds", s.recovery_check_seconds, closed(1, 86400), Unit::Seconds);
}

template <class V>
void describe(V& v, CompoundV3Spec& s) {
  v.number("liquidation_factor", s.liquidation_factor, closed(0, 1), Unit::Fraction);
  v.number("store_front_price_factor", s.store_front_price_factor, closed(0, 1), Unit::Fraction);
  v.number("target_reserves", s.target_reserves, closed(0, kMaxDollars), Unit::Dollars);
  v.number("poll_seconds", s.poll_seconds, closed(1, 86400), Unit::Seconds);
}

template <class V>
void describe(V& v, GmxV1Spec& s) {
  v.number("margin_fee", s.margin_fee, closed(0, 0.05), Unit::Fraction);
  v.number("liquidation_fee", s.liquidation_fee, closed(0, 100), Unit::Dollars);
  v.number("max_leverage", s.max_leverage, open_closed(1, 1000), Unit::Fraction);
}

template <class V>
void describe(V& v, GmxV2Spec& s) {
  v.number("min_collateral_factor", s.min_collateral_factor, open_closed(0, 1), Unit::Fraction);
  v.number("min_collateral_usd", s.min_collateral_usd, closed(0, 10), Unit::Dollars);
  v.number("position_fee_factor", s.position_fee_factor, closed(0, 0.05), Unit::Fraction);
  v.number("liquidation_fee_factor", s.liquidation_fee_factor, closed(0, 0.1), Unit::Fraction);
  v.number("fee_receiver_factor", s.fee_receiver_factor, closed(0, 1), Unit::Fraction);
  v.number("keeper_delay_seconds", s.keeper_delay_seconds, closed(0, 86400), Unit::Seconds);
}

template <class V>
void describe(V& v, SynthetixSpec& s) {
  v.number("liquidation_fee_ratio", s.liquidation_fee_ratio, closed(0, 0.1), Unit::Fraction);
  v.number("min_keeper_fee", s.min_keeper_fee, closed(0, 10000), Unit::Dollars);
  v.number("max_keeper_fee", s.max_keeper_fee, closed(0, 10000), Unit::Dollars);
  v.number("liquidation_buffer_ratio", s.liquidation_buffer_ratio, closed(0, 0.5), Unit::Fraction);
  v.number("keeper_liquidation_fee", s.keeper_liquidation_fee, closed(0, 10000), Unit::Dollars);
  v.number("skew_scale", s.skew_scale, open_closed(0, kMaxCoins), Unit::Coins);
  v.number("liquidation_premium_multiplier", s.liquidation_premium_multiplier, closed(0, 100),
           Unit::Fraction);
  v.number("max_liquidation_delta", s.max_liquidation_delta, closed(0, 1), Unit::Fraction);
  v.number("max_pd", s.max_pd, closed(0, 1), Unit::Fraction);
  v.number("flag_poll_seconds", s.flag_poll_seconds, closed(kMinInterval, 86400), Unit::Seconds);
  v.integer("endorsed_keepers", s.endorsed_keepers, 0, 1000);
}

template <class V>
void describe(V& v, DriftSpec& s) {
  v.number("liquidator_fee", s.liquidator_fee, closed_open(0, 1), Unit::Fraction);
  v.number("max_liquidator_fee", s.max_liquidator_fee, closed_open(0, 1), Unit::Fraction);
  v.number("if_liquidation_fee", s.if_liquidation_fee, closed_open(0, 1), Unit::Fraction);
  v.number("margin_buffer", s.margin_buffer, closed(0, 1), Unit::Fraction);
  v.number("initial_pct_to_liquidate", s.initial_pct_to_liquidate, closed(0, 1), Unit::Fraction);
  v.integer("liquidation_duration_slots", s.liquidation_duration_slots, 0, 10000000);
  v.number("slot_seconds", s.slot_seconds, open_closed(0, 60), Unit::Seconds);
  v.number("max_insurance_claim", s.max_insurance_claim, closed(0, kMaxDollars), Unit::Dollars);
}

template <class V>
void describe(V& v, AaveV3Spec& s) {
  v.text("rules", s.rules, one_of({"v3.3", "v3.0"}));
  v.number("borrow_rate", s.borrow_rate, closed(0, 5), Unit::Fraction);
  v.number("accrual_interval_seconds", s.accrual_interval_seconds, closed(1, 2'592'000), Unit::Seconds);
}

// The names of the registered mechanisms.
inline TextRule mechanism_choices() {
  TextRule rule;
  std::apply([&](const auto&... spec) { (rule.choices.push_back(std::decay_t<decltype(spec)>::kName), ...); },
             MechanismSpecs{});
  return rule;
}

// Every mechanism's table that has keys, [liquidation.<name>], in registry order.
template <class V>
void describe_mechanisms(V& v, MechanismSpecs& specs) {
  std::apply(
      [&](auto&... spec) {
        (
            [&](auto& one) {
              using Spec = std::decay_t<decltype(one)>;
              if constexpr (Spec::kHasKeys) v.table(std::string(Spec::kName), one);
            }(spec),
            ...);
      },
      specs);
}

}  // namespace schema
}  // namespace liqsim
