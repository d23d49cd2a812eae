// The messages of an MPI sweep (experiments/sweep_messages): what a rank sends arrives unchanged, and a
// malformed message is refused instead of being written to the file.
#include "experiments/sweep_messages.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace liqsim {
namespace {

SweepPlan eight_runs() {
  SweepSpecResult parsed = parse_sweep_text("base = \"small\"\nseeds = 8\n", "test.toml", ".");
  auto expanded = SweepPlan::expand(std::get<SweepSpec>(std::move(parsed)));
  return std::get<SweepPlan>(std::move(expanded));
}

TEST(SweepMessages, CodesAndRunListsRoundTrip) {
  for (const int code : {0, 1, 2, 143, -1}) EXPECT_EQ(decode_code(encode_code(code)), code);
  const std::vector<uint64_t> runs = {7, 0, 999999, uint64_t(1) << 40};
  EXPECT_EQ(decode_runs(encode_runs(runs)), runs);
  EXPECT_TRUE(decode_runs(encode_runs({})).empty());  // "no more runs"
  EXPECT_THROW(decode_runs(std::string(12, '\0')), std::runtime_error);
}

TEST(SweepMessages, OutcomeArrivesAsTheFileStoresIt) {
  const SweepPlan plan = eight_runs();
  SweepOutcome failed;
  failed.run = 6;
  failed.status = SweepRunStatus::Failed;
  failed.error = "ledger move: credit of the quote balance: 9223372036854775797 + 11 overflows int64";
  failed.summary.events_processed = 123456;
  failed.summary.wall_seconds = 3.5;  // not stored in the file: not sent
  failed.summary.mark_min = Price(29'000'000'000);
  failed.summary.max_mark_index_gap = 0.0125;
  failed.summary.conservation_residual = Amount(-7);
  failed.summary.accounts = 509;
  const std::string kept("\x89HDF\r\n\x1a\n and any bytes \0 at all", 30);
  std::string received_kept = "stale";
  const SweepOutcome received = decode_outcome(encode_outcome(failed, kept), plan, received_kept);
  EXPECT_EQ(received.run, 6u);
  EXPECT_EQ(received.status, SweepRunStatus::Failed);
  EXPECT_EQ(received.error, failed.error);
  EXPECT_EQ(received.kept_error, "");
  EXPECT_EQ(received.summary.events_processed, 123456u);
  EXPECT_EQ(received.summary.wall_seconds, 0.0);
  EXPECT_EQ(received.summary.mark_min, Price(29'000'000'000));
  EXPECT_EQ(received.summary.max_mark_index_gap, 0.0125);
  EXPECT_EQ(received.summary.conservation_residual, Amount(-7));
  EXPECT_EQ(received.summary.accounts, 509u);
  EXPECT_EQ(received_kept, kept);

  SweepOutcome io;
  io.run = 1;
  io.kept_error = "cannot create '/tmp/x/1.h5.tmp.5': No space left on device";
  EXPECT_EQ(decode_outcome(encode_outcome(io, ""), plan, received_kept).kept_error, io.kept_error);
  EXPECT_EQ(received_kept, "");
}

TEST(SweepMessages, MalformedOutcomesAreRefused) {
  const SweepPlan plan = eight_runs();
  SweepOutcome ok;
  ok.run = 3;
  ok.status = SweepRunStatus::Ok;
  const std::string bytes = encode_outcome(ok, "kept");
  std::string kept;
  EXPECT_THROW(decode_outcome(bytes.substr(0, bytes.size() - 1), plan, kept), std::runtime_error);
  EXPECT_THROW(decode_outcome(bytes + "x", plan, kept), std::runtime_error);
  SweepOutcome beyond = ok;
  beyond.run = 8;  // the plan has runs 0-7
  EXPECT_THROW(decode_outcome(encode_outcome(beyond, ""), plan, kept), std::runtime_error);
  std::string bad_status = bytes;
  bad_status[8] = 9;
  EXPECT_THROW(decode_outcome(bad_status, plan, kept), std::runtime_error);
}

}  // namespace
}  // namespace liqsim
