#include "experiments/hdf5_sink.h"

#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>
#include <zlib.h>

#if H5_VERSION_GE(1, 13, 0)
#include <H5FDdevelop.h>  // the driver class and H5FD_t moved out of H5FDpublic.h in 1.13
#endif

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
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
#include "experiments/version.h"

namespace liqsim {
namespace {

// Storage (docs/hdf5-schema.md): chunks of up to RunFileOptions::chunk_rows rows (16,384 by default; a
// smaller dataset is one chunk of its own size; a trades chunk, 0.9 MB, fits a reader's default 1 MB
// chunk cache), shuffle then deflate at level 1 (see EncodedChunk).
constexpr unsigned kDeflateLevel = 1;
constexpr unsigned kDeflateFilterBit = 1u << 1;  // the filter mask bit of the second filter, deflate
constexpr unsigned kMaxEncoderThreads = 3;
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

void write_scalar_attribute(hid_t object, const char* name, hid_t file_type, hid_t memory_type,
                            const void* value) {
  const std::string what = std::string("writing attribute ") + name;
  Hid space = make_hid(H5Screate(H5S_SCALAR), what);
  Hid attribute = make_hid(H5Acreate2(object, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), what);
  check_call(H5Awrite(attribute.get(), memory_type, value), what);
}

// A 1-D chunked, shuffled and deflated dataset of `rows` elements in chunks of `chunk_rows`;
// extendible, so it grows as chunks arrive and zero rows is valid.
Hid create_dataset(hid_t group, const char* name, hid_t type, hsize_t rows, hsize_t chunk_rows) {
  const std::string what = std::string("creating dataset ") + name;
  const hsize_t max_dims = H5S_UNLIMITED;
  Hid space = make_hid(H5Screate_simple(1, &rows, &max_dims), what);
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

  // Deflates `shuffled` into `out`, a zlib stream no larger than it; false when it does not fit. The
  // stream goes straight into `out`, a window at a time: no second chunk-sized buffer per thread.
  bool deflate_shuffled(std::vector<unsigned char>& out) {
    constexpr size_t kWindow = size_t{64} << 10;
    const size_t limit = shuffled.size();
    if (deflateReset(&stream_) != Z_OK) throw Hdf5Error("cannot reset zlib's deflate");
    stream_.next_in = shuffled.data();
    stream_.avail_in = uInt(shuffled.size());
    out.clear();
    out.reserve(std::min(limit, kWindow));
    for (;;) {
      // One byte more than the limit tells a stream that does not fit.
      const size_t room = std::min(kWindow, limit + 1 - out.size());
      const size_t at = out.size();
      out.resize(at + room);
      stream_.next_out = out.data() + at;
      stream_.avail_out = uInt(room);
      const int status = deflate(&stream_, Z_FINISH);
      out.resize(at + room - stream_.avail_out);
      if (status == Z_STREAM_END) return out.size() <= limit;
      if (status != Z_OK && status != Z_BUF_ERROR)
        throw Hdf5Error("deflate failed (zlib status " + std::to_string(status) + ")");
      if (out.size() > limit) return false;
    }
  }

 private:
  z_stream stream_ = {};
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

// ---------------------------------------------------------------------------------------------------
// Where the file's bytes go. HDF5 writes through a small virtual file driver ("liqsim_stream", below)
// into a FileStore: chunk data (H5FD_MEM_DRAW) goes to the temporary file at once, and is never read
// back; everything else (superblock, object headers, B-trees, heaps: 60-65 KB for the default run and for 1M
// traders) stays in memory until finish() writes it. Every write succeeds as far as HDF5 can tell: an I/O
// error is kept here and reported by the writer, so HDF5 never holds a half-written open file (a failed flush
// at close used to leave one, and HDF5's exit handler then crashed on it).

// Writes all of `bytes` at `offset`; 0 or an errno value.
int write_fully(int fd, const unsigned char* bytes, size_t size, uint64_t offset) {
  while (size > 0) {
    const ssize_t written = ::pwrite(fd, bytes, size, off_t(offset));
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (written == 0) return ENOSPC;
    bytes += written;
    size -= size_t(written);
    offset += uint64_t(written);
  }
  return 0;
}

class FileStore {
 public:
  explicit FileStore(int fd) : fd_(fd) {}
  ~FileStore() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileStore(const FileStore&) = delete;
  FileStore& operator=(const FileStore&) = delete;

  haddr_t eoa = 0;  // end of the space HDF5 allocated
  haddr_t eof = 0;  // end of what was written

  int error() const { return error_; }

  void write(H5FD_mem_t type, haddr_t addr, size_t size, const void* buffer) {
    const auto* bytes = static_cast<const unsigned char*>(buffer);
    eof = std::max<haddr_t>(eof, addr + size);
    erase_metadata(addr, addr + size);  // the latest write of a byte wins
    if (type == H5FD_MEM_DRAW) {
      if (error_ == 0) error_ = write_fully(fd_, bytes, size, addr);
    } else if (size > 0) {
      metadata_.emplace(addr, std::vector<unsigned char>(bytes, bytes + size));
      metadata_bytes_ += size;
    }
  }

  // What the file holds at [addr, addr + size): the metadata kept here over the chunk data on disk
  // (zeros where nothing was written).
  void read(haddr_t addr, size_t size, void* buffer) {
    auto* out = static_cast<unsigned char*>(buffer);
    size_t done = 0;
    while (done < size && error_ == 0) {
      const ssize_t got = ::pread(fd_, out + done, size - done, off_t(addr + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) error_ = errno;
      if (got <= 0) break;
      done += size_t(got);
    }
    std::memset(out + done, 0, size - done);
    const haddr_t end = addr + size;
    for (auto it = first_overlapping(addr); it != metadata_.end() && it->first < end; ++it) {
      const haddr_t from = std::max<haddr_t>(addr, it->first);
      const haddr_t to = std::min<haddr_t>(end, it->first + it->second.size());
      std::memcpy(out + (from - addr), it->second.data() + (from - it->first), to - from);
    }
  }

  size_t metadata_bytes() const { return metadata_bytes_; }

  // Writes the metadata, gives the file its allocated length and closes it; 0 or the first errno of
  // the whole write.
  int finish() {
    for (const auto& [addr, bytes] : metadata_) {
      if (error_ != 0) break;
      error_ = write_fully(fd_, bytes.data(), bytes.size(), addr);
    }
    if (error_ == 0 && ::ftruncate(fd_, off_t(eoa)) != 0) error_ = errno;
    // Some file systems report write errors only at close.
    if (::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    return error_;
  }

 private:
  std::map<haddr_t, std::vector<unsigned char>>::iterator first_overlapping(haddr_t addr) {
    auto it = metadata_.lower_bound(addr);
    if (it != metadata_.begin()) {
      const auto before = std::prev(it);
      if (before->first + before->second.size() > addr) return before;
    }
    return it;
  }

  // Forgets the kept metadata in [begin, end), keeping the parts of extents outside it.
  void erase_metadata(haddr_t begin, haddr_t end) {
    auto it = first_overlapping(begin);
    while (it != metadata_.end() && it->first < end) {
      const haddr_t start = it->first;
      std::vector<unsigned char> bytes = std::move(it->second);
      const haddr_t stop = start + bytes.size();
      it = metadata_.erase(it);
      metadata_bytes_ -= bytes.size();
      if (start < begin) {
        metadata_.emplace(start, std::vector<unsigned char>(bytes.begin(), bytes.begin() + (begin - start)));
        metadata_bytes_ += begin - start;
      }
      if (stop > end) {
        // Extents never overlap: the next one starts at or after `stop`, so the loop ends here.
        metadata_.emplace(end, std::vector<unsigned char>(bytes.begin() + (end - start), bytes.end()));
        metadata_bytes_ += stop - end;
      }
    }
  }

  int fd_;
  int error_ = 0;
  std::map<haddr_t, std::vector<unsigned char>> metadata_;  // non-overlapping extents by address
  size_t metadata_bytes_ = 0;
};

// The driver: HDF5's file operations on a FileStore, which the file access property list names.
struct StreamDriverInfo {
  FileStore* store;
};

struct StreamDriverFile {
  H5FD_t pub;  // first: HDF5 fills it in and hands the driver a pointer to it
  FileStore* store;
};

FileStore& store_of(const H5FD_t* file) { return *reinterpret_cast<const StreamDriverFile*>(file)->store; }

extern "C" {
H5FD_t* stream_driver_open(const char*, unsigned, hid_t fapl, haddr_t) {
  const auto* info = static_cast<const StreamDriverInfo*>(H5Pget_driver_info(fapl));
  if (info == nullptr || info->store == nullptr) return nullptr;
  auto* file = static_cast<StreamDriverFile*>(std::calloc(1, sizeof(StreamDriverFile)));
  if (file == nullptr) return nullptr;
  file->store = info->store;
  return &file->pub;
}
herr_t stream_driver_close(H5FD_t* file) {
  std::free(reinterpret_cast<StreamDriverFile*>(file));
  return 0;
}
int stream_driver_cmp(const H5FD_t* a, const H5FD_t* b) {
  const FileStore* x = &store_of(a);
  const FileStore* y = &store_of(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
herr_t stream_driver_query(const H5FD_t*, unsigned long* flags) {
  // As HDF5's own sec2 and core drivers: metadata and small raw data aggregated, metadata accumulated.
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
           H5FD_FEAT_AGGREGATE_SMALLDATA;
  return 0;
}
haddr_t stream_driver_get_eoa(const H5FD_t* file, H5FD_mem_t) { return store_of(file).eoa; }
herr_t stream_driver_set_eoa(H5FD_t* file, H5FD_mem_t, haddr_t addr) {
  store_of(file).eoa = addr;
  return 0;
}
haddr_t stream_driver_get_eof(const H5FD_t* file, H5FD_mem_t) { return store_of(file).eof; }
herr_t stream_driver_read(H5FD_t* file, H5FD_mem_t, hid_t, haddr_t addr, size_t size, void* buffer) {
  store_of(file).read(addr, size, buffer);
  return 0;
}
herr_t stream_driver_write(H5FD_t* file, H5FD_mem_t type, hid_t, haddr_t addr, size_t size,
                           const void* buffer) {
  store_of(file).write(type, addr, size, buffer);
  return 0;
}
herr_t stream_driver_flush(H5FD_t*, hid_t, hbool_t) { return 0; }
herr_t stream_driver_truncate(H5FD_t*, hid_t, hbool_t) { return 0; }  // FileStore::finish() does it
}

H5FD_class_t stream_driver_class() {
  H5FD_class_t c{};
#if H5_VERSION_GE(1, 13, 0)
  c.version = H5FD_CLASS_VERSION;
  c.value = H5FD_class_value_t(600);  // in the range HDF5 leaves to applications' own drivers
#endif
  c.name = "liqsim_stream";
  c.maxaddr = haddr_t((uint64_t{1} << 63) - 1);  // what fits an off_t
  c.fc_degree = H5F_CLOSE_WEAK;
  c.fapl_size = sizeof(StreamDriverInfo);
  c.open = stream_driver_open;
  c.close = stream_driver_close;
  c.cmp = stream_driver_cmp;
  c.query = stream_driver_query;
  c.get_eoa = stream_driver_get_eoa;
  c.set_eoa = stream_driver_set_eoa;
  c.get_eof = stream_driver_get_eof;
  c.read = stream_driver_read;
  c.write = stream_driver_write;
  c.flush = stream_driver_flush;
  c.truncate = stream_driver_truncate;
  const H5FD_mem_t free_list_map[H5FD_MEM_NTYPES] = H5FD_FLMAP_DICHOTOMY;
  std::copy(std::begin(free_list_map), std::end(free_list_map), std::begin(c.fl_map));
  return c;
}

// ---------------------------------------------------------------------------------------------------
// The streams: one per record type, each feeding one dataset (a compound table) or several (the
// /timeseries columns, one int64 dataset per field).

enum StreamId : size_t {
  kTimeseries,
  kLiquidations,
  kTrades,
  kFunding,
  kMarkUpdates,
  kAdl,
  kSocialLosses,
  kKeeperTxs,
  kKeeperTxQueue,
  kBlocks,
  kAuctions,
  kVenueSamples,
  kCascadeSizes,
  kOptionFills,
  kOptionLiquidations,
  kAssets,
  kHoldings,
  kAccounts,
  kStreamCount
};

// One dataset fed by a stream: its place, its stored layout and how to describe it.
struct OutputSpec {
  std::string group;  // "/timeseries", "/events" or "/"
  std::string name;
  PackedRows layout;                  // fields taken from the stream's records (records, rows: per chunk)
  const TableSpec* table = nullptr;   // a compound table, or
  const FieldSpec* column = nullptr;  // one /timeseries column
};

struct StreamSpec {
  size_t record_size = 0;
  std::vector<OutputSpec> outputs;
};

PackedRows layout_of(size_t record_size, std::span<const FieldSpec> fields) {
  static_assert(std::endian::native == std::endian::little, "packing assumes the stored little-endian types");
  PackedRows layout;
  layout.record_size = record_size;
  for (const FieldSpec& field : fields) {
    const size_t size = H5Tget_size(stored_type(field.type));
    LIQSIM_CHECK(size == H5Tget_size(native_type(field.type)) && size <= sizeof(uint64_t),
                 "stored and native field sizes agree");
    layout.fields.push_back({field.offset, layout.element_size, size});
    layout.element_size += size;
  }
  return layout;
}

template <class Record>
StreamSpec table_stream(const TableSpec& spec, const TableSpec* stored) {
  LIQSIM_CHECK(spec.record_size == sizeof(Record), "run file schema does not match the record type");
  StreamSpec stream;
  stream.record_size = sizeof(Record);
  stream.outputs.push_back(
      OutputSpec{spec.group, spec.name, layout_of(sizeof(Record), spec.fields), stored, nullptr});
  return stream;
}

// The schema's tables, which live as long as the program (run_file_schema returns static views).
struct Schema {
  TableSpec tables[kStreamCount];
  std::vector<StreamSpec> streams;
  Schema() {
    tables[kLiquidations] = run_file_schema::liquidations();
    tables[kTrades] = run_file_schema::trades();
    tables[kFunding] = run_file_schema::funding();
    tables[kMarkUpdates] = run_file_schema::mark_updates();
    tables[kAdl] = run_file_schema::adl();
    tables[kSocialLosses] = run_file_schema::social_losses();
    tables[kKeeperTxs] = run_file_schema::keeper_txs();
    tables[kKeeperTxQueue] = run_file_schema::keeper_tx_queue();
    tables[kBlocks] = run_file_schema::blocks();
    tables[kAuctions] = run_file_schema::auctions();
    tables[kVenueSamples] = run_file_schema::venue_timeseries();
    tables[kCascadeSizes] = run_file_schema::cascade_sizes();
    tables[kOptionFills] = run_file_schema::option_fills();
    tables[kOptionLiquidations] = run_file_schema::option_liquidations();
    tables[kAssets] = run_file_schema::assets();
    tables[kHoldings] = run_file_schema::holdings();
    tables[kAccounts] = run_file_schema::accounts();
    // Every table of the schema has a stream here and nothing else does (docs and reader use the list).
    const std::vector<TableSpec> listed = run_file_schema::tables();
    LIQSIM_CHECK(listed.size() + 1 == kStreamCount, "a run file table without a stream, or the reverse");
    for (const TableSpec& table : listed) {
      bool found = false;
      for (size_t s = 0; s < kStreamCount; ++s)
        found = found || (s != kTimeseries && std::string_view(tables[s].name) == table.name &&
                          std::string_view(tables[s].group) == table.group);
      LIQSIM_CHECK(found, "a run file table without a stream");
    }
    streams.resize(kStreamCount);
    StreamSpec& series = streams[kTimeseries];
    series.record_size = sizeof(TimeseriesRow);
    for (const FieldSpec& field : run_file_schema::timeseries()) {
      LIQSIM_CHECK(field.type == FieldType::I64, "timeseries columns are int64");
      series.outputs.push_back(OutputSpec{"/timeseries", field.name,
                                          layout_of(sizeof(TimeseriesRow), std::span(&field, 1)), nullptr,
                                          &field});
    }
    streams[kLiquidations] = table_stream<LiquidationRow>(tables[kLiquidations], &tables[kLiquidations]);
    streams[kTrades] = table_stream<TradeRecord>(tables[kTrades], &tables[kTrades]);
    streams[kFunding] = table_stream<FundingRecord>(tables[kFunding], &tables[kFunding]);
    streams[kMarkUpdates] = table_stream<MarkUpdateRecord>(tables[kMarkUpdates], &tables[kMarkUpdates]);
    streams[kAdl] = table_stream<AdlRecord>(tables[kAdl], &tables[kAdl]);
    streams[kSocialLosses] = table_stream<SocialLossRecord>(tables[kSocialLosses], &tables[kSocialLosses]);
    streams[kKeeperTxs] = table_stream<KeeperTxRecord>(tables[kKeeperTxs], &tables[kKeeperTxs]);
    streams[kKeeperTxQueue] =
        table_stream<KeeperTxQueueRecord>(tables[kKeeperTxQueue], &tables[kKeeperTxQueue]);
    streams[kBlocks] = table_stream<BlockRecord>(tables[kBlocks], &tables[kBlocks]);
    streams[kAuctions] = table_stream<AuctionRecord>(tables[kAuctions], &tables[kAuctions]);
    streams[kVenueSamples] = table_stream<VenueSampleRecord>(tables[kVenueSamples], &tables[kVenueSamples]);
    streams[kCascadeSizes] = table_stream<CascadeSizeRecord>(tables[kCascadeSizes], &tables[kCascadeSizes]);
    streams[kOptionFills] = table_stream<OptionFillRecord>(tables[kOptionFills], &tables[kOptionFills]);
    streams[kOptionLiquidations] =
        table_stream<OptionLiquidationRecord>(tables[kOptionLiquidations], &tables[kOptionLiquidations]);
    streams[kAssets] = table_stream<AssetFinal>(tables[kAssets], &tables[kAssets]);
    streams[kHoldings] = table_stream<HoldingFinal>(tables[kHoldings], &tables[kHoldings]);
    streams[kAccounts] = table_stream<AccountFinal>(tables[kAccounts], &tables[kAccounts]);
  }
};

using RowBuffer = std::unique_ptr<unsigned char[]>;  // chunk_rows records of one stream

// One piece of work for the background threads, done in the order it was handed over: a chunk of a
// stream (compressed by any thread, stored by the writing thread), or the end of the file.
struct Job {
  enum class Kind { Chunk, Close } kind = Kind::Chunk;
  size_t stream = 0;
  uint64_t first_row = 0;          // the chunk's first row in its dataset(s)
  size_t rows = 0;                 // rows in the chunk (0: the dataset of an empty stream, no chunk)
  hsize_t dataset_chunk_rows = 0;  // the datasets' chunk length (set when they are created)
  RowBuffer records;
  std::vector<EncodedChunk> encoded;  // one per output of the stream
  bool claimed = false;               // an encoding thread took it
  bool ready = false;                 // encoded (always, for a Close job)
  // Close
  RunMetadata metadata;
  RunSummary summary;
  std::optional<RunSummary> counterfactual;  // the impact-free twin's summary, /counterfactual/summary
};

void write_metadata(hid_t file, const RunMetadata& metadata) {
  write_string_attribute(file, "liqsim_version", metadata.liqsim_version);
  const int32_t schema_version = metadata.schema_version;
  write_scalar_attribute(file, "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT32, &schema_version);
  write_scalar_attribute(file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &metadata.seed);
  write_string_attribute(file, "scenario_name", metadata.scenario_name);
  write_string_attribute(file, "scenario_toml", metadata.scenario_toml);
  write_string_attribute(file, "mechanism", metadata.mechanism);
  write_string_attribute(file, "same_time_order", metadata.same_time_order);
  write_string_attribute(file, "asset_symbols", metadata.asset_symbols);
  write_string_attribute(file, "units_note", kUnitsNote);
  // The commit of the build writing the file, whatever wrote the metadata.
  write_string_attribute(file, "liqsim_commit", std::string(liqsim_commit()));
  if (metadata.replay_start_seconds) {
    write_scalar_attribute(file, "replay_start_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                           &*metadata.replay_start_seconds);
  }
}

void write_summary(hid_t file, const RunSummary& summary, const char* path = "/summary") {
  Hid group = create_group(file, path);
  for (const FieldSpec& field : run_file_schema::summary()) {
    write_scalar_attribute(group.get(), field.name, stored_type(field.type), native_type(field.type),
                           reinterpret_cast<const char*>(&summary) + field.offset);
  }
  write_string_attribute(group.get(), "field_units",
                         run_file_schema::field_units(run_file_schema::summary()));
}

}  // namespace

// ---------------------------------------------------------------------------------------------------

class RunFileWriter::Impl {
 public:
  Impl(const std::string& path, const RunFileOptions& options)
      : path_(path), options_(options), temporary_(temporary_path_for(path), options.remove_on_signal) {
    LIQSIM_CHECK(options.chunk_rows > 0 && options.max_pending_chunks > 0, "run file options are positive");
    producers_.resize(kStreamCount);
    free_buffers_.resize(kStreamCount);
  }

  ~Impl() { stop_threads(); }

  // Creates the temporary file and starts the threads; an error message, or nothing.
  std::optional<std::string> start() {
    const int fd = temporary_.create();
    if (fd < 0) {
      return "cannot write run file '" + path_ + "': cannot create '" + temporary_.path() +
             "': " + std::strerror(-fd);
    }
    store_ = std::make_unique<FileStore>(fd);
    try {
      writer_ = std::jthread([this] { writer_loop(); });
    } catch (const std::system_error& e) {
      return "cannot write run file '" + path_ + "': cannot start its writer thread: " + e.what();
    }
    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    const unsigned encoders = options_.encoder_threads > 0 ? options_.encoder_threads
                                                           : std::clamp(hardware - 1, 1u, kMaxEncoderThreads);
    for (unsigned t = 0; t < encoders; ++t) {
      try {
        encoders_.emplace_back([this] { encoder_loop(); });
      } catch (const std::system_error&) {
        break;  // the writing thread compresses what no encoder takes
      }
    }
    return std::nullopt;
  }

  template <class Record>
  void append(size_t stream, const Record& r) {
    if (failed_.load(std::memory_order_relaxed)) return;  // the file is lost: keep nothing
    Producer& p = producers_[stream];
    LIQSIM_CHECK(!p.complete, "a run file record after the final account states (a sink takes one run)");
    if (!p.buffer) p.buffer = take_buffer(stream);
    std::memcpy(p.buffer.get() + p.rows * sizeof(Record), &r, sizeof(Record));
    if (++p.rows == options_.chunk_rows) hand_over(stream, /*last=*/false);
  }

  void add_liquidation(const LiquidationRecord& r) {
    LiquidationRow row;
    row.record = r;
    row.generation = cascades_.add(r);
    append(kLiquidations, row);
  }

  // The final account states come after every other record: the first one completes the other
  // tables, so that their partial chunks are not held while the accounts stream.
  void add_account(const AccountFinal& r) {
    if (!producers_[kAccounts].complete && producers_[kAccounts].handed_over == 0 &&
        producers_[kAccounts].rows == 0) {
      for (size_t stream = 0; stream < kStreamCount; ++stream) {
        if (stream != kAccounts) hand_over(stream, /*last=*/true);
      }
    }
    append(kAccounts, r);
  }

  std::optional<std::string> error() const {
    if (!failed_.load()) return std::nullopt;
    std::lock_guard lock(mutex_);
    return error_;
  }

  std::optional<std::string> finish(const RunMetadata& metadata, const RunSummary& summary, bool overwrite,
                                    const RunSummary* counterfactual) {
    LIQSIM_CHECK(!finishing_, "RunFileWriter::finish() runs once");
    LIQSIM_CHECK(metadata.schema_version == kRunFileSchemaVersion,
                 "the HDF5 sink writes the current schema_version");
    finishing_ = true;
    // The partial chunks, and the datasets of empty streams, in file order.
    for (size_t stream = 0; stream < kStreamCount; ++stream) hand_over(stream, /*last=*/true);
    auto close = std::make_unique<Job>();
    close->kind = Job::Kind::Close;
    close->ready = true;
    close->metadata = metadata;
    close->summary = summary;
    if (counterfactual != nullptr) close->counterfactual = *counterfactual;
    push(std::move(close), /*wait_for_room=*/false);
    // This thread compresses too until nothing is left to compress, then waits for the file.
    ChunkScratch scratch;
    for (Job* job = claim(/*wait=*/false); job != nullptr; job = claim(/*wait=*/false)) encode(*job, scratch);
    {
      std::unique_lock lock(mutex_);
      done_cv_.wait(lock, [&] { return closed_; });
    }
    stop_threads();
    std::optional<std::string> failure = error();
    if (!failure) failure = temporary_.commit(path_, overwrite);
    if (failure) temporary_.discard();
    return failure;
  }

  RunFileWriterStats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  struct Producer {
    RowBuffer buffer;  // the stream's current chunk, rows * record_size bytes used
    size_t rows = 0;
    uint64_t handed_over = 0;  // rows of the stream handed over so far
    bool complete = false;     // its last chunk is handed over: no record may follow
  };

  // A chunk's worth of rows, reused when one came back from the writing thread. Not zeroed: only the
  // pages rows are written to take memory (a table of three rows costs one page).
  RowBuffer take_buffer(size_t stream) {
    {
      std::lock_guard lock(mutex_);
      RowBuffer& spare = free_buffers_[stream];
      if (spare) return std::move(spare);
    }
    return std::make_unique_for_overwrite<unsigned char[]>(options_.chunk_rows *
                                                           schema_.streams[stream].record_size);
  }

  // Hands the stream's current rows to the background threads: a full chunk, or at the end the last
  // partial one (a stream that never filled a chunk makes its datasets one chunk of its own length).
  void hand_over(size_t stream, bool last) {
    Producer& p = producers_[stream];
    if (p.complete) return;
    if (last) {
      p.complete = true;
      std::lock_guard lock(mutex_);
      retired_[stream] = true;  // no more chunks of this stream: its spare buffer is not needed
      free_buffers_[stream].reset();
    }
    if (last && p.rows == 0 && p.handed_over > 0) return;  // every row is already handed over
    auto job = std::make_unique<Job>();
    job->stream = stream;
    job->first_row = p.handed_over;
    job->rows = p.rows;
    job->dataset_chunk_rows = p.handed_over == 0 ? std::clamp<hsize_t>(p.rows, 1, options_.chunk_rows)
                                                 : hsize_t(options_.chunk_rows);
    job->records = std::move(p.buffer);
    job->ready = job->rows == 0;  // nothing to compress
    p.buffer.reset();
    p.handed_over += p.rows;
    p.rows = 0;
    push(std::move(job), /*wait_for_room=*/true);
  }

  void push(std::unique_ptr<Job> job, bool wait_for_room) {
    std::unique_lock lock(mutex_);
    if (wait_for_room) {
      room_cv_.wait(lock, [&] { return pending_chunks_ < options_.max_pending_chunks || failed_.load(); });
    }
    if (job->kind == Job::Kind::Chunk) {
      ++pending_chunks_;
      pending_rows_ += job->rows;
      stats_.peak_pending_rows = std::max(stats_.peak_pending_rows, pending_rows_);
    }
    queue_.push_back(std::move(job));
    lock.unlock();
    work_cv_.notify_one();
    commit_cv_.notify_one();
  }

  // The oldest job nobody compresses yet; with `wait`, waits for one (nullptr when stopping).
  Job* claim(bool wait) {
    std::unique_lock lock(mutex_);
    for (;;) {
      for (const auto& job : queue_) {
        if (!job->ready && !job->claimed) {
          job->claimed = true;
          return job.get();
        }
      }
      if (!wait || stopping_) return nullptr;
      work_cv_.wait(lock);
    }
  }

  void encode(Job& job, ChunkScratch& scratch) {
    std::vector<EncodedChunk> encoded;
    std::exception_ptr failure;
    if (!failed_.load()) {
      try {
        for (const OutputSpec& output : schema_.streams[job.stream].outputs) {
          PackedRows rows = output.layout;
          rows.records = job.records.get();
          rows.rows = job.rows;
          encoded.push_back(encode_chunk(rows, 0, job.dataset_chunk_rows, scratch));
        }
      } catch (...) {
        failure = std::current_exception();
      }
    }
    {
      std::lock_guard lock(mutex_);
      job.encoded = std::move(encoded);
      job.ready = true;
      if (failure) fail_locked(describe(failure));
    }
    commit_cv_.notify_one();
  }

  static std::string describe(const std::exception_ptr& failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      return e.what();
    } catch (...) {
      return "unknown error";
    }
  }

  void fail_locked(const std::string& reason) {
    if (failed_.load()) return;
    error_ = "cannot write run file '" + path_ + "': " + reason;
    failed_.store(true);
    room_cv_.notify_all();
  }

  void encoder_loop() {
    ChunkScratch scratch;
    while (Job* job = claim(/*wait=*/true)) encode(*job, scratch);
  }

  // The one thread that calls HDF5 for this file: stores the jobs in order, compressing a job itself
  // when no encoder has taken it yet.
  void writer_loop() {
    QuietHdf5Errors quiet;  // per thread in a thread-safe HDF5
    std::optional<ChunkScratch> scratch;
    run_hdf5("creating the file", [&] { open_file(); });
    for (;;) {
      std::unique_ptr<Job> job;
      {
        std::unique_lock lock(mutex_);
        commit_cv_.wait(lock, [&] {
          return stopping_ || (!queue_.empty() && (queue_.front()->ready || !queue_.front()->claimed));
        });
        if (stopping_ && (queue_.empty() || !queue_.front()->ready)) break;
        if (!queue_.front()->ready) {
          queue_.front()->claimed = true;
          Job* front = queue_.front().get();
          lock.unlock();
          if (!scratch) scratch.emplace();
          encode(*front, *scratch);
          continue;
        }
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      if (job->kind == Job::Kind::Close) {
        close_file(&*job);
        std::lock_guard lock(mutex_);
        closed_ = true;
        done_cv_.notify_all();
        return;
      }
      if (!failed_.load()) run_hdf5("writing the chunks", [&] { store_chunk(*job); });
      std::lock_guard lock(mutex_);
      --pending_chunks_;
      pending_rows_ -= job->rows;
      if (!retired_[job->stream] && !free_buffers_[job->stream])
        free_buffers_[job->stream] = std::move(job->records);
      room_cv_.notify_all();
    }
    close_file(nullptr);  // stopped without finish(): release HDF5's handles, keep no file
  }

  template <class F>
  void run_hdf5(const char* what, F&& f) {
    try {
      f();
      if (store_->error() != 0)
        throw Hdf5Error(std::string("writing '") + temporary_.path() +
                        "': " + std::strerror(store_->error()));
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      fail_locked(std::string(e.what()).empty() ? what : e.what());
    }
  }

  void open_file() {
    driver_ = make_hid(H5FDregister(&driver_class_), "registering the file driver");
    Hid file_plist = untimed_creation_plist(H5P_FILE_CREATE, "creating the file");
    Hid access_plist = make_hid(H5Pcreate(H5P_FILE_ACCESS), "creating the file");
    // Fixed format bounds: the bytes written do not depend on the library's defaults.
    check_call(H5Pset_libver_bounds(access_plist.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST),
               "creating the file");
    const StreamDriverInfo info{store_.get()};
    check_call(H5Pset_driver(access_plist.get(), driver_.get(), &info), "creating the file");
    // Closing the file closes whatever an error path left open in it.
    check_call(H5Pset_fclose_degree(access_plist.get(), H5F_CLOSE_STRONG), "creating the file");
    file_ =
        make_hid(H5Fcreate(temporary_.path().c_str(), H5F_ACC_TRUNC, file_plist.get(), access_plist.get()),
                 "creating the file");
    groups_.emplace("/", make_hid(H5Gopen2(file_.get(), "/", H5P_DEFAULT), "opening /"));
    groups_.emplace("/timeseries", create_group(file_.get(), "/timeseries"));
    groups_.emplace("/events", create_group(file_.get(), "/events"));
    datasets_.resize(kStreamCount);
    for (size_t s = 0; s < kStreamCount; ++s) {
      for (size_t i = 0; i < schema_.streams[s].outputs.size(); ++i)
        datasets_[s].emplace_back(H5I_INVALID_HID);
    }
  }

  static std::string path_of(const OutputSpec& output) {
    return output.group == "/" ? "/" + output.name : output.group + "/" + output.name;
  }

  Hid create_output(const OutputSpec& output, hsize_t rows, hsize_t chunk_rows) {
    const std::string what = "creating dataset " + path_of(output);
    hid_t group = groups_.at(output.group).get();
    if (output.column != nullptr) {
      Hid dataset = create_dataset(group, output.name.c_str(), H5T_STD_I64LE, rows, chunk_rows);
      write_string_attribute(dataset.get(), "units", output.column->units);
      const double scale = run_file_schema::scale_of(*output.column);
      write_scalar_attribute(dataset.get(), "scale", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &scale);
      write_string_attribute(dataset.get(), "description", output.column->description);
      return dataset;
    }
    const TableSpec& spec = *output.table;
    Hid file_type = make_hid(H5Tcreate(H5T_COMPOUND, output.layout.element_size), what);
    for (size_t i = 0; i < spec.fields.size(); ++i) {
      check_call(H5Tinsert(file_type.get(), spec.fields[i].name, output.layout.fields[i].stored,
                           stored_type(spec.fields[i].type)),
                 what);
    }
    Hid dataset = create_dataset(group, output.name.c_str(), file_type.get(), rows, chunk_rows);
    write_string_attribute(dataset.get(), "description", spec.description);
    write_string_attribute(dataset.get(), "field_units", run_file_schema::field_units(spec.fields));
    return dataset;
  }

  void store_chunk(const Job& job) {
    const StreamSpec& stream = schema_.streams[job.stream];
    const hsize_t rows = job.first_row + job.rows;
    for (size_t i = 0; i < stream.outputs.size(); ++i) {
      const OutputSpec& output = stream.outputs[i];
      const std::string what = "writing " + path_of(output);
      Hid& dataset = datasets_[job.stream][i];
      if (dataset.get() < 0) {
        dataset = create_output(output, rows, job.dataset_chunk_rows);
      } else {
        check_call(H5Dset_extent(dataset.get(), &rows), what);
      }
      if (job.rows == 0) continue;
      const EncodedChunk& chunk = job.encoded[i];
      const hsize_t offset = job.first_row;
      check_call(H5Dwrite_chunk(dataset.get(), H5P_DEFAULT, chunk.filter_mask, &offset, chunk.bytes.size(),
                                chunk.bytes.data()),
                 what);
      std::lock_guard lock(mutex_);
      ++stats_.chunks_written;
    }
  }

  // With the Close job: the root attributes and /summary, then the file is closed and its bytes
  // completed; without (stopped early): the handles are released and nothing more is written.
  void close_file(const Job* close) {
    if (close != nullptr && !failed_.load()) {
      run_hdf5("writing the attributes", [&] {
        write_metadata(file_.get(), close->metadata);
        write_summary(file_.get(), close->summary);
        if (close->counterfactual) {
          Hid group = create_group(file_.get(), "/counterfactual");
          write_summary(file_.get(), *close->counterfactual, "/counterfactual/summary");
        }
      });
    }
    datasets_.clear();
    groups_.clear();
    if (file_.get() >= 0) {
      const bool closed = H5Fclose(file_.release()) >= 0;
      if (!closed && close != nullptr) {
        std::lock_guard lock(mutex_);
        fail_locked("closing the file");
      }
    }
    if (driver_.get() >= 0) H5FDunregister(driver_.release());
    if (close != nullptr && !failed_.load()) {
      if (const int error = store_->finish(); error != 0) {
        std::lock_guard lock(mutex_);
        fail_locked("writing '" + temporary_.path() + "': " + std::strerror(error));
      }
    }
    store_.reset();
  }

  void stop_threads() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    commit_cv_.notify_all();
    room_cv_.notify_all();
    encoders_.clear();  // joins
    if (writer_.joinable()) writer_.join();
  }

  const std::string path_;
  const RunFileOptions options_;
  const Schema schema_;
  const H5FD_class_t driver_class_ = stream_driver_class();
  TemporaryFile temporary_;
  std::unique_ptr<FileStore> store_;

  // Producer side (the thread that records).
  std::vector<Producer> producers_;
  CascadeCounter cascades_;
  bool finishing_ = false;

  // Shared, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable work_cv_;    // a job to compress, or stopping
  std::condition_variable commit_cv_;  // the oldest job can be stored (or compressed), or stopping
  std::condition_variable room_cv_;    // room for one more chunk
  std::condition_variable done_cv_;    // the file is closed
  std::deque<std::unique_ptr<Job>> queue_;
  size_t pending_chunks_ = 0;
  uint64_t pending_rows_ = 0;
  std::vector<RowBuffer> free_buffers_;                          // per stream, one spare
  std::vector<bool> retired_ = std::vector<bool>(kStreamCount);  // per stream: last chunk handed over
  bool stopping_ = false;
  bool closed_ = false;
  std::atomic<bool> failed_{false};
  std::string error_;
  RunFileWriterStats stats_;

  // The writing thread's HDF5 objects.
  Hid driver_{H5I_INVALID_HID};
  Hid file_{H5I_INVALID_HID};
  std::map<std::string, Hid> groups_;
  std::vector<std::vector<Hid>> datasets_;  // per stream, per output

  std::vector<std::jthread> encoders_;
  std::jthread writer_;
};

RunFileWriter::RunFileWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunFileWriter::~RunFileWriter() = default;

std::variant<std::unique_ptr<RunFileWriter>, std::string> RunFileWriter::open(const std::string& path,
                                                                              const RunFileOptions& options) {
  auto impl = std::make_unique<Impl>(path, options);
  if (auto error = impl->start()) return *error;
  return std::unique_ptr<RunFileWriter>(new RunFileWriter(std::move(impl)));
}

void RunFileWriter::on_trade(const TradeRecord& r) { impl_->append(kTrades, r); }
void RunFileWriter::on_liquidation(const LiquidationRecord& r) { impl_->add_liquidation(r); }
void RunFileWriter::on_funding(const FundingRecord& r) { impl_->append(kFunding, r); }
void RunFileWriter::on_adl(const AdlRecord& r) { impl_->append(kAdl, r); }
void RunFileWriter::on_social_loss(const SocialLossRecord& r) { impl_->append(kSocialLosses, r); }
void RunFileWriter::on_keeper_tx(const KeeperTxRecord& r) { impl_->append(kKeeperTxs, r); }
void RunFileWriter::on_keeper_tx_queue(const KeeperTxQueueRecord& r) { impl_->append(kKeeperTxQueue, r); }
void RunFileWriter::on_block(const BlockRecord& r) { impl_->append(kBlocks, r); }
void RunFileWriter::on_auction(const AuctionRecord& r) { impl_->append(kAuctions, r); }
void RunFileWriter::on_timeseries(const TimeseriesRow& r) { impl_->append(kTimeseries, r); }
void RunFileWriter::on_mark_update(const MarkUpdateRecord& r) { impl_->append(kMarkUpdates, r); }
void RunFileWriter::on_asset(const AssetFinal& r) { impl_->append(kAssets, r); }
void RunFileWriter::on_cascade_size(const CascadeSizeRecord& r) { impl_->append(kCascadeSizes, r); }
void RunFileWriter::on_venue_sample(const VenueSampleRecord& r) { impl_->append(kVenueSamples, r); }
void RunFileWriter::on_holding(const HoldingFinal& r) { impl_->append(kHoldings, r); }
void RunFileWriter::on_account(const AccountFinal& r) { impl_->add_account(r); }
void RunFileWriter::on_option_fill(const OptionFillRecord& r) { impl_->append(kOptionFills, r); }
void RunFileWriter::on_option_liquidation(const OptionLiquidationRecord& r) {
  impl_->append(kOptionLiquidations, r);
}
std::optional<std::string> RunFileWriter::error() const { return impl_->error(); }
std::optional<std::string> RunFileWriter::finish(const RunMetadata& metadata, const RunSummary& summary,
                                                 bool overwrite, const RunSummary* counterfactual) {
  return impl_->finish(metadata, summary, overwrite, counterfactual);
}
RunFileWriterStats RunFileWriter::stats() const { return impl_->stats(); }

std::optional<std::string> write_run_file(const std::string& path, const RunMetadata& metadata,
                                          const RunLog& log, const RunSummary& summary, bool overwrite,
                                          const RunFileOptions& options, const RunSummary* counterfactual) {
  std::error_code error;
  const bool exists = std::filesystem::exists(path, error);
  if (error) return "cannot check output file '" + path + "': " + error.message();
  if (exists && !overwrite) return "output file '" + path + "' exists; pass --force to overwrite";
  auto opened = RunFileWriter::open(path, options);
  if (auto* failure = std::get_if<std::string>(&opened)) return *failure;
  RunFileWriter& writer = *std::get<std::unique_ptr<RunFileWriter>>(opened);
  for (const TimeseriesRow& r : log.timeseries) writer.on_timeseries(r);
  for (const LiquidationRecord& r : log.liquidations) writer.on_liquidation(r);
  for (const TradeRecord& r : log.trades) writer.on_trade(r);
  for (const FundingRecord& r : log.funding) writer.on_funding(r);
  for (const MarkUpdateRecord& r : log.mark_updates) writer.on_mark_update(r);
  for (const AdlRecord& r : log.adl) writer.on_adl(r);
  for (const SocialLossRecord& r : log.social_losses) writer.on_social_loss(r);
  for (const KeeperTxRecord& r : log.keeper_txs) writer.on_keeper_tx(r);
  for (const KeeperTxQueueRecord& r : log.keeper_tx_queue) writer.on_keeper_tx_queue(r);
  for (const BlockRecord& r : log.blocks) writer.on_block(r);
  for (const AuctionRecord& r : log.auctions) writer.on_auction(r);
  for (const VenueSampleRecord& r : log.venue_samples) writer.on_venue_sample(r);
  for (const CascadeSizeRecord& r : log.cascade_sizes) writer.on_cascade_size(r);
  for (const OptionFillRecord& r : log.option_fills) writer.on_option_fill(r);
  for (const OptionLiquidationRecord& r : log.option_liquidations) writer.on_option_liquidation(r);
  for (const AssetFinal& r : log.assets) writer.on_asset(r);
  for (const HoldingFinal& r : log.holdings) writer.on_holding(r);
  for (const AccountFinal& r : log.accounts) writer.on_account(r);
  return writer.finish(metadata, summary, overwrite, counterfactual);
}

}  // namespace liqsim
