#include "analysis/run_file.h"

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "analysis/hdf5_support.h"

namespace liqsim {
namespace {

using namespace hdf5_support;

// ---------------------------------------------------------------------------------------------------
// Schema tables

template <class>
constexpr bool kNoStoredType = false;

template <class M>
constexpr FieldType field_type_of() {
  if constexpr (std::is_same_v<M, Time> || std::is_same_v<M, Price> || std::is_same_v<M, Quantity> ||
                std::is_same_v<M, Amount> || std::is_same_v<M, Ratio> || std::is_same_v<M, int64_t>) {
    return FieldType::I64;
  } else if constexpr (std::is_same_v<M, uint64_t>) {
    return FieldType::U64;
  } else if constexpr (std::is_same_v<M, uint32_t>) {
    return FieldType::U32;
  } else if constexpr (std::is_same_v<M, uint8_t> || std::is_same_v<M, LiquidationMechanismKind> ||
                       std::is_same_v<M, Endogeneity> || std::is_same_v<M, CounterfactualKind>) {
    static_assert(sizeof(M) == 1);
    return FieldType::U8;
  } else if constexpr (std::is_same_v<M, double>) {
    return FieldType::F64;
  } else {
    static_assert(kNoStoredType<M>, "no stored type for this member type");
  }
}

// The stored type follows the member's C++ type, so a table cannot disagree with its record.
#define LIQSIM_FIELD(Record, member, name, units, exponent, description)                  \
  FieldSpec {                                                                             \
    name, field_type_of<std::remove_cvref_t<decltype(std::declval<Record&>().member)>>(), \
        offsetof(Record, member), units, exponent, description                            \
  }

constexpr const char* kNs = "ns";
constexpr const char* kUsdPerCoin = "USD/coin";
constexpr const char* kUsd = "USD";
constexpr const char* kCoin = "coin";

constexpr FieldSpec kTimeseriesFields[] = {
    LIQSIM_FIELD(TimeseriesRow, time, "time_ns", kNs, 0, "simulated time since the start of the run"),
    LIQSIM_FIELD(TimeseriesRow, reference, "reference", kUsdPerCoin, -6,
                 "external reference price of market 0"),
    LIQSIM_FIELD(TimeseriesRow, index, "index", kUsdPerCoin, -6, "index price"),
    LIQSIM_FIELD(TimeseriesRow, oracle, "oracle", kUsdPerCoin, -6, "oracle price"),
    LIQSIM_FIELD(TimeseriesRow, mark, "mark", kUsdPerCoin, -6, "mark price"),
    LIQSIM_FIELD(TimeseriesRow, mid, "mid", kUsdPerCoin, -6,
                 "order-book mid price (0 when a side of the book is empty)"),
    LIQSIM_FIELD(TimeseriesRow, last, "last", kUsdPerCoin, -6, "last trade price"),
    LIQSIM_FIELD(TimeseriesRow, insurance_fund, "insurance_fund", kUsd, -6, "insurance fund balance"),
    LIQSIM_FIELD(TimeseriesRow, open_interest, "open_interest", kCoin, -8, "total long quantity of market 0"),
    LIQSIM_FIELD(TimeseriesRow, bad_debt, "bad_debt", kUsd, -6, "bad debt recorded so far"),
    LIQSIM_FIELD(TimeseriesRow, bid_depth, "bid_depth", kCoin, -8,
                 "resting bid quantity within the depth band below the mid"),
    LIQSIM_FIELD(TimeseriesRow, ask_depth, "ask_depth", kCoin, -8,
                 "resting ask quantity within the depth band above the mid"),
    LIQSIM_FIELD(TimeseriesRow, funding_rate, "funding_rate", "1", -9,
                 "latest funding rate applied, per funding interval (positive: longs pay shorts)"),
    LIQSIM_FIELD(TimeseriesRow, base_fee, "base_fee", kUsd, -6,
                 "the chain's base fee per keeper liquidation transaction"),
    LIQSIM_FIELD(TimeseriesRow, keeper_txs_queued, "keeper_txs_queued", "count", 0,
                 "keeper transactions that found a block full and still wait for a later block"),
};

constexpr FieldSpec kLiquidationFields[] = {
    LIQSIM_FIELD(LiquidationRow, record.time, "time_ns", kNs, 0, ""),
    LIQSIM_FIELD(LiquidationRow, record.id, "id", "id", 0, ""),
    LIQSIM_FIELD(LiquidationRow, record.account, "account", "id", 0, ""),
    LIQSIM_FIELD(LiquidationRow, record.market, "market", "index", 0, ""),
    LIQSIM_FIELD(LiquidationRow, record.quantity, "quantity", kCoin, -8, ""),
    LIQSIM_FIELD(LiquidationRow, record.mark, "mark", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(LiquidationRow, record.price, "price", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(LiquidationRow, record.mechanism, "mechanism", "enum", 0, ""),
    LIQSIM_FIELD(LiquidationRow, record.keeper, "keeper", "id", 0, ""),
    LIQSIM_FIELD(LiquidationRow, record.reward, "reward", kUsd, -6, ""),
    LIQSIM_FIELD(LiquidationRow, record.mark_update, "mark_update", "id", 0, ""),
    LIQSIM_FIELD(LiquidationRow, record.cause, "cause", "id", 0, ""),
    LIQSIM_FIELD(LiquidationRow, generation, "generation", "count", 0, ""),
    LIQSIM_FIELD(LiquidationRow, record.endogenous, "endogenous", "enum", 0, ""),
};

constexpr FieldSpec kTradeFields[] = {
    LIQSIM_FIELD(TradeRecord, time, "time_ns", kNs, 0, ""),
    LIQSIM_FIELD(TradeRecord, market, "market", "index", 0, ""),
    LIQSIM_FIELD(TradeRecord, price, "price", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(TradeRecord, quantity, "quantity", kCoin, -8, ""),
    LIQSIM_FIELD(TradeRecord, buyer, "buyer", "id", 0, ""),
    LIQSIM_FIELD(TradeRecord, seller, "seller", "id", 0, ""),
    LIQSIM_FIELD(TradeRecord, aggressor_is_buy, "aggressor_is_buy", "flag", 0, ""),
    LIQSIM_FIELD(TradeRecord, liquidation, "liquidation", "id", 0, ""),
};

constexpr FieldSpec kFundingFields[] = {
    LIQSIM_FIELD(FundingRecord, time, "time_ns", kNs, 0, ""),
    LIQSIM_FIELD(FundingRecord, market, "market", "index", 0, ""),
    LIQSIM_FIELD(FundingRecord, rate, "rate", "1", -9, ""),
    LIQSIM_FIELD(FundingRecord, mark, "mark", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(FundingRecord, paid_by_longs, "paid_by_longs", kUsd, -6, ""),
    LIQSIM_FIELD(FundingRecord, fee_residual, "fee_residual", kUsd, -6, ""),
};

constexpr FieldSpec kMarkUpdateFields[] = {
    LIQSIM_FIELD(MarkUpdateRecord, time, "time_ns", kNs, 0, ""),
    LIQSIM_FIELD(MarkUpdateRecord, market, "market", "index", 0, ""),
    LIQSIM_FIELD(MarkUpdateRecord, sequence, "sequence", "id", 0, ""),
    LIQSIM_FIELD(MarkUpdateRecord, mark, "mark", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(MarkUpdateRecord, index, "index_price", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(MarkUpdateRecord, oracle, "oracle", kUsdPerCoin, -6, ""),
};

constexpr FieldSpec kAdlFields[] = {
    LIQSIM_FIELD(AdlRecord, time, "time_ns", kNs, 0, ""),
    LIQSIM_FIELD(AdlRecord, liquidation, "liquidation", "id", 0, ""),
    LIQSIM_FIELD(AdlRecord, account, "account", "id", 0, ""),
    LIQSIM_FIELD(AdlRecord, market, "market", "index", 0, ""),
    LIQSIM_FIELD(AdlRecord, quantity, "quantity", kCoin, -8, ""),
    LIQSIM_FIELD(AdlRecord, price, "price", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(AdlRecord, rank_score, "rank_score", "1", 0, ""),
};

constexpr FieldSpec kSocialLossFields[] = {
    LIQSIM_FIELD(SocialLossRecord, time, "time_ns", kNs, 0, ""),
    LIQSIM_FIELD(SocialLossRecord, liquidation, "liquidation", "id", 0, ""),
    LIQSIM_FIELD(SocialLossRecord, account, "account", "id", 0, ""),
    LIQSIM_FIELD(SocialLossRecord, market, "market", "index", 0, ""),
    LIQSIM_FIELD(SocialLossRecord, loss, "loss", kUsd, -6, ""),
    LIQSIM_FIELD(SocialLossRecord, fund_paid, "fund_paid", kUsd, -6, ""),
    LIQSIM_FIELD(SocialLossRecord, socialised, "socialised", kUsd, -6, ""),
    LIQSIM_FIELD(SocialLossRecord, per_coin, "per_coin", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(SocialLossRecord, open_base, "open_base", kCoin, -8, ""),
};

constexpr FieldSpec kKeeperTxFields[] = {
    LIQSIM_FIELD(KeeperTxRecord, submitted, "submitted_ns", kNs, 0, ""),
    LIQSIM_FIELD(KeeperTxRecord, executed, "executed_ns", kNs, 0, ""),
    LIQSIM_FIELD(KeeperTxRecord, keeper, "keeper", "id", 0, ""),
    LIQSIM_FIELD(KeeperTxRecord, account, "account", "id", 0, ""),
    LIQSIM_FIELD(KeeperTxRecord, priority_fee, "priority_fee", kUsd, -6, ""),
    LIQSIM_FIELD(KeeperTxRecord, gas_paid, "gas_paid", kUsd, -6, ""),
    LIQSIM_FIELD(KeeperTxRecord, succeeded, "succeeded", "flag", 0, ""),
    LIQSIM_FIELD(KeeperTxRecord, liquidation, "liquidation", "id", 0, ""),
};

constexpr FieldSpec kKeeperTxQueueFields[] = {
    LIQSIM_FIELD(KeeperTxQueueRecord, ready, "ready_ns", kNs, 0, ""),
    LIQSIM_FIELD(KeeperTxQueueRecord, first_block, "first_block_ns", kNs, 0, ""),
    LIQSIM_FIELD(KeeperTxQueueRecord, executed, "executed_ns", kNs, 0, ""),
    LIQSIM_FIELD(KeeperTxQueueRecord, blocks_waited, "blocks_waited", "count", 0, ""),
    LIQSIM_FIELD(KeeperTxQueueRecord, position, "position", "index", 0, ""),
    LIQSIM_FIELD(KeeperTxQueueRecord, base_fee, "base_fee", kUsd, -6, ""),
};

constexpr FieldSpec kBlockFields[] = {
    LIQSIM_FIELD(BlockRecord, time, "time_ns", kNs, 0, ""),
    LIQSIM_FIELD(BlockRecord, base_fee, "base_fee", kUsd, -6, ""),
    LIQSIM_FIELD(BlockRecord, included, "included", "count", 0, ""),
    LIQSIM_FIELD(BlockRecord, waiting, "waiting", "count", 0, ""),
};

constexpr FieldSpec kAuctionFields[] = {
    LIQSIM_FIELD(AuctionRecord, id, "id", "id", 0, ""),
    LIQSIM_FIELD(AuctionRecord, account, "account", "id", 0, ""),
    LIQSIM_FIELD(AuctionRecord, market, "market", "index", 0, ""),
    LIQSIM_FIELD(AuctionRecord, kind, "kind", "enum", 0, ""),
    LIQSIM_FIELD(AuctionRecord, kicked, "kicked_ns", kNs, 0, ""),
    LIQSIM_FIELD(AuctionRecord, ended, "ended_ns", kNs, 0, ""),
    LIQSIM_FIELD(AuctionRecord, lot, "lot", kCoin, -8, ""),
    LIQSIM_FIELD(AuctionRecord, sold, "sold", kCoin, -8, ""),
    LIQSIM_FIELD(AuctionRecord, returned, "returned", kCoin, -8, ""),
    LIQSIM_FIELD(AuctionRecord, due, "due", kUsd, -6, ""),
    LIQSIM_FIELD(AuctionRecord, tab, "tab", kUsd, -6, ""),
    LIQSIM_FIELD(AuctionRecord, raised, "raised", kUsd, -6, ""),
    LIQSIM_FIELD(AuctionRecord, shortfall, "shortfall", kUsd, -6, ""),
    LIQSIM_FIELD(AuctionRecord, incentive, "incentive", kUsd, -6, ""),
    LIQSIM_FIELD(AuctionRecord, feed, "feed", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(AuctionRecord, winner, "winner", "id", 0, ""),
    LIQSIM_FIELD(AuctionRecord, bids, "bids", "count", 0, ""),
    LIQSIM_FIELD(AuctionRecord, restarts, "restarts", "count", 0, ""),
};

constexpr FieldSpec kAccountFields[] = {
    LIQSIM_FIELD(AccountFinal, account, "account", "id", 0, ""),
    LIQSIM_FIELD(AccountFinal, role, "role", "enum", 0, ""),
    LIQSIM_FIELD(AccountFinal, cross, "cross", "flag", 0, ""),
    LIQSIM_FIELD(AccountFinal, emode, "emode", "flag", 0, "1 for an account in Aave's e-mode"),
    LIQSIM_FIELD(AccountFinal, balance, "balance", kUsd, -6, ""),
    LIQSIM_FIELD(AccountFinal, deposits, "deposits", kUsd, -6, ""),
    LIQSIM_FIELD(AccountFinal, position, "position", kCoin, -8, ""),
    LIQSIM_FIELD(AccountFinal, equity, "equity", kUsd, -6, ""),
    LIQSIM_FIELD(AccountFinal, liquidations, "liquidations", "count", 0, ""),
};

constexpr FieldSpec kAssetFields[] = {
    LIQSIM_FIELD(AssetFinal, asset, "asset", "id", 0, "asset id (root attribute asset_symbols names them)"),
    LIQSIM_FIELD(AssetFinal, decimals, "decimals", "count", 0, "base units per whole unit = 10^decimals"),
    LIQSIM_FIELD(AssetFinal, kind, "kind", "enum", 0,
                 "0 quote, 1 stablecoin, 2 coin, 3 debt share, 4 LP share"),
    LIQSIM_FIELD(AssetFinal, underlying, "underlying", "id", 0, "shares: the asset they claim"),
    LIQSIM_FIELD(AssetFinal, brought_in, "brought_in", "base units", 0, "brought in from outside"),
    LIQSIM_FIELD(AssetFinal, in_places, "in_places", "base units", 0, "held by the protocol places"),
    LIQSIM_FIELD(AssetFinal, residual, "residual", "base units", 0, "sum of all balances (0)"),
};

constexpr FieldSpec kHoldingFields[] = {
    LIQSIM_FIELD(HoldingFinal, account, "account", "id", 0, ""),
    LIQSIM_FIELD(HoldingFinal, asset, "asset", "id", 0, ""),
    LIQSIM_FIELD(HoldingFinal, amount, "amount", "base units", 0, "in the asset's base units"),
};

constexpr FieldSpec kOptionFillFields[] = {
    LIQSIM_FIELD(OptionFillRecord, time, "time_ns", kNs, 0, ""),
    LIQSIM_FIELD(
        OptionFillRecord, liquidation, "liquidation", "id", 0,
        "the option liquidation (option_liquidations.id), -1: a position opened at the mark at time 0"),
    LIQSIM_FIELD(OptionFillRecord, account, "account", "id", 0, "the writer, or the liquidated member"),
    LIQSIM_FIELD(OptionFillRecord, counterparty, "counterparty", "id", 0, "an option market maker"),
    LIQSIM_FIELD(OptionFillRecord, series, "series", "id", 0,
                 "(expiry index x strikes + strike index) x 2 + (0 put, 1 call)"),
    LIQSIM_FIELD(OptionFillRecord, type, "type", "enum", 0, "0 call, 1 put"),
    LIQSIM_FIELD(OptionFillRecord, side, "side", "enum", 0, "the account's side: 0 buy, 1 sell"),
    LIQSIM_FIELD(OptionFillRecord, strike, "strike", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(OptionFillRecord, expiry, "expiry_ns", kNs, 0, "from the start of the run"),
    LIQSIM_FIELD(OptionFillRecord, quantity, "contracts", kCoin, -8,
                 "contracts of one coin of the underlying"),
    LIQSIM_FIELD(OptionFillRecord, price, "price", kUsdPerCoin, -6, "per contract"),
    LIQSIM_FIELD(OptionFillRecord, mark, "mark", kUsdPerCoin, -6, "the series' model mark at the fill"),
    LIQSIM_FIELD(OptionFillRecord, underlying, "underlying", kUsdPerCoin, -6, "the underlying market's mark"),
};

constexpr FieldSpec kOptionLiquidationFields[] = {
    LIQSIM_FIELD(OptionLiquidationRecord, id, "id", "id", 0, ""),
    LIQSIM_FIELD(OptionLiquidationRecord, trigger_time, "trigger_time_ns", kNs, 0,
                 "found below its requirement"),
    LIQSIM_FIELD(OptionLiquidationRecord, time, "time_ns", kNs, 0, "closed (its last fill)"),
    LIQSIM_FIELD(OptionLiquidationRecord, account, "account", "id", 0, ""),
    LIQSIM_FIELD(OptionLiquidationRecord, underlying_at_trigger, "underlying_at_trigger", kUsdPerCoin, -6,
                 ""),
    LIQSIM_FIELD(OptionLiquidationRecord, equity_at_trigger, "equity_at_trigger", kUsd, -6,
                 "at the model marks"),
    LIQSIM_FIELD(OptionLiquidationRecord, requirement_at_trigger, "requirement_at_trigger", kUsd, -6,
                 "the portfolio margin it failed"),
    LIQSIM_FIELD(OptionLiquidationRecord, contracts, "contracts", kCoin, -8, "closed, over every series"),
    LIQSIM_FIELD(OptionLiquidationRecord, gap, "gap", kUsd, -6,
                 "sum over fills of (price - mark) x contracts against the member"),
    LIQSIM_FIELD(OptionLiquidationRecord, equity_after, "equity_after", kUsd, -6,
                 "balance once closed, before the fee"),
    LIQSIM_FIELD(OptionLiquidationRecord, fee, "fee", kUsd, -6, "to the insurance fund"),
    LIQSIM_FIELD(OptionLiquidationRecord, insurance_paid, "insurance_paid", kUsd, -6, "of the shortfall"),
    LIQSIM_FIELD(OptionLiquidationRecord, bad_debt, "bad_debt", kUsd, -6, "of the shortfall"),
};

constexpr FieldSpec kVenueSampleFields[] = {
    LIQSIM_FIELD(VenueSampleRecord, time, "time_ns", kNs, 0, ""),
    LIQSIM_FIELD(VenueSampleRecord, venue, "venue", "id", 0,
                 "perpetual books first (venue = market), then spot"),
    LIQSIM_FIELD(VenueSampleRecord, market, "market", "id", 0, "the market (spot: whose asset it trades)"),
    LIQSIM_FIELD(VenueSampleRecord, kind, "kind", "enum", 0, "0 perpetual, 1 spot"),
    LIQSIM_FIELD(VenueSampleRecord, best_bid, "best_bid", kUsdPerCoin, -6, "0 when empty"),
    LIQSIM_FIELD(VenueSampleRecord, best_ask, "best_ask", kUsdPerCoin, -6, "0 when empty"),
    LIQSIM_FIELD(VenueSampleRecord, price, "price", kUsdPerCoin, -6,
                 "mid, else last trade, else the previous price (what the index reads)"),
    LIQSIM_FIELD(VenueSampleRecord, volume, "volume", kCoin, -8, "traded since the previous sample"),
    LIQSIM_FIELD(VenueSampleRecord, bid_depth, "bid_depth", kCoin, -8,
                 "resting within the depth band below mid"),
    LIQSIM_FIELD(VenueSampleRecord, ask_depth, "ask_depth", kCoin, -8,
                 "resting within the depth band above mid"),
    LIQSIM_FIELD(VenueSampleRecord, bid_depth_half_pct, "bid_depth_0.5pct", kCoin, -8,
                 "resting within 0.5 % below mid"),
    LIQSIM_FIELD(VenueSampleRecord, bid_depth_1pct, "bid_depth_1pct", kCoin, -8,
                 "resting within 1 % below mid"),
    LIQSIM_FIELD(VenueSampleRecord, bid_depth_2pct, "bid_depth_2pct", kCoin, -8,
                 "resting within 2 % below mid"),
    LIQSIM_FIELD(VenueSampleRecord, bid_depth_5pct, "bid_depth_5pct", kCoin, -8,
                 "resting within 5 % below mid"),
    LIQSIM_FIELD(VenueSampleRecord, ask_depth_half_pct, "ask_depth_0.5pct", kCoin, -8,
                 "resting within 0.5 % above mid"),
    LIQSIM_FIELD(VenueSampleRecord, ask_depth_1pct, "ask_depth_1pct", kCoin, -8,
                 "resting within 1 % above mid"),
    LIQSIM_FIELD(VenueSampleRecord, ask_depth_2pct, "ask_depth_2pct", kCoin, -8,
                 "resting within 2 % above mid"),
    LIQSIM_FIELD(VenueSampleRecord, ask_depth_5pct, "ask_depth_5pct", kCoin, -8,
                 "resting within 5 % above mid"),
};

constexpr FieldSpec kCascadeSizeFields[] = {
    LIQSIM_FIELD(CascadeSizeRecord, size, "size", "count", 0, "liquidations in a cascade tree"),
    LIQSIM_FIELD(CascadeSizeRecord, trees, "trees", "count", 0, "trees of that size"),
};

constexpr const char* kSeconds = "s";

// wall_seconds is left out on purpose: it differs between identical runs.
constexpr FieldSpec kSummaryFields[] = {
    LIQSIM_FIELD(RunSummary, events_processed, "events_processed", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, measure_from, "measure_from_ns", kNs, 0, ""),
    LIQSIM_FIELD(RunSummary, reference_min, "reference_min", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(RunSummary, reference_max, "reference_max", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(RunSummary, mark_min, "mark_min", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(RunSummary, mark_max, "mark_max", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(RunSummary, mid_min, "mid_min", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(RunSummary, mid_max, "mid_max", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(RunSummary, initial_price, "initial_price", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(RunSummary, index_min, "index_min", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(RunSummary, index_max, "index_max", kUsdPerCoin, -6, ""),
    LIQSIM_FIELD(RunSummary, spot_min, "spot_min", kUsdPerCoin, -6, "0 without spot venues"),
    LIQSIM_FIELD(RunSummary, max_mark_index_gap, "max_mark_index_gap", "1", 0, ""),
    LIQSIM_FIELD(RunSummary, liquidation_count, "liquidation_count", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, engine_liquidations, "engine_liquidations", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, keeper_liquidations, "keeper_liquidations", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, auction_liquidations, "auction_liquidations", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, liquidated_notional, "liquidated_notional", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, cascade_generations, "cascade_generations", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, largest_cascade, "largest_cascade", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, branching_ratio, "branching_ratio", "1", 0, ""),
    LIQSIM_FIELD(RunSummary, cascade_count, "cascade_count", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, cascade_size_mean, "cascade_size_mean", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, cascade_size_p50, "cascade_size_p50", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, cascade_size_p99, "cascade_size_p99", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, liquidated_episodes, "liquidated_episodes", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, liquidation_delay_mean_seconds, "liquidation_delay_mean_seconds", kSeconds, 0,
                 ""),
    LIQSIM_FIELD(RunSummary, liquidation_delay_p50_seconds, "liquidation_delay_p50_seconds", kSeconds, 0, ""),
    LIQSIM_FIELD(RunSummary, liquidation_delay_p99_seconds, "liquidation_delay_p99_seconds", kSeconds, 0, ""),
    LIQSIM_FIELD(RunSummary, liquidation_delay_max_seconds, "liquidation_delay_max_seconds", kSeconds, 0, ""),
    LIQSIM_FIELD(RunSummary, unliquidated_episodes, "unliquidated_episodes", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, keeper_rewards, "keeper_rewards", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, keeper_gas, "keeper_gas", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, keeper_profit, "keeper_profit", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, keeper_failed_txs, "keeper_failed_txs", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, keeper_failed_gas, "keeper_failed_gas", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, insurance_fund_initial, "insurance_fund_initial", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, insurance_fund_min, "insurance_fund_min", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, insurance_fund_final, "insurance_fund_final", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, adl_count, "adl_count", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, adl_quantity, "adl_quantity", kCoin, -8, ""),
    LIQSIM_FIELD(RunSummary, socialised_loss, "socialised_loss", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, bad_debt, "bad_debt", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, debt_auctions, "debt_auctions", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, debt_auction_raised, "debt_auction_raised", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, mkr_minted, "mkr_minted", "MKR", -8, ""),
    LIQSIM_FIELD(RunSummary, hunter_profit, "hunter_profit", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, unliquidated_underwater_accounts, "unliquidated_underwater_accounts", "count", 0,
                 ""),
    LIQSIM_FIELD(RunSummary, unliquidated_deficit, "unliquidated_deficit", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, liquidatable_unliquidated_accounts, "liquidatable_unliquidated_accounts",
                 "count", 0, ""),
    LIQSIM_FIELD(RunSummary, liquidatable_unliquidated_notional, "liquidatable_unliquidated_notional", kUsd,
                 -6, ""),
    LIQSIM_FIELD(RunSummary, insurance_fund_drawdown, "insurance_fund_drawdown", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, bad_debt_in_window, "bad_debt_in_window", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, protocol_loss, "protocol_loss", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, total_deposits, "total_deposits", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, conservation_residual, "conservation_residual", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, mean_slippage, "mean_slippage", "1", 0, ""),
    LIQSIM_FIELD(RunSummary, accounts, "accounts", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, counterfactual, "counterfactual", "enum", 0, ""),
    LIQSIM_FIELD(RunSummary, endogenous_liquidations, "endogenous_liquidations", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, amplification_mark_trough_pp, "amplification_mark_trough_pp", "pp", 0, ""),
    LIQSIM_FIELD(RunSummary, amplification_index_trough_pp, "amplification_index_trough_pp", "pp", 0, ""),
    LIQSIM_FIELD(RunSummary, amplification_spot_trough_pp, "amplification_spot_trough_pp", "pp", 0,
                 "0 without spot venues"),
    LIQSIM_FIELD(RunSummary, amplification_liquidations, "amplification_liquidations", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, amplification_liquidated_notional, "amplification_liquidated_notional", kUsd, -6,
                 ""),
    LIQSIM_FIELD(RunSummary, amplification_protocol_loss, "amplification_protocol_loss", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, amplification_bad_debt, "amplification_bad_debt", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, slippage_p50, "slippage_p50", "1", 0, ""),
    LIQSIM_FIELD(RunSummary, option_liquidations, "option_liquidations", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, option_liquidation_fills, "option_liquidation_fills", "count", 0, ""),
    LIQSIM_FIELD(RunSummary, option_gap_p50, "option_gap_p50", "1", 0, ""),
    LIQSIM_FIELD(RunSummary, option_gap_p90, "option_gap_p90", "1", 0, ""),
    LIQSIM_FIELD(RunSummary, option_gap, "option_gap", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, option_gap_loss_share, "option_gap_loss_share", "1", 0, ""),
    LIQSIM_FIELD(RunSummary, option_shortfall, "option_shortfall", kUsd, -6, ""),
    LIQSIM_FIELD(RunSummary, option_gap_shortfall_share, "option_gap_shortfall_share", "1", 0, ""),
};

#undef LIQSIM_FIELD

std::string read_string_attribute(hid_t object, const char* name) {
  const std::string what = std::string("reading attribute '") + name + "'";
  Hid attribute = make_hid(H5Aopen(object, name, H5P_DEFAULT), what);
  Hid file_type = make_hid(H5Aget_type(attribute.get()), what);
  if (H5Tget_class(file_type.get()) != H5T_STRING) throw Hdf5Error(what + ": not a string");
  Hid space = make_hid(H5Aget_space(attribute.get()), what);
  if (H5Sget_simple_extent_npoints(space.get()) != 1) throw Hdf5Error(what + ": not a single string");
  if (H5Tis_variable_str(file_type.get()) > 0) {
    Hid memory_type = make_hid(H5Tcopy(H5T_C_S1), what);
    check_call(H5Tset_size(memory_type.get(), H5T_VARIABLE), what);
    check_call(H5Tset_cset(memory_type.get(), H5Tget_cset(file_type.get())), what);
    char* text = nullptr;
    check_call(H5Aread(attribute.get(), memory_type.get(), &text), what);
    std::string out = text != nullptr ? text : "";
    H5free_memory(text);
    return out;
  }
  std::string out(H5Tget_size(file_type.get()), '\0');
  check_call(H5Aread(attribute.get(), file_type.get(), out.data()), what);
  out.resize(std::strlen(out.c_str()));
  return out;
}

void read_scalar_attribute(hid_t object, const char* name, hid_t memory_type, void* out) {
  const std::string what = std::string("reading attribute '") + name + "'";
  Hid attribute = make_hid(H5Aopen(object, name, H5P_DEFAULT), what);
  Hid space = make_hid(H5Aget_space(attribute.get()), what);
  if (H5Sget_simple_extent_npoints(space.get()) != 1) throw Hdf5Error(what + ": not a single value");
  check_call(H5Aread(attribute.get(), memory_type, out), what);
}

// Length of a 1-D dataset.
size_t dataset_rows(hid_t dataset, const std::string& what) {
  Hid space = make_hid(H5Dget_space(dataset), what);
  if (H5Sget_simple_extent_ndims(space.get()) != 1) throw Hdf5Error(what + ": not one-dimensional");
  hsize_t rows = 0;
  check_call(H5Sget_simple_extent_dims(space.get(), &rows, nullptr), what);
  return static_cast<size_t>(rows);
}

template <class Record>
std::vector<Record> read_table(hid_t file, const TableSpec& spec) {
  static_assert(std::is_trivially_copyable_v<Record>);
  const std::string path =
      std::string(spec.group) + (std::strcmp(spec.group, "/") == 0 ? "" : "/") + spec.name;
  const std::string what = "reading " + path;
  if (spec.record_size != sizeof(Record)) throw Hdf5Error(what + ": schema does not match the record type");
  Hid dataset = make_hid(H5Dopen2(file, path.c_str(), H5P_DEFAULT), what);
  Hid file_type = make_hid(H5Dget_type(dataset.get()), what);
  if (H5Tget_class(file_type.get()) != H5T_COMPOUND) throw Hdf5Error(what + ": not a compound dataset");
  Hid memory_type = make_hid(H5Tcreate(H5T_COMPOUND, sizeof(Record)), what);
  for (const FieldSpec& field : spec.fields) {
    if (H5Tget_member_index(file_type.get(), field.name) < 0) {
      throw Hdf5Error(what + ": missing field '" + field.name + "'");
    }
    check_call(H5Tinsert(memory_type.get(), field.name, field.offset, native_type(field.type)), what);
  }
  std::vector<Record> rows(dataset_rows(dataset.get(), what));
  if (!rows.empty()) {
    check_call(H5Dread(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), what);
  }
  return rows;
}

std::vector<TimeseriesRow> read_timeseries(hid_t file) {
  std::vector<TimeseriesRow> rows;
  bool first = true;
  for (const FieldSpec& field : run_file_schema::timeseries()) {
    const std::string path = std::string("/timeseries/") + field.name;
    const std::string what = "reading " + path;
    Hid dataset = make_hid(H5Dopen2(file, path.c_str(), H5P_DEFAULT), what);
    const size_t n = dataset_rows(dataset.get(), what);
    if (first) {
      rows.resize(n);
      first = false;
    } else if (n != rows.size()) {
      throw Hdf5Error(what + ": length differs from /timeseries/time_ns");
    }
    std::vector<int64_t> column(n);
    if (n > 0) {
      check_call(H5Dread(dataset.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, column.data()),
                 what);
    }
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(reinterpret_cast<char*>(&rows[i]) + field.offset, &column[i], sizeof(int64_t));
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4)

class Sha256 {
 public:
  void update(const void* data, size_t size) {
    const auto* bytes = static_cast<const uint8_t*>(data);
    length_ += size;
    while (size > 0) {
      const size_t take = std::min(size, buffer_.size() - buffered_);
      std::memcpy(buffer_.data() + buffered_, bytes, take);
      buffered_ += take;
      bytes += take;
      size -= take;
      if (buffered_ == buffer_.size()) {
        compress(buffer_.data());
        buffered_ = 0;
      }
    }
  }

  std::string hex_digest() {
    const uint64_t bits = length_ * 8;
    const uint8_t one = 0x80;
    update(&one, 1);
    const uint8_t zero = 0;
    while (buffered_ != 56) update(&zero, 1);
    uint8_t length_bytes[8];
    for (int i = 0; i < 8; ++i) length_bytes[i] = uint8_t(bits >> (56 - 8 * i));
    update(length_bytes, 8);
    std::string hex;
    char digits[9];
    for (uint32_t word : state_) {
      std::snprintf(digits, sizeof(digits), "%08x", word);
      hex += digits;
    }
    return hex;
  }

 private:
  static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

  void compress(const uint8_t* block) {
    static constexpr uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      w[i] = uint32_t(block[4 * i]) << 24 | uint32_t(block[4 * i + 1]) << 16 |
             uint32_t(block[4 * i + 2]) << 8 | uint32_t(block[4 * i + 3]);
    }
    for (int i = 16; i < 64; ++i) {
      const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    for (int i = 0; i < 64; ++i) {
      const uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      const uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
    state_[5] += f;
    state_[6] += g;
    state_[7] += h;
  }

  std::array<uint32_t, 8> state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;
};

// ---------------------------------------------------------------------------------------------------
// Digest of a file's content

// Feeds length-prefixed items, so that no two different sequences of items hash the same bytes.
class DigestWriter {
 public:
  void bytes(const void* data, size_t size) {
    number(size);
    sha_.update(data, size);
  }
  void text(const std::string& s) { bytes(s.data(), s.size()); }
  void number(uint64_t n) {
    uint8_t le[8];
    for (int i = 0; i < 8; ++i) le[i] = uint8_t(n >> (8 * i));
    sha_.update(le, sizeof(le));
  }
  std::string finish() { return sha_.hex_digest(); }

 private:
  Sha256 sha_;
};

void digest_type(DigestWriter& out, hid_t type, const std::string& what) {
  size_t size = 0;
  check_call(H5Tencode(type, nullptr, &size), what);
  std::vector<unsigned char> encoded(size);
  check_call(H5Tencode(type, encoded.data(), &size), what);
  out.bytes(encoded.data(), encoded.size());
}

std::vector<hsize_t> extent(hid_t space, const std::string& what) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) throw_hdf5_error(what);
  std::vector<hsize_t> dims(rank);
  if (rank > 0) check_call(H5Sget_simple_extent_dims(space, dims.data(), nullptr), what);
  return dims;
}

bool holds_pointers(hid_t type) {
  return H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tdetect_class(type, H5T_REFERENCE) > 0 ||
         (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0);
}

herr_t collect_attribute_name(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

void digest_attributes(DigestWriter& out, hid_t object, const std::string& path) {
  std::vector<std::string> names;
  check_call(H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attribute_name, &names),
             "listing attributes of " + path);
  out.number(names.size());
  for (const std::string& name : names) {
    const std::string what = "reading attribute '" + name + "' of " + path;
    out.text(name);
    Hid attribute = make_hid(H5Aopen(object, name.c_str(), H5P_DEFAULT), what);
    Hid type = make_hid(H5Aget_type(attribute.get()), what);
    if (H5Tget_class(type.get()) == H5T_STRING) {
      out.text("string");
      out.text(read_string_attribute(object, name.c_str()));
      continue;
    }
    if (holds_pointers(type.get())) throw Hdf5Error(what + ": variable-length values are not supported");
    digest_type(out, type.get(), what);
    Hid space = make_hid(H5Aget_space(attribute.get()), what);
    for (hsize_t d : extent(space.get(), what)) out.number(d);
    const hssize_t points = H5Sget_simple_extent_npoints(space.get());
    std::vector<unsigned char> raw(size_t(points) * H5Tget_size(type.get()));
    if (!raw.empty()) check_call(H5Aread(attribute.get(), type.get(), raw.data()), what);
    out.bytes(raw.data(), raw.size());
  }
}

void digest_dataset(DigestWriter& out, hid_t dataset, const std::string& path) {
  const std::string what = "reading " + path;
  out.text("dataset");
  out.text(path);
  Hid type = make_hid(H5Dget_type(dataset), what);
  if (holds_pointers(type.get())) throw Hdf5Error(what + ": variable-length values are not supported");
  digest_type(out, type.get(), what);
  Hid file_space = make_hid(H5Dget_space(dataset), what);
  const std::vector<hsize_t> dims = extent(file_space.get(), what);
  out.number(dims.size());
  for (hsize_t d : dims) out.number(d);
  const size_t element = H5Tget_size(type.get());
  const hssize_t points = H5Sget_simple_extent_npoints(file_space.get());
  out.number(uint64_t(points));
  if (points > 0 && dims.size() != 1) {
    std::vector<unsigned char> raw(size_t(points) * element);
    check_call(H5Dread(dataset, type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), what);
    out.bytes(raw.data(), raw.size());
  } else if (points > 0) {
    // One-dimensional tables can be long: read them in slabs.
    constexpr hsize_t kSlab = 65536;
    std::vector<unsigned char> raw(size_t(std::min<hsize_t>(kSlab, dims[0])) * element);
    for (hsize_t start = 0; start < dims[0]; start += kSlab) {
      const hsize_t count = std::min(kSlab, dims[0] - start);
      check_call(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr),
                 what);
      Hid memory_space = make_hid(H5Screate_simple(1, &count, nullptr), what);
      check_call(H5Dread(dataset, type.get(), memory_space.get(), file_space.get(), H5P_DEFAULT, raw.data()),
                 what);
      out.bytes(raw.data(), size_t(count) * element);
    }
  }
  digest_attributes(out, dataset, path);
}

herr_t collect_link_name(hid_t, const char* name, const H5L_info_t* info, void* data) {
  if (info->type != H5L_TYPE_HARD) return -1;  // soft and external links are not part of the schema
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

void digest_group(DigestWriter& out, hid_t group, const std::string& path) {
  out.text("group");
  out.text(path);
  digest_attributes(out, group, path);
  std::vector<std::string> names;
  check_call(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_link_name, &names),
             "listing " + path + " (only hard links are supported)");
  out.number(names.size());
  for (const std::string& name : names) {
    const std::string child_path = (path == "/" ? "/" : path + "/") + name;
    Hid object = make_hid(H5Oopen(group, name.c_str(), H5P_DEFAULT), "opening " + child_path);
    switch (H5Iget_type(object.get())) {
      case H5I_GROUP:
        digest_group(out, object.get(), child_path);
        break;
      case H5I_DATASET:
        digest_dataset(out, object.get(), child_path);
        break;
      default:
        throw Hdf5Error("digesting " + child_path + ": not a group or a dataset");
    }
  }
}

}  // namespace

namespace run_file_schema {

std::span<const FieldSpec> timeseries() { return kTimeseriesFields; }

TableSpec liquidations() {
  return {"/events", "liquidations", "liquidations in the order they happened, with their cascade generation",
          sizeof(LiquidationRow), kLiquidationFields};
}
TableSpec trades() {
  return {"/events", "trades", "every fill of the order book", sizeof(TradeRecord), kTradeFields};
}
TableSpec funding() {
  return {"/events", "funding", "funding payments, one per market and interval", sizeof(FundingRecord),
          kFundingFields};
}
TableSpec mark_updates() {
  return {"/events", "mark_updates", "every mark update of every market (liquidations point here)",
          sizeof(MarkUpdateRecord), kMarkUpdateFields};
}
TableSpec adl() {
  return {"/events", "adl", "auto-deleveraging of counterparties", sizeof(AdlRecord), kAdlFields};
}
TableSpec social_losses() {
  return {"/events", "social_losses",
          "bankrupt accounts' losses beyond the insurance fund charged to every open position (Drift)",
          sizeof(SocialLossRecord), kSocialLossFields};
}
TableSpec keeper_txs() {
  return {"/events", "keeper_txs", "keeper liquidation transactions", sizeof(KeeperTxRecord),
          kKeeperTxFields};
}
TableSpec keeper_tx_queue() {
  return {"/events", "keeper_tx_queue",
          "how each keeper transaction queued for block space (row i: row i of keeper_txs)",
          sizeof(KeeperTxQueueRecord), kKeeperTxQueueFields};
}
TableSpec blocks() {
  return {"/events", "blocks", "every block that had keeper transactions to include", sizeof(BlockRecord),
          kBlockFields};
}
TableSpec auctions() {
  return {"/events", "auctions", "every collateral auction that ended (Maker Clipper / Flipper)",
          sizeof(AuctionRecord), kAuctionFields};
}
TableSpec assets() {
  return {"/", "assets", "every asset of the ledger: scale and where its units are", sizeof(AssetFinal),
          kAssetFields};
}
TableSpec holdings() {
  return {"/", "holdings", "non-zero balances of non-quote assets at the end of the run",
          sizeof(HoldingFinal), kHoldingFields};
}
TableSpec accounts() {
  return {"/", "accounts", "every account at the end of the run", sizeof(AccountFinal), kAccountFields};
}
TableSpec cascade_sizes() {
  return {"/", "cascade_sizes", "cascade trees of the measurement window: how many of each size",
          sizeof(CascadeSizeRecord), kCascadeSizeFields};
}
TableSpec venue_timeseries() {
  return {"/", "venue_timeseries", "every venue (perpetual books and spot venues) at every record time",
          sizeof(VenueSampleRecord), kVenueSampleFields};
}
TableSpec option_fills() {
  return {"/events", "option_fills", "option trades: positions opened at the model mark, liquidation fills",
          sizeof(OptionFillRecord), kOptionFillFields};
}
TableSpec option_liquidations() {
  return {"/events", "option_liquidations", "every option portfolio liquidation, when it closed",
          sizeof(OptionLiquidationRecord), kOptionLiquidationFields};
}
std::span<const FieldSpec> summary() { return kSummaryFields; }
std::vector<TableSpec> tables() {
  return {liquidations(),
          trades(),
          funding(),
          mark_updates(),
          adl(),
          social_losses(),
          keeper_txs(),
          keeper_tx_queue(),
          blocks(),
          auctions(),
          venue_timeseries(),
          cascade_sizes(),
          option_fills(),
          option_liquidations(),
          assets(),
          holdings(),
          accounts()};
}

std::string field_units(std::span<const FieldSpec> fields) {
  std::string out;
  for (const FieldSpec& field : fields) {
    if (!out.empty()) out += "; ";
    out += field.name;
    out += ": ";
    out += field.units;
    if (field.scale_exponent != 0) out += "*1e" + std::to_string(field.scale_exponent);
  }
  return out;
}

double scale_of(const FieldSpec& field) {
  // 10^|e| is exact in a double up to 1e22, and one division rounds correctly: 1e-6 is the double 1e-6.
  double power = 1;
  for (int i = 0; i < std::abs(field.scale_exponent); ++i) power *= 10;
  return field.scale_exponent < 0 ? 1 / power : power;
}

}  // namespace run_file_schema

std::variant<RunFile, std::string> read_run_file(const std::string& path) {
  QuietHdf5Errors quiet;
  try {
    Hid file = make_hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening the file");
    const hid_t root = file.get();
    RunFile run;
    read_scalar_attribute(root, "schema_version", H5T_NATIVE_INT, &run.metadata.schema_version);
    if (run.metadata.schema_version != kRunFileSchemaVersion) {
      return "run file '" + path + "' has schema_version " + std::to_string(run.metadata.schema_version) +
             "; this reader knows " + std::to_string(kRunFileSchemaVersion);
    }
    run.metadata.liqsim_version = read_string_attribute(root, "liqsim_version");
    read_scalar_attribute(root, "seed", H5T_NATIVE_UINT64, &run.metadata.seed);
    run.metadata.scenario_name = read_string_attribute(root, "scenario_name");
    run.metadata.scenario_toml = read_string_attribute(root, "scenario_toml");
    run.metadata.mechanism = read_string_attribute(root, "mechanism");
    run.metadata.same_time_order = read_string_attribute(root, "same_time_order");
    run.metadata.asset_symbols = read_string_attribute(root, "asset_symbols");
    // Attributes added within schema 2: absent in older files.
    if (H5Aexists(root, "liqsim_commit") > 0)
      run.liqsim_commit = read_string_attribute(root, "liqsim_commit");
    if (H5Aexists(root, "replay_start_seconds") > 0) {
      double start = 0;
      read_scalar_attribute(root, "replay_start_seconds", H5T_NATIVE_DOUBLE, &start);
      run.metadata.replay_start_seconds = start;
    }

    run.log.timeseries = read_timeseries(root);
    const std::vector<LiquidationRow> liquidations =
        read_table<LiquidationRow>(root, run_file_schema::liquidations());
    run.log.liquidations.reserve(liquidations.size());
    run.generation.reserve(liquidations.size());
    for (const LiquidationRow& row : liquidations) {
      run.log.liquidations.push_back(row.record);
      run.generation.push_back(row.generation);
    }
    run.log.trades = read_table<TradeRecord>(root, run_file_schema::trades());
    run.log.funding = read_table<FundingRecord>(root, run_file_schema::funding());
    run.log.mark_updates = read_table<MarkUpdateRecord>(root, run_file_schema::mark_updates());
    run.log.adl = read_table<AdlRecord>(root, run_file_schema::adl());
    run.log.social_losses = read_table<SocialLossRecord>(root, run_file_schema::social_losses());
    run.log.keeper_txs = read_table<KeeperTxRecord>(root, run_file_schema::keeper_txs());
    run.log.keeper_tx_queue = read_table<KeeperTxQueueRecord>(root, run_file_schema::keeper_tx_queue());
    run.log.blocks = read_table<BlockRecord>(root, run_file_schema::blocks());
    run.log.auctions = read_table<AuctionRecord>(root, run_file_schema::auctions());
    run.log.assets = read_table<AssetFinal>(root, run_file_schema::assets());
    run.log.cascade_sizes = read_table<CascadeSizeRecord>(root, run_file_schema::cascade_sizes());
    run.log.venue_samples = read_table<VenueSampleRecord>(root, run_file_schema::venue_timeseries());
    run.log.holdings = read_table<HoldingFinal>(root, run_file_schema::holdings());
    run.log.option_fills = read_table<OptionFillRecord>(root, run_file_schema::option_fills());
    run.log.option_liquidations =
        read_table<OptionLiquidationRecord>(root, run_file_schema::option_liquidations());
    run.log.accounts = read_table<AccountFinal>(root, run_file_schema::accounts());

    Hid summary = make_hid(H5Gopen2(root, "/summary", H5P_DEFAULT), "opening /summary");
    for (const FieldSpec& field : run_file_schema::summary()) {
      read_scalar_attribute(summary.get(), field.name, native_type(field.type),
                            reinterpret_cast<char*>(&run.summary) + field.offset);
    }
    // The impact-free twin's summary, in runs measured against it (liqsim run --counterfactual).
    if (H5Lexists(root, "counterfactual", H5P_DEFAULT) > 0) {
      Hid twin =
          make_hid(H5Gopen2(root, "/counterfactual/summary", H5P_DEFAULT), "opening /counterfactual/summary");
      RunSummary& out = run.counterfactual_summary.emplace();
      for (const FieldSpec& field : run_file_schema::summary()) {
        read_scalar_attribute(twin.get(), field.name, native_type(field.type),
                              reinterpret_cast<char*>(&out) + field.offset);
      }
    }
    return run;
  } catch (const Hdf5Error& e) {
    return "cannot read run file '" + path + "': " + e.what();
  }
}

namespace {

// /cascade_sizes as a list of sizes, one per cascade: an integer column, the integer field `size` of a
// compound table, or the table liqsim writes (schema 3: `size` and `trees`, how many cascades of that
// size), expanded.
std::optional<std::vector<uint64_t>> read_cascade_sizes(hid_t file) {
  if (H5Lexists(file, "cascade_sizes", H5P_DEFAULT) <= 0) return std::nullopt;
  const std::string what = "reading /cascade_sizes";
  Hid dataset = make_hid(H5Dopen2(file, "cascade_sizes", H5P_DEFAULT), what);
  Hid type = make_hid(H5Dget_type(dataset.get()), what);
  const size_t rows = dataset_rows(dataset.get(), what);
  std::vector<uint64_t> sizes(rows);
  if (H5Tget_class(type.get()) == H5T_INTEGER) {
    if (rows > 0)
      check_call(H5Dread(dataset.get(), H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, sizes.data()),
                 what);
    return sizes;
  }
  if (H5Tget_class(type.get()) != H5T_COMPOUND || H5Tget_member_index(type.get(), "size") < 0) {
    throw Hdf5Error(what + ": neither an integer column nor a table with a field 'size'");
  }
  Hid memory = make_hid(H5Tcreate(H5T_COMPOUND, sizeof(uint64_t)), what);
  check_call(H5Tinsert(memory.get(), "size", 0, H5T_NATIVE_UINT64), what);
  if (rows > 0)
    check_call(H5Dread(dataset.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, sizes.data()), what);
  if (H5Tget_member_index(type.get(), "trees") < 0) return sizes;
  std::vector<uint64_t> trees(rows);
  Hid trees_memory = make_hid(H5Tcreate(H5T_COMPOUND, sizeof(uint64_t)), what);
  check_call(H5Tinsert(trees_memory.get(), "trees", 0, H5T_NATIVE_UINT64), what);
  if (rows > 0)
    check_call(H5Dread(dataset.get(), trees_memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, trees.data()), what);
  std::vector<uint64_t> expanded;
  for (size_t i = 0; i < rows; ++i) expanded.insert(expanded.end(), trees[i], sizes[i]);
  return expanded;
}

}  // namespace

std::variant<LiqsimFileInfo, std::string> read_file_info(const std::string& path) {
  QuietHdf5Errors quiet;
  std::FILE* probe = std::fopen(path.c_str(), "rb");
  if (probe == nullptr) return "cannot open '" + path + "': " + std::strerror(errno);
  std::fclose(probe);
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    return "'" + path +
           "' is not an HDF5 file; expected a liqsim run file (liqsim run) or sweep file (liqsim sweep)";
  }
  try {
    Hid file = make_hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening the file");
    const hid_t root = file.get();
    LiqsimFileInfo info;
    const bool run = H5Aexists(root, "scenario_toml") > 0 && H5Lexists(root, "summary", H5P_DEFAULT) > 0;
    const bool sweep = H5Aexists(root, "plan_digest") > 0 && H5Lexists(root, "metrics", H5P_DEFAULT) > 0;
    if (run == sweep || H5Aexists(root, "schema_version") <= 0 || H5Aexists(root, "liqsim_version") <= 0) {
      return "'" + path +
             "' is an HDF5 file but not a liqsim file: a run file has the root attribute scenario_toml and "
             "/summary, a sweep file plan_digest and /metrics";
    }
    info.kind = run ? LiqsimFileKind::Run : LiqsimFileKind::Sweep;
    read_scalar_attribute(root, "schema_version", H5T_NATIVE_INT, &info.schema_version);
    info.liqsim_version = read_string_attribute(root, "liqsim_version");
    if (H5Aexists(root, "liqsim_commit") > 0)
      info.liqsim_commit = read_string_attribute(root, "liqsim_commit");
    const char* table = run ? "summary" : "metrics";
    Hid object = make_hid(H5Oopen(root, table, H5P_DEFAULT), std::string("opening /") + table);
    info.field_units = read_string_attribute(object.get(), "field_units");
    if (run) info.cascade_sizes = read_cascade_sizes(root);
    return info;
  } catch (const Hdf5Error& e) {
    return "cannot read '" + path + "': " + e.what();
  }
}

std::variant<std::string, std::string> dataset_digest(const std::string& path) {
  QuietHdf5Errors quiet;
  try {
    Hid file = make_hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening the file");
    Hid root = make_hid(H5Gopen2(file.get(), "/", H5P_DEFAULT), "opening /");
    DigestWriter out;
    digest_group(out, root.get(), "/");
    return std::variant<std::string, std::string>(std::in_place_index<0>, out.finish());
  } catch (const Hdf5Error& e) {
    return std::variant<std::string, std::string>(std::in_place_index<1>,
                                                  "cannot digest run file '" + path + "': " + e.what());
  }
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 sha;
  sha.update(bytes.data(), bytes.size());
  return sha.hex_digest();
}

}  // namespace liqsim
