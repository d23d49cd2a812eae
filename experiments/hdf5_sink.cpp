#include "experiments/hdf5_sink.h"

#include <hdf5.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "analysis/cascade.h"
#include "analysis/hdf5_support.h"
#include "analysis/run_file.h"
#include "core/check.h"

namespace liqsim {
namespace {

constexpr hsize_t kChunkRows = 4096;
constexpr unsigned kDeflateLevel = 4;
constexpr const char* kUnitsNote = "fixed-point integers: see each dataset's units/scale attributes";

using namespace hdf5_support;

// The stored (little-endian) type, the same on every platform.
hid_t stored_type(FieldType type) {
  switch (type) {
    case FieldType::I64:
      return H5T_STD_I64LE;
    case FieldType::U64:
      return H5T_STD_U64LE;
    case FieldType::U32:
      return H5T_STD_U32LE;
    case FieldType::U8:
      return H5T_STD_U8LE;
    case FieldType::F64:
      return H5T_IEEE_F64LE;
  }
  return H5I_INVALID_HID;
}

// Object creation properties without modification times, which would make identical runs differ.
Hid untimed_creation_plist(hid_t plist_class, const std::string& what) {
  Hid plist = make_hid(H5Pcreate(plist_class), what);
  check_call(H5Pset_obj_track_times(plist.get(), 0), what);
  return plist;
}

Hid create_group(hid_t file, const char* path) {
  const std::string what = std::string("creating group ") + path;
  Hid plist = untimed_creation_plist(H5P_GROUP_CREATE, what);
  return make_hid(H5Gcreate2(file, path, H5P_DEFAULT, plist.get(), H5P_DEFAULT), what);
}

void write_string_attribute(hid_t object, const char* name, const std::string& value) {
  const std::string what = std::string("writing attribute ") + name;
  Hid type = make_hid(H5Tcopy(H5T_C_S1), what);
  check_call(H5Tset_size(type.get(), H5T_VARIABLE), what);
  check_call(H5Tset_cset(type.get(), H5T_CSET_UTF8), what);
  Hid space = make_hid(H5Screate(H5S_SCALAR), what);
  Hid attribute = make_hid(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), what);
  const char* text = value.c_str();
  check_call(H5Awrite(attribute.get(), type.get(), &text), what);
}

void write_scalar_attribute(hid_t object, const char* name, hid_t file_type, hid_t memory_type,
                            const void* value) {
  const std::string what = std::string("writing attribute ") + name;
  Hid space = make_hid(H5Screate(H5S_SCALAR), what);
  Hid attribute = make_hid(H5Acreate2(object, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), what);
  check_call(H5Awrite(attribute.get(), memory_type, value), what);
}

// A 1-D chunked, shuffled and deflated dataset of `rows` elements; extendible, so zero rows is valid.
Hid create_dataset(hid_t group, const char* name, hid_t type, size_t rows) {
  const std::string what = std::string("creating dataset ") + name;
  const hsize_t dims = rows;
  const hsize_t max_dims = H5S_UNLIMITED;
  Hid space = make_hid(H5Screate_simple(1, &dims, &max_dims), what);
  Hid plist = untimed_creation_plist(H5P_DATASET_CREATE, what);
  check_call(H5Pset_chunk(plist.get(), 1, &kChunkRows), what);
  check_call(H5Pset_shuffle(plist.get()), what);
  check_call(H5Pset_deflate(plist.get(), kDeflateLevel), what);
  return make_hid(H5Dcreate2(group, name, type, space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT), what);
}

template <class Record>
void write_table(hid_t file, const TableSpec& spec, std::span<const Record> rows) {
  LIQSIM_CHECK(spec.record_size == sizeof(Record), "run file schema does not match the record type");
  const std::string what = std::string("writing table ") + spec.name;
  Hid memory_type = make_hid(H5Tcreate(H5T_COMPOUND, sizeof(Record)), what);
  size_t stored_size = 0;
  for (const FieldSpec& field : spec.fields) stored_size += H5Tget_size(stored_type(field.type));
  Hid file_type = make_hid(H5Tcreate(H5T_COMPOUND, stored_size), what);
  size_t stored_offset = 0;
  for (const FieldSpec& field : spec.fields) {
    check_call(H5Tinsert(memory_type.get(), field.name, field.offset, native_type(field.type)), what);
    check_call(H5Tinsert(file_type.get(), field.name, stored_offset, stored_type(field.type)), what);
    stored_offset += H5Tget_size(stored_type(field.type));
  }
  Hid group = make_hid(H5Gopen2(file, spec.group, H5P_DEFAULT), what);
  Hid dataset = create_dataset(group.get(), spec.name, file_type.get(), rows.size());
  if (!rows.empty()) {
    check_call(H5Dwrite(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), what);
  }
  write_string_attribute(dataset.get(), "description", spec.description);
  write_string_attribute(dataset.get(), "field_units", run_file_schema::field_units(spec.fields));
}

void write_timeseries(hid_t file, std::span<const TimeseriesRow> rows) {
  Hid group = create_group(file, "/timeseries");
  std::vector<int64_t> column(rows.size());
  for (const FieldSpec& field : run_file_schema::timeseries()) {
    LIQSIM_CHECK(field.type == FieldType::I64, "timeseries columns are int64");
    for (size_t i = 0; i < rows.size(); ++i) {
      std::memcpy(&column[i], reinterpret_cast<const char*>(&rows[i]) + field.offset, sizeof(int64_t));
    }
    const std::string what = std::string("writing /timeseries/") + field.name;
    Hid dataset = create_dataset(group.get(), field.name, H5T_STD_I64LE, rows.size());
    if (!rows.empty()) {
      check_call(H5Dwrite(dataset.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, column.data()),
                 what);
    }
    write_string_attribute(dataset.get(), "units", field.units);
    const double scale = run_file_schema::scale_of(field);
    write_scalar_attribute(dataset.get(), "scale", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &scale);
    write_string_attribute(dataset.get(), "description", field.description);
  }
}

void write_summary(hid_t file, const RunSummary& summary) {
  Hid group = create_group(file, "/summary");
  for (const FieldSpec& field : run_file_schema::summary()) {
    write_scalar_attribute(group.get(), field.name, stored_type(field.type), native_type(field.type),
                           reinterpret_cast<const char*>(&summary) + field.offset);
  }
  write_string_attribute(group.get(), "field_units",
                         run_file_schema::field_units(run_file_schema::summary()));
}

void write_metadata(hid_t file, const RunMetadata& metadata) {
  write_string_attribute(file, "liqsim_version", metadata.liqsim_version);
  const int32_t schema_version = metadata.schema_version;
  write_scalar_attribute(file, "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT32, &schema_version);
  write_scalar_attribute(file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &metadata.seed);
  write_string_attribute(file, "scenario_name", metadata.scenario_name);
  write_string_attribute(file, "scenario_toml", metadata.scenario_toml);
  write_string_attribute(file, "mechanism", metadata.mechanism);
  write_string_attribute(file, "same_time_order", metadata.same_time_order);
  write_string_attribute(file, "units_note", kUnitsNote);
}

void write_file(const std::string& path, const RunMetadata& metadata, const RunLog& log,
                const RunSummary& summary) {
  // The liquidation table carries each liquidation's cascade generation.
  const CascadeStats cascades = analyze_cascades(log.liquidations);
  std::vector<LiquidationRow> liquidations(log.liquidations.size());
  for (size_t i = 0; i < liquidations.size(); ++i) {
    liquidations[i].record = log.liquidations[i];
    liquidations[i].generation = cascades.generation[i];
  }

  Hid file_plist = untimed_creation_plist(H5P_FILE_CREATE, "creating the file");
  Hid access_plist = make_hid(H5Pcreate(H5P_FILE_ACCESS), "creating the file");
  // Fixed format bounds: the bytes written do not depend on the library's defaults.
  check_call(H5Pset_libver_bounds(access_plist.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST),
             "creating the file");
  Hid file = make_hid(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, file_plist.get(), access_plist.get()),
                      "creating '" + path + "'");
  write_metadata(file.get(), metadata);
  write_timeseries(file.get(), log.timeseries);
  create_group(file.get(), "/events");
  write_table<LiquidationRow>(file.get(), run_file_schema::liquidations(), liquidations);
  write_table<TradeRecord>(file.get(), run_file_schema::trades(), log.trades);
  write_table<FundingRecord>(file.get(), run_file_schema::funding(), log.funding);
  write_table<AdlRecord>(file.get(), run_file_schema::adl(), log.adl);
  write_table<KeeperTxRecord>(file.get(), run_file_schema::keeper_txs(), log.keeper_txs);
  write_table<AccountFinal>(file.get(), run_file_schema::accounts(), log.accounts);
  write_summary(file.get(), summary);
  // Closing flushes everything; its failure is a failed write.
  check_call(H5Fclose(file.release()), "closing '" + path + "'");
}

// Removes the temporary file on every way out except a successful rename.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::string path) : path_(std::move(path)) {}
  ~TemporaryFile() {
    if (!committed_) {
      std::error_code ignored;  // best effort: the write already failed and reports why
      std::filesystem::remove(path_, ignored);
    }
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::string& path() const { return path_; }
  void commit() { committed_ = true; }

 private:
  std::string path_;
  bool committed_ = false;
};

}  // namespace

std::optional<std::string> write_run_file(const std::string& path, const RunMetadata& metadata,
                                          const RunLog& log, const RunSummary& summary, bool overwrite) {
  LIQSIM_CHECK(metadata.schema_version == kRunFileSchemaVersion, "the HDF5 sink writes schema_version 1");
  std::error_code error;
  const bool exists = std::filesystem::exists(path, error);
  if (error) return "cannot check output file '" + path + "': " + error.message();
  if (exists && !overwrite) return "output file '" + path + "' exists; pass --force to overwrite";

  TemporaryFile temporary(path + ".tmp." + std::to_string(::getpid()));
  {
    QuietHdf5Errors quiet;
    try {
      write_file(temporary.path(), metadata, log, summary);
    } catch (const Hdf5Error& e) {
      return "cannot write run file '" + path + "': " + e.what();
    }
  }
  std::filesystem::rename(temporary.path(), path, error);
  if (error) return "cannot move '" + temporary.path() + "' to '" + path + "': " + error.message();
  temporary.commit();
  return std::nullopt;
}

}  // namespace liqsim
