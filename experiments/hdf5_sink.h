// Writes a run to an HDF5 run file (schema_version 3, docs/hdf5-schema.md) while it runs. The file
// appears at its path only when complete and closed, and identical inputs give byte-identical files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "core/recorder.h"

namespace liqsim {

struct RunFileOptions {
  // Rows per chunk of every dataset (a dataset with fewer rows is one chunk of its own size). Tests
  // use small values; files written with different values hold the same content.
  size_t chunk_rows = 16384;
  // Full chunks handed to the background writer and not yet in the file; a record that fills one more
  // waits until one is written. With the producers' partial chunks this bounds the rows held.
  size_t max_pending_chunks = 4;
  // Threads that compress chunks beside the one that writes the file; 0: one fewer than the hardware
  // threads, at least 1 and at most 3. finish() compresses what is left on the calling thread too.
  unsigned encoder_threads = 0;
  // The temporary file is the one install_temporary_file_cleanup() removes on SIGINT / SIGTERM /
  // SIGHUP (one per process). Off for writers that run several at once (a sweep's kept tables: the
  // sweep removes what its stopped runs leave).
  bool remove_on_signal = true;
};

// What a writer held at most, for tests and measurements.
struct RunFileWriterStats {
  uint64_t peak_pending_rows = 0;  // rows of full chunks handed over and not yet written
  uint64_t chunks_written = 0;     // chunks stored, every dataset
};

// A Recorder that streams the run to its run file. Each table is cut into chunks of
// `RunFileOptions::chunk_rows` rows as its records arrive; a full chunk goes to background threads that
// compress it (byte shuffle + zlib, as HDF5's shuffle and deflate filters read them) and store it
// (H5Dwrite_chunk), in the order the chunks were filled: chunk boundaries and the file's bytes depend
// only on the records, never on thread timing. Memory is bounded by the chunks in flight, not by the
// number of records; the liquidation table's cascade generations are kept incrementally (8 bytes per
// liquidation).
//
// The content goes to `<path>.tmp.<pid>` (created new, removed on any failure, when the writer is
// destroyed without a successful finish(), and, once install_temporary_file_cleanup() ran, on SIGINT /
// SIGTERM / SIGHUP) and is moved into place by finish(). Chunk data is written to the temporary file as
// it is compressed; HDF5's own metadata is kept in memory (about 65 KB for a 1M-trader run) and written at
// the end, so a failing disk is an ordinary error: HDF5 never sees a failed write and closes cleanly. After a
// write error the writer drops further records (the run can stop early: error()).
//
// The Recorder calls and finish() come from one thread; the writer is not copyable or movable.
class RunFileWriter final : public Recorder {
 public:
  // Creates the temporary file and starts the background threads; an error message when the temporary
  // file cannot be created.
  static std::variant<std::unique_ptr<RunFileWriter>, std::string> open(const std::string& path,
                                                                        const RunFileOptions& options = {});
  ~RunFileWriter() override;
  RunFileWriter(const RunFileWriter&) = delete;
  RunFileWriter& operator=(const RunFileWriter&) = delete;

  void on_trade(const TradeRecord& r) override;
  void on_liquidation(const LiquidationRecord& r) override;
  void on_funding(const FundingRecord& r) override;
  void on_adl(const AdlRecord& r) override;
  void on_social_loss(const SocialLossRecord& r) override;
  void on_keeper_tx(const KeeperTxRecord& r) override;
  void on_keeper_tx_queue(const KeeperTxQueueRecord& r) override;
  void on_block(const BlockRecord& r) override;
  void on_auction(const AuctionRecord& r) override;
  void on_timeseries(const TimeseriesRow& r) override;
  void on_mark_update(const MarkUpdateRecord& r) override;
  void on_cascade_size(const CascadeSizeRecord& r) override;
  void on_venue_sample(const VenueSampleRecord& r) override;
  void on_asset(const AssetFinal& r) override;
  void on_holding(const HoldingFinal& r) override;
  void on_account(const AccountFinal& r) override;
  void on_option_fill(const OptionFillRecord& r) override;
  void on_option_liquidation(const OptionLiquidationRecord& r) override;

  // on_account() takes the run's last records: the first one completes the other tables, and a record
  // of another table after it is an invariant violation.

  // The error that stopped the writing so far (a full disk), or nothing.
  std::optional<std::string> error() const;

  // After the last record: stores the partial chunks, the root attributes and /summary (wall_seconds
  // is not written), closes the file and moves it to `path`. An existing `path` is replaced only when
  // `overwrite` is set, also one that appeared during the run; otherwise, or on any failure, returns an
  // error message and removes the temporary file. Once; no record may follow. `counterfactual`, when
  // given, is the impact-free twin's summary, stored as /counterfactual/summary (same layout).
  std::optional<std::string> finish(const RunMetadata& metadata, const RunSummary& summary, bool overwrite,
                                    const RunSummary* counterfactual = nullptr);

  RunFileWriterStats stats() const;

  class Impl;

 private:
  explicit RunFileWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes a whole in-memory run (a RunLog) through a RunFileWriter. An existing `path` is refused
// without `overwrite`; an error message, or nothing.
std::optional<std::string> write_run_file(const std::string& path, const RunMetadata& metadata,
                                          const RunLog& log, const RunSummary& summary, bool overwrite,
                                          const RunFileOptions& options = {},
                                          const RunSummary* counterfactual = nullptr);

}  // namespace liqsim
