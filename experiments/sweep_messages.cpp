#include "experiments/sweep_messages.h"

#include <bit>
#include <cstring>
#include <stdexcept>

#include "analysis/run_file.h"

namespace liqsim {
namespace {

// The summary's fields travel as their in-memory bytes, as the sweep file stores them.
static_assert(std::endian::native == std::endian::little, "sweep messages assume a little-endian host");

// Fixed-width little-endian integers, length-prefixed strings.
void put_u64(std::string& out, uint64_t x) {
  for (int b = 0; b < 8; ++b) out.push_back(char(uint8_t(x >> (8 * b))));
}

void put_text(std::string& out, const std::string& text) {
  put_u64(out, text.size());
  out += text;
}

class MessageReader {
 public:
  explicit MessageReader(const std::string& bytes) : bytes_(bytes) {}
  uint64_t u64() {
    need(8);
    uint64_t x = 0;
    for (int b = 0; b < 8; ++b) x |= uint64_t(uint8_t(bytes_[at_ + size_t(b)])) << (8 * b);
    at_ += 8;
    return x;
  }
  std::string text() {
    const uint64_t n = u64();
    need(n);
    std::string out = bytes_.substr(at_, size_t(n));
    at_ += size_t(n);
    return out;
  }
  void raw(void* to, size_t n) {
    need(n);
    std::memcpy(to, bytes_.data() + at_, n);
    at_ += n;
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  void need(uint64_t n) const {
    if (n > bytes_.size() - at_) throw std::runtime_error("a malformed message (too short)");
  }
  const std::string& bytes_;
  size_t at_ = 0;
};

size_t field_bytes(FieldType type) {
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

}  // namespace

std::string encode_code(int code) {
  std::string out;
  put_u64(out, uint64_t(code));
  return out;
}

int decode_code(const std::string& bytes) {
  MessageReader in(bytes);
  return int(in.u64());
}

std::string encode_runs(const std::vector<uint64_t>& runs) {
  std::string out;
  for (const uint64_t run : runs) put_u64(out, run);
  return out;
}

std::vector<uint64_t> decode_runs(const std::string& bytes) {
  MessageReader in(bytes);
  std::vector<uint64_t> runs;
  while (!in.done()) runs.push_back(in.u64());
  return runs;
}

// The row's content as the file stores it: the summary's stored fields (run_file_schema::summary(), as
// the /metrics columns; wall_seconds is not stored), and the kept-tables file.
std::string encode_outcome(const SweepOutcome& outcome, const std::string& kept) {
  std::string out;
  put_u64(out, outcome.run);
  put_u64(out, uint64_t(outcome.status));
  put_text(out, outcome.error);
  put_text(out, outcome.kept_error);
  for (const FieldSpec& field : run_file_schema::summary()) {
    out.append(reinterpret_cast<const char*>(&outcome.summary) + field.offset, field_bytes(field.type));
  }
  put_text(out, kept);
  return out;
}

SweepOutcome decode_outcome(const std::string& bytes, const SweepPlan& plan, std::string& kept) {
  MessageReader in(bytes);
  SweepOutcome outcome;
  outcome.run = in.u64();
  const uint64_t status = in.u64();
  if (outcome.run >= plan.runs() || status > uint64_t(SweepRunStatus::Failed))
    throw std::runtime_error("a malformed message (run or status out of range)");
  outcome.status = static_cast<SweepRunStatus>(status);
  outcome.error = in.text();
  outcome.kept_error = in.text();
  for (const FieldSpec& field : run_file_schema::summary()) {
    in.raw(reinterpret_cast<char*>(&outcome.summary) + field.offset, field_bytes(field.type));
  }
  kept = in.text();
  if (!in.done()) throw std::runtime_error("a malformed message (trailing bytes)");
  return outcome;
}

}  // namespace liqsim
