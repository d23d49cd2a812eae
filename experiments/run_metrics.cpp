#include "experiments/run_metrics.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <span>

#include "analysis/distribution.h"
#include "core/check.h"

namespace liqsim {
namespace {

double seconds_of(int64_t ns) { return double(ns) / 1e9; }

// Sum over keepers of equity - deposits (their profit so far, net of the gas they paid).
Amount keeper_net(const ClearingHouse& ch) {
  const Ledger& ledger = ch.ledger();
  Amount net;
  for (AccountId a(kPlaceCount); a.raw() < ledger.account_count(); ++a)
    if (ledger.account(a).role == AgentRole::Keeper) net += ch.equity(a) - ledger.account(a).deposits;
  return net;
}

}  // namespace

void RunMetrics::start(const ClearingHouse& ch) {
  ch_ = &ch;
  fund_initial_ = fund_min_ = ch.place_value(Place::InsuranceFund);
  watched_.assign(ch.market_count(), {});
}

void RunMetrics::on_liquidation(const LiquidationRecord& r) {
  // The delay of the account's episode. A liquidation without an open episode (the account became
  // liquidatable between two mark updates, by a change of its balance) starts one, of delay 0: the
  // liquidation's own margin check is its first detection.
  const AccountId account(r.account);
  const auto [it, inserted] = episode_of_.try_emplace(account, uint32_t(episodes_.size()));
  std::optional<int64_t> delay;
  if (inserted) {
    episodes_.push_back(Episode{account, r.time, 0, MarketId(r.market), false, true});
    delay = 0;
  } else if (Episode& e = episodes_[it->second]; !e.liquidated) {
    e.liquidated = true;
    delay = (r.time - e.start).raw();
  }
  close_if_healthy(account);

  if (r.time < measure_from_) {
    LIQSIM_CHECK(cascades_.count() == 0, "liquidations are recorded in time order");
    pre_window_liquidations_ = uint64_t(r.id) + 1;
    return;
  }
  if (delay) delays_ns_.push_back(*delay);
  // The window's forest: ids rebased to the window's first liquidation, causes before it cut off.
  LiquidationRecord rebased = r;
  rebased.id = r.id - int64_t(pre_window_liquidations_);
  rebased.cause = r.cause == kNoId || r.cause < int64_t(pre_window_liquidations_)
                      ? kNoId
                      : r.cause - int64_t(pre_window_liquidations_);
  cascades_.add(rebased);
  if (r.endogenous == Endogeneity::Endogenous) ++endogenous_liquidations_;
  if (r.mechanism == LiquidationMechanismKind::Engine)
    ++engine_liquidations_;
  else if (r.mechanism == LiquidationMechanismKind::Keeper)
    ++keeper_liquidations_;
  else
    ++auction_liquidations_;
  liquidated_notional_ += notional(r.mark, abs_quantity(r.quantity), Round::Down);
  keeper_rewards_ += r.reward;
  slippage_ += std::fabs(to_double(r.price - r.mark)) / to_double(r.mark);
  slippages_.push_back(std::fabs(to_double(r.price - r.mark)) / to_double(r.mark));
}

void RunMetrics::on_option_fill(const OptionFillRecord& r) {
  if (r.time < measure_from_ || r.liquidation == kNoId || r.mark.raw() <= 0) return;
  option_gaps_.push_back(std::fabs(to_double(r.price - r.mark)) / to_double(r.mark));
}

void RunMetrics::on_option_liquidation(const OptionLiquidationRecord& r) {
  if (r.time < measure_from_) return;
  ++option_liquidations_;
  option_gap_ += r.gap;
  option_loss_ += r.equity_at_trigger - r.equity_after;
  const Amount shortfall = std::max(Amount(0), -(r.equity_after - r.fee));
  option_shortfall_ += shortfall;
  option_shortfall_beyond_marks_ +=
      shortfall - std::min(shortfall, std::max(Amount(0), -r.equity_at_trigger));
}

void RunMetrics::on_auction(const AuctionRecord& r) {
  if (r.ended < measure_from_) return;
  keeper_rewards_ += r.incentive;
  if (r.kind == 3) {
    ++debt_auctions_;
    debt_auction_raised_ += r.raised;
    mkr_minted_ += r.sold;
  }
}

void RunMetrics::on_adl(const AdlRecord& r) {
  if (r.time < measure_from_) return;
  ++adl_count_;
  adl_quantity_ += abs_quantity(r.quantity);
}

void RunMetrics::on_social_loss(const SocialLossRecord& r) {
  if (r.time >= measure_from_) socialised_loss_ += r.socialised;
}

void RunMetrics::on_keeper_tx(const KeeperTxRecord& r) {
  if (r.executed < measure_from_) return;
  keeper_gas_ += r.gas_paid;
  if (r.succeeded == 0) {
    ++keeper_failed_txs_;
    keeper_failed_gas_ += r.gas_paid;
  }
}

void RunMetrics::open_window() {
  LIQSIM_CHECK(!window_open_, "the measurement window opens once");
  window_open_ = true;
  const Ledger& ledger = ch_->ledger();
  window_fund_start_ = window_fund_min_ = ch_->place_value(Place::InsuranceFund);
  window_bad_debt_start_ = ledger.bad_debt();
  window_keeper_net_start_ = keeper_net(*ch_);
}

void RunMetrics::begin_sample(MarketId, Time now) {
  ++sample_;
  sample_time_ = now;
  watching_.clear();
}

void RunMetrics::on_liquidatable(AccountId a, MarketId m, bool watched) {
  const auto [it, inserted] = episode_of_.try_emplace(a, uint32_t(episodes_.size()));
  if (inserted) episodes_.push_back(Episode{a, sample_time_, 0, m, false, false});
  Episode& e = episodes_[it->second];
  const bool first_hit = e.sample != sample_;  // an account may be hit twice (trigger and alert)
  e.sample = sample_;
  e.market = m;
  e.watched = watched;
  if (first_hit && (watched || ch_->ledger().account(a).in_liquidation)) watching_.push_back(a);
}

void RunMetrics::end_sample(MarketId m) {
  // The accounts this market's last mark update left watched (the mechanism asked detection to watch
  // them: they are armed again, so while liquidatable detection finds them at every mark update) or
  // in liquidation (an engine step is pending: not armed before it) and that detection did not find
  // now: checked at the new marks.
  for (AccountId a : watched_[m.raw()]) {
    const auto it = episode_of_.find(a);
    Episode* e = it == episode_of_.end() ? nullptr : &episodes_[it->second];
    if (e != nullptr && e->sample == sample_) continue;  // found by detection now
    const bool in_liquidation = ch_->ledger().account(a).in_liquidation;
    if (!in_liquidation && (e == nullptr || !e->watched)) continue;  // no longer watched
    if (ch_->liquidatable(a)) {
      if (e == nullptr) {  // liquidatable again while its liquidation goes on: a new episode
        episode_of_.emplace(a, uint32_t(episodes_.size()));
        episodes_.push_back(Episode{a, sample_time_, sample_, m, false, false});
      } else {
        e->sample = sample_;
      }
      watching_.push_back(a);
    } else {
      if (e != nullptr) close_episode(it->second);
      if (in_liquidation) watching_.push_back(a);
    }
  }
  watched_[m.raw()].swap(watching_);
}

void RunMetrics::close_if_healthy(AccountId a) {
  const auto it = episode_of_.find(a);
  if (it != episode_of_.end() && !ch_->liquidatable(a)) close_episode(it->second);
}

void RunMetrics::close_episode(size_t k) {
  episode_of_.erase(episodes_[k].account);
  if (k + 1 != episodes_.size()) {
    episodes_[k] = episodes_.back();
    episode_of_[episodes_[k].account] = uint32_t(k);
  }
  episodes_.pop_back();
}

void RunMetrics::fill(RunSummary& s) const {
  const ClearingHouse& ch = *ch_;
  const Ledger& ledger = ch.ledger();
  s.measure_from = measure_from_;

  // Liquidations and cascades of the window.
  s.liquidation_count = cascades_.count();
  s.engine_liquidations = engine_liquidations_;
  s.keeper_liquidations = keeper_liquidations_;
  s.auction_liquidations = auction_liquidations_;
  s.debt_auctions = debt_auctions_;
  s.debt_auction_raised = debt_auction_raised_;
  s.mkr_minted = mkr_minted_;
  s.endogenous_liquidations = endogenous_liquidations_;
  s.liquidated_notional = liquidated_notional_;
  s.keeper_rewards = keeper_rewards_;
  s.mean_slippage = s.liquidation_count == 0 ? 0.0 : slippage_ / double(s.liquidation_count);
  std::vector<double> slippages = slippages_;
  std::sort(slippages.begin(), slippages.end());
  s.slippage_p50 = nearest_rank<double>(slippages, 50);
  std::vector<double> gaps = option_gaps_;
  std::sort(gaps.begin(), gaps.end());
  s.option_liquidations = option_liquidations_;
  s.option_liquidation_fills = gaps.size();
  s.option_gap_p50 = nearest_rank<double>(gaps, 50);
  s.option_gap_p90 = nearest_rank<double>(gaps, 90);
  s.option_gap = option_gap_;
  s.option_gap_loss_share = option_loss_.raw() > 0 ? to_double(option_gap_) / to_double(option_loss_) : 0.0;
  s.option_shortfall = option_shortfall_;
  s.option_gap_shortfall_share =
      option_shortfall_.raw() > 0 ? to_double(option_shortfall_beyond_marks_) / to_double(option_shortfall_)
                                  : 0.0;
  s.cascade_generations = cascades_.generations();
  s.largest_cascade = cascades_.largest_cascade();
  s.branching_ratio = cascades_.branching_ratio();
  s.cascade_count = cascades_.roots();
  s.cascade_size_mean = s.cascade_count == 0 ? 0.0 : double(s.liquidation_count) / double(s.cascade_count);
  std::vector<uint64_t> sizes(cascades_.tree_sizes().begin(), cascades_.tree_sizes().end());
  std::sort(sizes.begin(), sizes.end());
  s.cascade_size_p50 = nearest_rank<uint64_t>(sizes, 50);
  s.cascade_size_p99 = nearest_rank<uint64_t>(sizes, 99);

  // Delays of the window's liquidated episodes, and the episodes still liquidatable at the end.
  std::vector<int64_t> delays = delays_ns_;
  std::sort(delays.begin(), delays.end());
  s.liquidated_episodes = delays.size();
  __int128 total = 0;
  for (int64_t d : delays) total += d;
  s.liquidation_delay_mean_seconds = delays.empty() ? 0.0 : double(total) / double(delays.size()) / 1e9;
  s.liquidation_delay_p50_seconds = seconds_of(nearest_rank<int64_t>(delays, 50));
  s.liquidation_delay_p99_seconds = seconds_of(nearest_rank<int64_t>(delays, 99));
  s.liquidation_delay_max_seconds = seconds_of(nearest_rank<int64_t>(delays, 100));
  s.unliquidated_episodes = 0;
  for (const Episode& e : episodes_)
    if (!e.liquidated && ch.liquidatable(e.account)) ++s.unliquidated_episodes;

  // Keepers and ADL of the window.
  s.keeper_gas = keeper_gas_;
  s.keeper_failed_txs = keeper_failed_txs_;
  s.keeper_failed_gas = keeper_failed_gas_;
  s.adl_count = adl_count_;
  s.adl_quantity = adl_quantity_;
  s.socialised_loss = socialised_loss_;

  // The end state of the agents' accounts, at the final marks. Accounts with an engine liquidation
  // still in progress (a step pending) are being liquidated and are left out.
  Amount keepers_net;
  s.hunter_profit = Amount(0);
  s.unliquidated_underwater_accounts = 0;
  s.unliquidated_deficit = Amount(0);
  s.liquidatable_unliquidated_accounts = 0;
  s.liquidatable_unliquidated_notional = Amount(0);
  for (AccountId a(kPlaceCount); a.raw() < ledger.account_count(); ++a) {
    const AccountState& st = ledger.account(a);
    const Health health = ch.health(a);
    if (st.role == AgentRole::Keeper) keepers_net += health.value - st.deposits;
    if (st.role == AgentRole::Hunter) s.hunter_profit += health.value - st.deposits;
    if (st.in_liquidation) continue;
    if (health.value.raw() < 0) {
      ++s.unliquidated_underwater_accounts;
      s.unliquidated_deficit -= health.value;
    }
    if (ledger.has_position(a) && health.below_requirement()) {
      ++s.liquidatable_unliquidated_accounts;
      for (MarketId m(0); m.raw() < ch.market_count(); ++m) {
        const Quantity size = ledger.position(a, m).size;
        if (size.raw() != 0)
          s.liquidatable_unliquidated_notional += notional(ch.mark(m), abs_quantity(size), Round::Down);
      }
    }
  }

  // The insurance fund, bad debt, keepers' profit and the protocol loss. Before the window opens
  // (a summary taken early) the window's figures are 0.
  s.insurance_fund_initial = fund_initial_;
  s.insurance_fund_final = ch.place_value(Place::InsuranceFund);  // with any position it holds, at the marks
  s.insurance_fund_min = std::min(fund_min_, s.insurance_fund_final);
  s.bad_debt = ledger.bad_debt();
  if (window_open_) {
    s.insurance_fund_drawdown = window_fund_start_ - std::min(window_fund_min_, s.insurance_fund_final);
    s.bad_debt_in_window = s.bad_debt - window_bad_debt_start_;
    s.keeper_profit = keepers_net - window_keeper_net_start_;
  } else {
    s.insurance_fund_drawdown = Amount(0);
    s.bad_debt_in_window = Amount(0);
    s.keeper_profit = Amount(0);
  }
  // Debt that Maker's debt auctions cancelled is still the protocol's loss, paid by diluting MKR.
  s.protocol_loss =
      s.insurance_fund_drawdown + s.bad_debt_in_window + s.unliquidated_deficit + s.debt_auction_raised;
}

std::vector<CascadeSizeRecord> RunMetrics::cascade_sizes() const {
  std::vector<CascadeSizeRecord> out;
  for (const auto& [size, trees] :
       value_counts(std::vector<uint64_t>(cascades_.tree_sizes().begin(), cascades_.tree_sizes().end())))
    out.push_back(CascadeSizeRecord{size, trees});
  return out;
}

}  // namespace liqsim
