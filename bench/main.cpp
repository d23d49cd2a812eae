// liqsim_bench's entry point: Google Benchmark's usual main, plus, with the console output, the speed
// ratio of each liqsim OrderBook benchmark over its TextbookOrderBook twin (BM_OrderBook_X over
// BM_TextbookOrderBook_X, items per second), from the medians when repetitions are reported, else from
// the single runs. Both books run in the same process, so the ratio holds on a machine whose absolute
// speed drifts.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type == Run::RT_Aggregate && !median) continue;
      const auto rate = run.counters.find("items_per_second");
      if (rate == run.counters.end()) continue;
      Rate& entry = rates_[run.run_name.function_name];
      if (median || !entry.median) entry = Rate{rate->second.value, median};
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    constexpr std::string_view kReference = "BM_TextbookOrderBook_";
    bool header = false;
    for (const auto& [name, reference] : rates_) {
      if (name.compare(0, kReference.size(), kReference) != 0) continue;
      const auto liqsim = rates_.find("BM_OrderBook_" + name.substr(kReference.size()));
      if (liqsim == rates_.end() || reference.value <= 0) continue;
      if (!header) {
        std::printf("\nOrderBook / TextbookOrderBook (items per second%s):\n",
                    reference.median ? ", medians" : "");
        header = true;
      }
      std::printf("  %-28s %10.3fM/s / %9.3fM/s = %.2fx\n", liqsim->first.c_str(), liqsim->second.value / 1e6,
                  reference.value / 1e6, liqsim->second.value / reference.value);
    }
  }

 private:
  struct Rate {
    double value = 0;
    bool median = false;
  };
  std::map<std::string, Rate> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  // The ratios are printed with the console format only (the default).
  bool console = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.rfind("--benchmark_format=", 0) == 0 && arg != "--benchmark_format=console") console = false;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter(isatty(STDOUT_FILENO) != 0 ? benchmark::ConsoleReporter::OO_Color
                                                    : benchmark::ConsoleReporter::OO_None);
  if (console) {
    benchmark::RunSpecifiedBenchmarks(&reporter);
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  return 0;
}
