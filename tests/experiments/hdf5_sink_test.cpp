#include "experiments/hdf5_sink.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "analysis/cascade.h"
#include "analysis/run_file.h"

namespace liqsim {
namespace {

namespace fs = std::filesystem;

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> folder_entries(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

RunMetadata sample_metadata(uint64_t seed) {
  RunMetadata m;
  m.liqsim_version = "0.1.0-test";
  m.seed = seed;
  m.scenario_name = "tiny cascade";
  m.scenario_toml = "[scenario]\nname = \"tiny cascade\"\n# unicode survives: \xc3\xa9\xe2\x82\xac\n";
  m.mechanism = "keeper";
  m.same_time_order = "priority_fee";
  return m;
}

// Every field of every record distinct and non-default, negatives included.
RunLog sample_log() {
  RunLog log;
  for (int64_t i = 0; i < 5; ++i) {
    TimeseriesRow r;
    r.time = seconds(60 * i);
    r.reference = Price(30'000'000'000 - 1000 * i);
    r.index = Price(30'000'000'001 - 1000 * i);
    r.oracle = Price(30'000'000'002 - 1000 * i);
    r.mark = Price(30'000'000'003 - 1000 * i);
    r.mid = Price(i == 2 ? 0 : 30'000'000'004 - 1000 * i);
    r.last = Price(30'000'000'005 - 1000 * i);
    r.insurance_fund = Amount(1'000'000'000 - 7 * i);
    r.open_interest = Quantity(500'000'000 + 11 * i);
    r.bad_debt = Amount(13 * i);
    r.bid_depth = Quantity(200'000'000 + 17 * i);
    r.ask_depth = Quantity(300'000'000 + 19 * i);
    r.funding_rate = Ratio(-100'000 + 23 * i);
    r.base_fee = Amount(2'000'000 + 29 * i);
    r.keeper_txs_queued = 31 + i;
    log.on_timeseries(r);
  }
  const int64_t causes[] = {kNoId, 0, 1, kNoId};
  for (int64_t i = 0; i < 4; ++i) {
    LiquidationRecord r;
    r.id = i;
    r.time = seconds(100) + Time(i);
    r.account = uint32_t(10 + i);
    r.market = 0;
    r.quantity = Quantity(i % 2 == 0 ? 12'345'678 : -87'654'321);
    r.mark = Price(29'000'000'000 - i);
    r.price = Price(28'900'000'000 - i);
    r.mechanism = i % 2 == 0 ? LiquidationMechanismKind::Keeper : LiquidationMechanismKind::Engine;
    r.keeper = i % 2 == 0 ? 3 : kNoId;
    r.reward = Amount(i % 2 == 0 ? 4'500'000 : 0);
    r.mark_update = 70 + i;
    r.cause = causes[i];
    log.on_liquidation(r);
  }
  for (int64_t i = 0; i < 3; ++i) {
    TradeRecord r;
    r.time = seconds(100) + Time(i);
    r.market = uint32_t(i);
    r.price = Price(28'950'000'000 + i);
    r.quantity = Quantity(1'000 + i);
    r.buyer = 20 + i;
    r.seller = 30 + i;
    r.aggressor_is_buy = uint8_t(i % 2);
    r.liquidation = i == 1 ? kNoId : i;
    log.on_trade(r);
  }
  for (int64_t i = 0; i < 2; ++i) {
    FundingRecord r;
    r.time = seconds(3600 * (i + 1));
    r.market = uint32_t(i);
    r.rate = Ratio(i == 0 ? 125'000 : -50'000);
    r.mark = Price(29'500'000'000 + i);
    r.paid_by_longs = Amount(i == 0 ? 1'234'567 : -7'654'321);
    r.fee_residual = Amount(1 + i);
    log.on_funding(r);
  }
  for (int i = 0; i < 3; ++i) {
    MarkUpdateRecord r;
    r.time = seconds(i + 1);
    r.market = uint32_t(i % 2);
    r.sequence = i / 2;
    r.mark = Price(29'500'000'000 - 7 * i);
    r.index = Price(29'400'000'000 + 11 * i);
    r.oracle = Price(29'300'000'000 + 13 * i);
    log.on_mark_update(r);
  }
  {
    AdlRecord r;
    r.time = seconds(101);
    r.liquidation = 2;
    r.account = 44;
    r.market = 1;
    r.quantity = Quantity(-5'000'000);
    r.price = Price(27'000'000'000);
    r.rank_score = 1.25;
    log.on_adl(r);
  }
  {
    SocialLossRecord r;
    r.time = seconds(102);
    r.liquidation = 3;
    r.account = 45;
    r.market = 1;
    r.loss = Amount(1'000'000'001);
    r.fund_paid = Amount(400'000'000);
    r.socialised = Amount(600'000'003);
    r.per_coin = Price(3'000'001);
    r.open_base = Quantity(20'000'000'000);
    log.on_social_loss(r);
  }
  for (uint32_t v = 0; v < 3; ++v) {
    VenueSampleRecord r;
    r.time = Time(10 + v);
    r.venue = v;
    r.market = 0;
    r.kind = v > 0 ? 1 : 0;
    r.best_bid = Price(59'999'000'000 - v);
    r.best_ask = Price(60'001'000'000 + v);
    r.price = Price(60'000'000'000 + v);
    r.volume = Quantity(123'456 + v);
    r.bid_depth = Quantity(5'000'000'000 + v);
    r.ask_depth = Quantity(6'000'000'000 + v);
    r.bid_depth_half_pct = Quantity(1'000'000'000 + 10 * v + 0);
    r.bid_depth_1pct = Quantity(2'000'000'000 + 10 * v + 1);
    r.bid_depth_2pct = Quantity(3'000'000'000 + 10 * v + 2);
    r.bid_depth_5pct = Quantity(4'000'000'000 + 10 * v + 3);
    r.ask_depth_half_pct = Quantity(5'000'000'000 + 10 * v + 4);
    r.ask_depth_1pct = Quantity(6'000'000'000 + 10 * v + 5);
    r.ask_depth_2pct = Quantity(7'000'000'000 + 10 * v + 6);
    r.ask_depth_5pct = Quantity(8'000'000'000 + 10 * v + 7);
    log.on_venue_sample(r);
  }
  log.on_cascade_size(CascadeSizeRecord{1, 5});
  log.on_cascade_size(CascadeSizeRecord{3, 2});
  for (int64_t i = 0; i < 2; ++i) {
    KeeperTxRecord r;
    r.submitted = seconds(100) + Time(i);
    r.executed = seconds(112) + Time(i);
    r.keeper = uint32_t(3 + i);
    r.account = uint32_t(10 + 2 * i);
    r.priority_fee = 250'000 + uint64_t(i);
    r.gas_paid = Amount(1'800'000 + i);
    r.succeeded = uint8_t(i == 0);
    r.liquidation = i == 0 ? 0 : kNoId;
    log.on_keeper_tx(r);
    KeeperTxQueueRecord q;
    q.ready = seconds(101) + Time(i);
    q.first_block = seconds(102) + Time(i);
    q.executed = seconds(112) + Time(i);
    q.blocks_waited = uint32_t(5 + i);
    q.position = uint32_t(7 + i);
    q.base_fee = Amount(1'300'000 + i);
    log.on_keeper_tx_queue(q);
  }
  for (int64_t i = 0; i < 3; ++i) {
    BlockRecord b;
    b.time = seconds(12 * (i + 1));
    b.base_fee = Amount(1'500'000 + 3 * i);
    b.included = uint32_t(2 + i);
    b.waiting = uint32_t(9 - i);
    log.on_block(b);
  }
  for (uint32_t i = 0; i < 3; ++i) {
    AccountFinal a;
    a.account = i;
    a.role = uint8_t(i + 1);
    a.cross = uint8_t(i % 2);
    a.balance = Amount(-1'000 + int64_t(i));
    a.deposits = Amount(10'000'000'000 + int64_t(i));
    a.position = Quantity(i == 1 ? -250'000'000 : 250'000'000);
    a.equity = Amount(9'000'000'000 - int64_t(i));
    a.liquidations = i;
    log.accounts.push_back(a);
  }
  for (uint32_t i = 0; i < 2; ++i) {
    OptionFillRecord f;
    f.time = Time(3'600'000'000'000 + i);
    f.liquidation = i == 0 ? kNoId : 0;
    f.account = 7 + i;
    f.counterparty = 5;
    f.series = 3 + i;
    f.type = uint8_t(i);
    f.side = uint8_t(1 - i);
    f.strike = Price(54'000'000'000);
    f.expiry = Time(604'800'000'000'000);
    f.quantity = Quantity(123'456'789 + i);
    f.price = Price(2'270'630'000 + i);
    f.mark = Price(2'166'265'730 - i);
    f.underlying = Price(59'106'200'427);
    log.on_option_fill(f);
  }
  OptionLiquidationRecord ol;
  ol.id = 0;
  ol.trigger_time = Time(3'600'000'000'001);
  ol.time = Time(3'610'000'000'000);
  ol.account = 8;
  ol.underlying_at_trigger = Price(59'000'000'000);
  ol.equity_at_trigger = Amount(50'711'532'313);
  ol.requirement_at_trigger = Amount(50'795'657'643);
  ol.contracts = Quantity(761'000'000);
  ol.gap = Amount(794'212'096);
  ol.equity_after = Amount(49'917'320'218);
  ol.fee = Amount(449'798'186);
  ol.insurance_paid = Amount(12);
  ol.bad_debt = Amount(3);
  log.on_option_liquidation(ol);
  return log;
}

RunSummary sample_summary() {
  RunSummary s;
  s.events_processed = 123'456;
  s.wall_seconds = 3.5;
  s.measure_from = seconds(60);
  s.reference_min = Price(27'000'000'000);
  s.reference_max = Price(31'000'000'000);
  s.mark_min = Price(27'100'000'000);
  s.mark_max = Price(31'100'000'000);
  s.mid_min = Price(27'200'000'000);
  s.mid_max = Price(31'200'000'000);
  s.index_min = Price(27'300'000'000);
  s.index_max = Price(31'300'000'000);
  s.spot_min = Price(27'250'000'000);
  s.max_mark_index_gap = 0.0125;
  s.liquidation_count = 9;
  s.engine_liquidations = 2;
  s.keeper_liquidations = 2;
  s.auction_liquidations = 5;
  s.debt_auctions = 4;
  s.debt_auction_raised = Amount(200'000'000'000);
  s.mkr_minted = Quantity(87'654'321'000);
  s.hunter_profit = Amount(-12'345'678);
  s.slippage_p50 = 0.0015;
  s.option_liquidations = 4;
  s.option_liquidation_fills = 11;
  s.option_gap_p50 = 0.12;
  s.option_gap_p90 = 0.31;
  s.option_gap = Amount(7'654'321);
  s.option_gap_loss_share = 0.8;
  s.option_shortfall = Amount(1'234'567);
  s.option_gap_shortfall_share = 0.6;
  s.liquidated_notional = Amount(98'765'432'100);
  s.cascade_generations = 3;
  s.largest_cascade = 3;
  s.branching_ratio = 0.5;
  s.cascade_count = 2;
  s.cascade_size_mean = 2.0;
  s.cascade_size_p50 = 1;
  s.cascade_size_p99 = 3;
  s.liquidated_episodes = 3;
  s.liquidation_delay_mean_seconds = 1.25;
  s.liquidation_delay_p50_seconds = 0.75;
  s.liquidation_delay_p99_seconds = 2.5;
  s.liquidation_delay_max_seconds = 2.5;
  s.unliquidated_episodes = 7;
  s.keeper_rewards = Amount(9'000'000);
  s.keeper_gas = Amount(3'600'001);
  s.keeper_profit = Amount(5'399'999);
  s.keeper_failed_txs = 1;
  s.keeper_failed_gas = Amount(1'800'001);
  s.insurance_fund_initial = Amount(1'000'000'000);
  s.insurance_fund_min = Amount(999'999'972);
  s.insurance_fund_final = Amount(999'999'980);
  s.adl_count = 1;
  s.adl_quantity = Quantity(5'000'000);
  s.socialised_loss = Amount(600'000'003);
  s.bad_debt = Amount(52);
  s.unliquidated_underwater_accounts = 2;
  s.unliquidated_deficit = Amount(1'234'567);
  s.liquidatable_unliquidated_accounts = 5;
  s.liquidatable_unliquidated_notional = Amount(77'000'000'001);
  s.insurance_fund_drawdown = Amount(28);
  s.bad_debt_in_window = Amount(51);
  s.protocol_loss = Amount(1'234'646);
  s.total_deposits = Amount(30'000'000'003);
  s.conservation_residual = Amount(-3);  // a stored value like any other (a run's is 0)
  s.mean_slippage = 0.00345;
  s.accounts = 3;
  s.initial_price = Price(30'000'000'000);
  s.index_min = Price(27'050'000'000);
  s.counterfactual = CounterfactualKind::ImpactFree;
  s.endogenous_liquidations = 2;
  s.amplification_mark_trough_pp = 1.5;
  s.amplification_index_trough_pp = 0.25;
  s.amplification_spot_trough_pp = 0.125;
  s.amplification_liquidations = -1;
  s.amplification_liquidated_notional = Amount(1'000'000);
  s.amplification_protocol_loss = Amount(-7);
  s.amplification_bad_debt = Amount(52);
  return s;
}

RunFile read_back(const fs::path& path) {
  auto result = read_run_file(path.string());
  if (std::holds_alternative<std::string>(result)) {
    ADD_FAILURE() << std::get<std::string>(result);
    return {};
  }
  return std::get<RunFile>(std::move(result));
}

std::string digest_of(const fs::path& path) {
  const auto result = dataset_digest(path.string());
  EXPECT_EQ(result.index(), 0u) << (result.index() == 1 ? std::get<1>(result) : "");
  return result.index() == 0 ? std::get<0>(result) : "";
}

// Blocks until the wall clock enters a new second, so time-stamped content would differ.
void wait_for_next_second() {
  const std::time_t start = std::time(nullptr);
  while (std::time(nullptr) == start) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void expect_same_log(const RunLog& got, const RunLog& want) {
  ASSERT_EQ(got.option_fills.size(), want.option_fills.size());
  for (size_t i = 0; i < want.option_fills.size(); ++i) {
    const OptionFillRecord& g = got.option_fills[i];
    const OptionFillRecord& w = want.option_fills[i];
    EXPECT_EQ(g.time, w.time) << i;
    EXPECT_EQ(g.liquidation, w.liquidation) << i;
    EXPECT_EQ(g.account, w.account) << i;
    EXPECT_EQ(g.counterparty, w.counterparty) << i;
    EXPECT_EQ(g.series, w.series) << i;
    EXPECT_EQ(g.type, w.type) << i;
    EXPECT_EQ(g.side, w.side) << i;
    EXPECT_EQ(g.strike, w.strike) << i;
    EXPECT_EQ(g.expiry, w.expiry) << i;
    EXPECT_EQ(g.quantity, w.quantity) << i;
    EXPECT_EQ(g.price, w.price) << i;
    EXPECT_EQ(g.mark, w.mark) << i;
    EXPECT_EQ(g.underlying, w.underlying) << i;
  }
  ASSERT_EQ(got.option_liquidations.size(), want.option_liquidations.size());
  for (size_t i = 0; i < want.option_liquidations.size(); ++i) {
    const OptionLiquidationRecord& g = got.option_liquidations[i];
    const OptionLiquidationRecord& w = want.option_liquidations[i];
    EXPECT_EQ(g.id, w.id) << i;
    EXPECT_EQ(g.trigger_time, w.trigger_time) << i;
    EXPECT_EQ(g.time, w.time) << i;
    EXPECT_EQ(g.account, w.account) << i;
    EXPECT_EQ(g.underlying_at_trigger, w.underlying_at_trigger) << i;
    EXPECT_EQ(g.equity_at_trigger, w.equity_at_trigger) << i;
    EXPECT_EQ(g.requirement_at_trigger, w.requirement_at_trigger) << i;
    EXPECT_EQ(g.contracts, w.contracts) << i;
    EXPECT_EQ(g.gap, w.gap) << i;
    EXPECT_EQ(g.equity_after, w.equity_after) << i;
    EXPECT_EQ(g.fee, w.fee) << i;
    EXPECT_EQ(g.insurance_paid, w.insurance_paid) << i;
    EXPECT_EQ(g.bad_debt, w.bad_debt) << i;
  }
  ASSERT_EQ(got.timeseries.size(), want.timeseries.size());
  for (size_t i = 0; i < want.timeseries.size(); ++i) {
    const TimeseriesRow& g = got.timeseries[i];
    const TimeseriesRow& w = want.timeseries[i];
    EXPECT_EQ(g.time, w.time) << i;
    EXPECT_EQ(g.reference, w.reference) << i;
    EXPECT_EQ(g.index, w.index) << i;
    EXPECT_EQ(g.oracle, w.oracle) << i;
    EXPECT_EQ(g.mark, w.mark) << i;
    EXPECT_EQ(g.mid, w.mid) << i;
    EXPECT_EQ(g.last, w.last) << i;
    EXPECT_EQ(g.insurance_fund, w.insurance_fund) << i;
    EXPECT_EQ(g.open_interest, w.open_interest) << i;
    EXPECT_EQ(g.bad_debt, w.bad_debt) << i;
    EXPECT_EQ(g.bid_depth, w.bid_depth) << i;
    EXPECT_EQ(g.ask_depth, w.ask_depth) << i;
    EXPECT_EQ(g.funding_rate, w.funding_rate) << i;
    EXPECT_EQ(g.base_fee, w.base_fee) << i;
    EXPECT_EQ(g.keeper_txs_queued, w.keeper_txs_queued) << i;
  }
  ASSERT_EQ(got.liquidations.size(), want.liquidations.size());
  for (size_t i = 0; i < want.liquidations.size(); ++i) {
    const LiquidationRecord& g = got.liquidations[i];
    const LiquidationRecord& w = want.liquidations[i];
    EXPECT_EQ(g.id, w.id) << i;
    EXPECT_EQ(g.time, w.time) << i;
    EXPECT_EQ(g.account, w.account) << i;
    EXPECT_EQ(g.market, w.market) << i;
    EXPECT_EQ(g.quantity, w.quantity) << i;
    EXPECT_EQ(g.mark, w.mark) << i;
    EXPECT_EQ(g.price, w.price) << i;
    EXPECT_EQ(g.mechanism, w.mechanism) << i;
    EXPECT_EQ(g.keeper, w.keeper) << i;
    EXPECT_EQ(g.reward, w.reward) << i;
    EXPECT_EQ(g.mark_update, w.mark_update) << i;
    EXPECT_EQ(g.cause, w.cause) << i;
  }
  ASSERT_EQ(got.trades.size(), want.trades.size());
  for (size_t i = 0; i < want.trades.size(); ++i) {
    const TradeRecord& g = got.trades[i];
    const TradeRecord& w = want.trades[i];
    EXPECT_EQ(g.time, w.time) << i;
    EXPECT_EQ(g.market, w.market) << i;
    EXPECT_EQ(g.price, w.price) << i;
    EXPECT_EQ(g.quantity, w.quantity) << i;
    EXPECT_EQ(g.buyer, w.buyer) << i;
    EXPECT_EQ(g.seller, w.seller) << i;
    EXPECT_EQ(g.aggressor_is_buy, w.aggressor_is_buy) << i;
    EXPECT_EQ(g.liquidation, w.liquidation) << i;
  }
  ASSERT_EQ(got.mark_updates.size(), want.mark_updates.size());
  for (size_t i = 0; i < want.mark_updates.size(); ++i) {
    const MarkUpdateRecord& g = got.mark_updates[i];
    const MarkUpdateRecord& w = want.mark_updates[i];
    EXPECT_EQ(g.time, w.time) << i;
    EXPECT_EQ(g.market, w.market) << i;
    EXPECT_EQ(g.sequence, w.sequence) << i;
    EXPECT_EQ(g.mark, w.mark) << i;
    EXPECT_EQ(g.index, w.index) << i;
    EXPECT_EQ(g.oracle, w.oracle) << i;
  }
  ASSERT_EQ(got.funding.size(), want.funding.size());
  for (size_t i = 0; i < want.funding.size(); ++i) {
    const FundingRecord& g = got.funding[i];
    const FundingRecord& w = want.funding[i];
    EXPECT_EQ(g.time, w.time) << i;
    EXPECT_EQ(g.market, w.market) << i;
    EXPECT_EQ(g.rate, w.rate) << i;
    EXPECT_EQ(g.mark, w.mark) << i;
    EXPECT_EQ(g.paid_by_longs, w.paid_by_longs) << i;
    EXPECT_EQ(g.fee_residual, w.fee_residual) << i;
  }
  ASSERT_EQ(got.adl.size(), want.adl.size());
  for (size_t i = 0; i < want.adl.size(); ++i) {
    const AdlRecord& g = got.adl[i];
    const AdlRecord& w = want.adl[i];
    EXPECT_EQ(g.time, w.time) << i;
    EXPECT_EQ(g.liquidation, w.liquidation) << i;
    EXPECT_EQ(g.account, w.account) << i;
    EXPECT_EQ(g.market, w.market) << i;
    EXPECT_EQ(g.quantity, w.quantity) << i;
    EXPECT_EQ(g.price, w.price) << i;
    EXPECT_EQ(g.rank_score, w.rank_score) << i;
  }
  ASSERT_EQ(got.keeper_txs.size(), want.keeper_txs.size());
  for (size_t i = 0; i < want.keeper_txs.size(); ++i) {
    const KeeperTxRecord& g = got.keeper_txs[i];
    const KeeperTxRecord& w = want.keeper_txs[i];
    EXPECT_EQ(g.submitted, w.submitted) << i;
    EXPECT_EQ(g.executed, w.executed) << i;
    EXPECT_EQ(g.keeper, w.keeper) << i;
    EXPECT_EQ(g.account, w.account) << i;
    EXPECT_EQ(g.priority_fee, w.priority_fee) << i;
    EXPECT_EQ(g.gas_paid, w.gas_paid) << i;
    EXPECT_EQ(g.succeeded, w.succeeded) << i;
    EXPECT_EQ(g.liquidation, w.liquidation) << i;
  }
  ASSERT_EQ(got.venue_samples.size(), want.venue_samples.size());
  for (size_t i = 0; i < want.venue_samples.size(); ++i) {
    const VenueSampleRecord& g = got.venue_samples[i];
    const VenueSampleRecord& w = want.venue_samples[i];
    EXPECT_EQ(g.time, w.time) << i;
    EXPECT_EQ(g.venue, w.venue) << i;
    EXPECT_EQ(g.market, w.market) << i;
    EXPECT_EQ(g.kind, w.kind) << i;
    EXPECT_EQ(g.best_bid, w.best_bid) << i;
    EXPECT_EQ(g.best_ask, w.best_ask) << i;
    EXPECT_EQ(g.price, w.price) << i;
    EXPECT_EQ(g.volume, w.volume) << i;
    EXPECT_EQ(g.bid_depth, w.bid_depth) << i;
    EXPECT_EQ(g.ask_depth, w.ask_depth) << i;
    EXPECT_EQ(g.bid_depth_half_pct, w.bid_depth_half_pct) << i;
    EXPECT_EQ(g.bid_depth_1pct, w.bid_depth_1pct) << i;
    EXPECT_EQ(g.bid_depth_2pct, w.bid_depth_2pct) << i;
    EXPECT_EQ(g.bid_depth_5pct, w.bid_depth_5pct) << i;
    EXPECT_EQ(g.ask_depth_half_pct, w.ask_depth_half_pct) << i;
    EXPECT_EQ(g.ask_depth_1pct, w.ask_depth_1pct) << i;
    EXPECT_EQ(g.ask_depth_2pct, w.ask_depth_2pct) << i;
    EXPECT_EQ(g.ask_depth_5pct, w.ask_depth_5pct) << i;
  }
  ASSERT_EQ(got.cascade_sizes.size(), want.cascade_sizes.size());
  for (size_t i = 0; i < want.cascade_sizes.size(); ++i) {
    EXPECT_EQ(got.cascade_sizes[i].size, want.cascade_sizes[i].size) << i;
    EXPECT_EQ(got.cascade_sizes[i].trees, want.cascade_sizes[i].trees) << i;
  }
  ASSERT_EQ(got.keeper_tx_queue.size(), want.keeper_tx_queue.size());
  for (size_t i = 0; i < want.keeper_tx_queue.size(); ++i) {
    const KeeperTxQueueRecord& g = got.keeper_tx_queue[i];
    const KeeperTxQueueRecord& w = want.keeper_tx_queue[i];
    EXPECT_EQ(g.ready, w.ready) << i;
    EXPECT_EQ(g.first_block, w.first_block) << i;
    EXPECT_EQ(g.executed, w.executed) << i;
    EXPECT_EQ(g.blocks_waited, w.blocks_waited) << i;
    EXPECT_EQ(g.position, w.position) << i;
    EXPECT_EQ(g.base_fee, w.base_fee) << i;
  }
  ASSERT_EQ(got.blocks.size(), want.blocks.size());
  for (size_t i = 0; i < want.blocks.size(); ++i) {
    const BlockRecord& g = got.blocks[i];
    const BlockRecord& w = want.blocks[i];
    EXPECT_EQ(g.time, w.time) << i;
    EXPECT_EQ(g.base_fee, w.base_fee) << i;
    EXPECT_EQ(g.included, w.included) << i;
    EXPECT_EQ(g.waiting, w.waiting) << i;
  }
  ASSERT_EQ(got.accounts.size(), want.accounts.size());
  for (size_t i = 0; i < want.accounts.size(); ++i) {
    const AccountFinal& g = got.accounts[i];
    const AccountFinal& w = want.accounts[i];
    EXPECT_EQ(g.account, w.account) << i;
    EXPECT_EQ(g.role, w.role) << i;
    EXPECT_EQ(g.cross, w.cross) << i;
    EXPECT_EQ(g.balance, w.balance) << i;
    EXPECT_EQ(g.deposits, w.deposits) << i;
    EXPECT_EQ(g.position, w.position) << i;
    EXPECT_EQ(g.equity, w.equity) << i;
    EXPECT_EQ(g.liquidations, w.liquidations) << i;
  }
}

// Every stored summary field (run_file_schema::summary(), the writer's and the reader's list), byte for
// byte.
void expect_same_summary(const RunSummary& g, const RunSummary& w) {
  for (const FieldSpec& field : run_file_schema::summary()) {
    const size_t size = field.type == FieldType::U32 ? 4 : field.type == FieldType::U8 ? 1 : 8;
    EXPECT_EQ(std::memcmp(reinterpret_cast<const char*>(&g) + field.offset,
                          reinterpret_cast<const char*>(&w) + field.offset, size),
              0)
        << field.name;
  }
}

// Each test gets a fresh folder of its own (process id in the name: several builds may run the tests
// at once on one machine), removed afterwards.
class Hdf5SinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ = fs::path(::testing::TempDir()) /
              ("liqsim_hdf5_sink_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  fs::path folder_;
};

using RunFileReaderTest = Hdf5SinkTest;

TEST_F(Hdf5SinkTest, RoundTripsEveryField) {
  const fs::path path = folder_ / "run.h5";
  const RunMetadata metadata = sample_metadata(42);
  const RunLog log = sample_log();
  const RunSummary summary = sample_summary();
  ASSERT_EQ(write_run_file(path.string(), metadata, log, summary, false), std::nullopt);

  const RunFile run = read_back(path);
  EXPECT_EQ(run.metadata.liqsim_version, metadata.liqsim_version);
  EXPECT_EQ(run.metadata.schema_version, 3);
  EXPECT_EQ(run.metadata.seed, 42u);
  EXPECT_EQ(run.metadata.scenario_name, metadata.scenario_name);
  EXPECT_EQ(run.metadata.scenario_toml, metadata.scenario_toml);
  EXPECT_EQ(run.metadata.mechanism, metadata.mechanism);
  EXPECT_EQ(run.metadata.same_time_order, metadata.same_time_order);
  expect_same_log(run.log, log);
  EXPECT_EQ(run.generation, (std::vector<uint32_t>{0, 1, 2, 0}));
  expect_same_summary(run.summary, summary);
  EXPECT_EQ(run.summary.wall_seconds, 0.0);
  // /cascade_sizes as the report reads it: one size per cascade, the table's rows expanded.
  const auto info = read_file_info(path.string());
  ASSERT_EQ(info.index(), 0u);
  ASSERT_TRUE(std::get<0>(info).cascade_sizes.has_value());
  EXPECT_EQ(*std::get<0>(info).cascade_sizes, (std::vector<uint64_t>{1, 1, 1, 1, 1, 3, 3}));
  // The sample sets every stored summary field, so each one is seen to round-trip.
  for (const FieldSpec& field : run_file_schema::summary()) {
    const size_t size = field.type == FieldType::U32 ? 4 : field.type == FieldType::U8 ? 1 : 8;
    const char* bytes = reinterpret_cast<const char*>(&summary) + field.offset;
    EXPECT_FALSE(std::all_of(bytes, bytes + size, [](char c) { return c == 0; })) << field.name << " is 0";
  }
}

TEST_F(Hdf5SinkTest, CounterfactualSummaryRoundTrips) {
  const fs::path plain = folder_ / "plain.h5";
  const fs::path measured = folder_ / "measured.h5";
  RunSummary twin = sample_summary();
  twin.counterfactual = CounterfactualKind::None;
  twin.mark_min = Price(28'000'000'000);
  ASSERT_EQ(write_run_file(plain.string(), sample_metadata(42), sample_log(), sample_summary(), false),
            std::nullopt);
  ASSERT_EQ(write_run_file(measured.string(), sample_metadata(42), sample_log(), sample_summary(), false, {},
                           &twin),
            std::nullopt);
  const RunFile plain_run = read_back(plain);
  EXPECT_FALSE(plain_run.counterfactual_summary.has_value());
  for (const LiquidationRecord& r : plain_run.log.liquidations)
    EXPECT_EQ(r.endogenous, Endogeneity::Unmeasured);
  const RunFile run = read_back(measured);
  ASSERT_TRUE(run.counterfactual_summary.has_value());
  expect_same_summary(*run.counterfactual_summary, twin);
  expect_same_summary(run.summary, sample_summary());
}

// With endogeneity measured, an exogenous liquidation is a cascade root whatever its recorded cause.
TEST_F(Hdf5SinkTest, GenerationsCountOnlyEndogenousChildren) {
  const fs::path path = folder_ / "run.h5";
  RunLog log = sample_log();  // causes: none, 0, 1, none
  const Endogeneity tags[] = {Endogeneity::Exogenous, Endogeneity::Endogenous, Endogeneity::Exogenous,
                              Endogeneity::Endogenous};
  for (size_t i = 0; i < log.liquidations.size(); ++i) log.liquidations[i].endogenous = tags[i];
  ASSERT_EQ(write_run_file(path.string(), sample_metadata(42), log, sample_summary(), false), std::nullopt);
  const RunFile run = read_back(path);
  ASSERT_EQ(run.log.liquidations.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(run.log.liquidations[i].endogenous, tags[i]) << i;
  // 1 is endogenous with cause 0: generation 1; 2 names 1 but is exogenous: a root.
  EXPECT_EQ(run.generation, (std::vector<uint32_t>{0, 1, 0, 0}));
}

TEST_F(Hdf5SinkTest, EmptyEventTablesRoundTrip) {
  const fs::path path = folder_ / "empty.h5";
  RunSummary summary;
  summary.insurance_fund_final = Amount(77);
  ASSERT_EQ(write_run_file(path.string(), sample_metadata(1), RunLog(), summary, false), std::nullopt);

  const RunFile run = read_back(path);
  expect_same_log(run.log, RunLog());
  EXPECT_TRUE(run.generation.empty());
  EXPECT_EQ(run.summary.insurance_fund_final, Amount(77));
  EXPECT_EQ(run.summary.cascade_generations, 0u);
}

TEST_F(Hdf5SinkTest, RefusesToOverwriteWithoutForce) {
  const fs::path path = folder_ / "run.h5";
  ASSERT_EQ(write_run_file(path.string(), sample_metadata(1), sample_log(), sample_summary(), false),
            std::nullopt);
  const std::string before = file_bytes(path);

  const auto error = write_run_file(path.string(), sample_metadata(2), RunLog(), RunSummary(), false);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error, "output file '" + path.string() + "' exists; pass --force to overwrite");
  EXPECT_EQ(file_bytes(path), before);
  EXPECT_EQ(folder_entries(path.parent_path()), std::vector<std::string>{"run.h5"});
}

TEST_F(Hdf5SinkTest, OverwritesWithForce) {
  const fs::path path = folder_ / "run.h5";
  ASSERT_EQ(write_run_file(path.string(), sample_metadata(1), sample_log(), sample_summary(), false),
            std::nullopt);

  ASSERT_EQ(write_run_file(path.string(), sample_metadata(2), RunLog(), RunSummary(), true), std::nullopt);
  const RunFile run = read_back(path);
  EXPECT_EQ(run.metadata.seed, 2u);
  EXPECT_TRUE(run.log.liquidations.empty());
  EXPECT_EQ(folder_entries(path.parent_path()), std::vector<std::string>{"run.h5"});
}

TEST_F(Hdf5SinkTest, SuccessfulWriteLeavesNoTemporaryFile) {
  ASSERT_EQ(write_run_file((folder_ / "run.h5").string(), sample_metadata(1), sample_log(), sample_summary(),
                           false),
            std::nullopt);
  EXPECT_EQ(folder_entries(folder_), std::vector<std::string>{"run.h5"});
}

TEST_F(Hdf5SinkTest, FailedRenameRemovesTemporaryFile) {
  // A folder in the way: the temporary file is written completely, then cannot replace the folder.
  fs::create_directory(folder_ / "run.h5");
  const auto error =
      write_run_file((folder_ / "run.h5").string(), sample_metadata(1), sample_log(), sample_summary(), true);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("cannot move"), std::string::npos) << *error;
  EXPECT_EQ(folder_entries(folder_), std::vector<std::string>{"run.h5"});
  EXPECT_TRUE(fs::is_directory(folder_ / "run.h5"));
}

TEST_F(Hdf5SinkTest, MissingFolderIsAnErrorValue) {
  const fs::path path = folder_ / "no_such_folder" / "run.h5";
  const auto error = write_run_file(path.string(), sample_metadata(1), sample_log(), sample_summary(), false);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("cannot write run file"), std::string::npos) << *error;
  EXPECT_FALSE(fs::exists(path.parent_path()));
}

TEST_F(Hdf5SinkTest, IdenticalInputsGiveByteIdenticalFiles) {
  RunSummary summary = sample_summary();
  ASSERT_EQ(write_run_file((folder_ / "a.h5").string(), sample_metadata(7), sample_log(), summary, false),
            std::nullopt);
  wait_for_next_second();
  summary.wall_seconds = 99.0;  // not part of the file
  ASSERT_EQ(write_run_file((folder_ / "b.h5").string(), sample_metadata(7), sample_log(), summary, false),
            std::nullopt);
  const std::string a = file_bytes(folder_ / "a.h5");
  EXPECT_FALSE(a.empty());
  EXPECT_TRUE(a == file_bytes(folder_ / "b.h5"));
  EXPECT_EQ(digest_of(folder_ / "a.h5"), digest_of(folder_ / "b.h5"));
}

TEST_F(Hdf5SinkTest, DigestFollowsContent) {
  RunLog log = sample_log();
  ASSERT_EQ(write_run_file((folder_ / "a.h5").string(), sample_metadata(7), log, sample_summary(), false),
            std::nullopt);
  ASSERT_EQ(write_run_file((folder_ / "seed.h5").string(), sample_metadata(8), log, sample_summary(), false),
            std::nullopt);
  log.trades[2].price += Price(1);
  ASSERT_EQ(write_run_file((folder_ / "trade.h5").string(), sample_metadata(7), log, sample_summary(), false),
            std::nullopt);

  const std::string a = digest_of(folder_ / "a.h5");
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a, digest_of(folder_ / "a.h5"));
  EXPECT_NE(a, digest_of(folder_ / "seed.h5"));
  EXPECT_NE(a, digest_of(folder_ / "trade.h5"));
}

// A run's worth of records: several thousand rows per table (more than the small chunks below hold),
// liquidations with causes.
RunLog larger_log() {
  RunLog log = sample_log();
  uint64_t state = 12345;
  const auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return int64_t(state >> 33);
  };
  for (int64_t i = 0; i < 5000; ++i) {
    TradeRecord r;
    r.time = seconds(200) + Time(i * 1000);
    r.market = uint32_t(i % 2);
    r.price = Price(29'000'000'000 + next() % 1'000'000);
    r.quantity = Quantity(1 + next() % 100'000'000);
    r.buyer = next() % 3000;
    r.seller = next() % 3000;
    r.aggressor_is_buy = uint8_t(next() % 2);
    r.liquidation = next() % 4 == 0 ? next() % 4 : kNoId;
    log.on_trade(r);
  }
  for (int64_t i = 4; i < 700; ++i) {
    LiquidationRecord r = log.liquidations[size_t(i % 4)];
    r.id = i;
    r.time = seconds(300) + Time(i);
    r.account = uint32_t(next() % 3000);
    r.cause = next() % 3 == 0 ? kNoId : next() % i;
    log.on_liquidation(r);
  }
  for (uint32_t i = 3; i < 3000; ++i) {
    AccountFinal a = log.accounts[i % 3];
    a.account = i;
    a.balance = Amount(next() - (int64_t{1} << 30));
    log.on_account(a);
  }
  for (int64_t i = 5; i < 2000; ++i) {
    TimeseriesRow r = log.timeseries[size_t(i % 5)];
    r.time = seconds(60 * i);
    r.mark = Price(30'000'000'000 + next() % 10'000'000);
    log.on_timeseries(r);
  }
  return log;
}

RunFileOptions small_chunks(size_t rows, size_t pending, unsigned encoders) {
  RunFileOptions options;
  options.chunk_rows = rows;
  options.max_pending_chunks = pending;
  options.encoder_threads = encoders;
  return options;
}

std::unique_ptr<RunFileWriter> open_writer(const fs::path& path, const RunFileOptions& options = {}) {
  auto opened = RunFileWriter::open(path.string(), options);
  if (auto* error = std::get_if<std::string>(&opened)) {
    ADD_FAILURE() << *error;
    return nullptr;
  }
  return std::move(std::get<std::unique_ptr<RunFileWriter>>(opened));
}

TEST_F(Hdf5SinkTest, ManySmallChunksHoldTheSameContentAsOneChunk) {
  const RunLog log = larger_log();
  const auto write = [&](const std::string& name, const RunFileOptions& options) {
    EXPECT_EQ(
        write_run_file((folder_ / name).string(), sample_metadata(3), log, sample_summary(), false, options),
        std::nullopt);
    return digest_of(folder_ / name);
  };
  const std::string one_chunk = write("one.h5", RunFileOptions{});  // every table below 16,384 rows
  EXPECT_EQ(write("seven.h5", small_chunks(7, 1, 1)), one_chunk);
  EXPECT_EQ(write("thousand.h5", small_chunks(1000, 3, 2)), one_chunk);
  EXPECT_EQ(write("five.h5", small_chunks(5, 2, 1)), one_chunk);  // some tables end on a chunk boundary

  const RunFile run = read_back(folder_ / "seven.h5");
  expect_same_log(run.log, log);
  EXPECT_EQ(run.generation, analyze_cascades(log.liquidations).generation);
}

TEST_F(Hdf5SinkTest, ThreadTimingDoesNotChangeTheBytes) {
  const RunLog log = larger_log();
  const auto write = [&](const std::string& name, const RunFileOptions& options) {
    EXPECT_EQ(
        write_run_file((folder_ / name).string(), sample_metadata(3), log, sample_summary(), false, options),
        std::nullopt);
    return file_bytes(folder_ / name);
  };
  const std::string serial = write("serial.h5", small_chunks(64, 1, 1));
  EXPECT_FALSE(serial.empty());
  EXPECT_TRUE(serial == write("parallel.h5", small_chunks(64, 32, 3)));
  EXPECT_TRUE(serial == write("again.h5", small_chunks(64, 4, 2)));
  EXPECT_FALSE(serial == write("other_chunks.h5", small_chunks(65, 4, 2)));  // the layout follows the rows
}

TEST_F(Hdf5SinkTest, HoldsAtMostThePendingChunks) {
  const fs::path path = folder_ / "run.h5";
  auto writer = open_writer(path, small_chunks(100, 2, 1));
  ASSERT_NE(writer, nullptr);
  TradeRecord r;
  for (int64_t i = 0; i < 50'000; ++i) {
    r.time = Time(i);
    r.price = Price(1'000'000 + i);
    r.quantity = Quantity(1 + i % 977);
    writer->on_trade(r);
  }
  ASSERT_EQ(writer->finish(sample_metadata(1), sample_summary(), false), std::nullopt);
  const RunFileWriterStats stats = writer->stats();
  EXPECT_GT(stats.peak_pending_rows, 0u);
  EXPECT_LE(stats.peak_pending_rows, 2u * 100u);
  EXPECT_EQ(stats.chunks_written, 500u);  // the other tables are empty: datasets without chunks
  const RunFile run = read_back(path);
  ASSERT_EQ(run.log.trades.size(), 50'000u);
  EXPECT_EQ(run.log.trades.back().price, Price(1'000'000 + 49'999));
}

TEST_F(Hdf5SinkTest, AbandonedWriterLeavesNoFile) {
  {
    auto writer = open_writer(folder_ / "run.h5", small_chunks(10, 2, 1));
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(folder_entries(folder_).size(), 1u);  // the temporary file
    for (const TradeRecord& r : larger_log().trades) writer->on_trade(r);
  }  // destroyed without finish(): an interrupted run
  EXPECT_TRUE(folder_entries(folder_).empty());
}

TEST_F(Hdf5SinkTest, FileThatAppearsDuringTheRunIsKept) {
  const fs::path path = folder_ / "run.h5";
  auto writer = open_writer(path);
  ASSERT_NE(writer, nullptr);
  for (const TradeRecord& r : larger_log().trades) writer->on_trade(r);
  std::ofstream(path) << "another run's file\n";
  const auto error = writer->finish(sample_metadata(1), sample_summary(), false);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("appeared"), std::string::npos) << *error;
  EXPECT_EQ(file_bytes(path), "another run's file\n");
  EXPECT_EQ(folder_entries(folder_), std::vector<std::string>{"run.h5"});
}

// Writes random trades to `path` under a 256 KiB file-size limit (as a full disk would stop it) and
// returns 0 when the failure showed during the run, finish() gave the reason and no file is left.
int write_until_the_limit(const fs::path& path) {
  std::signal(SIGXFSZ, SIG_IGN);  // writes beyond the limit fail with EFBIG instead
  const rlimit limit{256 * 1024, 256 * 1024};
  if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 2;
  auto opened = RunFileWriter::open(path.string(), small_chunks(1000, 2, 1));
  if (opened.index() != 0) return 3;
  RunFileWriter& writer = *std::get<0>(opened);
  uint64_t state = 99;
  TradeRecord r;
  int64_t i = 0;
  for (; i < 2'000'000 && !writer.error(); ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    r.time = Time(i);
    r.price = Price(int64_t(state >> 20));
    r.quantity = Quantity(int64_t(state >> 40));
    r.buyer = int64_t(state % 1'000'003);
    writer.on_trade(r);
  }
  if (!writer.error() || i == 2'000'000) return 4;       // the error must show before the end
  for (int j = 0; j < 100'000; ++j) writer.on_trade(r);  // dropped
  const auto error = writer.finish(sample_metadata(1), sample_summary(), false);
  if (!error || error->find("File too large") == std::string::npos) return 5;
  if (!folder_entries(path.parent_path()).empty()) return 6;
  return 0;
}

// A write that fails midway is reported while the run goes on, later records are dropped, finish()
// returns the reason and no file is left. In a child process: the limit applies to the whole process.
TEST_F(Hdf5SinkTest, WriteErrorMidwayLeavesNoFile) {
  const fs::path path = folder_ / "run.h5";
  EXPECT_EXIT(std::_Exit(write_until_the_limit(path)), ::testing::ExitedWithCode(0), "");
  EXPECT_TRUE(folder_entries(folder_).empty());
}

// The final account states are a run's last records: a trade after them (a second run into the same
// sink) is refused.
TEST_F(Hdf5SinkTest, RecordAfterTheAccountsIsRefused) {
  EXPECT_DEATH(
      {
        auto writer = open_writer(folder_ / "run.h5");
        writer->on_trade(TradeRecord{});
        writer->on_account(AccountFinal{});
        writer->on_trade(TradeRecord{});
      },
      "after the final account states");
}

TEST_F(RunFileReaderTest, MissingFileIsAnErrorValue) {
  const fs::path path = folder_ / "absent.h5";
  const auto result = read_run_file(path.string());
  ASSERT_TRUE(std::holds_alternative<std::string>(result));
  EXPECT_NE(std::get<std::string>(result).find(path.string()), std::string::npos);
  const auto digest = dataset_digest(path.string());
  ASSERT_EQ(digest.index(), 1u);
  EXPECT_NE(std::get<1>(digest).find(path.string()), std::string::npos);
}

TEST_F(RunFileReaderTest, NonHdf5FileIsAnErrorValue) {
  const fs::path path = folder_ / "text.h5";
  std::ofstream(path) << "not an HDF5 file\n";
  EXPECT_TRUE(std::holds_alternative<std::string>(read_run_file(path.string())));
}

}  // namespace
}  // namespace liqsim
