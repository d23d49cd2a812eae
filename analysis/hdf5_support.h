// HDF5 plumbing shared by the run-file writer (experiments/hdf5_sink.cpp) and reader
// (analysis/run_file.cpp) and the sweep file (experiments/sweep_file.cpp), the only places that use
// HDF5: an owning identifier, errors carrying HDF5's innermost reason, and a guard that silences
// HDF5's own error printing. Internal header: only those files include it.
#pragma once

#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "analysis/run_file.h"

namespace liqsim::hdf5_support {

// An HDF5 call failed; the message names what was being done and HDF5's innermost reason.
class Hdf5Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline herr_t collect_error_description(unsigned, const H5E_error2_t* error, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (error->desc != nullptr && error->desc[0] != '\0') *out = error->desc;
  return 0;
}

// Must run right after the failing call: the next HDF5 call clears the error stack.
[[noreturn]] inline void throw_hdf5_error(const std::string& what) {
  std::string reason;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error_description, &reason);
  throw Hdf5Error(reason.empty() ? what : what + ": " + reason);
}

// Turns off HDF5's printing of its error stack for this thread, for the lifetime of the guard.
class QuietHdf5Errors {
 public:
  QuietHdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// Owns one HDF5 identifier and closes it with the close call of its kind.
class Hid {
 public:
  explicit Hid(hid_t id) : id_(id) {}
  Hid(Hid&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Hid& operator=(Hid&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  ~Hid() { reset(); }
  hid_t get() const { return id_; }
  hid_t release() { return std::exchange(id_, H5I_INVALID_HID); }

 private:
  void reset() {
    if (id_ < 0) return;
    switch (H5Iget_type(id_)) {
      case H5I_FILE:
        H5Fclose(id_);
        break;
      case H5I_GROUP:
        H5Gclose(id_);
        break;
      case H5I_DATATYPE:
        H5Tclose(id_);
        break;
      case H5I_DATASPACE:
        H5Sclose(id_);
        break;
      case H5I_DATASET:
        H5Dclose(id_);
        break;
      case H5I_ATTR:
        H5Aclose(id_);
        break;
      case H5I_GENPROP_LST:
        H5Pclose(id_);
        break;
      default:
        H5Idec_ref(id_);
        break;
    }
    id_ = H5I_INVALID_HID;
  }
  hid_t id_;
};

inline Hid make_hid(hid_t id, const std::string& what) {
  if (id < 0) throw_hdf5_error(what);
  return Hid(id);
}

inline void check_call(herr_t rc, const std::string& what) {
  if (rc < 0) throw_hdf5_error(what);
}

// A UTF-8 string attribute of variable length on `object` (a file's root group, a group or a dataset).
inline void write_string_attribute(hid_t object, const char* name, const std::string& value) {
  const std::string what = std::string("writing attribute ") + name;
  Hid type = make_hid(H5Tcopy(H5T_C_S1), what);
  check_call(H5Tset_size(type.get(), H5T_VARIABLE), what);
  check_call(H5Tset_cset(type.get(), H5T_CSET_UTF8), what);
  Hid space = make_hid(H5Screate(H5S_SCALAR), what);
  Hid attribute = make_hid(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), what);
  const char* text = value.c_str();
  check_call(H5Awrite(attribute.get(), type.get(), &text), what);
}

inline hid_t native_type(FieldType type) {
  switch (type) {
    case FieldType::I64:
      return H5T_NATIVE_INT64;
    case FieldType::U64:
      return H5T_NATIVE_UINT64;
    case FieldType::U32:
      return H5T_NATIVE_UINT32;
    case FieldType::U8:
      return H5T_NATIVE_UINT8;
    case FieldType::F64:
      return H5T_NATIVE_DOUBLE;
  }
  return H5I_INVALID_HID;
}

}  // namespace liqsim::hdf5_support
