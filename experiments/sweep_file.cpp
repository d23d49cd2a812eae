#include "experiments/sweep_file.h"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "analysis/hdf5_support.h"
#include "analysis/run_file.h"
#include "experiments/output_file.h"
#include "experiments/version.h"

namespace liqsim {
namespace {

using namespace hdf5_support;

// Rows are assembled in memory in the stored (little-endian, packed) layout.
static_assert(std::endian::native == std::endian::little,
              "the sweep file writer assumes a little-endian host");

constexpr hsize_t kInitialBatchRows = 4096;
constexpr const char* kMetricsDescription =
    "one row per run of the sweep, in run order: its place in the plan, its axis values, its status and "
    "the run's /summary figures";

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

size_t stored_size(FieldType type) {
  switch (type) {
    case FieldType::I64:
    case FieldType::U64:
    case FieldType::F64:
      return 8;
    case FieldType::U32:
      return 4;
    case FieldType::U8:
      return 1;
  }
  return 0;
}

Hid string_type(size_t bytes, const std::string& what) {
  Hid type = make_hid(H5Tcopy(H5T_C_S1), what);
  check_call(H5Tset_size(type.get(), std::max<size_t>(bytes, 1)), what);
  check_call(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), what);
  check_call(H5Tset_cset(type.get(), H5T_CSET_UTF8), what);
  return type;
}

Hid status_type(const std::string& what) {
  Hid type = make_hid(H5Tenum_create(H5T_STD_U8LE), what);
  const std::pair<const char*, SweepRunStatus> names[] = {
      {"pending", SweepRunStatus::Pending}, {"ok", SweepRunStatus::Ok}, {"failed", SweepRunStatus::Failed}};
  for (const auto& [name, status] : names) {
    const auto value = static_cast<uint8_t>(status);
    check_call(H5Tenum_insert(type.get(), name, &value), what);
  }
  return type;
}

// Copies `text` into a fixed field of `bytes` bytes, NUL-terminated, cut at a UTF-8 character boundary.
void put_text(char* field, size_t bytes, const std::string& text) {
  size_t n = std::min(text.size(), bytes - 1);
  while (n > 0 && n < text.size() && (static_cast<unsigned char>(text[n]) & 0xC0u) == 0x80u) --n;
  std::memset(field, 0, bytes);
  std::memcpy(field, text.data(), n);
}

template <class T>
void write_scalar_attribute(hid_t object, const char* name, hid_t stored, hid_t native, T value) {
  const std::string what = std::string("writing attribute ") + name;
  Hid space = make_hid(H5Screate(H5S_SCALAR), what);
  Hid attribute = make_hid(H5Acreate2(object, name, stored, space.get(), H5P_DEFAULT, H5P_DEFAULT), what);
  check_call(H5Awrite(attribute.get(), native, &value), what);
}

std::string read_string_attribute(hid_t object, const char* name) {
  const std::string what = std::string("reading attribute '") + name + "'";
  Hid attribute = make_hid(H5Aopen(object, name, H5P_DEFAULT), what);
  Hid file_type = make_hid(H5Aget_type(attribute.get()), what);
  if (H5Tget_class(file_type.get()) != H5T_STRING || H5Tis_variable_str(file_type.get()) <= 0) {
    throw Hdf5Error(what + ": not a variable-length string");
  }
  Hid memory_type = make_hid(H5Tcopy(H5T_C_S1), what);
  check_call(H5Tset_size(memory_type.get(), H5T_VARIABLE), what);
  check_call(H5Tset_cset(memory_type.get(), H5Tget_cset(file_type.get())), what);
  char* text = nullptr;
  check_call(H5Aread(attribute.get(), memory_type.get(), &text), what);
  std::string out = text != nullptr ? text : "";
  H5free_memory(text);
  return out;
}

Hid creation_plist(hid_t plist_class, const std::string& what) {
  Hid plist = make_hid(H5Pcreate(plist_class), what);
  check_call(H5Pset_obj_track_times(plist.get(), 0), what);  // identical sweeps give identical files
  return plist;
}

// A one-dimensional table of `rows` rows, contiguous and allocated at creation: writing rows later
// changes no metadata.
Hid create_table(hid_t parent, const char* name, hid_t type, hsize_t rows, const std::string& what) {
  Hid space = make_hid(H5Screate_simple(1, &rows, nullptr), what);
  Hid plist = creation_plist(H5P_DATASET_CREATE, what);
  check_call(H5Pset_layout(plist.get(), H5D_CONTIGUOUS), what);
  check_call(H5Pset_alloc_time(plist.get(), H5D_ALLOC_TIME_EARLY), what);
  check_call(H5Pset_fill_time(plist.get(), H5D_FILL_TIME_NEVER), what);
  return make_hid(H5Dcreate2(parent, name, type, space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT), what);
}

void write_rows(hid_t dataset, hid_t type, hsize_t first, hsize_t count, const void* data,
                const std::string& what) {
  if (count == 0) return;
  Hid file_space = make_hid(H5Dget_space(dataset), what);
  check_call(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &first, nullptr, &count, nullptr), what);
  Hid memory_space = make_hid(H5Screate_simple(1, &count, nullptr), what);
  check_call(H5Dwrite(dataset, type, memory_space.get(), file_space.get(), H5P_DEFAULT, data), what);
}

// A table of fixed-length UTF-8 strings: each column as wide as its longest entry.
void write_text_table(hid_t parent, const char* name, const std::vector<std::string>& columns,
                      const std::vector<std::vector<std::string>>& rows) {
  const std::string what = std::string("writing /plan/") + name;
  std::vector<size_t> widths(columns.size(), 1);
  for (const auto& row : rows) {
    for (size_t c = 0; c < columns.size(); ++c) widths[c] = std::max(widths[c], row[c].size() + 1);
  }
  size_t row_size = 0;
  for (size_t w : widths) row_size += w;
  Hid type = make_hid(H5Tcreate(H5T_COMPOUND, row_size), what);
  std::vector<Hid> member_types;
  size_t offset = 0;
  for (size_t c = 0; c < columns.size(); ++c) {
    member_types.push_back(string_type(widths[c], what));
    check_call(H5Tinsert(type.get(), columns[c].c_str(), offset, member_types.back().get()), what);
    offset += widths[c];
  }
  std::vector<char> buffer(rows.size() * row_size);
  for (size_t r = 0; r < rows.size(); ++r) {
    offset = 0;
    for (size_t c = 0; c < columns.size(); ++c) {
      put_text(buffer.data() + r * row_size + offset, widths[c], rows[r][c]);
      offset += widths[c];
    }
  }
  Hid dataset = create_table(parent, name, type.get(), rows.size(), what);
  write_rows(dataset.get(), type.get(), 0, rows.size(), buffer.data(), what);
}

// The /metrics row: its columns, their offsets in the packed row and the compound type.
class MetricsLayout {
 public:
  explicit MetricsLayout(const std::vector<std::string>& axis_keys) {
    const std::string what = "describing /metrics";
    add("run", H5T_STD_U64LE, 8, "id", run_);
    add("point", H5T_STD_U64LE, 8, "id", point_);
    add("seed_index", H5T_STD_U32LE, 4, "index", seed_index_);
    add("variant", H5T_STD_U32LE, 4, "index", variant_);
    add("run_seed", H5T_STD_U64LE, 8, "seed", run_seed_);
    for (const std::string& key : axis_keys) {
      size_t offset = 0;
      add(key, H5T_IEEE_F64LE, 8, "value", offset);
      axes_.push_back(offset);
    }
    status_type_ = status_type(what);
    add("status", status_type_.get(), 1, "enum", status_);
    error_type_ = string_type(kSweepErrorBytes, what);
    add("error", error_type_.get(), kSweepErrorBytes, "text", error_);
    for (const FieldSpec& field : run_file_schema::summary()) {
      size_t offset = 0;
      add(field.name, stored_type(field.type), stored_size(field.type), "", offset);
      summary_.push_back({&field, offset});
    }
    type_ = make_hid(H5Tcreate(H5T_COMPOUND, size_), what);
    for (const Column& c : columns_)
      check_call(H5Tinsert(type_.get(), c.name.c_str(), c.offset, c.type), what);
    // field_units: the sweep's own columns, then the summary's as in a run file's /summary.
    std::string units;
    for (const Column& c : columns_) {
      if (c.units.empty()) continue;
      units += (units.empty() ? "" : "; ") + c.name + ": " + c.units;
    }
    field_units_ = units + "; " + run_file_schema::field_units(run_file_schema::summary());
  }

  size_t size() const { return size_; }
  hid_t type() const { return type_.get(); }
  const std::string& field_units() const { return field_units_; }
  size_t status_offset() const { return status_; }

  void encode(char* row, const SweepRun& run, const std::vector<double>& axis_values, SweepRunStatus status,
              const std::string& error, const RunSummary& summary) const {
    std::memset(row, 0, size_);
    std::memcpy(row + run_, &run.run, 8);
    std::memcpy(row + point_, &run.point, 8);
    std::memcpy(row + seed_index_, &run.seed_index, 4);
    std::memcpy(row + variant_, &run.variant, 4);
    std::memcpy(row + run_seed_, &run.run_seed, 8);
    for (size_t a = 0; a < axes_.size(); ++a) std::memcpy(row + axes_[a], &axis_values[a], 8);
    const auto code = static_cast<uint8_t>(status);
    std::memcpy(row + status_, &code, 1);
    put_text(row + error_, kSweepErrorBytes, error);
    for (const auto& [field, offset] : summary_) {
      std::memcpy(row + offset, reinterpret_cast<const char*>(&summary) + field->offset,
                  stored_size(field->type));
    }
  }

 private:
  struct Column {
    std::string name;
    hid_t type;
    size_t offset;
    std::string units;
  };
  void add(const std::string& name, hid_t type, size_t bytes, const std::string& units, size_t& offset) {
    offset = size_;
    columns_.push_back({name, type, size_, units});
    size_ += bytes;
  }

  std::vector<Column> columns_;
  size_t size_ = 0;
  size_t run_ = 0, point_ = 0, seed_index_ = 0, variant_ = 0, run_seed_ = 0, status_ = 0, error_ = 0;
  std::vector<size_t> axes_;
  std::vector<std::pair<const FieldSpec*, size_t>> summary_;
  Hid status_type_{H5I_INVALID_HID};
  Hid error_type_{H5I_INVALID_HID};
  Hid type_{H5I_INVALID_HID};
  std::string field_units_;
};

std::vector<std::string> axis_keys(const SweepPlan& plan) {
  std::vector<std::string> keys;
  for (const SweepAxis& axis : plan.spec().axes) keys.push_back(axis.key);
  return keys;
}

std::vector<double> axis_columns(const SweepPlan& plan, uint64_t point) {
  std::vector<double> values;
  for (size_t a = 0; a < plan.spec().axes.size(); ++a) values.push_back(plan.value(point, a).column);
  return values;
}

Hid file_access(bool writing, const std::string& what) {
  Hid fapl = make_hid(H5Pcreate(H5P_FILE_ACCESS), what);
  check_call(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), what);
  // No HDF5 file lock: readers may open the file while a sweep writes it (its metadata never changes
  // then), and one writer at a time is ensured by our own lock (SweepFile::State::lock). Every open in
  // this process uses the same setting, as HDF5 requires of a file opened twice.
  check_call(H5Pset_file_locking(fapl.get(), 0, 1), what);
  // Rows go straight to the file: no sieve buffer holds them back.
  if (writing) check_call(H5Pset_sieve_buf_size(fapl.get(), 0), what);
  return fapl;
}

void build_file(const std::string& path, const SweepPlan& plan) {
  const std::string what = "creating the sweep file";
  Hid fapl = file_access(false, what);
  Hid fcpl = creation_plist(H5P_FILE_CREATE, what);
  Hid file = make_hid(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), what);
  Hid root = make_hid(H5Gopen2(file.get(), "/", H5P_DEFAULT), what);
  const SweepSpec& spec = plan.spec();
  write_string_attribute(root.get(), "liqsim_version", std::string(kLiqsimVersion));
  write_string_attribute(root.get(), "liqsim_commit", std::string(liqsim_commit()));
  write_scalar_attribute<int32_t>(root.get(), "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT32,
                                  kSweepSchemaVersion);
  write_string_attribute(root.get(), "plan_digest", plan.digest());
  write_string_attribute(root.get(), "sweep_toml", spec.text);
  write_string_attribute(root.get(), "base_scenario_toml", plan.base_toml());
  write_string_attribute(root.get(), "design", std::string(design_name(spec.design)));
  write_scalar_attribute<uint64_t>(root.get(), "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, spec.seed);
  write_scalar_attribute<uint64_t>(root.get(), "seeds", H5T_STD_U64LE, H5T_NATIVE_UINT64, plan.seeds());
  write_scalar_attribute<uint64_t>(root.get(), "points", H5T_STD_U64LE, H5T_NATIVE_UINT64, plan.points());
  write_scalar_attribute<uint64_t>(root.get(), "variants", H5T_STD_U64LE, H5T_NATIVE_UINT64, plan.variants());
  write_scalar_attribute<uint64_t>(root.get(), "runs", H5T_STD_U64LE, H5T_NATIVE_UINT64, plan.runs());
  write_string_attribute(root.get(), "keep", keep_text(spec.keep));

  Hid gcpl = creation_plist(H5P_GROUP_CREATE, what);
  Hid plan_group = make_hid(H5Gcreate2(file.get(), "plan", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), what);
  write_string_attribute(plan_group.get(), "set", spec.set_text);
  std::vector<std::vector<std::string>> axes;
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    axes.push_back({spec.axes[a].key, spec.axes[a].definition, plan.axis_values_text(a)});
  }
  write_text_table(plan_group.get(), "axes", {"key", "definition", "values"}, axes);
  std::vector<std::vector<std::string>> variants;
  for (uint32_t v = 0; v < plan.variants(); ++v)
    variants.push_back({plan.variant_name(v), plan.variant_set_text(v)});
  write_text_table(plan_group.get(), "variants", {"name", "set"}, variants);

  const MetricsLayout layout(axis_keys(plan));
  Hid metrics = create_table(file.get(), "metrics", layout.type(), plan.runs(), what);
  write_string_attribute(metrics.get(), "description", kMetricsDescription);
  write_string_attribute(metrics.get(), "field_units", layout.field_units());
  std::vector<char> buffer(size_t(std::min<uint64_t>(kInitialBatchRows, plan.runs())) * layout.size());
  const RunSummary empty{};
  for (uint64_t first = 0; first < plan.runs(); first += kInitialBatchRows) {
    const uint64_t count = std::min<uint64_t>(kInitialBatchRows, plan.runs() - first);
    for (uint64_t k = 0; k < count; ++k) {
      const SweepRun run = plan.run(first + k);
      layout.encode(buffer.data() + k * layout.size(), run, axis_columns(plan, run.point),
                    SweepRunStatus::Pending, "", empty);
    }
    write_rows(metrics.get(), layout.type(), first, count, buffer.data(), what);
  }
  metrics = Hid(H5I_INVALID_HID);
  root = Hid(H5I_INVALID_HID);
  check_call(H5Fclose(file.release()), "closing the sweep file");
}

// The status byte of every row of /metrics.
std::vector<SweepRunStatus> read_statuses(hid_t file) {
  const std::string what = "reading /metrics status";
  Hid dataset = make_hid(H5Dopen2(file, "/metrics", H5P_DEFAULT), what);
  Hid file_type = make_hid(H5Dget_type(dataset.get()), what);
  const int member = H5Tget_member_index(file_type.get(), "status");
  if (member < 0) throw Hdf5Error(what + ": no status column");
  Hid status = make_hid(H5Tget_member_type(file_type.get(), unsigned(member)), what);
  Hid memory_type = make_hid(H5Tcreate(H5T_COMPOUND, 1), what);
  check_call(H5Tinsert(memory_type.get(), "status", 0, status.get()), what);
  Hid space = make_hid(H5Dget_space(dataset.get()), what);
  const hssize_t rows = H5Sget_simple_extent_npoints(space.get());
  std::vector<SweepRunStatus> out(size_t(std::max<hssize_t>(rows, 0)));
  if (!out.empty()) {
    check_call(H5Dread(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), what);
  }
  return out;
}

// Copies the whole file `from` into the open descriptor `to`; an error message, or nothing.
std::optional<std::string> copy_bytes(const std::string& from, int to, const std::string& to_path) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return "cannot read '" + from + "': " + std::strerror(errno);
  std::vector<char> buffer(size_t{1} << 20);
  std::optional<std::string> problem;
  for (;;) {
    const ssize_t got = ::read(in, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      problem = "cannot read '" + from + "': " + std::strerror(errno);
      break;
    }
    if (got == 0) break;
    for (ssize_t done = 0; done < got;) {
      const ssize_t put = ::write(to, buffer.data() + done, size_t(got - done));
      if (put < 0 && errno == EINTR) continue;
      if (put <= 0) {
        problem = "cannot write '" + to_path + "': " + std::strerror(put < 0 ? errno : ENOSPC);
        break;
      }
      done += put;
    }
    if (problem) break;
  }
  ::close(in);
  return problem;
}

// A kept-tables file's name: `<run>.h5` (the run), or its temporary file `<run>.h5.tmp.<pid>`.
bool kept_file_name(const std::string& name, bool* temporary) {
  size_t digits = 0;
  while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
  if (digits == 0 || name.compare(digits, 3, ".h5") != 0) return false;
  const std::string rest = name.substr(digits + 3);
  if (rest.empty()) {
    *temporary = false;
    return true;
  }
  if (rest.rfind(".tmp.", 0) != 0 || rest.size() == 5) return false;
  *temporary = true;
  return std::all_of(rest.begin() + 5, rest.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Copies the kept tables of the run file `source` into the new group `/runs/<run>` of `file`, in the run
// file's layout (`timeseries/<field>`, `events/<table>`, `<table>`), datasets and attributes unchanged.
void copy_kept_run(hid_t runs, uint64_t run, const std::string& source,
                   const std::vector<std::string>& keep) {
  const std::string name = std::to_string(run);
  const std::string what = "storing the kept tables of run " + name + " from '" + source + "'";
  Hid fapl = file_access(false, what);
  Hid from = make_hid(H5Fopen(source.c_str(), H5F_ACC_RDONLY, fapl.get()), what);
  Hid gcpl = creation_plist(H5P_GROUP_CREATE, what);
  Hid group = make_hid(H5Gcreate2(runs, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), what);
  std::optional<Hid> events;
  for (const std::string& kept : keep) {
    if (kept == "timeseries") {
      check_call(H5Ocopy(from.get(), "timeseries", group.get(), "timeseries", H5P_DEFAULT, H5P_DEFAULT),
                 what);
      continue;
    }
    for (const TableSpec& table : run_file_schema::tables()) {
      if (kept != table.name) continue;
      const std::string group_name = table.group;
      const std::string source_path = group_name == "/" ? kept : group_name.substr(1) + "/" + kept;
      hid_t into = group.get();
      if (group_name == "/events") {
        if (!events)
          events.emplace(
              make_hid(H5Gcreate2(group.get(), "events", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), what));
        into = events->get();
      }
      check_call(H5Ocopy(from.get(), source_path.c_str(), into, kept.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                 what);
    }
  }
}

herr_t collect_link_name(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

// `keep` read back from its TOML array text (["timeseries", "trades"]): the quoted words.
std::vector<std::string> parse_keep_text(const std::string& text) {
  std::vector<std::string> out;
  for (size_t at = text.find('"'); at != std::string::npos; at = text.find('"', at)) {
    const size_t end = text.find('"', at + 1);
    if (end == std::string::npos) break;
    out.push_back(text.substr(at + 1, end - at - 1));
    at = end + 1;
  }
  return out;
}

}  // namespace

std::string kept_folder_for(const std::string& path) { return path + ".runs"; }

std::string kept_run_path(const std::string& folder, uint64_t run) {
  return folder + "/" + std::to_string(run) + ".h5";
}

std::optional<std::string> prepare_kept_folder(const std::string& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(folder, ec);
  if (fs::exists(status) && !fs::is_directory(status)) {
    return "'" + folder + "' (the folder of the runs' kept tables) exists and is not a folder";
  }
  if (!fs::exists(status)) {
    if (!fs::create_directory(folder, ec) && ec)
      return "cannot create the folder of the runs' kept tables '" + folder + "': " + ec.message();
    return std::nullopt;
  }
  std::vector<std::string> others;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
    bool temporary = false;
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && kept_file_name(name, &temporary)) {
      fs::remove(entry.path(), ec);
      if (ec) return "cannot remove '" + entry.path().string() + "': " + ec.message();
    } else {
      others.push_back(name);
    }
  }
  if (ec) return "cannot list the folder of the runs' kept tables '" + folder + "': " + ec.message();
  if (!others.empty()) {
    return "the folder of the runs' kept tables '" + folder + "' holds other files ('" + others.front() +
           "'); allowed: a folder of kept-tables files only (move the others away)";
  }
  return std::nullopt;
}

struct SweepFile::State {
  const SweepPlan* plan = nullptr;
  MetricsLayout layout;
  Hid file{H5I_INVALID_HID};
  Hid metrics{H5I_INVALID_HID};
  std::string path;
  std::string kept_folder;
  std::vector<uint64_t> pending;
  std::vector<SweepRunStatus> statuses;  // every row's, as written
  uint64_t failed_before = 0;
  bool kept_stored = false;
  std::vector<char> row;
  int lock_fd = -1;

  State(const SweepPlan& p, const std::string& file)
      : plan(&p), layout(axis_keys(p)), path(file), kept_folder(kept_folder_for(file)), row(layout.size()) {}
  ~State() {
    metrics = Hid(H5I_INVALID_HID);
    file = Hid(H5I_INVALID_HID);
    if (lock_fd >= 0) ::close(lock_fd);
  }

  // One writer per file: a POSIX record lock on the whole file, held while it is open (HDF5's own
  // flock is off so that readers can look at the file meanwhile).
  std::optional<std::string> lock(const std::string& path) {
    lock_fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (lock_fd < 0) return "cannot open '" + path + "' for writing: " + std::strerror(errno);
    struct flock whole = {};
    whole.l_type = F_WRLCK;
    whole.l_whence = SEEK_SET;
    if (::fcntl(lock_fd, F_SETLK, &whole) != 0) {
      return "'" + path + "' is being written by another liqsim sweep (process " + holder(whole) +
             "); allowed: one sweep per file at a time";
    }
    return std::nullopt;
  }

  std::string holder(struct flock probe) const {
    probe.l_type = F_WRLCK;
    if (::fcntl(lock_fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK) return std::to_string(probe.l_pid);
    return "unknown";
  }

  void open(const std::string& path) {
    const std::string what = "opening the sweep file for writing";
    Hid fapl = file_access(true, what);
    file = make_hid(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()), what);
    metrics = make_hid(H5Dopen2(file.get(), "/metrics", H5P_DEFAULT), what);
  }
};

SweepFile::SweepFile(std::unique_ptr<State> state) : state_(std::move(state)) {}
SweepFile::~SweepFile() = default;
SweepFile::SweepFile(SweepFile&&) noexcept = default;
SweepFile& SweepFile::operator=(SweepFile&&) noexcept = default;

std::variant<SweepFile, std::string> SweepFile::create(const std::string& path, const SweepPlan& plan,
                                                       bool overwrite) {
  QuietHdf5Errors quiet;
  TemporaryFile temporary(temporary_path_for(path));
  const int fd = temporary.create();
  if (fd < 0) return "cannot create '" + temporary.path() + "': " + std::strerror(-fd);
  ::close(fd);
  try {
    build_file(temporary.path(), plan);
  } catch (const Hdf5Error& e) {
    return std::string(e.what());
  }
  auto state = std::make_unique<State>(plan, path);
  if (!plan.spec().keep.empty()) {
    struct stat folder = {};
    if (!overwrite && ::lstat(state->kept_folder.c_str(), &folder) == 0) {
      return "the folder of the runs' kept tables '" + state->kept_folder +
             "' exists (left by an interrupted sweep); allowed: resuming that sweep, or replacing it";
    }
    if (auto problem = prepare_kept_folder(state->kept_folder)) return *problem;
  }
  if (auto problem = temporary.commit(path, overwrite)) return *problem;
  if (auto problem = state->lock(path)) return *problem;
  try {
    state->open(path);
  } catch (const Hdf5Error& e) {
    return std::string(e.what());
  }
  state->pending.resize(plan.runs());
  for (uint64_t r = 0; r < plan.runs(); ++r) state->pending[r] = r;
  state->statuses.assign(plan.runs(), SweepRunStatus::Pending);
  return SweepFile(std::move(state));
}

std::variant<SweepFile, std::string> SweepFile::resume(const std::string& path, const SweepPlan& plan) {
  QuietHdf5Errors quiet;
  std::vector<SweepRunStatus> statuses;
  bool kept_stored = false;
  try {
    Hid fapl = file_access(false, "opening '" + path + "'");
    Hid file = make_hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), "opening '" + path + "'");
    if (H5Aexists(file.get(), "plan_digest") <= 0 || H5Lexists(file.get(), "metrics", H5P_DEFAULT) <= 0) {
      return "'" + path + "' is not a liqsim sweep file (no plan_digest attribute or /metrics)";
    }
    const std::string digest = read_string_attribute(file.get(), "plan_digest");
    if (digest != plan.digest()) {
      return "'" + path + "' belongs to another plan (its plan digest " + digest + ", this sweep's " +
             plan.digest() +
             "): the sweep file, its base scenario or liqsim's version differ; allowed: --resume with the "
             "plan "
             "that wrote it, or a new --out (or --force to start over)";
    }
    statuses = read_statuses(file.get());
    kept_stored = H5Lexists(file.get(), "runs", H5P_DEFAULT) > 0;
  } catch (const Hdf5Error& e) {
    return "cannot resume from '" + path + "': " + e.what();
  }
  if (statuses.size() != plan.runs()) {
    return "'" + path + "' has " + std::to_string(statuses.size()) + " rows in /metrics, the plan " +
           std::to_string(plan.runs()) + " runs";
  }
  auto state = std::make_unique<State>(plan, path);
  if (auto problem = state->lock(path)) return *problem;
  try {
    state->open(path);
  } catch (const Hdf5Error& e) {
    return "cannot resume from '" + path + "': " + e.what();
  }
  state->kept_stored = kept_stored;
  // Kept tables not stored yet: an ok run whose file is missing (a folder removed meanwhile) runs again.
  const bool keeping = !plan.spec().keep.empty() && !kept_stored;
  if (keeping) {
    std::error_code ec;
    if (!std::filesystem::is_directory(state->kept_folder, ec)) {
      if (auto problem = prepare_kept_folder(state->kept_folder)) return *problem;
    }
  }
  for (uint64_t r = 0; r < statuses.size(); ++r) {
    struct stat kept = {};
    const bool missing = keeping && statuses[r] == SweepRunStatus::Ok &&
                         ::stat(kept_run_path(state->kept_folder, r).c_str(), &kept) != 0;
    if (statuses[r] == SweepRunStatus::Pending || missing) state->pending.push_back(r);
    if (statuses[r] == SweepRunStatus::Failed) ++state->failed_before;
  }
  state->statuses = std::move(statuses);
  return SweepFile(std::move(state));
}

const std::vector<uint64_t>& SweepFile::pending() const { return state_->pending; }
const std::string& SweepFile::kept_folder() const { return state_->kept_folder; }
bool SweepFile::kept_stored() const { return state_->kept_stored; }
uint64_t SweepFile::failed_before() const { return state_->failed_before; }

std::optional<std::string> SweepFile::write(const SweepOutcome& outcome) {
  State& s = *state_;
  if (s.metrics.get() < 0) return std::string("the sweep file is closed");
  QuietHdf5Errors quiet;
  const SweepRun run = s.plan->run(outcome.run);
  s.layout.encode(s.row.data(), run, axis_columns(*s.plan, run.point), outcome.status, outcome.error,
                  outcome.summary);
  try {
    write_rows(s.metrics.get(), s.layout.type(), outcome.run, 1, s.row.data(),
               "writing row " + std::to_string(outcome.run) + " of /metrics");
  } catch (const Hdf5Error& e) {
    return std::string(e.what());
  }
  s.statuses[outcome.run] = outcome.status;
  return std::nullopt;
}

std::optional<std::string> SweepFile::flush() {
  if (state_->file.get() < 0) return std::nullopt;
  QuietHdf5Errors quiet;
  try {
    check_call(H5Fflush(state_->file.get(), H5F_SCOPE_LOCAL), "flushing the sweep file");
  } catch (const Hdf5Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

std::optional<std::string> SweepFile::close() {
  State& s = *state_;
  if (s.file.get() < 0) return std::nullopt;
  QuietHdf5Errors quiet;
  try {
    s.metrics = Hid(H5I_INVALID_HID);
    check_call(H5Fclose(s.file.release()), "closing the sweep file");
  } catch (const Hdf5Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

std::optional<std::string> SweepFile::store_kept_runs() {
  State& s = *state_;
  const std::vector<std::string>& keep = s.plan->spec().keep;
  std::error_code ec;
  if (keep.empty()) return std::nullopt;
  if (s.kept_stored) {
    std::filesystem::remove_all(s.kept_folder, ec);  // left by a sweep stopped right after storing
    return std::nullopt;
  }
  if (s.file.get() >= 0) return std::string("the sweep file is still open");
  if (std::find(s.statuses.begin(), s.statuses.end(), SweepRunStatus::Pending) != s.statuses.end())
    return std::string("runs are still pending");
  QuietHdf5Errors quiet;
  // A copy of the finished file gets /runs; it replaces the file only when complete.
  TemporaryFile temporary(temporary_path_for(s.path), /*remove_on_signal=*/false);
  const int fd = temporary.create();
  if (fd < 0) return "cannot create '" + temporary.path() + "': " + std::strerror(-fd);
  std::optional<std::string> problem = copy_bytes(s.path, fd, temporary.path());
  if (::close(fd) != 0 && !problem)
    problem = "cannot write '" + temporary.path() + "': " + std::strerror(errno);
  if (problem) return problem;
  try {
    const std::string what = "storing the kept tables";
    Hid fapl = file_access(true, what);
    Hid file = make_hid(H5Fopen(temporary.path().c_str(), H5F_ACC_RDWR, fapl.get()), what);
    Hid gcpl = creation_plist(H5P_GROUP_CREATE, what);
    Hid runs = make_hid(H5Gcreate2(file.get(), "runs", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), what);
    for (uint64_t r = 0; r < s.statuses.size(); ++r) {
      if (s.statuses[r] == SweepRunStatus::Ok)
        copy_kept_run(runs.get(), r, kept_run_path(s.kept_folder, r), keep);
    }
    runs = Hid(H5I_INVALID_HID);
    check_call(H5Fclose(file.release()), "closing '" + temporary.path() + "'");
  } catch (const Hdf5Error& e) {
    return std::string(e.what());
  }
  if (auto failure = temporary.commit(s.path, /*overwrite=*/true)) return failure;
  s.kept_stored = true;
  std::filesystem::remove_all(s.kept_folder, ec);
  if (ec)
    return "the kept tables are stored, but '" + s.kept_folder + "' could not be removed: " + ec.message();
  return std::nullopt;
}

std::variant<SweepFileContents, std::string> read_sweep_file(const std::string& path) {
  QuietHdf5Errors quiet;
  try {
    Hid fapl = file_access(false, "opening '" + path + "'");
    Hid file = make_hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), "opening '" + path + "'");
    SweepFileContents out;
    Hid root = make_hid(H5Gopen2(file.get(), "/", H5P_DEFAULT), "opening /");
    out.liqsim_version = read_string_attribute(root.get(), "liqsim_version");
    {
      Hid attribute = make_hid(H5Aopen(root.get(), "schema_version", H5P_DEFAULT), "reading schema_version");
      check_call(H5Aread(attribute.get(), H5T_NATIVE_INT, &out.schema_version), "reading schema_version");
    }
    if (out.schema_version != kSweepSchemaVersion) {
      return "sweep file '" + path + "' has schema_version " + std::to_string(out.schema_version) +
             "; this reader knows " + std::to_string(kSweepSchemaVersion);
    }
    if (H5Aexists(root.get(), "liqsim_commit") > 0)
      out.liqsim_commit = read_string_attribute(root.get(), "liqsim_commit");
    out.plan_digest = read_string_attribute(root.get(), "plan_digest");
    out.sweep_toml = read_string_attribute(root.get(), "sweep_toml");
    out.base_scenario_toml = read_string_attribute(root.get(), "base_scenario_toml");

    // A table of fixed strings, read as raw rows.
    const auto read_text_table = [&](const char* table, const char* column) {
      const std::string what = std::string("reading /plan/") + table;
      Hid dataset =
          make_hid(H5Dopen2(file.get(), (std::string("/plan/") + table).c_str(), H5P_DEFAULT), what);
      Hid type = make_hid(H5Dget_type(dataset.get()), what);
      Hid space = make_hid(H5Dget_space(dataset.get()), what);
      const auto rows = size_t(H5Sget_simple_extent_npoints(space.get()));
      const size_t size = H5Tget_size(type.get());
      std::vector<char> raw(rows * size);
      if (rows > 0)
        check_call(H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), what);
      const int member = H5Tget_member_index(type.get(), column);
      if (member < 0) throw Hdf5Error(what + ": no column " + column);
      const size_t offset = H5Tget_member_offset(type.get(), unsigned(member));
      Hid member_type = make_hid(H5Tget_member_type(type.get(), unsigned(member)), what);
      const size_t width = H5Tget_size(member_type.get());
      std::vector<std::string> values;
      for (size_t r = 0; r < rows; ++r) {
        const char* text = raw.data() + r * size + offset;
        values.emplace_back(text, strnlen(text, width));
      }
      return values;
    };
    out.keep = parse_keep_text(read_string_attribute(root.get(), "keep"));
    if (H5Lexists(file.get(), "runs", H5P_DEFAULT) > 0) {
      Hid runs = make_hid(H5Gopen2(file.get(), "runs", H5P_DEFAULT), "opening /runs");
      std::vector<std::string> names;
      hsize_t at = 0;
      check_call(H5Literate(runs.get(), H5_INDEX_NAME, H5_ITER_INC, &at, collect_link_name, &names),
                 "listing /runs");
      for (const std::string& name : names) out.kept_runs.push_back(std::stoull(name));
      std::sort(out.kept_runs.begin(), out.kept_runs.end());
    }
    out.axis_keys = read_text_table("axes", "key");
    out.axis_definitions = read_text_table("axes", "definition");
    out.axis_values = read_text_table("axes", "values");
    out.variant_names = read_text_table("variants", "name");
    out.variant_sets = read_text_table("variants", "set");
    out.design = read_string_attribute(root.get(), "design");
    for (auto [name, value] :
         {std::pair{"seed", &out.seed}, std::pair{"seeds", &out.seeds}, std::pair{"points", &out.points},
          std::pair{"variants", &out.variants}, std::pair{"runs", &out.runs}}) {
      Hid attribute = make_hid(H5Aopen(root.get(), name, H5P_DEFAULT), std::string("reading ") + name);
      check_call(H5Aread(attribute.get(), H5T_NATIVE_UINT64, value), std::string("reading ") + name);
    }

    const std::string what = "reading /metrics";
    Hid dataset = make_hid(H5Dopen2(file.get(), "/metrics", H5P_DEFAULT), what);
    Hid type = make_hid(H5Dget_type(dataset.get()), what);
    Hid space = make_hid(H5Dget_space(dataset.get()), what);
    const auto rows = size_t(H5Sget_simple_extent_npoints(space.get()));
    const size_t size = H5Tget_size(type.get());
    std::vector<char> raw(rows * size);
    if (rows > 0)
      check_call(H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), what);
    const auto offset_of = [&](const std::string& name) {
      const int member = H5Tget_member_index(type.get(), name.c_str());
      if (member < 0) throw Hdf5Error(what + ": no column '" + name + "'");
      return H5Tget_member_offset(type.get(), unsigned(member));
    };
    const size_t run = offset_of("run"), point = offset_of("point"), seed_index = offset_of("seed_index");
    const size_t variant = offset_of("variant"), run_seed = offset_of("run_seed"),
                 status = offset_of("status");
    const size_t error = offset_of("error");
    std::vector<size_t> axes;
    for (const std::string& key : out.axis_keys) axes.push_back(offset_of(key));
    std::vector<std::pair<const FieldSpec*, size_t>> summary;
    for (const FieldSpec& field : run_file_schema::summary())
      summary.push_back({&field, offset_of(field.name)});
    for (size_t r = 0; r < rows; ++r) {
      const char* row = raw.data() + r * size;
      SweepMetricsRow m;
      std::memcpy(&m.run.run, row + run, 8);
      std::memcpy(&m.run.point, row + point, 8);
      std::memcpy(&m.run.seed_index, row + seed_index, 4);
      std::memcpy(&m.run.variant, row + variant, 4);
      std::memcpy(&m.run.run_seed, row + run_seed, 8);
      for (size_t offset : axes) {
        double x = 0;
        std::memcpy(&x, row + offset, 8);
        m.axis_values.push_back(x);
      }
      m.status = static_cast<SweepRunStatus>(static_cast<uint8_t>(row[status]));
      m.error.assign(row + error, strnlen(row + error, kSweepErrorBytes));
      for (const auto& [field, offset] : summary) {
        std::memcpy(reinterpret_cast<char*>(&m.summary) + field->offset, row + offset,
                    stored_size(field->type));
      }
      out.rows.push_back(std::move(m));
    }
    return out;
  } catch (const Hdf5Error& e) {
    return "cannot read sweep file '" + path + "': " + e.what();
  }
}

}  // namespace liqsim
