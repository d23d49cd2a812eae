#include "experiments/sweep_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "experiments/output_file.h"
#include "experiments/sweep_file.h"
#include "experiments/sweep_plan.h"
#include "experiments/sweep_runner.h"

namespace liqsim {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;
constexpr unsigned kMaxJobs = 1024;
constexpr uint64_t kPlanRowsShown = 20;

// The signal that asked the sweep to stop (0: none). Set by the handler, read by the writing loop.
volatile std::sig_atomic_t stop_signal = 0;

extern "C" void request_stop(int signal_number) { stop_signal = signal_number; }

void install_stop_handlers() {
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current = {};
    if (::sigaction(signal_number, nullptr, &current) != 0 || current.sa_handler == SIG_IGN) continue;
    struct sigaction action = {};
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    ::sigaction(signal_number, &action, nullptr);
  }
}

[[noreturn]] void end_by_signal(int signal_number) {
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  ::sigaction(signal_number, &default_action, nullptr);
  ::raise(signal_number);
  std::_Exit(128 + signal_number);  // not reached unless the signal is blocked
}

std::string file_name_part(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.';
    if (!plain) c = '_';
  }
  return out;
}

std::string shorten(std::string text, size_t limit) {
  if (text.size() > limit) text = text.substr(0, limit - 3) + "...";
  return text;
}

void print_plan(const SweepPlan& plan, const std::string& file, const std::string& out) {
  const SweepSpec& spec = plan.spec();
  std::string shape;
  if (spec.design == SweepDesign::Grid) {
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      shape += (a > 0 ? " x " : "") + std::to_string(plan.axis_value_count(a));
    }
    shape =
        spec.axes.empty() ? "1 point (no axes)" : shape + " = " + std::to_string(plan.points()) + " points";
  } else {
    shape = std::to_string(plan.points()) + " points";
  }
  std::vector<std::string> variant_names;
  for (uint32_t v = 0; v < plan.variants(); ++v) variant_names.push_back(plan.variant_name(v));
  std::string names;
  for (size_t v = 0; v < variant_names.size(); ++v) names += (v > 0 ? ", " : "") + variant_names[v];

  std::printf("sweep %s\n", file.c_str());
  std::printf("  base         %s\n", spec.base.c_str());
  std::printf("  set          %s\n", shorten(spec.set_text, 200).c_str());
  std::printf("  design       %s: %s\n", std::string(design_name(spec.design)).c_str(), shape.c_str());
  std::printf("  seeds        %llu per point (sweep seed %llu)\n", (unsigned long long)plan.seeds(),
              (unsigned long long)spec.seed);
  std::printf("  variants     %u: %s\n", plan.variants(), shorten(names, 200).c_str());
  std::printf("  runs         %llu\n", (unsigned long long)plan.runs());
  std::printf("  plan digest  %s\n", plan.digest().c_str());
  std::printf("  output       %s\n", out.c_str());
  if (!spec.axes.empty()) std::printf("axes\n");
  size_t key_width = 0;
  for (const SweepAxis& axis : spec.axes) key_width = std::max(key_width, axis.key.size());
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    std::printf("  [%zu] %-*s  %s\n", a, int(key_width), spec.axes[a].key.c_str(),
                spec.axes[a].definition.c_str());
    std::printf("      %-*s  -> %s\n", int(key_width), "", shorten(plan.axis_values_text(a), 200).c_str());
  }
  std::printf("variants\n");
  size_t name_width = 7;
  for (const std::string& name : variant_names) name_width = std::max(name_width, name.size());
  for (uint32_t v = 0; v < plan.variants(); ++v) {
    std::printf("  [%u] %-*s  %s\n", v, int(name_width), variant_names[v].c_str(),
                shorten(plan.variant_set_text(v), 200).c_str());
  }
  const uint64_t shown = std::min(plan.runs(), kPlanRowsShown);
  std::printf("first %llu of %llu runs\n", (unsigned long long)shown, (unsigned long long)plan.runs());
  std::string header = "  run     point   seed  run_seed             variant" +
                       std::string(name_width > 7 ? name_width - 7 : 0, ' ');
  std::vector<size_t> widths;
  for (const SweepAxis& axis : spec.axes) {
    widths.push_back(std::max<size_t>(axis.key.size(), 8));
    header += "  " + axis.key + std::string(widths.back() - axis.key.size(), ' ');
  }
  while (!header.empty() && header.back() == ' ') header.pop_back();
  std::printf("%s\n", header.c_str());
  for (uint64_t r = 0; r < shown; ++r) {
    const SweepRun run = plan.run(r);
    std::printf("  %-7llu %-7llu %-5u %-20llu %-*s", (unsigned long long)run.run,
                (unsigned long long)run.point, run.seed_index, (unsigned long long)run.run_seed,
                int(name_width), variant_names[run.variant].c_str());
    std::string values;
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      const std::string value = shorten(plan.value(run.point, a).toml, 40);
      values += "  " + value + std::string(widths[a] > value.size() ? widths[a] - value.size() : 0, ' ');
    }
    while (!values.empty() && values.back() == ' ') values.pop_back();
    std::printf("%s\n", values.c_str());
  }
}

std::string describe_run(const SweepPlan& plan, uint64_t index) {
  const SweepRun run = plan.run(index);
  return "run " + std::to_string(run.run) + " (point " + std::to_string(run.point) + ", seed index " +
         std::to_string(run.seed_index) + ", variant " + plan.variant_name(run.variant) + ")";
}

}  // namespace

std::string duration_text(double seconds) {
  char buf[64];
  if (seconds < 120) {
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  } else if (seconds < 7200) {
    const auto whole =
        int64_t(std::llround(seconds));  // rounded first: 179.6 s is 3 min 00 s, not 2 min 60 s
    std::snprintf(buf, sizeof buf, "%lld min %02lld s", static_cast<long long>(whole / 60),
                  static_cast<long long>(whole % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  }
  return buf;
}

std::string default_sweep_output(const std::string& sweep_file) {
  return "liqsim-sweep-" + file_name_part(std::filesystem::path(sweep_file).stem().string()) + ".h5";
}

int sweep_command(const SweepCommandArgs& args) {
  // Command-line values, checked before anything is read.
  if (args.force && args.resume) {
    std::cerr << "liqsim sweep: --force and --resume exclude each other; allowed: --resume to finish an "
                 "interrupted sweep file, --force to start it over\n";
    return kExitBadInput;
  }
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  if (args.jobs_given) {
    unsigned value = 0;
    const char* end = args.jobs.data() + args.jobs.size();
    const auto [ptr, ec] = std::from_chars(args.jobs.data(), end, value);
    if (args.jobs.empty() || ec != std::errc() || ptr != end || value < 1 || value > kMaxJobs) {
      std::cerr << "liqsim sweep: --jobs '" << args.jobs
                << "' is not a number of jobs; allowed: an integer in [1, " << kMaxJobs << "]\n";
      return kExitBadInput;
    }
    jobs = value;
  }

  // The sweep file, its design and every run's scenario.
  SweepSpecResult parsed = parse_sweep_file(args.file);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&parsed)) {
    std::cerr << args.file << ": " << errors->size()
              << (errors->size() == 1 ? " problem:\n" : " problems:\n");
    for (const ScenarioError& e : *errors) std::cerr << "  " << e.message() << "\n";
    return kExitBadInput;
  }
  auto expanded = SweepPlan::expand(std::get<SweepSpec>(std::move(parsed)));
  std::vector<std::string> problems;
  if (auto* list = std::get_if<std::vector<std::string>>(&expanded)) {
    problems = *list;
  } else {
    problems = std::get<SweepPlan>(expanded).resolve(jobs);
  }
  if (!problems.empty()) {
    std::cerr << args.file << ": " << problems.size()
              << (problems.size() == 1 ? " problem:\n" : " problems:\n");
    for (const std::string& p : problems) std::cerr << "  " << p << "\n";
    return kExitBadInput;
  }
  const SweepPlan& plan = std::get<SweepPlan>(expanded);
  const std::string out = args.out_given ? args.out : default_sweep_output(args.file);
  const std::string out_option = args.out_given ? "--out" : "output file (default name)";

  if (args.dry_run) {
    print_plan(plan, args.file, out);
    return 0;
  }

  // The output file: a new one (checked before the first run) or the interrupted one to finish.
  std::optional<SweepFile> file;
  uint64_t done_before = 0;
  if (args.resume) {
    struct stat at_path = {};
    if (::stat(out.c_str(), &at_path) != 0 || !S_ISREG(at_path.st_mode)) {
      std::cerr
          << "liqsim sweep: --resume: " << out_option << " '" << out
          << "' is not an existing sweep file; allowed: the file an interrupted sweep of this plan wrote "
             "(without --resume a new one is created)\n";
      return kExitBadInput;
    }
    auto opened = SweepFile::resume(out, plan);
    if (auto* problem = std::get_if<std::string>(&opened)) {
      std::cerr << "liqsim sweep: --resume: " << *problem << "\n";
      return kExitBadInput;
    }
    file.emplace(std::get<SweepFile>(std::move(opened)));
    done_before = plan.runs() - file->pending().size();
  } else {
    struct stat at_path = {};
    if (!args.force && ::stat(out.c_str(), &at_path) == 0 && S_ISREG(at_path.st_mode)) {
      std::cerr
          << "liqsim sweep: " << out_option << " '" << out
          << "': the file exists; allowed: --resume to run the runs it lacks, --force to replace it, or "
             "another --out\n";
      return kExitBadInput;
    }
    if (const std::optional<std::string> problem = check_output_path(out, args.force)) {
      std::cerr << "liqsim sweep: " << out_option << " '" << out << "': " << *problem << "\n";
      return kExitBadInput;
    }
    install_temporary_file_cleanup();
    auto created = SweepFile::create(out, plan, args.force);
    if (auto* problem = std::get_if<std::string>(&created)) {
      std::cerr << "liqsim sweep: could not create '" << out << "': " << *problem << "\n";
      return kExitFailure;
    }
    file.emplace(std::get<SweepFile>(std::move(created)));
  }
  // From here on the file is in place and valid: a signal stops the sweep after writing what finished.
  install_stop_handlers();

  const std::vector<uint64_t> pending = file->pending();
  const bool progress = !args.quiet && isatty(STDERR_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;
  uint64_t done = 0;
  uint64_t failed = 0;
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const auto show_progress = [&] {
    const double seconds = elapsed();
    std::string eta = "ETA -";
    if (done > 0 && done < pending.size()) {
      eta = "ETA " + duration_text(seconds / double(done) * double(pending.size() - done));
    }
    std::fprintf(stderr, "\r\033[Kliqsim sweep: %llu/%llu runs, %llu failed, %s elapsed, %s",
                 (unsigned long long)(done_before + done), (unsigned long long)plan.runs(),
                 (unsigned long long)failed, duration_text(seconds).c_str(), eta.c_str());
    std::fflush(stderr);
  };

  int code = 0;
  unsigned workers = 0;
  {
    SweepRunner runner(plan, pending, jobs);
    workers = runner.workers();
    while (!runner.finished()) {
      std::vector<SweepOutcome> batch = runner.wait(std::chrono::milliseconds(200));
      for (const SweepOutcome& outcome : batch) {
        if (auto problem = file->write(outcome)) {
          if (progress) std::fprintf(stderr, "\n");
          std::cerr << "liqsim sweep: could not write " << describe_run(plan, outcome.run) << " to '" << out
                    << "': " << *problem << "\n";
          runner.stop();
          code = kExitFailure;
          break;
        }
        ++done;
        if (outcome.status == SweepRunStatus::Failed) {
          ++failed;
          if (progress) std::fprintf(stderr, "\r\033[K");
          std::cerr << "liqsim sweep: " << describe_run(plan, outcome.run) << " failed: " << outcome.error
                    << "\n";
        }
      }
      if (code != 0) break;
      if (!batch.empty()) {
        if (auto problem = file->flush()) {
          std::cerr << "liqsim sweep: could not write '" << out << "': " << *problem << "\n";
          runner.stop();
          code = kExitFailure;
          break;
        }
      }
      if (stop_signal != 0) {
        // Everything that finished is written; runs in progress are dropped (--resume reruns them).
        runner.stop();
        file->close();
        if (progress) std::fprintf(stderr, "\n");
        std::cerr << "liqsim sweep: stopped by signal " << int(stop_signal) << ": " << (done_before + done)
                  << " of " << plan.runs() << " runs are in '" << out << "'; liqsim sweep " << args.file
                  << (args.out_given ? " --out " + out : std::string()) << " --resume runs the rest\n";
        end_by_signal(stop_signal);
      }
      if (progress && std::chrono::steady_clock::now() - last_progress > std::chrono::milliseconds(250)) {
        show_progress();
        last_progress = std::chrono::steady_clock::now();
      }
    }
  }
  if (progress) {
    show_progress();
    std::fprintf(stderr, "\n");
  }
  if (auto problem = file->close(); problem && code == 0) {
    std::cerr << "liqsim sweep: could not close '" << out << "': " << *problem << "\n";
    code = kExitFailure;
  }
  if (code != 0) return code;
  const double seconds = elapsed();
  if (pending.empty()) {
    std::printf("sweep %s: nothing to run, all %llu runs are in the file (%llu failed)\noutput %s\n",
                args.file.c_str(), (unsigned long long)plan.runs(), (unsigned long long)file->failed_before(),
                out.c_str());
    return file->failed_before() > 0 ? kExitFailure : 0;
  }
  std::printf("sweep %s: %llu runs (%llu ok, %llu failed", args.file.c_str(), (unsigned long long)done,
              (unsigned long long)(done - failed), (unsigned long long)failed);
  if (done_before > 0) {
    std::printf("; %llu were already done, %llu of them failed", (unsigned long long)done_before,
                (unsigned long long)file->failed_before());
  }
  std::printf(") in %s with %u job%s", duration_text(seconds).c_str(), workers, workers == 1 ? "" : "s");
  if (done > 0 && seconds > 0) std::printf(", %.1f runs/s", double(done) / seconds);
  std::printf("\noutput %s\n", out.c_str());
  return failed + file->failed_before() > 0 ? kExitFailure : 0;
}

}  // namespace liqsim
