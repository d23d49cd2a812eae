// Reading liqsim run files (HDF5, schema_version 3) back into records, and the schema that the reader
// and the writer (experiments/hdf5_sink) share. HDF5 itself stays inside run_file.cpp and hdf5_sink.cpp;
// docs/hdf5-schema.md describes the same layout for readers in other languages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/recorder.h"

namespace liqsim {

constexpr int kRunFileSchemaVersion = 3;

// How one stored field is typed in the file (always little-endian there).
enum class FieldType : uint8_t { I64, U64, U32, U8, F64 };

// One stored field: where it lives in the in-memory record, and what the stored number means: the value
// in `units` is the stored number times 10^scale_exponent (a Price is "USD/coin" with exponent -6).
struct FieldSpec {
  const char* name;
  FieldType type;
  size_t offset;  // byte offset inside the in-memory record
  const char* units;
  int scale_exponent;
  const char* description;  // stored only for /timeseries datasets; may be empty elsewhere
};

// One compound dataset: a 1-D array of records of `record_size` bytes, stored with `fields` in order.
struct TableSpec {
  const char* group;  // "/events" or "/"
  const char* name;   // dataset name inside the group
  const char* description;
  size_t record_size;
  std::span<const FieldSpec> fields;
};

// One row of /events/liquidations: the record plus its cascade generation (analysis/cascade).
struct LiquidationRow {
  LiquidationRecord record;
  uint32_t generation = 0;
};

// The schema, in file order. Every function returns views of static tables.
namespace run_file_schema {
std::span<const FieldSpec> timeseries();  // over TimeseriesRow: one int64 dataset per field in /timeseries
TableSpec liquidations();                 // over LiquidationRow
TableSpec trades();                       // over TradeRecord
TableSpec funding();                      // over FundingRecord
TableSpec mark_updates();                 // over MarkUpdateRecord
TableSpec adl();                          // over AdlRecord
TableSpec social_losses();                // over SocialLossRecord
TableSpec keeper_txs();                   // over KeeperTxRecord
TableSpec keeper_tx_queue();              // over KeeperTxQueueRecord
TableSpec blocks();                       // over BlockRecord
TableSpec auctions();                     // over AuctionRecord
TableSpec assets();                       // over AssetFinal, stored as /assets
TableSpec holdings();                     // over HoldingFinal, stored as /holdings
TableSpec accounts();                     // over AccountFinal, stored as /accounts
TableSpec cascade_sizes();                // over CascadeSizeRecord, stored as /cascade_sizes
TableSpec venue_timeseries();             // over VenueSampleRecord, stored as /venue_timeseries
TableSpec option_fills();                 // over OptionFillRecord, /events/option_fills
TableSpec option_liquidations();          // over OptionLiquidationRecord, /events/option_liquidations
// Every compound table of a run file, in file order (the writer checks it stores exactly these).
std::vector<TableSpec> tables();
std::span<const FieldSpec> summary();  // over RunSummary: attributes of /summary (no wall_seconds)
// "name: units*1e-6; ..." for a field list (the `field_units` attribute); unscaled fields omit "*1eN".
std::string field_units(std::span<const FieldSpec> fields);
// 10^scale_exponent, the `scale` attribute of a timeseries dataset.
double scale_of(const FieldSpec& field);
}  // namespace run_file_schema

// A run file read back. Records compare equal to what the sink was given.
struct RunFile {
  RunMetadata metadata;
  std::string liqsim_commit;         // root attribute liqsim_commit; "" in files written before it existed
  RunLog log;                        // every event table, the timeseries and the final accounts
  std::vector<uint32_t> generation;  // cascade generation of each liquidation, by index
  RunSummary summary;                // wall_seconds is not stored and reads as 0
  // /counterfactual/summary: the impact-free twin's summary, when the run was measured against it.
  std::optional<RunSummary> counterfactual_summary;
};

// The run file at `path`, or an error message (missing file, not HDF5, other schema, missing field).
std::variant<RunFile, std::string> read_run_file(const std::string& path);

// What a file written by liqsim is, from its root attributes: a run file (root attribute
// `scenario_toml`, docs/hdf5-schema.md) or a sweep file (`plan_digest`, docs/sweeps.md).
enum class LiqsimFileKind { Run, Sweep };

struct LiqsimFileInfo {
  LiqsimFileKind kind = LiqsimFileKind::Run;
  int schema_version = 0;
  std::string liqsim_version;
  std::string liqsim_commit;  // "" when the file predates the attribute
  // The `field_units` attribute of /summary (run) or /metrics (sweep): "name: units*1e-6; ...".
  std::string field_units;
  // A /cascade_sizes dataset, when the file has one (an integer column, or a compound table with an
  // integer field `size`): one cascade size per entry. Run files of schema 2 do not have it.
  std::optional<std::vector<uint64_t>> cascade_sizes;
};

// The kind and identity of the file at `path`, or an error saying why it is not a liqsim file: missing,
// not HDF5, or HDF5 without the root attributes of either kind.
std::variant<LiqsimFileInfo, std::string> read_file_info(const std::string& path);

// SHA-256 (lower-case hex) over every group, dataset and attribute of the file in name order: object
// paths, datatypes, shapes, raw stored values and attribute values. Equal digests mean equal content
// regardless of HDF5's internal layout. Alternative 0 is the digest, alternative 1 an error message.
std::variant<std::string, std::string> dataset_digest(const std::string& path);

// SHA-256 (FIPS 180-4) of `bytes`, lower-case hex: the hash dataset_digest uses, for other fingerprints.
std::string sha256_hex(std::string_view bytes);

}  // namespace liqsim
