#include "experiments/sweep_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "analysis/run_file.h"
#include "experiments/output_file.h"
#include "experiments/sweep_file.h"
#include "experiments/sweep_messages.h"
#include "experiments/sweep_mpi.h"
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
  std::printf("  keep         %s\n", spec.keep.empty()
                                         ? "summary (the /metrics row only)"
                                         : (keep_text(spec.keep) + " per ok run, in /runs/<run>").c_str());
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

// ---------------------------------------------------------------------------------------------------
// The messages of a sweep across MPI ranks (docs/sweeps.md "MPI"). Rank 0 writes the file and hands out
// runs; every rank runs them on its own threads. A rank asks for runs (Request: how many), rank 0
// answers with run indices (Assign; none: no more), the rank sends each outcome back (Result: the row's
// status, error and summary, and the bytes of its kept-tables file), then Done once it has no run left;
// rank 0 ends every rank with the sweep's exit code (Finish). Start carries whether the file could be
// opened (the exit code when not).
enum MessageTag : int { kRequest = 1, kAssign = 2, kResult = 3, kDone = 4, kStart = 5, kFinish = 6 };

// Stores the kept-tables file another rank sent, atomically (temporary file, then rename).
std::optional<std::string> write_kept_file(const std::string& path, const std::string& bytes) {
  TemporaryFile temporary(temporary_path_for(path), /*remove_on_signal=*/false);
  const int fd = temporary.create();
  if (fd < 0) return "cannot create '" + temporary.path() + "': " + std::strerror(-fd);
  size_t done = 0;
  int error = 0;
  while (done < bytes.size()) {
    const ssize_t put = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) {
      error = put < 0 ? errno : ENOSPC;
      break;
    }
    done += size_t(put);
  }
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) return "cannot write '" + temporary.path() + "': " + std::strerror(error);
  return temporary.commit(path, /*overwrite=*/true);
}

std::optional<std::string> read_file_bytes(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read '" + path + "': " + std::strerror(errno);
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return "cannot read '" + path + "'";
  return std::nullopt;
}

// Checks the options and the sweep file and resolves every run's scenario; the problems go to `err`.
int prepare(const SweepCommandArgs& args, unsigned default_jobs, std::optional<SweepPlan>& plan,
            unsigned& jobs, std::ostream& err) {
  if (args.force && args.resume) {
    err << "liqsim sweep: --force and --resume exclude each other; allowed: --resume to finish an "
           "interrupted sweep file, --force to start it over\n";
    return kExitBadInput;
  }
  jobs = default_jobs;
  if (args.jobs_given) {
    unsigned value = 0;
    const char* end = args.jobs.data() + args.jobs.size();
    const auto [ptr, ec] = std::from_chars(args.jobs.data(), end, value);
    if (args.jobs.empty() || ec != std::errc() || ptr != end || value < 1 || value > kMaxJobs) {
      err << "liqsim sweep: --jobs '" << args.jobs << "' is not a number of jobs; allowed: an integer in [1, "
          << kMaxJobs << "]\n";
      return kExitBadInput;
    }
    jobs = value;
  }

  // The sweep file, its design and every run's scenario.
  SweepSpecResult parsed = parse_sweep_file(args.file);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&parsed)) {
    err << args.file << ": " << errors->size() << (errors->size() == 1 ? " problem:\n" : " problems:\n");
    for (const ScenarioError& e : *errors) err << "  " << e.message() << "\n";
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
    err << args.file << ": " << problems.size() << (problems.size() == 1 ? " problem:\n" : " problems:\n");
    for (const std::string& p : problems) err << "  " << p << "\n";
    return kExitBadInput;
  }
  plan.emplace(std::get<SweepPlan>(std::move(expanded)));
  return 0;
}

// Opens the output: a new file (checked first) or the interrupted one to finish. The exit code.
int open_output(const SweepCommandArgs& args, const SweepPlan& plan, const std::string& out,
                const std::string& out_option, std::optional<SweepFile>& file) {
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
    return 0;
  }
  struct stat at_path = {};
  if (!args.force && ::stat(out.c_str(), &at_path) == 0 && S_ISREG(at_path.st_mode)) {
    std::cerr << "liqsim sweep: " << out_option << " '" << out
              << "': the file exists; allowed: --resume to run the runs it lacks, --force to replace it, or "
                 "another --out\n";
    return kExitBadInput;
  }
  if (const std::optional<std::string> problem = check_output_path(out, args.force)) {
    std::cerr << "liqsim sweep: " << out_option << " '" << out << "': " << *problem << "\n";
    return kExitBadInput;
  }
  const std::string kept_folder = kept_folder_for(out);
  if (!plan.spec().keep.empty() && !args.force && ::lstat(kept_folder.c_str(), &at_path) == 0) {
    std::cerr
        << "liqsim sweep: " << out_option << " '" << out << "': the folder of the runs' kept tables '"
        << kept_folder
        << "' exists (left by an interrupted sweep); allowed: --resume to finish that sweep, --force to "
           "start over, or another --out\n";
    return kExitBadInput;
  }
  install_temporary_file_cleanup();
  auto created = SweepFile::create(out, plan, args.force);
  if (auto* problem = std::get_if<std::string>(&created)) {
    std::cerr << "liqsim sweep: could not create '" << out << "': " << *problem << "\n";
    return kExitFailure;
  }
  file.emplace(std::get<SweepFile>(std::move(created)));
  return 0;
}

// Rank 0, or the only process: writes the file; runs on its threads, and hands runs to the other ranks.
// `told`: the other ranks got the Start message; `started`: it told them to start (they then wait for
// the Finish message). A Start with a non-zero code ends them with that code.
int coordinate(const SweepCommandArgs& args, const SweepPlan& plan, unsigned jobs, const std::string& out,
               const std::string& out_option, SweepCluster* cluster, bool& told, bool& started) {
  std::optional<SweepFile> file;
  const int opened = open_output(args, plan, out, out_option, file);
  const bool distributed = cluster != nullptr && cluster->size() > 1;
  if (cluster != nullptr) {
    for (int r = 1; r < cluster->size(); ++r) cluster->send(r, kStart, encode_code(opened));
  }
  told = true;
  if (opened != 0) return opened;
  started = true;
  const uint64_t done_before = plan.runs() - file->pending().size();
  // From here on the file is in place and valid: a signal stops the sweep after writing what finished.
  install_stop_handlers();

  const std::vector<uint64_t> pending = file->pending();
  const bool keeping = !plan.spec().keep.empty() && !file->kept_stored();
  const std::string kept_folder = keeping ? file->kept_folder() : std::string();
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
    // Alone: this process's threads take every run in order. Distributed: runs are handed out in
    // order as ranks ask, this one's threads included, each keeping one run ahead per thread.
    std::optional<SweepRunner> runner;
    size_t next = 0;  // pending[next]: the next run to hand out
    bool handing_out = true;
    int ranks_running = distributed ? cluster->size() - 1 : 0;
    if (distributed) {
      runner.emplace(plan, unsigned(std::min<size_t>(jobs, std::max<size_t>(pending.size(), 1))),
                     simulate_run, kept_folder);
    } else {
      runner.emplace(plan, pending, jobs, simulate_run, kept_folder);
      next = pending.size();
    }
    workers = runner->workers();
    const auto take = [&](uint64_t count) {
      std::vector<uint64_t> runs;
      while (handing_out && runs.size() < count && next < pending.size()) runs.push_back(pending[next++]);
      return runs;
    };
    const auto stop = [&] {
      handing_out = false;
      runner->stop();
      runner->no_more_runs();
    };
    bool written = false;
    // Writes one outcome (after a write error, nothing more is written).
    const auto record = [&](const SweepOutcome& outcome, const std::string* kept) {
      if (code != 0) return;
      std::optional<std::string> problem;
      if (!outcome.kept_error.empty()) {
        problem = "its kept tables: " + outcome.kept_error;
      } else if (kept != nullptr && keeping && outcome.status == SweepRunStatus::Ok) {
        if (auto failure = write_kept_file(kept_run_path(kept_folder, outcome.run), *kept))
          problem = "its kept tables: " + *failure;
      }
      if (!problem) problem = file->write(outcome);
      if (problem) {
        if (progress) std::fprintf(stderr, "\n");
        std::cerr << "liqsim sweep: could not write " << describe_run(plan, outcome.run) << " to '" << out
                  << "': " << *problem << "\n";
        stop();
        code = kExitFailure;
        return;
      }
      written = true;
      ++done;
      if (outcome.status == SweepRunStatus::Failed) {
        ++failed;
        if (progress) std::fprintf(stderr, "\r\033[K");
        std::cerr << "liqsim sweep: " << describe_run(plan, outcome.run) << " failed: " << outcome.error
                  << "\n";
      }
    };
    while (true) {
      if (distributed) {
        for (const uint64_t run :
             take(runner->workers() + 1 - std::min<size_t>(runner->unfinished(), runner->workers() + 1)))
          runner->add(run);
        if (next == pending.size()) runner->no_more_runs();
        while (std::optional<ClusterMessage> message = cluster->poll()) {
          try {
            if (message->tag == kRequest) {
              cluster->send(message->source, kAssign,
                            encode_runs(take(uint64_t(decode_code(message->bytes)))));
            } else if (message->tag == kResult) {
              std::string kept;
              const SweepOutcome outcome = decode_outcome(message->bytes, plan, kept);
              record(outcome, &kept);
            } else if (message->tag == kDone) {
              --ranks_running;
            }
          } catch (const std::exception& e) {
            if (code == 0) {
              std::cerr << "liqsim sweep: rank " << message->source << ": " << e.what() << "\n";
              stop();
              code = kExitFailure;
            }
          }
        }
      }
      for (const SweepOutcome& outcome : runner->wait(std::chrono::milliseconds(distributed ? 2 : 200)))
        record(outcome, nullptr);
      if (code != 0 && !distributed) break;
      if (written) {
        written = false;
        if (auto problem = file->flush(); problem && code == 0) {
          std::cerr << "liqsim sweep: could not write '" << out << "': " << *problem << "\n";
          stop();
          code = kExitFailure;
          if (!distributed) break;
        }
      }
      if (runner->finished() && ranks_running == 0) break;
      if (stop_signal != 0) {
        // Everything that finished is written; runs in progress are dropped (--resume reruns them).
        runner->stop();
        file->close();
        if (!kept_folder.empty()) remove_own_temporary_files_and_refuse_more(kept_folder);
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
  if (code == 0) {
    if (auto problem = file->store_kept_runs()) {
      std::cerr << "liqsim sweep: could not store the kept tables in '" << out << "': " << *problem
                << " (the file keeps every row; --resume stores them)\n";
      code = kExitFailure;
    }
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
  if (distributed) {
    std::printf(") in %s on %d MPI ranks with %u job%s each", duration_text(seconds).c_str(), cluster->size(),
                jobs, jobs == 1 ? "" : "s");
  } else {
    std::printf(") in %s with %u job%s", duration_text(seconds).c_str(), workers, workers == 1 ? "" : "s");
  }
  if (done > 0 && seconds > 0) std::printf(", %.1f runs/s", double(done) / seconds);
  std::printf("\noutput %s\n", out.c_str());
  return failed + file->failed_before() > 0 ? kExitFailure : 0;
}

// A rank other than 0: runs what rank 0 hands it on its threads and sends the outcomes back. The kept
// tables of its runs are written to a folder of its own in the machine's temporary folder and sent as
// bytes: ranks need not share a file system.
int work_for_rank0(SweepCluster& cluster, const SweepPlan& plan, unsigned jobs) {
  const int start_code = decode_code(cluster.wait_for(0, kStart).bytes);
  if (start_code != 0) return start_code;
  const bool keeping = !plan.spec().keep.empty();
  std::string scratch;
  bool can_run = true;
  if (keeping) {
    std::string pattern = (std::filesystem::temp_directory_path() / "liqsim-sweep-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) {
      scratch = pattern;
    } else {
      std::cerr << "liqsim sweep: rank " << cluster.rank() << ": cannot create a folder for kept tables in '"
                << std::filesystem::temp_directory_path().string() << "': " << std::strerror(errno)
                << "; this rank runs nothing\n";
      can_run = false;
    }
  }
  install_stop_handlers();
  int code = 0;
  {
    SweepRunner runner(plan, jobs, simulate_run, scratch);
    const size_t ahead = runner.workers() + 1;
    bool requested = false;
    bool no_more = !can_run;
    bool done_sent = false;
    bool finished = false;
    if (no_more) runner.no_more_runs();
    while (!finished) {
      if (!no_more && !requested && runner.unfinished() < ahead) {
        cluster.send(0, kRequest, encode_code(int(ahead - runner.unfinished())));
        requested = true;
      }
      for (SweepOutcome& outcome : runner.wait(std::chrono::milliseconds(2))) {
        std::string kept;
        if (keeping && outcome.status == SweepRunStatus::Ok && outcome.kept_error.empty()) {
          const std::string path = kept_run_path(scratch, outcome.run);
          if (auto problem = read_file_bytes(path, kept)) outcome.kept_error = *problem;
          std::error_code ec;
          std::filesystem::remove(path, ec);
        }
        cluster.send(0, kResult, encode_outcome(outcome, kept));
      }
      while (std::optional<ClusterMessage> message = cluster.poll()) {
        if (message->tag == kAssign) {
          requested = false;
          const std::vector<uint64_t> runs = decode_runs(message->bytes);
          if (runs.empty()) {
            no_more = true;
            runner.no_more_runs();
          }
          for (const uint64_t run : runs) runner.add(run);
        } else if (message->tag == kFinish) {
          code = decode_code(message->bytes);
          finished = true;
        }
      }
      if (no_more && runner.finished() && !done_sent) {
        cluster.send(0, kDone, std::string());
        done_sent = true;
      }
      if (stop_signal != 0) {
        // As rank 0 does: runs in progress are dropped.
        runner.stop();
        if (!scratch.empty()) {
          std::error_code ec;
          std::filesystem::remove_all(scratch, ec);
        }
        end_by_signal(stop_signal);
      }
    }
  }
  if (!scratch.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
  }
  return code;
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
  // Started by mpirun: this process is one rank of the sweep; started alone: it is the whole sweep.
  std::unique_ptr<SweepCluster> cluster;
  try {
    cluster = SweepCluster::join_if_launched();
  } catch (const std::exception& e) {
    std::cerr << "liqsim sweep: " << e.what() << "\n";
    return kExitFailure;
  }
  const int rank = cluster ? cluster->rank() : 0;
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  // Several ranks on one machine share its hardware threads.
  const unsigned default_jobs = cluster ? std::max(1u, hardware / unsigned(cluster->ranks_here())) : hardware;

  // Options, the sweep file and every run's scenario, checked on every rank; rank 0 reports.
  std::ostringstream problems;
  std::optional<SweepPlan> resolved;
  unsigned jobs = 1;
  const int prepared = prepare(args, default_jobs, resolved, jobs, problems);
  if (rank == 0) std::cerr << problems.str();
  if (cluster) {
    const std::vector<int> codes = cluster->all_gather(prepared);
    const int worst = *std::max_element(codes.begin(), codes.end());
    if (worst != 0) {
      // A rank that sees a problem rank 0 does not (another file system, another build) says so.
      if (rank != 0 && codes[0] == 0 && prepared != 0)
        std::cerr << "liqsim sweep: rank " << rank << " differs from rank 0:\n" << problems.str();
      return worst;
    }
    // Every rank must run the same plan.
    const std::string digest = cluster->broadcast(resolved->digest());
    const int same = digest == resolved->digest() ? 0 : kExitBadInput;
    if (same != 0) {
      std::cerr
          << "liqsim sweep: rank " << rank << ": the plan digest " << resolved->digest()
          << " differs from rank 0's " << digest
          << " (another sweep file, base scenario or liqsim version on this machine); allowed: the same "
             "sweep on every rank\n";
    }
    const std::vector<int> agreed = cluster->all_gather(same);
    if (*std::max_element(agreed.begin(), agreed.end()) != 0) return kExitBadInput;
  } else if (prepared != 0) {
    return prepared;
  }
  const SweepPlan& plan = *resolved;
  const std::string out = args.out_given ? args.out : default_sweep_output(args.file);
  const std::string out_option = args.out_given ? "--out" : "output file (default name)";

  if (args.dry_run) {
    if (rank == 0) print_plan(plan, args.file, out);
    return 0;
  }
  if (rank != 0) {
    try {
      return work_for_rank0(*cluster, plan, jobs);
    } catch (const std::exception& e) {
      // Rank 0 would wait for this rank forever: the job ends (rank 0 keeps what it wrote).
      std::cerr << "liqsim sweep: rank " << rank << ": " << e.what() << "; ending every rank\n";
      cluster->abort(kExitFailure);
    }
  }
  int code = 0;
  bool told = false;
  bool started = false;
  try {
    code = coordinate(args, plan, jobs, out, out_option, cluster.get(), told, started);
  } catch (const std::exception& e) {
    std::cerr << "liqsim sweep: " << e.what() << "\n";
    code = kExitFailure;
  }
  if (cluster && (started || !told)) {
    // Every rank ends with the sweep's exit code: Finish after the work, Start with the code when the
    // work never started (a rank told not to start already has its code).
    for (int r = 1; r < cluster->size(); ++r) cluster->send(r, started ? kFinish : kStart, encode_code(code));
  }
  return code;
}

}  // namespace liqsim
