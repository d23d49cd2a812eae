#include "experiments/hdf5_sink.h"

#include <hdf5.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "analysis/cascade.h"
#include "analysis/hdf5_support.h"
#include "analysis/run_file.h"
#include "core/check.h"
#include "experiments/output_file.h"

namespace liqsim {
namespace {

// Storage (docs/hdf5-schema.md): chunks of up to 16,384 rows (a smaller table is one chunk of its own
// size; a trades chunk, 0.9 MB, fits a reader's default 1 MB chunk cache), shuffle then deflate at
// level 1 (compound tables: see EncodedChunk).
constexpr hsize_t kMaxChunkRows = 16384;
constexpr unsigned kDeflateLevel = 1;
constexpr unsigned kMaxCompressionThreads = 4;
constexpr unsigned kDeflateFilterBit = 1u << 1;  // the filter mask bit of the second filter, deflate
constexpr size_t kImageIncrement = size_t{4} << 20;
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

hsize_t chunk_rows_for(size_t rows) { return std::clamp<hsize_t>(rows, 1, kMaxChunkRows); }

// A 1-D chunked, shuffled and deflated dataset of `rows` elements; extendible, so zero rows is valid.
Hid create_dataset(hid_t group, const char* name, hid_t type, size_t rows) {
  const std::string what = std::string("creating dataset ") + name;
  const hsize_t dims = rows;
  const hsize_t max_dims = H5S_UNLIMITED;
  const hsize_t chunk_rows = chunk_rows_for(rows);
  Hid space = make_hid(H5Screate_simple(1, &dims, &max_dims), what);
  Hid plist = untimed_creation_plist(H5P_DATASET_CREATE, what);
  check_call(H5Pset_chunk(plist.get(), 1, &chunk_rows), what);
  check_call(H5Pset_shuffle(plist.get()), what);
  check_call(H5Pset_deflate(plist.get(), kDeflateLevel), what);
  return make_hid(H5Dcreate2(group, name, type, space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT), what);
}

// The rows of a compound table and where each stored field comes from. The stored types are the native
// ones on a little-endian machine, so a stored field is a copy of the record's bytes.
struct PackedRows {
  struct Field {
    size_t source = 0;  // offset in the record
    size_t stored = 0;  // offset in the stored element
    size_t size = 0;
  };
  const unsigned char* records = nullptr;
  size_t rows = 0;
  size_t record_size = 0;
  size_t element_size = 0;
  std::vector<Field> fields;
};

// One chunk as HDF5's filter pipeline stores it: the rows packed (zero-padded to a full chunk, the fill
// value) and byte-shuffled exactly as by H5Z_FILTER_SHUFFLE, then a zlib stream as H5Z_FILTER_DEFLATE
// reads it, at most as large as its input; when deflate does not make it smaller, HDF5 keeps the
// shuffled bytes and marks deflate as skipped in the chunk's filter mask, and so does this. The stream
// is made with zlib's Z_RLE strategy (matches at distance 1 only): after the shuffle most byte planes
// are long runs, and on the default scenario's trades it is 1.6x as fast as level 1's default strategy
// and 10% smaller. Any inflate reads it.
struct EncodedChunk {
  std::vector<unsigned char> bytes;
  uint32_t filter_mask = 0;
};

// The buffers and the zlib stream of one encoding thread, reused from chunk to chunk (fresh memory
// costs page faults, and a deflate stream's setup is not free).
class ChunkScratch {
 public:
  ChunkScratch() {
    if (deflateInit2(&stream_, int(kDeflateLevel), Z_DEFLATED, 15, 8, Z_RLE) != Z_OK) {
      throw Hdf5Error("cannot start zlib's deflate");
    }
  }
  ~ChunkScratch() { deflateEnd(&stream_); }
  ChunkScratch(const ChunkScratch&) = delete;
  ChunkScratch& operator=(const ChunkScratch&) = delete;

  std::vector<unsigned char> shuffled;

  // Deflates `shuffled` into a zlib stream no larger than it; false when it does not fit.
  bool deflate_shuffled(std::vector<unsigned char>& out) {
    compressed_.resize(shuffled.size());
    if (deflateReset(&stream_) != Z_OK) throw Hdf5Error("cannot reset zlib's deflate");
    stream_.next_in = shuffled.data();
    stream_.avail_in = uInt(shuffled.size());
    stream_.next_out = compressed_.data();
    stream_.avail_out = uInt(compressed_.size());
    const int status = deflate(&stream_, Z_FINISH);
    if (status == Z_OK || status == Z_BUF_ERROR) return false;  // output full before the end
    if (status != Z_STREAM_END)
      throw Hdf5Error("deflate failed (zlib status " + std::to_string(status) + ")");
    out.assign(compressed_.begin(), compressed_.begin() + stream_.total_out);
    return true;
  }

 private:
  z_stream stream_ = {};
  std::vector<unsigned char> compressed_;
};

// An 8 x 8 byte transpose: afterwards byte j of word k is what byte k of word j was.
void transpose_bytes(uint64_t (&x)[8]) {
  for (size_t j = 0; j < 4; ++j) {
    const uint64_t t = ((x[j] >> 32) ^ x[j + 4]) & 0x00000000FFFFFFFFull;
    x[j + 4] ^= t;
    x[j] ^= t << 32;
  }
  for (const size_t j : {0, 1, 4, 5}) {
    const uint64_t t = ((x[j] >> 16) ^ x[j + 2]) & 0x0000FFFF0000FFFFull;
    x[j + 2] ^= t;
    x[j] ^= t << 16;
  }
  for (const size_t j : {0, 2, 4, 6}) {
    const uint64_t t = ((x[j] >> 8) ^ x[j + 1]) & 0x00FF00FF00FF00FFull;
    x[j + 1] ^= t;
    x[j] ^= t << 8;
  }
}

// Byte k of each row's field (Size bytes at `in`, rows `record_size` apart) to plane k; 8-byte fields
// eight rows at a time, as one transpose.
template <size_t Size>
void scatter_field(const unsigned char* in, size_t record_size, size_t first, size_t last,
                   unsigned char* plane, size_t plane_size) {
  size_t row = first;
  if constexpr (Size == 8) {
    for (; row + 8 <= last; row += 8) {
      uint64_t x[8];
      for (size_t j = 0; j < 8; ++j) std::memcpy(&x[j], in + (row + j) * record_size, 8);
      transpose_bytes(x);
      for (size_t k = 0; k < 8; ++k) std::memcpy(plane + k * plane_size + row, &x[k], 8);
    }
  }
  for (; row < last; ++row) {
    uint64_t value = 0;
    std::memcpy(&value, in + row * record_size, Size);
    for (size_t byte = 0; byte < Size; ++byte) plane[byte * plane_size + row] = uint8_t(value >> (8 * byte));
  }
}

EncodedChunk encode_chunk(const PackedRows& table, size_t first_row, size_t chunk_rows,
                          ChunkScratch& scratch) {
  const size_t rows = std::min(chunk_rows, table.rows - first_row);
  scratch.shuffled.resize(chunk_rows * table.element_size);
  if (rows < chunk_rows)
    std::fill(scratch.shuffled.begin(), scratch.shuffled.end(), 0);  // else all overwritten
  // A field stored at offset p goes to planes p, p + 1, ... (the shuffle), read once per row as a
  // little-endian word; rows go in blocks small enough for the first-level cache, so that no side is
  // walked with a large stride (chunk_rows is often a power of two: a stride of it would hit one cache
  // set).
  constexpr size_t kBlockRows = 256;
  const unsigned char* records = table.records + first_row * table.record_size;
  for (size_t block = 0; block < rows; block += kBlockRows) {
    const size_t block_end = std::min(rows, block + kBlockRows);
    for (const PackedRows::Field& field : table.fields) {
      unsigned char* plane = scratch.shuffled.data() + field.stored * chunk_rows;
      const unsigned char* in = records + field.source;
      switch (field.size) {
        case 8:
          scatter_field<8>(in, table.record_size, block, block_end, plane, chunk_rows);
          break;
        case 4:
          scatter_field<4>(in, table.record_size, block, block_end, plane, chunk_rows);
          break;
        case 1:
          scatter_field<1>(in, table.record_size, block, block_end, plane, chunk_rows);
          break;
        default:
          LIQSIM_CHECK(false, "run file fields are 1, 4 or 8 bytes");
      }
    }
  }
  EncodedChunk chunk;
  if (!scratch.deflate_shuffled(chunk.bytes)) {
    chunk.bytes = scratch.shuffled;
    chunk.filter_mask = kDeflateFilterBit;
  }
  return chunk;
}

// Encodes every chunk of the table on up to kMaxCompressionThreads threads; the result does not depend
// on the number of threads.
std::vector<EncodedChunk> encode_chunks(const PackedRows& table, size_t chunk_rows) {
  const size_t count = (table.rows + chunk_rows - 1) / chunk_rows;
  std::vector<EncodedChunk> chunks(count);
  std::vector<std::exception_ptr> failures(count);
  std::atomic<size_t> next{0};
  const auto work = [&] {
    size_t i = next++;
    try {
      ChunkScratch scratch;
      for (; i < count; i = next++) chunks[i] = encode_chunk(table, i * chunk_rows, chunk_rows, scratch);
    } catch (...) {
      if (i < count) failures[i] = std::current_exception();
    }
  };
  const unsigned threads = std::min<size_t>(
      {count, size_t{std::max(1u, std::thread::hardware_concurrency())}, kMaxCompressionThreads});
  {
    std::vector<std::jthread> helpers;
    try {
      for (unsigned t = 1; t < threads; ++t) helpers.emplace_back(work);
    } catch (const std::system_error&) {
      // No more threads to be had: the ones running and this one share the chunks.
    }
    work();
  }  // joins the helpers
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  return chunks;
}

// Compound tables are written chunk by chunk, already filtered (H5Dwrite_chunk): the chunks are
// packed, shuffled and compressed here, in parallel, straight from the records.
template <class Record>
void write_table(hid_t file, const TableSpec& spec, std::span<const Record> rows) {
  static_assert(std::endian::native == std::endian::little, "packing assumes the stored little-endian types");
  LIQSIM_CHECK(spec.record_size == sizeof(Record), "run file schema does not match the record type");
  const std::string what = std::string("writing table ") + spec.name;
  PackedRows table;
  table.records = reinterpret_cast<const unsigned char*>(rows.data());
  table.rows = rows.size();
  table.record_size = sizeof(Record);
  for (const FieldSpec& field : spec.fields) {
    const size_t size = H5Tget_size(stored_type(field.type));
    LIQSIM_CHECK(size == H5Tget_size(native_type(field.type)) && size <= sizeof(uint64_t),
                 "stored and native field sizes agree");
    table.fields.push_back({field.offset, table.element_size, size});
    table.element_size += size;
  }
  Hid file_type = make_hid(H5Tcreate(H5T_COMPOUND, table.element_size), what);
  for (size_t i = 0; i < table.fields.size(); ++i) {
    check_call(H5Tinsert(file_type.get(), spec.fields[i].name, table.fields[i].stored,
                         stored_type(spec.fields[i].type)),
               what);
  }
  Hid group = make_hid(H5Gopen2(file, spec.group, H5P_DEFAULT), what);
  Hid dataset = create_dataset(group.get(), spec.name, file_type.get(), rows.size());
  const hsize_t chunk_rows = chunk_rows_for(rows.size());
  const std::vector<EncodedChunk> chunks = encode_chunks(table, chunk_rows);
  for (size_t i = 0; i < chunks.size(); ++i) {
    const hsize_t offset = i * chunk_rows;
    check_call(H5Dwrite_chunk(dataset.get(), H5P_DEFAULT, chunks[i].filter_mask, &offset,
                              chunks[i].bytes.size(), chunks[i].bytes.data()),
               what);
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

// Jenkins' lookup3 hash (hashlittle, public domain, as HDF5's H5_checksum_lookup3 implements it): the
// checksum of HDF5's version 2 and 3 superblocks and other metadata.
uint32_t lookup3_checksum(std::span<const unsigned char> key) {
  const auto rot = [](uint32_t x, int k) { return (x << k) | (x >> (32 - k)); };
  // Little-endian word from up to 4 bytes at `at` (the tail of the key is zero-padded).
  const auto word = [&](size_t at) {
    uint32_t w = 0;
    for (size_t i = 0; i < 4 && at + i < key.size(); ++i) w |= uint32_t(key[at + i]) << (8 * i);
    return w;
  };
  uint32_t a = 0xdeadbeef + uint32_t(key.size());
  uint32_t b = a;
  uint32_t c = a;
  size_t at = 0;
  for (; key.size() - at > 12; at += 12) {
    a += word(at);
    b += word(at + 4);
    c += word(at + 8);
    a = (a - c) ^ rot(c, 4);
    c += b;
    b = (b - a) ^ rot(a, 6);
    a += c;
    c = (c - b) ^ rot(b, 8);
    b += a;
    a = (a - c) ^ rot(c, 16);
    c += b;
    b = (b - a) ^ rot(a, 19);
    a += c;
    c = (c - b) ^ rot(b, 4);
    b += a;
  }
  if (at == key.size()) return c;
  a += word(at);
  b += word(at + 4);
  c += word(at + 8);
  c = (c ^ b) - rot(b, 14);
  a = (a ^ c) - rot(c, 11);
  b = (b ^ a) - rot(a, 25);
  c = (c ^ b) - rot(b, 16);
  a = (a ^ c) - rot(c, 4);
  b = (b ^ a) - rot(a, 14);
  c = (c ^ b) - rot(b, 24);
  return c;
}

// H5Fget_file_image clears the "open for writing" flag in the image's superblock but, before HDF5
// 1.14.7 (HDFGroup/hdf5 issue #1915), keeps the checksum computed with the flag set, so the image does
// not open. Recomputes it: superblock version 2 or 3 with 8-byte offsets is 44 bytes then the checksum.
void repair_superblock_checksum(std::vector<unsigned char>& image) {
  constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  constexpr size_t kChecksummed = 8 + 4 + 4 * 8;
  LIQSIM_CHECK(image.size() >= kChecksummed + 4 && std::memcmp(image.data(), kSignature, 8) == 0 &&
                   (image[8] == 2 || image[8] == 3) && image[9] == 8,
               "the HDF5 file image starts with a version 2 or 3 superblock with 8-byte offsets");
  const uint32_t checksum = lookup3_checksum(std::span(image).first(kChecksummed));
  for (size_t i = 0; i < 4; ++i) image[kChecksummed + i] = static_cast<unsigned char>(checksum >> (8 * i));
}

// Builds the whole file in memory (HDF5's core driver, no backing store) and returns its bytes, so
// that the file system is touched only by one plain write: a failing disk never leaves HDF5 with a
// half-written open file.
std::vector<unsigned char> file_image(const RunMetadata& metadata, const RunLog& log,
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
  check_call(H5Pset_fapl_core(access_plist.get(), kImageIncrement, false), "creating the file");
  // Closing the file closes whatever an error path left open in it.
  check_call(H5Pset_fclose_degree(access_plist.get(), H5F_CLOSE_STRONG), "creating the file");
  // The name only identifies the in-memory file; nothing is created on disk.
  Hid file = make_hid(H5Fcreate("liqsim-run-file-image", H5F_ACC_TRUNC, file_plist.get(), access_plist.get()),
                      "creating the file in memory");
  write_metadata(file.get(), metadata);
  write_timeseries(file.get(), log.timeseries);
  create_group(file.get(), "/events");
  write_table<LiquidationRow>(file.get(), run_file_schema::liquidations(), liquidations);
  write_table<TradeRecord>(file.get(), run_file_schema::trades(), log.trades);
  write_table<FundingRecord>(file.get(), run_file_schema::funding(), log.funding);
  write_table<MarkUpdateRecord>(file.get(), run_file_schema::mark_updates(), log.mark_updates);
  write_table<AdlRecord>(file.get(), run_file_schema::adl(), log.adl);
  write_table<KeeperTxRecord>(file.get(), run_file_schema::keeper_txs(), log.keeper_txs);
  write_table<AccountFinal>(file.get(), run_file_schema::accounts(), log.accounts);
  write_summary(file.get(), summary);
  check_call(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flushing the file image");
  const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
  if (size < 0) throw_hdf5_error("sizing the file image");
  std::vector<unsigned char> image(static_cast<size_t>(size));
  if (H5Fget_file_image(file.get(), image.data(), image.size()) != size)
    throw_hdf5_error("copying the file image");
  check_call(H5Fclose(file.release()), "closing the file image");
  repair_superblock_checksum(image);
  return image;
}

// Writes all of `bytes` to `fd` and closes it; an error message, or nothing.
std::optional<std::string> write_and_close(int fd, std::span<const unsigned char> bytes) {
  int error = 0;
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    bytes = bytes.subspan(size_t(written));
  }
  if (::close(fd) != 0 && error == 0) error = errno;  // some file systems report write errors only here
  if (error != 0) return std::string(std::strerror(error));
  return std::nullopt;
}

}  // namespace

std::optional<std::string> write_run_file(const std::string& path, const RunMetadata& metadata,
                                          const RunLog& log, const RunSummary& summary, bool overwrite) {
  LIQSIM_CHECK(metadata.schema_version == kRunFileSchemaVersion,
               "the HDF5 sink writes the current schema_version");
  std::error_code error;
  const bool exists = std::filesystem::exists(path, error);
  if (error) return "cannot check output file '" + path + "': " + error.message();
  if (exists && !overwrite) return "output file '" + path + "' exists; pass --force to overwrite";

  std::vector<unsigned char> image;
  {
    QuietHdf5Errors quiet;
    try {
      image = file_image(metadata, log, summary);
    } catch (const Hdf5Error& e) {
      return "cannot write run file '" + path + "': " + e.what();
    }
  }
  TemporaryFile temporary(temporary_path_for(path));
  const int fd = temporary.create();
  if (fd < 0) {
    return "cannot write run file '" + path + "': cannot create '" + temporary.path() +
           "': " + std::strerror(-fd);
  }
  if (const auto write_error = write_and_close(fd, image)) {
    return "cannot write run file '" + path + "': writing '" + temporary.path() + "': " + *write_error;
  }
  return temporary.commit(path, overwrite);
}

}  // namespace liqsim
