#include "experiments/report.h"

#include <cmath>
#include <cstdio>

#include "core/units.h"

namespace liqsim {
namespace {

// "1,234,567.89": thousands separators and `decimals` places; "-" only when the rounded value is not 0.
std::string grouped(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(x));
  std::string digits = buf;
  const size_t point = digits.find('.');
  std::string whole = digits.substr(0, point);
  const std::string fraction = point == std::string::npos ? "" : digits.substr(point);
  std::string out;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out += ',';
    out += whole[i];
  }
  const bool negative = x < 0 && (out + fraction).find_first_not_of("0.,") != std::string::npos;
  return (negative ? "-" : "") + out + fraction;
}

// "$1,234.50", "-$3.00".
std::string dollars(double x) {
  const std::string text = grouped(x, 2);
  const bool negative = text[0] == '-';
  std::string out = negative ? "-$" : "$";
  out.append(text, negative ? 1 : 0);
  return out;
}
std::string dollars(Amount a) { return dollars(to_double(a)); }
std::string dollars(Price p) { return dollars(to_double(p)); }
std::string count(uint64_t n) { return grouped(static_cast<double>(n), 0); }
// "+$1.00", "-$3.00", "$0.00": a difference.
std::string signed_dollars(Amount a) {
  std::string out = dollars(a);
  if (a.raw() > 0) out.insert(out.begin(), '+');
  return out;
}

std::string line(const char* format, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

}  // namespace

std::string format_report(const RunMetadata& metadata, const RunSummary& summary,
                          const std::string& output_path, double wall_seconds) {
  const RunSummary& s = summary;
  std::string out;
  out += "scenario \"" + metadata.scenario_name + "\", seed " + std::to_string(metadata.seed) + ", " +
         metadata.mechanism + " liquidation, same-time order " + metadata.same_time_order + "\n";
  out += line("prices               min             max\n");
  out +=
      line("  reference  %14s  %14s\n", dollars(s.reference_min).c_str(), dollars(s.reference_max).c_str());
  out += line("  mark       %14s  %14s\n", dollars(s.mark_min).c_str(), dollars(s.mark_max).c_str());
  out += line("  mid        %14s  %14s\n", dollars(s.mid_min).c_str(), dollars(s.mid_max).c_str());
  out += line("  index      %14s  %14s\n", dollars(s.index_min).c_str(), dollars(s.index_max).c_str());
  if (s.spot_min.raw() > 0) out += line("  spot low   %14s\n", dollars(s.spot_min).c_str());
  out += line("max mark-index gap   %.3f%%\n", 100.0 * s.max_mark_index_gap);
  if (s.measure_from.raw() > 0)
    out += line("measured from        %.3f s (measure_from_seconds): figures marked * count only from then\n",
                to_seconds(s.measure_from));
  const char* w = s.measure_from.raw() > 0 ? "*" : " ";
  out += line("liquidations%s        %s, notional %s (engine %s, keeper %s%s)\n", w,
              count(s.liquidation_count).c_str(), dollars(s.liquidated_notional).c_str(),
              count(s.engine_liquidations).c_str(), count(s.keeper_liquidations).c_str(),
              s.auction_liquidations > 0 ? (", auction " + count(s.auction_liquidations)).c_str() : "");
  out += line(
      "cascades%s            %s generations, largest %s, branching ratio %.3f; %s trees, size mean %.2f, "
      "p50 %s, p99 %s\n",
      w, count(s.cascade_generations).c_str(), count(s.largest_cascade).c_str(), s.branching_ratio,
      count(s.cascade_count).c_str(), s.cascade_size_mean, count(s.cascade_size_p50).c_str(),
      count(s.cascade_size_p99).c_str());
  if (s.counterfactual == CounterfactualKind::ImpactFree) {
    // Against the impact-free twin of the same seed (experiments/counterfactual.h); the cascade line
    // above then counts only endogenous liquidations as children.
    out += line(
        "amplification%s       vs the impact-free twin: mark trough %+.3f pp, index trough %+.3f pp, "
        "spot trough %+.3f pp; liquidations %+lld (%s endogenous), notional %s, protocol loss %s, bad debt "
        "%s\n",
        w, s.amplification_mark_trough_pp, s.amplification_index_trough_pp, s.amplification_spot_trough_pp,
        static_cast<long long>(s.amplification_liquidations), count(s.endogenous_liquidations).c_str(),
        signed_dollars(s.amplification_liquidated_notional).c_str(),
        signed_dollars(s.amplification_protocol_loss).c_str(),
        signed_dollars(s.amplification_bad_debt).c_str());
  }
  out += line(
      "liquidation delay%s   mean %.2f s, p50 %.2f s, p99 %.2f s, max %.2f s (%s episodes); %s never "
      "liquidated, still liquidatable\n",
      w, s.liquidation_delay_mean_seconds, s.liquidation_delay_p50_seconds, s.liquidation_delay_p99_seconds,
      s.liquidation_delay_max_seconds, count(s.liquidated_episodes).c_str(),
      count(s.unliquidated_episodes).c_str());
  out +=
      line("keepers%s             rewards %s, gas %s, profit net of gas %s; %s failed txs (gas %s)\n", w,
           dollars(s.keeper_rewards).c_str(), dollars(s.keeper_gas).c_str(), dollars(s.keeper_profit).c_str(),
           count(s.keeper_failed_txs).c_str(), dollars(s.keeper_failed_gas).c_str());
  out +=
      line("insurance fund       initial %s, min %s, final %s\n", dollars(s.insurance_fund_initial).c_str(),
           dollars(s.insurance_fund_min).c_str(), dollars(s.insurance_fund_final).c_str());
  out += line("ADL%s                 %s events, %.8f coins\n", w, count(s.adl_count).c_str(),
              to_double(s.adl_quantity));
  if (s.socialised_loss.raw() != 0)
    out +=
        line("socialised loss%s     %s charged to open positions\n", w, dollars(s.socialised_loss).c_str());
  out += line("bad debt             %s\n", dollars(s.bad_debt).c_str());
  if (s.hunter_profit.raw() != 0)
    out += line("hunters              profit %s (equity less deposits)\n", dollars(s.hunter_profit).c_str());
  if (s.option_liquidations > 0)
    out += line(
        "option liquidations%s %s (%s fills): mark-to-execution gap p50 %.1f%%, p90 %.1f%% of the mark "
        "(perpetuals' slippage p50 %.2f%%); gap %s, %.0f%% of the members' loss; shortfall %s, %.0f%% "
        "beyond the marks\n",
        w, count(s.option_liquidations).c_str(), count(s.option_liquidation_fills).c_str(),
        100 * s.option_gap_p50, 100 * s.option_gap_p90, 100 * s.slippage_p50, dollars(s.option_gap).c_str(),
        100 * s.option_gap_loss_share, dollars(s.option_shortfall).c_str(),
        100 * s.option_gap_shortfall_share);
  if (s.debt_auctions > 0)
    out += line(
        "debt auctions%s       %s settled: %s raised against bad debt for %.8f MKR minted (%s per MKR)\n", w,
        count(s.debt_auctions).c_str(), dollars(s.debt_auction_raised).c_str(), to_double(s.mkr_minted),
        dollars(price_for(s.debt_auction_raised, s.mkr_minted, Round::Down)).c_str());
  out += line("left unliquidated    %s accounts underwater (deficit %s); %s liquidatable (notional %s)\n",
              count(s.unliquidated_underwater_accounts).c_str(), dollars(s.unliquidated_deficit).c_str(),
              count(s.liquidatable_unliquidated_accounts).c_str(),
              dollars(s.liquidatable_unliquidated_notional).c_str());
  out += line("protocol loss%s       %s = fund drawdown %s + bad debt %s + unliquidated deficit %s%s\n", w,
              dollars(s.protocol_loss).c_str(), dollars(s.insurance_fund_drawdown).c_str(),
              dollars(s.bad_debt_in_window).c_str(), dollars(s.unliquidated_deficit).c_str(),
              s.debt_auction_raised.raw() > 0
                  ? (" + covered by debt auctions " + dollars(s.debt_auction_raised)).c_str()
                  : "");
  if (s.conservation_residual == Amount::zero()) {
    out += "conservation residual 0 (exact)\n";
  } else {
    // Exact, all six decimals: any non-zero residual is a bug.
    const std::string exact = format_amount(s.conservation_residual);
    const bool negative = exact[0] == '-';
    out += negative ? "conservation residual -$" : "conservation residual $";
    out.append(exact, negative ? 1 : 0);
    out += " VIOLATED\n";
  }
  const double rate = wall_seconds > 0 ? static_cast<double>(s.events_processed) / wall_seconds : 0.0;
  out += line("events               %s in %.2f s (%s events/s)\n", count(s.events_processed).c_str(),
              wall_seconds, count(static_cast<uint64_t>(std::llround(rate))).c_str());
  out += "output               " + output_path + "\n";
  return out;
}

}  // namespace liqsim
