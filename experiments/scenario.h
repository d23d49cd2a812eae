// The scenario: a complete, plain description of one run (FLAME GPU style: described first, then
// instantiated by experiments/simulation). Every field has a default; the TOML loader
// (experiments/scenario_loader) fills it, validates every field against the allowed range below and
// reports all problems at once. Units are in the field names' comments; human units (seconds, dollars,
// fractions) are converted to fixed point when the simulation is built.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "experiments/liquidation_mechanisms.h"
#include "experiments/margin_models.h"

namespace liqsim {

struct PriceProcessSpec {
  std::string model = "gbm";           // "gbm" | "merton" | "garch" | "replay"
  double drift_per_year = 0.0;         // [-5, 5]
  double vol_per_year = 0.6;           // [0, 10]; garch: the long-run volatility
  double step_seconds = 1.0;           // [0.001, 3600]
  double jump_intensity_per_year = 0;  // merton: [0, 1e5]
  double jump_mean_log = 0;            // merton: [-1, 1]
  double jump_stdev_log = 0;           // merton: [0, 2]
  // GARCH(1,1) (Bollerslev 1986) of the returns over garch_interval_seconds; vol_per_year is its
  // long-run volatility. garch: [0, 1), weight of the last interval's squared return; alpha + beta < 1
  double garch_alpha = 0.05;
  double garch_beta = 0.94;            // garch: [0, 1), weight of the last conditional variance
  double garch_interval_seconds = 60;  // garch: [0.001, 86400], a multiple of step_seconds
  std::string innovations = "normal";  // garch: "normal" | "student_t" (unit variance)
  double student_t_dof = 8;            // garch student_t: (4, 1000] degrees of freedom
  // replay
  std::string replay_file = "";  // CSV path, relative to the scenario file's folder
  std::string time_column = "open_time";
  std::string price_column = "close";
  double time_unit_seconds = 0.001;    // (0, 86400]: seconds per unit of the time column
  std::string interpolation = "step";  // "step" | "linear"
  bool rescale_to_initial = true;      // rescale so the first replayed price equals initial_price
};

struct ShockSpec {
  bool enabled = false;
  double start_seconds = 0;       // [0, duration)
  double duration_seconds = 600;  // > 0
  double fall_fraction = 0.18;    // (0, 0.95)
  double recovery_seconds = 0;    // >= 0; 0 = no recovery
  double recovery_fraction = 0;   // [0, 1]: share of the fall recovered
};

struct IndexSpec {
  // "exogenous": `venues` noisy quotes around the fundamental (the venues are not simulated);
  // "spot_venues": the market's simulated spot venues ([markets.spot]), each priced by its mid (its
  // last trade, then its previous price, while a side is empty), aggregated by the same rule.
  std::string source = "exogenous";
  int venues = 5;                       // [1, 32]: exogenous quotes
  double noise_stdev = 0.0005;          // [0, 0.1]: stationary stdev of each venue's log deviation
  double noise_half_life_seconds = 30;  // [0.001, 3.2e7]
  double stale_probability = 0.0;       // [0, 1)
  double outlier_threshold = 0.05;      // (0, 1)
  double update_interval_seconds = 1;   // [0.001, 3600]
  std::vector<double> weights;  // empty = equal weights; else one number in [0.001, 1e6] per venue aggregated
};

// The simulated spot venues of a market's asset: real order books where the asset trades against the
// quote, settled in the ledger (the asset is registered with the symbol's base, e.g. BTC for BTC-PERP).
struct SpotSpec {
  int venues = 0;            // [0, 16]
  double taker_fee = 0.001;  // [0, 0.01]
  double maker_fee = 0.0;    // [-0.001, 0.01]
};

// An AMM pool where the market's instrument trades against the quote, arbitraged against the book by the
// arbitrageurs; keepers with unwind_venue = "amm" sell what they seize into it. It starts at the market's
// initial price with a budget of `reserve` coins and reserve x initial_price of quote: a constant-product
// pool (Uniswap v2, market/amm_pool.h) holds both; a concentrated-liquidity pool (Uniswap v3,
// market/concentrated_pool.h) puts them in one position over [range_low, range_high] x initial_price
// (ticks on the spacing, outward), with the liquidity the budgets allow (the smaller side's).
struct AmmSpec {
  double reserve = 0;  // coins [0, 1e9]: the pool's coin reserve (budget) at the start; 0: no pool
  double fee = 0.003;  // (0, 0.1]: the swap fee on the input, kept by the pool (Uniswap v2: 0.3%)
  std::string kind = "constant_product";  // "constant_product" (Uniswap v2) / "concentrated" (Uniswap v3)
  double range_low = 0.8;                 // concentrated: (0, 1), the range's lower bound / initial price
  double range_high = 1.25;               // concentrated: (1, 1000], its upper bound / initial price
  int tick_spacing = 60;                  // concentrated: [1, 16384] (Uniswap v3: 60 for the 0.3% tier)
};

struct OracleSpec {
  double heartbeat_seconds = 3600;  // [0.001, 3.2e7]
  double deviation = 0.005;         // [0, 1)
  double delay_seconds = 0;         // >= 0 (Maker OSM: 3600); 0 with source = "replay"
  // "model": publish the index by the heartbeat / deviation rule, visible after delay_seconds;
  // "replay": the values a protocol read, from a CSV file (Maker's OSM LogValue events), each usable
  // from its time (the file's first row is time 0, as the price replay's); the rule's keys do not apply.
  std::string source = "model";
  std::string replay_file = "";           // replay: CSV path, relative to the scenario file's folder
  std::string time_column = "timestamp";  // replay: the time column's header (numbers)
  std::string price_column = "price";     // replay: the value column's header ($ per coin, > 0)
  double time_unit_seconds = 1;           // (0, 86400]: seconds per unit of the time column
};

struct MarkSpec {
  // "index" | "last" | "index_plus_basis" | "binance_median" | "hyperliquid_median" | "oracle" (the
  // oracle's published price, lending-style: with delay_seconds = 3600 it is Maker's OSM) |
  // "bitmex_fair_price" (index x (1 + last funding rate x time to funding / interval))
  std::string method = "binance_median";
  double update_interval_seconds = 1;        // [0.001, 60]
  double basis_window_seconds = 30;          // >= sample interval
  double basis_sample_interval_seconds = 5;  // [0.001, 60]
};

struct FundingSpec {
  bool enabled = true;
  double interval_seconds = 28800;             // [1, 86400*7]
  double interest_rate = 0.0001;               // per interval, [-0.01, 0.01]
  double clamp = 0.0005;                       // [0, 0.1]
  double cap = 0.003;                          // (0, 0.1]: |F| <= cap
  double premium_sample_interval_seconds = 5;  // [0.001, interval]
  double impact_notional = 10000;  // $ > 0: impact bid/ask are the average fill prices of this notional
};

struct MarketSpec {
  std::string symbol = "BTC-PERP";  // non-empty, unique
  double tick_size = 0.1;           // $ in (0, 1e7]
  double initial_price = 60000;     // $ in (0, 1e7], a multiple of tick_size
  double taker_fee = 0.0004;        // [0, 0.01]
  double maker_fee = 0.0001;        // [-0.001, 0.01]
  double depth_band = 0.01;         // (0, 0.5]: fraction of mid for the recorded depth
  PriceProcessSpec price;
  ShockSpec shock;
  IndexSpec index;
  SpotSpec spot;
  AmmSpec amm;
  OracleSpec oracle;
  MarkSpec mark;
  FundingSpec funding;
  MarginSpec margin;  // the margin model and its keys (experiments/margin_models.h)
};

struct LiquidationSpec {
  // "engine" | "keeper" | "none" (experiments/liquidation_mechanisms.h); each mechanism's keys are its
  // table [liquidation.<name>]
  std::string mechanism = "engine";
  // "market": liquidation orders (engine closes, keepers' unwinds) trade on the market's venue;
  // "impact_free": each fills in full at the mark off the book (the backstop_vault place takes the other
  // side), so the same accounts are closed without moving any price: the counterfactual of
  // `liqsim run --counterfactual impact_free` (experiments/counterfactual.h)
  std::string execution = "market";
  double insurance_fund = 2'000'000;  // $ >= 0 initial
  MechanismSpecs params;              // every mechanism's keys, owned by the mechanism

  template <class Spec>
  Spec& get() {
    return std::get<Spec>(params);
  }
  template <class Spec>
  const Spec& get() const {
    return std::get<Spec>(params);
  }
};

struct NoiseTraderSpec {
  int count = 10;               // [0, 100000] independent zero-intelligence accounts
  double limit_rate = 1.0;      // per second per agent, >= 0 (SFGK alpha, per agent)
  double market_rate = 0.15;    // per second per agent, >= 0 (SFGK mu)
  double cancel_rate = 0.02;    // per second per resting order, >= 0 (SFGK delta)
  double order_size = 0.1;      // coins > 0
  int price_range_ticks = 200;  // [1, 1e6]: limit prices uniform within this many ticks of the opposite best
  double capital = 5'000'000;   // $ > 0 per agent
};

struct MarketMakerSpec {
  int count = 4;                   // [0, 1000]
  double half_spread = 0.0002;     // (0, 0.1) fraction of reference
  int levels = 5;                  // [1, 100]
  double level_spacing = 0.0002;   // (0, 0.1)
  double level_size = 2.0;         // coins > 0
  double requote_seconds = 1.0;    // [0.001, 3.2e7]
  double inventory_skew = 0.002;   // [0, 1]: fair-value shift at full max_inventory, as a fraction
  double max_inventory = 150;      // coins > 0: stop quoting the side that grows inventory beyond this
  double vol_window_seconds = 60;  // [0.001, 3.2e7]
  double vol_widening = 2.0;       // [0, 1e4]: half-spread += vol_widening * realised vol per sqrt(s)
  double stress_vol = 0.001;       // (0, 1e4]: pull all quotes when realised vol per sqrt(s) exceeds this
  double capital = 20'000'000;     // $ > 0
  // >= 0: makers hedge their position toward zero with this half-life; skew and the inventory limit
  // apply to the unhedged part. 0 = never hedge.
  double hedge_half_life_seconds = 600;
  // "outside": the hedge is held on venues outside the simulation (no trade, no money moves);
  // "spot": the hedge trades on the market's simulated spot venues (IOC at the best venue, paying its
  // spread, impact and taker fee, within hedge_max_slippage of its mid), holding coins in the ledger.
  std::string hedge_venue = "outside";
  double hedge_max_slippage = 0.005;  // (0, 0.5)
  // $ >= 0: when > 0, level_size and max_inventory are these dollar notionals at each market's initial
  // price instead (markets of very different prices: a $1 stablecoin beside BTC)
  double level_notional = 0;
  double max_inventory_notional = 0;
};

// Resilient liquidity on the simulated venues: providers keep a ladder of limit orders whose cumulative
// depth per side grows as distance^depth_exponent (depth_at_1pct coins within 1% of the anchor) out to
// max_distance; consumed depth refills toward the profile with a half-life, and the anchor follows the
// venue's mid with its own half-life (transient impact, Obizhaeva-Wang style). Inventory moves the
// ladder against itself (inventory_skew at max_inventory: permanent impact); inventory beyond
// max_inventory stops the side that would grow it.
struct LiquiditySpec {
  int per_venue = 0;                     // [0, 100]: providers on each spot venue
  bool on_perpetual = false;             // also one set of providers on each perpetual book
  double depth_at_1pct = 40;             // coins > 0: per side and venue (all its providers)
  double depth_exponent = 0.78;          // (0, 3]
  double min_distance = 0.0002;          // (0, 0.5): the nearest level, fraction of the anchor
  double max_distance = 0.05;            // (min_distance, 0.9): the farthest level
  int levels = 16;                       // [1, 200] per side, log-spaced between the two distances
  double refill_half_life_seconds = 20;  // (0, 3.2e7]
  double anchor_half_life_seconds = 30;  // [0, 3.2e7]: 0 = the anchor is the current mid
  double refresh_seconds = 1;            // [0.001, 3.2e7]
  double max_inventory = 200;            // coins > 0 per provider
  double inventory_skew = 0.03;          // [0, 0.5]: centre shift at full max_inventory, fraction of price
  double capital = 50'000'000;           // $ > 0 per provider (and max_inventory coins on spot venues)
  // Withdrawal under stress: while the realised volatility of the venue's mid (an exponential moving
  // average of squared 1-refresh log returns per second, half-life vol_window_seconds) is above
  // stress_vol per sqrt(second), every level is cut to stress_depth of its target; afterwards it refills
  // with refill_half_life_seconds. 0 = never.
  double stress_vol = 0;           // [0, 1e4] per sqrt(s)
  double stress_depth = 0.25;      // [0, 1]: share of each level kept under stress
  double vol_window_seconds = 60;  // (0, 3.2e7]
};

// Value traders (fundamentalists, ABIDES' value agents, Chiarella 1992): each observes the fundamental
// through its own persistent noise and trades toward a position proportional to the log mispricing,
// with IOC orders limited at its own value estimate, within finite capital (max_position).
struct ValueTraderSpec {
  int count = 0;                          // [0, 100000]
  std::string venues = "spot";            // "spot" | "perpetual" | "all": where they trade
  double noise_stdev = 0.002;             // [0, 1]: stationary log stdev of each one's observation error
  double noise_half_life_seconds = 3600;  // (0, 3.2e7]: persistence of the error
  double aggression = 2000;               // coins per unit of log mispricing, > 0
  double threshold = 0.0005;              // [0, 1): no trade while |log mispricing| is below this
  double max_position = 50;               // coins > 0: inventory limit either way
  double max_order = 5;                   // coins > 0 per order
  double mean_interval_seconds = 30;      // (0, 3.2e7]: exponential time between decisions
  double capital = 10'000'000;            // $ > 0 (and max_position coins on spot venues)
  // Patience: a trader whose wealth from trading falls more than max_drawdown x capital below its peak
  // unwinds its inventory and sits out patience_seconds (agents/value_trader.h). 0 = never.
  double max_drawdown = 0;         // [0, 1]
  double patience_seconds = 3600;  // (0, 3.2e7]
};

// Arbitrageurs: every decision they compare the best bid and ask across all venues of a market (the
// perpetual book and its spot venues), net of taker fees, and when the bid beats the ask by more than
// min_edge buy at the ask venue and sell at the bid venue (IOC, the top level's size at most), within
// an inventory limit per venue.
struct ArbitrageurSpec {
  int count = 0;                      // [0, 10000]
  double min_edge = 0.0005;           // [0, 0.5): required edge after taker fees
  double max_inventory = 200;         // coins > 0 per venue either way
  double max_order = 10;              // coins > 0 per leg
  double interval_seconds = 1;        // [0.001, 3.2e7]: between decisions
  double latency_jitter_seconds = 1;  // [0, 3.2e7]: uniform extra delay per decision
  double capital = 50'000'000;        // $ > 0 (and max_inventory coins of each spot asset)
};

// Leverage: every value in [0.01, 1000]; margin ($): every value in [1, 1e9]. Lognormal needs
// 0 < stdev <= 100 * mean.
struct DistributionSpec {
  std::string kind = "lognormal";  // "lognormal" | "uniform" | "fixed"
  double mean = 10;                // lognormal: mean of the distribution; fixed: the value
  double stdev = 5;                // lognormal: stdev (> 0)
  double min = 2;                  // clip / uniform low, > 0
  double max = 50;                 // clip / uniform high, >= min
};

struct LeveragedTraderSpec {
  int count = 10000;            // [0, 2000000]
  double long_fraction = 0.5;   // [0, 1]
  double cross_fraction = 0.2;  // [0, 1]: share on cross margin (rest isolated)
  // [0, 1]: share of the traders whose accounts are in Aave's efficiency mode (setUserEMode): their
  // collateral in markets of the e-mode category (aave_v3 margin with emode_liquidation_threshold > 0) is
  // valued with the category's ltv and threshold; isolated ones trade only category markets. Needs such a
  // market.
  double emode_fraction = 0;
  // Leverage at entry. Fitted to Hyperliquid's open interest by leverage of 15 Dec 2025 (36% of the
  // notional at 0-3x, 48% at 3-7x, 15% above 7x; docs/calibration.md, "Leverage"): notional-weighted,
  // a lognormal of count mean 3.08 and stdev 2.09 is again lognormal, with those three shares.
  DistributionSpec leverage = {"lognormal", 3.08, 2.09, 1, 50};
  DistributionSpec margin = {"lognormal", 2000, 2000, 100, 50000};  // $ deposited per account
  double entry_start_seconds = 60;  // entries spread uniformly over [start, end]
  double entry_end_seconds = 3600;
  double topup_trigger = 1.5;    // [0, 1000]: top up when equity < trigger * maintenance margin; 0 disables
  double topup_fraction = 0.5;   // of initial margin added per top-up, (0, 10]
  double outside_capital = 1.0;  // [0, 1000]: multiples of initial margin available for top-ups
  double topup_cooldown_seconds = 300;
  // Positions open at time 0 instead of entries over [entry_start, entry_end]: each entered at an age
  // uniform over (0, lookback_seconds] at the price of a look-back path of the fundamental (a GBM run
  // backward from the initial price with the market's vol_per_year and drift_per_year), booked against
  // the backstop_vault place without trading (docs/ARCHITECTURE.md, "Positions open at time 0").
  bool open_at_start = false;
  double lookback_seconds = 604800;  // (0, 3.2e7]
  // Voluntary behaviour; each rule is used by a share of the traders, with a level drawn per trader.
  double stop_loss_share = 0;                                     // [0, 1]
  DistributionSpec stop_loss = {"uniform", 0.1, 0, 0.03, 0.15};   // fraction of entry, against the position
  double take_profit_share = 0;                                   // [0, 1]
  DistributionSpec take_profit = {"uniform", 0.1, 0, 0.05, 0.3};  // fraction of entry, in its favour
  double deleverage_share = 0;                                    // [0, 1]
  // Adverse move that makes a trader reduce: a long's drawdown from the window's highest mark, a
  // short's rise from its lowest.
  DistributionSpec deleverage_drop = {"uniform", 0.05, 0, 0.02, 0.08};
  double deleverage_window_seconds = 600;  // [1, 3.2e7]
  double deleverage_fraction = 0.5;        // (0, 1]: of the position closed, once per trader
  // Mean of the exponential delay after a stop-loss, take-profit or full deleveraging before the
  // trader opens again with its equity at its leverage; 0: never re-enter.
  double reentry_delay_seconds = 0;
  int max_reentries = 1;              // [0, 1000] per trader
  double check_interval_seconds = 1;  // [0.01, 3600]: how often stops and drawdowns are checked
  double exit_slippage = 0.1;         // (0, 0.5): IOC limit of exits from the mark (Hyperliquid: 10%)
  // Pre-emptive deleveraging (the strategic liquidation reflex): a share of the traders reads the
  // public liquidation map ([liquidation_map]) every check and, when the cascade it predicts from the
  // nearest cluster within preemptive_approach of the mark (each level's mass counted
  // 1 + risk_aversion times, into the book's depth density within preemptive_depth_band of the mid)
  // would reach its own liquidation price, closes preemptive_fraction of its position at once.
  // Information set: `preemptive_information`, public feeds and the trader's own account only.
  double preemptive_share = 0;          // [0, 1]
  double risk_aversion = 1;             // [0, 100]
  double preemptive_approach = 0.03;    // (0, 0.5]
  double preemptive_fraction = 1;       // (0, 1]
  double preemptive_depth_band = 0.02;  // (0, 0.5]
  std::string preemptive_information = "mark,open_interest,book,own_account";
  // "own_liquidation": act when the predicted cascade reaches the trader's own liquidation price;
  // "expected_loss": when the trader's current leverage x the predicted move reaches preemptive_max_loss
  // of its equity (traders far from liquidation exit too).
  std::string preemptive_rule = "own_liquidation";
  double preemptive_max_loss =
      0.5;  // (0, 10]: expected_loss: the loss, as a fraction of equity, that triggers
};

struct KeeperSpec {
  int count = 5;                        // [0, 10000]
  double capital = 3'000'000;           // $ > 0
  double latency_seconds = 0.5;         // >= 0: from a mark update to a submitted transaction
  double latency_jitter_seconds = 0.5;  // >= 0: uniform extra latency
  double priority_fee_min = 0.5;        // $ per transaction >= 0
  double priority_fee_max = 20.0;       // >= min
  double min_profit = 5.0;              // $: skip liquidations whose expected reward - gas is below
  std::string sell_rule = "immediate";  // "immediate" | "twap" | "hold"
  double twap_seconds = 60;             // twap: spread the unwind over this many seconds
  int twap_slices = 6;                  // [1, 1000]
  // "fixed": each keeper bids one priority fee, drawn uniformly in [priority_fee_min, priority_fee_max],
  // for the whole run; "adaptive": it starts there, multiplies its bid by bid_raise after a lost race
  // (its transaction found the account already liquidated) and by bid_decay after a won one, within
  // [priority_fee_min, priority_fee_max], and bids at most reward - base fee - min_profit on each account
  // (skipping it when that is below priority_fee_min). Adaptive needs priority_fee_min > 0.
  std::string bidding = "fixed";
  double bid_raise = 1.125;  // [1, 10]: adaptive: bid multiple after a lost race
  double bid_decay = 0.98;   // (0, 1]: adaptive: bid multiple after a won race
  // Auctions (maker_clip, maker_flip): keepers value collateral at the index x (1 - valuation_discount)
  // and take or bid at most that.
  double valuation_discount = 0.02;  // [0, 1)
  // [0, 1e12] $ per transaction, 0 = none: a capped keeper sends nothing while the chain's base fee is
  // above it (a fixed gas price that no longer gets included). Applies to the first
  // round(gas_capped_fraction x count) keepers.
  double gas_cap = 0;
  double gas_capped_fraction = 1;  // [0, 1]
  double gas_cap_spread = 0;  // [0, 1]: each capped keeper's cap is gas_cap x (1 - spread x u), u ~ U[0, 1)
  // [0, count]: the last lowball_count keepers bid the smallest acceptable step in English auctions
  // and never dent (the zero-DAI bidders of 12 March 2020); they have no gas cap.
  int lowball_count = 0;
  // The first round(outage_fraction x count) keepers send nothing from outage_start_seconds for
  // outage_duration_seconds (bots that stopped: out of DAI, a failing node or gas oracle).
  double outage_fraction = 0;          // [0, 1]
  double outage_start_seconds = 0;     // >= 0
  double outage_duration_seconds = 0;  // >= 0
  // Where seized positions are sold: "book" (the market's order book) or "amm" (the market's AMM pool,
  // [markets.amm]; on-chain keepers swapping collateral), no unit of a swap more than amm_max_slippage
  // below (above, for a buy) the market's index; what the pool cannot take at that the keeper carries.
  std::string unwind_venue = "book";
  double amm_max_slippage = 0.05;  // (0, 1)
  // Keepers pay for the collateral of a long with a flash loan from the lending pool and sell it on their
  // unwind venue in the same transaction (the market's AMM pool, or its book's bids after the taker fee),
  // repaying the loan and flash_loan_fee of it; the bundle is dropped (no gas) unless the sale covers
  // both, so they need capital only for gas and hold no inventory (a short they still take with their own
  // capital). Needs the `keeper` or `aave_v3` mechanism.
  bool flash_loan = false;
  double flash_loan_fee = 0.0005;  // [0, 0.1]: of the loan (Aave v3 FLASHLOAN_PREMIUM_TOTAL 0.05%)
  // sell_rule "hold": a keeper holds what it seized and sells all of it once the mark moved
  // hold_take_profit in its favour or hold_stop_loss against it since the seizure, or after hold_seconds;
  // checked every hold_check_seconds.
  double hold_seconds = 3600;      // (0, 3.2e7]
  double hold_take_profit = 0.02;  // [0, 1]
  double hold_stop_loss = 0.05;    // [0, 1]
  double hold_check_seconds = 10;  // [1, 3600]: one check per keeper holding anything
  // How a keeper values the position it would seize when it decides to send: "mark" (the protocol's
  // terms at the mark) or "book" (walking the public book it would sell into: a liquidation whose bonus
  // does not pay for the book's depth is skipped). "book" needs unwind_venue = "book".
  std::string unwind_valuation = "mark";
};

// The public liquidation map strategic agents read (agents/liquidation_heatmap.h): open interest
// entered at the mark over an assumed leverage mix, each at its liquidation price.
struct LiquidationMapSpec {
  std::vector<double> leverages = {3, 5, 10, 20, 50};         // each in (1, 1000]
  std::vector<double> weights = {0.3, 0.3, 0.25, 0.1, 0.05};  // one per leverage, >= 0
  double maintenance_rate = 0.005;                            // [0, 0.5)
  double bucket = 0.0025;                                     // [1e-5, 0.1]: relative width of a level
  double initial_spread = 0.05;  // [0, 0.5]: the first open interest seen entered within +-this
};

// One group of liquidation hunters (agents/liquidation_hunter.h), `[[hunters]]`: capital-limited agents
// that push the perpetual's price into a liquidation cluster when the cascade they expect pays for it.
struct HunterSpec {
  int count = 1;                   // [0, 1000]
  int market = 0;                  // index of the market hunted
  double capital = 1'000'000;      // $ > 0 deposited
  double max_position = 10;        // coins [0, 1e6]: the most one push takes; 0: never hunts
  double min_edge = 0.002;         // [0, 1]: expected profit per notional pushed, net of two taker fees
  double approach = 0.03;          // (0, 0.5]: clusters within this fraction of the mark
  double depth_band = 0.02;        // (0, 0.5]
  double interval_seconds = 1;     // [0.01, 3600]: between decisions
  double hold_seconds = 30;        // [0, 86400]: after a push, before covering
  double cooldown_seconds = 300;   // [0, 3.2e7]: after covering
  double cover_slippage = 0.05;    // (0, 0.5)
  std::string direction = "both";  // "down" (into long clusters) | "up" | "both"
  // What the hunters observe: public feeds (mark, index, oracle, open_interest, book, funding) and
  // own_account; their rule reads mark, open_interest, book and own_account.
  std::string information = "mark,open_interest,book,own_account";
};

// One group of keepers with a strategy of its own, `[[keeper_groups]]` (agents/keeper.h KeeperStrategy):
// `count` keepers added after the [keepers] table's, sharing its keys (capital, latency, bidding rule,
// unwind venue, ...) but these. A game's players (docs/games.md): a keeper's priority fee, selectivity and
// what it does with what it seizes become strategies.
struct KeeperGroupSpec {
  int count = 1;                        // [0, 1000]
  double priority_fee = 2;              // $ per transaction >= 0: fixed (adaptive bidding: the start)
  double min_profit = 5;                // $: skip liquidations whose expected reward - gas is below
  std::string sell_rule = "immediate";  // "immediate" | "twap" | "hold" (keepers.twap_* / hold_* keys)
  // Finance each take of a long with a flash loan sold on keepers.unwind_venue in the transaction
  // (keepers.flash_loan): needs the `keeper` or `aave_v3` mechanism.
  bool flash_loan = false;
  // [0, 1): auctions (maker_clip, maker_flip, compound_v3): the group values collateral at the index x
  // (1 - valuation_discount), as keepers.valuation_discount; its bid shading as a strategy.
  double valuation_discount = 0.02;
};

// One group of leveraged traders with a pre-emptive strategy of its own, `[[trader_groups]]`: the last
// `count` traders of [traders] (after the earlier groups'), pre-emptive or not by `preemptive` instead of
// traders.preemptive_share, reading the liquidation map with their own risk aversion, approach and
// fraction (the rule, depth band and information set are [traders]'). A game's players (docs/games.md).
struct TraderGroupSpec {
  int count = 1;                      // [0, 2000000]; the groups' counts add up to at most traders.count
  bool preemptive = true;             // its members deleverage pre-emptively
  double risk_aversion = 1;           // [0, 100]
  double preemptive_approach = 0.03;  // (0, 0.5]
  double preemptive_fraction = 1;     // (0, 1]
};

// One expiry's smile of the options surface in raw SVI (protocol/vol_surface.h):
// w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)), k = ln(K / F), w the total variance.
struct OptionSliceSpec {
  double days = 30;  // (0, 3650]: expiry of the slice from time 0; slices in increasing order
  double a = 0.0176;
  double b = 0.08;    // >= 0
  double rho = -0.4;  // (-1, 1)
  double m = 0;
  double sigma = 0.15;  // > 0
};

// The options venue ([options], protocol/options_market.h): European puts and calls on a market's mark,
// one book per series, quoted by option market makers off the surface, written by a margined population
// whose portfolios are liquidated into those books. A surface with static arbitrage is refused.
inline constexpr double kOptionWriterCapitalCap = 100;  // a writer's capital is at most this x the median

struct OptionsSpec {
  bool enabled = false;
  int market = 0;  // index of the underlying market (its mark is the forward)
  // The surface at time 0 (the default: 60 % ATM vol at 7 and 30 days, put skew).
  std::vector<OptionSliceSpec> slices = {{7, 0.0029, 0.04, -0.4, 0, 0.1}, {30, 0.0176, 0.08, -0.4, 0, 0.15}};
  std::string dynamics = "sticky_moneyness";  // "sticky_moneyness" | "sticky_strike"
  double level_beta = 2;                      // [0, 10]: ATM variance x exp(-level_beta r) after a return r
  double skew_beta = 0.5;                     // [0, 10]: rho falls by skew_beta x the size of a fall
  std::vector<double> strikes = {0.7, 0.8, 0.9, 1.0, 1.1, 1.2};  // each (0, 10]: K / initial price
  std::vector<double> expiries_days = {7, 30};                   // each (0, 3650], after the run's end
  double tick = 0.01;                                            // $ (0, 1000]
  // Portfolio margin (Deribit): underlying moves -max_move..+max_move in `buckets` steps x vol up /
  // unchanged / down, plus short_option_minimum x underlying per net short contract of a series.
  double pm_max_move = 0.16;           // (0, 0.9)
  int pm_buckets = 9;                  // [2, 101]
  double pm_vol_range_up = 0.5;        // [0, 10]
  double pm_vol_range_down = 0.25;     // [0, 1)
  double short_option_minimum = 0.01;  // [0, 1]
  double liquidation_fee = 0.001;      // [0, 0.1]: of the underlying notional closed
  double liquidation_band = 1.0;       // (0, 100]: liquidation orders pay at most mark x (1 + band)
  double trigger_margin = 0.005;       // [0, 0.5]: members re-checked this fraction before their band
  double refresh_seconds = 1800;       // [1, 3.2e7]: every band recomputed (time decay)
  // Option market makers.
  int makers = 2;                      // [1, 100]
  double maker_capital = 50e6;         // $ (0, 1e12]
  double requote_seconds = 5;          // [0.01, 3600]
  double stress_window_seconds = 600;  // (0, 86400]: the recent move is over this window
  double vol_spread = 0.02;            // (0, 1]
  double level_vol_step = 0.01;        // [0, 1]
  int levels = 3;                      // [1, 20]
  double level_contracts = 5;          // (0, 1e6]
  double min_half_spread = 0.02;       // [0, 1]
  double stress_widen = 10;            // [0, 1000]
  double stress_withdraw = 5;          // [0, 1000]
  double min_depth = 0.1;              // [0, 1]
  double inventory_skew = 0.5;         // [0, 10]
  double inventory_limit = 200;        // (0, 1e9]
  // Delta hedging: at every requote each maker trades its perpetual position toward minus its options'
  // delta (sticky-strike Black-76 deltas at the surface) when they differ by more than hedge_band coins,
  // with an IOC whose worst price is hedge_slippage from the underlying's mark. Its hedge of the opening
  // trades is booked at time 0 against the backstop_vault place, as positions open at time 0 are.
  bool hedge = true;
  double hedge_band = 1;         // coins [0, 1e9]
  double hedge_slippage = 0.02;  // (0, 0.5)
  // Option writers (margined; positions opened at the model mark at time 0, sold to the makers).
  int writers = 300;                // [0, 1e6]
  double writer_capital = 100000;   // $ (0, 1e12]: median
  double writer_capital_sigma = 1;  // [0, 5]: lognormal spread, each draw at most 100 x the median
  // Shares of short put, short call, short strangle (put below, call above the money) and put credit
  // spread (short put, long put one strike lower), each >= 0, not all 0.
  std::vector<double> strategy_weights = {0.4, 0.2, 0.2, 0.2};
  double usage_min = 0.5;   // (0, 1]: initial requirement / capital drawn from [usage_min, usage_max]
  double usage_max = 0.95;  // [usage_min, 1]
  // Each liquidation step closes this fraction of every leg's size at the trigger and the liquidation
  // ends once the requirement is met again (incremental, as Deribit's engine reduces a portfolio); 1 closes
  // the whole portfolio at once.
  double liquidation_step = 1;  // (0, 1]
};

// What a run may cost, estimated at validation from the scenario (events from every periodic process
// and agent rate, account-updates of funding settlements, memory of the recorded tables and accounts);
// a scenario above either limit is refused before it runs. Raise them on purpose for big runs.
struct LimitsSpec {
  double max_events = 2e9;      // [1, 1e12]: estimated events and per-account updates
  double max_memory_mb = 8192;  // [1, 1e7]: estimated peak memory in MiB
};

struct Scenario {
  std::string name = "default";     // non-empty; names the default output file
  uint64_t seed = 42;               // [0, 2^63 - 1]: master seed of every random stream (--seed overrides)
  double duration_seconds = 86400;  // (0, 3.2e7]
  // [0, duration_seconds): start of the measurement window. The summary's liquidation figures
  // (liquidations, cascades, delays, keepers, ADL, fund drawdown, protocol loss) count only what
  // happens at or after it, so a warm-up's liquidations do not count; prices and the end state cover
  // the whole run (docs/hdf5-schema.md, "/summary", lists each figure's scope). The run file's tables
  // still hold every record.
  double measure_from_seconds = 0;
  double record_interval_seconds = 10;   // [0.001, duration]
  std::string same_time_order = "fifo";  // "fifo" | "arrival" | "random" | "priority_fee"
  std::vector<MarketSpec> markets;       // at least one
  LiquidationSpec liquidation;
  NoiseTraderSpec noise;
  MarketMakerSpec market_makers;
  LeveragedTraderSpec traders;
  KeeperSpec keepers;
  LiquiditySpec liquidity;
  ValueTraderSpec value_traders;
  ArbitrageurSpec arbitrageurs;
  LimitsSpec limits;
  LiquidationMapSpec liquidation_map;
  std::vector<HunterSpec> hunters;  // none by default
  OptionsSpec options;
  std::string source_dir;  // folder of the scenario file (relative replay paths); not a TOML key
  std::vector<KeeperGroupSpec> keeper_groups;  // none by default
  std::vector<TraderGroupSpec> trader_groups;  // none by default
};

// Some trader deleverages pre-emptively: by traders.preemptive_share or by a [[trader_groups]] group.
inline bool any_preemptive_traders(const Scenario& s) {
  bool any = s.traders.preemptive_share > 0;
  for (const TraderGroupSpec& g : s.trader_groups) any = any || (g.preemptive && g.count > 0);
  return any;
}

// Every keeper of the run: the [keepers] table's and the groups'.
inline int keeper_count(const Scenario& s) {
  int n = s.keepers.count;
  for (const KeeperGroupSpec& g : s.keeper_groups) n += g.count;
  return n;
}

// Coins of one market maker quote level in `market`: level_notional at its initial price when set, else
// level_size; the same for the inventory limit.
inline double maker_level_coins(const MarketMakerSpec& mm, const MarketSpec& market) {
  return mm.level_notional > 0 ? mm.level_notional / market.initial_price : mm.level_size;
}
inline double maker_max_inventory_coins(const MarketMakerSpec& mm, const MarketSpec& market) {
  return mm.max_inventory_notional > 0 ? mm.max_inventory_notional / market.initial_price : mm.max_inventory;
}

}  // namespace liqsim
