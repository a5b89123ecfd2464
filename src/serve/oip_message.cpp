// Open Inference Protocol messages: JSON (nlohmann) plus the binary tensor
// data extension. Every value read from a body is checked before it is used;
// nlohmann's own exceptions are turned into Error here and never escape.
#include "serve/oip_message.h"

#include <fmt/core.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include "core/error.h"
#include "core/float16.h"
#include "core/json_field.h"

namespace splitpoint {

namespace {

using nlohmann::json;
// Messages are written in the protocol's documented field order.
using nlohmann::ordered_json;

constexpr std::string_view kBinaryDataSize = "binary_data_size";
constexpr std::string_view kBinaryData = "binary_data";
constexpr std::string_view kBinaryDataOutput = "binary_data_output";
// Nesting the messages need beyond a tensor's data arrays (root, inputs,
// tensor, parameters, ...), with room for structured parameters.
constexpr int kJsonNestingBeyondRank = 16;
constexpr int kMaxRankForNesting = 64;

// ---------------------------------------------------------------- datatypes

enum class Kind { boolean, unsigned_integer, signed_integer, fp16, bf16, fp32, fp64, bytes };

struct Datatype {
  std::string_view name;
  Kind kind;
  int64_t element_size;  // 0 for BYTES
};

constexpr Datatype kDatatypes[] = {
    {"BOOL", Kind::boolean, 1},           {"UINT8", Kind::unsigned_integer, 1},
    {"UINT16", Kind::unsigned_integer, 2}, {"UINT32", Kind::unsigned_integer, 4},
    {"UINT64", Kind::unsigned_integer, 8}, {"INT8", Kind::signed_integer, 1},
    {"INT16", Kind::signed_integer, 2},   {"INT32", Kind::signed_integer, 4},
    {"INT64", Kind::signed_integer, 8},   {"FP16", Kind::fp16, 2},
    {"BF16", Kind::bf16, 2},              {"FP32", Kind::fp32, 4},
    {"FP64", Kind::fp64, 8},              {"BYTES", Kind::bytes, 0},
};

const Datatype* find_datatype(std::string_view name) {
  for (const Datatype& d : kDatatypes) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

// ---------------------------------------------------------------- errors

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += fmt::format("{}{}", i ? "," : "", shape[i]);
  return text + "]";
}

// ---------------------------------------------------------------- bytes

void append_little_endian(std::vector<uint8_t>& out, uint64_t bits, int64_t size) {
  for (int64_t i = 0; i < size; ++i) out.push_back(static_cast<uint8_t>(bits >> (8 * i)));
}

uint64_t load_little_endian(const uint8_t* bytes, int64_t size) {
  uint64_t bits = 0;
  for (int64_t i = 0; i < size; ++i) bits |= uint64_t{bytes[i]} << (8 * i);
  return bits;
}

int64_t sign_extended(uint64_t bits, int64_t size) {
  if (size == 8) return std::bit_cast<int64_t>(bits);
  const uint64_t sign = uint64_t{1} << (8 * size - 1);
  return static_cast<int64_t>(bits ^ sign) - static_cast<int64_t>(sign);
}

// bfloat16: the top half of a float32, rounded to nearest, ties to even. Only
// used for finite values (a JSON number); a magnitude that rounds past the
// largest bfloat16 becomes infinity.
uint16_t bfloat16_from_finite_float(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  return static_cast<uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}
float float_from_bfloat16(uint16_t bits) { return std::bit_cast<float>(uint32_t{bits} << 16); }

// The BYTES elements of `bytes` (4-byte little-endian length, then the
// bytes, per element), checked to tile it exactly; calls visit(element).
// Returns the number of elements; throws naming `path` if they do not tile.
template <typename Visit>
int64_t for_each_bytes_element(const uint8_t* bytes, size_t size, const std::string& path, Visit&& visit) {
  size_t offset = 0;
  int64_t count = 0;
  while (offset < size) {
    if (size - offset < 4)
      json_fail(path, fmt::format("BYTES element {} at byte {}: {} bytes left, too few for its 4-byte length", count,
                             offset, size - offset));
    const uint64_t length = load_little_endian(bytes + offset, 4);
    offset += 4;
    if (length > size - offset)
      json_fail(path, fmt::format("BYTES element {} at byte {}: length {} but only {} bytes left", count, offset - 4,
                             length, size - offset));
    visit(std::string_view(reinterpret_cast<const char*>(bytes + offset), length));
    offset += length;
    ++count;
  }
  return count;
}

// ---------------------------------------------------------------- numbers

// The largest magnitude that float32 rounds to a finite value is below the
// midpoint between FLT_MAX and 2^128.
constexpr double kFloatOverflow = 0x1.ffffffp127;

// A double that JSON writes short ("0.1", not "0.10000000149011612") and that
// reads back as exactly `value`: the shortest decimal of the float, if it
// converts back to the same float through double, else the float's exact value.
double json_number_for_float(float value) {
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, value);
  double shortest = 0;
  const auto read = std::from_chars(text, written.ptr, shortest);
  if (written.ec == std::errc() && read.ec == std::errc() &&
      std::bit_cast<uint32_t>(static_cast<float>(shortest)) == std::bit_cast<uint32_t>(value))
    return shortest;
  return value;
}

// ---------------------------------------------------------------- JSON

json parse_json_text(std::string_view text, const OipLimits& limits) {
  const int max_depth = std::clamp(limits.max_rank, 0, kMaxRankForNesting) + kJsonNestingBeyondRank;
  const json::parser_callback_t limit_depth = [max_depth](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= max_depth)
      throw Error(fmt::format("JSON nested deeper than {} levels", max_depth));
    return true;
  };
  // nlohmann's lexer takes a NUL byte for the end of the input and would
  // ignore what follows; valid JSON has none (not even inside strings).
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos)
    throw Error(fmt::format("not valid JSON: a NUL byte at byte {}", nul));
  try {
    return json::parse(text.begin(), text.end(), limit_depth);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number too large to hold
    throw Error(fmt::format("not valid JSON: {}", e.what()));
  }
}

std::string dump_json(const ordered_json& j) {
  try {
    return j.dump();
  } catch (const json::exception& e) {  // a string that is not UTF-8
    throw Error(fmt::format("cannot write the message as JSON: {}", e.what()));
  }
}

// The member `key` of `object`, or nullptr.
const json* member(const json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// The JSON array `name` of the message (optional: nullptr if absent), with at
// most `max_items` items.
const json* array_member(const json& root, std::string_view name, int max_items, bool required) {
  const std::string key(name);
  if (!required && !root.contains(key)) return nullptr;
  const JsonField array = JsonField(root, "", "").at(key.c_str());
  if (array.array_size() > static_cast<size_t>(std::max(max_items, 0)))
    json_fail(key, fmt::format("{} tensors, more than the limit of {}", array.value().size(), max_items));
  return &array.value();
}

// ---------------------------------------------------------------- tensors: reading

// A tensor's description, checked, before its data is read.
struct TensorHeader {
  const Datatype* datatype = nullptr;
  int64_t elements = 0;                    // product of the shape
  std::optional<int64_t> binary_data_size;  // set: the data follows the JSON
  const json* data = nullptr;               // set: the data is in the JSON
};

std::string tensor_description(const OipTensor& tensor) { return tensor.datatype + " " + shape_text(tensor.shape); }

// Number of elements of `shape` and, for a fixed-size datatype, its bytes
// (BYTES: at least 4 per element), checked against overflow and the limit.
int64_t checked_elements(const std::vector<int64_t>& shape, const Datatype& datatype, const std::string& path,
                         const std::string& description, int64_t max_tensor_bytes) {
  int64_t elements = 1;
  for (int64_t dim : shape) {
    if (__builtin_mul_overflow(elements, dim, &elements))
      json_fail(path, fmt::format("{} has more elements than a 64-bit count holds", description));
  }
  const int64_t element_bytes = datatype.kind == Kind::bytes ? 4 : datatype.element_size;
  int64_t bytes = 0;
  if (__builtin_mul_overflow(elements, element_bytes, &bytes) || bytes > max_tensor_bytes)
    json_fail(path, fmt::format("{} has {} elements, more than the limit of {} bytes per tensor allows", description,
                           elements, max_tensor_bytes));
  return elements;
}

// Name, shape, datatype and parameters of tensor `path`, and where its data is.
TensorHeader read_tensor_header(const json& value, const std::string& path, const OipLimits& limits,
                                OipTensor& tensor) {
  const JsonField field(value, "", path);
  field.require_object();
  TensorHeader header;
  tensor.name = field.at("name").nonempty_string();

  const JsonField shape = field.at("shape");
  if (shape.array_size() > static_cast<size_t>(std::max(limits.max_rank, 0)))
    json_fail(path + ".shape", fmt::format("rank {} is more than the limit of {}", shape.value().size(), limits.max_rank));
  tensor.shape.clear();
  for (size_t i = 0; i < shape.value().size(); ++i) tensor.shape.push_back(shape.at(i).integer(0));

  tensor.datatype = field.at("datatype").string();
  header.datatype = find_datatype(tensor.datatype);
  if (!header.datatype) json_fail(path + ".datatype", fmt::format("{} is not a datatype", json_describe(tensor.datatype)));
  header.elements = checked_elements(tensor.shape, *header.datatype, path, tensor_description(tensor),
                                     limits.max_tensor_bytes);

  tensor.parameters = json::object();
  if (const json* parameters = member(value, "parameters")) {
    JsonField(*parameters, "", path + ".parameters").require_object();
    tensor.parameters = *parameters;
    if (const json* size = member(*parameters, kBinaryDataSize)) {
      header.binary_data_size = JsonField(*size, "", path + ".parameters.binary_data_size").integer(0);
      tensor.parameters.erase(std::string(kBinaryDataSize));
    }
  }
  header.data = member(value, "data");
  if (header.data && header.binary_data_size) json_fail(path, "has both \"data\" and parameters.binary_data_size");
  if (!header.data && !header.binary_data_size) json_fail(path, "has neither \"data\" nor parameters.binary_data_size");
  return header;
}

// The leaves of a (nested) JSON data array in row-major order. `indices`
// holds the position of the current leaf for error messages.
class DataArray {
 public:
  DataArray(const json& data, std::string path, int max_nesting)
      : data_(data), path_(std::move(path)), max_nesting_(max_nesting) {
    if (!data.is_array()) json_fail(path_, "expected an array, found " + json_describe(data));
  }

  int64_t count() {
    int64_t leaves = 0;
    auto count_leaf = [&](const json&) { ++leaves; };
    visit(count_leaf);
    return leaves;
  }

  template <typename Visit>
  void visit(Visit&& leaf) {
    indices_.clear();
    visit(data_, leaf);
  }

  std::string leaf_path() const {
    std::string path = path_;
    for (size_t i : indices_) path += fmt::format("[{}]", i);
    return path;
  }

 private:
  template <typename Visit>
  void visit(const json& array, Visit& leaf) {
    if (static_cast<int>(indices_.size()) >= max_nesting_)
      json_fail(leaf_path(), fmt::format("arrays nested deeper than the shape's rank {}", max_nesting_));
    indices_.push_back(0);
    for (const json& item : array) {
      if (item.is_array())
        visit(item, leaf);
      else
        leaf(item);
      ++indices_.back();
    }
    indices_.pop_back();
  }

  const json& data_;
  std::string path_;
  int max_nesting_;
  std::vector<size_t> indices_;
};

// A JSON integer of an integer datatype, checked against the datatype's
// range, appended to `out` as little-endian bytes.
void append_json_integer(const json& value, const Datatype& datatype, const std::string& path,
                         std::vector<uint8_t>& out) {
  if (!value.is_number_integer())  // also unsigned
    json_fail(path, fmt::format("expected an integer for {}, found {}", datatype.name, json_describe(value)));
  const int64_t bits = 8 * datatype.element_size;
  if (datatype.kind == Kind::unsigned_integer) {
    const uint64_t max = bits == 64 ? std::numeric_limits<uint64_t>::max() : (uint64_t{1} << bits) - 1;
    if (!value.is_number_unsigned() || value.get<uint64_t>() > max)
      json_fail(path, fmt::format("{} is out of range for {}", value.dump(), datatype.name));
    append_little_endian(out, value.get<uint64_t>(), datatype.element_size);
    return;
  }
  const int64_t max = bits == 64 ? std::numeric_limits<int64_t>::max() : (int64_t{1} << (bits - 1)) - 1;
  const int64_t min = -max - 1;
  if (value.is_number_unsigned() ? value.get<uint64_t>() > static_cast<uint64_t>(max)
                                 : (value.get<int64_t>() < min || value.get<int64_t>() > max))
    json_fail(path, fmt::format("{} is out of range for {}", value.dump(), datatype.name));
  append_little_endian(out, std::bit_cast<uint64_t>(value.get<int64_t>()), datatype.element_size);
}

// A JSON number as float32, rejecting magnitudes float32 cannot hold.
float json_float(const json& value, const Datatype& datatype, const std::string& path) {
  if (!value.is_number()) json_fail(path, fmt::format("expected a number for {}, found {}", datatype.name, json_describe(value)));
  const double d = value.get<double>();
  if (!(std::fabs(d) < kFloatOverflow))
    json_fail(path, fmt::format("{} is out of range for {}", value.dump(), datatype.name));
  return static_cast<float>(d);
}

void append_json_value(const json& value, const Datatype& datatype, const std::string& path, int64_t max_tensor_bytes,
                       std::vector<uint8_t>& out) {
  switch (datatype.kind) {
    case Kind::boolean:
      if (!value.is_boolean()) json_fail(path, "expected true or false for BOOL, found " + json_describe(value));
      out.push_back(value.get<bool>() ? 1 : 0);
      return;
    case Kind::unsigned_integer:
    case Kind::signed_integer: append_json_integer(value, datatype, path, out); return;
    case Kind::fp16: {
      const uint16_t half = binary16_from_float(json_float(value, datatype, path));
      if (std::isinf(float_from_binary16(half)))
        json_fail(path, fmt::format("{} is out of range for FP16", value.dump()));
      append_little_endian(out, half, 2);
      return;
    }
    case Kind::bf16: {
      const uint16_t bf16 = bfloat16_from_finite_float(json_float(value, datatype, path));
      if (std::isinf(float_from_bfloat16(bf16))) json_fail(path, fmt::format("{} is out of range for BF16", value.dump()));
      append_little_endian(out, bf16, 2);
      return;
    }
    case Kind::fp32:
      append_little_endian(out, std::bit_cast<uint32_t>(json_float(value, datatype, path)), 4);
      return;
    case Kind::fp64:
      if (!value.is_number()) json_fail(path, "expected a number for FP64, found " + json_describe(value));
      append_little_endian(out, std::bit_cast<uint64_t>(value.get<double>()), 8);
      return;
    case Kind::bytes: {
      if (!value.is_string()) json_fail(path, "expected a string for BYTES, found " + json_describe(value));
      const std::string& s = value.get_ref<const std::string&>();
      if (static_cast<int64_t>(out.size() + 4 + s.size()) > max_tensor_bytes)
        json_fail(path, fmt::format("BYTES data beyond the limit of {} bytes per tensor", max_tensor_bytes));
      append_little_endian(out, s.size(), 4);
      out.insert(out.end(), s.begin(), s.end());
      return;
    }
  }
}

void read_json_data(const TensorHeader& header, const std::string& path, const OipLimits& limits,
                    OipTensor& tensor) {
  DataArray data(*header.data, path + ".data", std::max<int>(static_cast<int>(tensor.shape.size()), 1));
  const int64_t count = data.count();
  if (count != header.elements)
    json_fail(path, fmt::format("\"data\" has {} values but {} needs {}", count, tensor_description(tensor),
                           header.elements));
  tensor.data.clear();
  if (header.datatype->kind != Kind::bytes) tensor.data.reserve(count * header.datatype->element_size);
  data.visit([&](const json& value) {
    append_json_value(value, *header.datatype, data.leaf_path(), limits.max_tensor_bytes, tensor.data);
  });
}

// Checks the binary data of a tensor against its datatype and shape: BOOL
// bytes are 0 or 1; BYTES elements tile the data, as many as the shape says.
void check_tensor_bytes(const OipTensor& tensor, const Datatype& datatype, int64_t elements,
                        const std::string& path) {
  if (datatype.kind == Kind::boolean) {
    const auto bad = std::find_if(tensor.data.begin(), tensor.data.end(), [](uint8_t b) { return b > 1; });
    if (bad != tensor.data.end())
      json_fail(path, fmt::format("BOOL element {} is {}, not 0 or 1", bad - tensor.data.begin(), *bad));
  } else if (datatype.kind == Kind::bytes) {
    const int64_t count = for_each_bytes_element(tensor.data.data(), tensor.data.size(), path, [](std::string_view) {});
    if (count != elements)
      json_fail(path,
           fmt::format("BYTES data has {} elements but {} needs {}", count, tensor_description(tensor), elements));
  }
}

// The binary parts after the JSON, handed out in tensor order.
class BinaryParts {
 public:
  BinaryParts(std::string_view body, size_t json_length, bool has_header)
      : body_(body), offset_(json_length), has_header_(has_header) {}

  void read(const TensorHeader& header, const std::string& path, const OipLimits& limits, OipTensor& tensor) {
    const int64_t size = *header.binary_data_size;
    if (!has_header_)
      json_fail(path, "parameters.binary_data_size given but there is no Inference-Header-Content-Length "
                 "(the whole body is JSON)");
    if (header.datatype->kind == Kind::bytes) {
      if (size > limits.max_tensor_bytes)
        json_fail(path, fmt::format("binary_data_size {} is more than the limit of {} bytes per tensor", size,
                               limits.max_tensor_bytes));
      if (size < 4 * header.elements)
        json_fail(path, fmt::format("binary_data_size {} but BYTES {} needs at least {} bytes", size,
                               shape_text(tensor.shape), 4 * header.elements));
    } else {
      const int64_t needed = header.elements * header.datatype->element_size;
      if (size != needed)
        json_fail(path, fmt::format("binary_data_size {} but {} needs {} bytes", size, tensor_description(tensor), needed));
    }
    const size_t left = body_.size() - offset_;
    if (static_cast<uint64_t>(size) > left)
      json_fail(path, fmt::format("binary_data_size {} but only {} bytes of binary data are left in the body", size, left));
    const auto* begin = reinterpret_cast<const uint8_t*>(body_.data()) + offset_;
    tensor.data.assign(begin, begin + size);
    offset_ += size;
    check_tensor_bytes(tensor, *header.datatype, header.elements, path);
  }

  void expect_end() const {
    if (offset_ != body_.size())
      throw Error(fmt::format("the body has {} bytes after the tensors' binary data", body_.size() - offset_));
  }

 private:
  std::string_view body_;
  size_t offset_;
  bool has_header_;
};

// Checks the body's size and the Inference-Header-Content-Length header;
// returns the length of the JSON part.
size_t json_part_length(std::string_view body, std::optional<std::string_view> json_length,
                        const OipLimits& limits) {
  if (body.size() > static_cast<uint64_t>(std::max<int64_t>(limits.max_body_bytes, 0)))
    throw Error(fmt::format("the body is {} bytes, more than the limit of {} bytes", body.size(),
                            limits.max_body_bytes));
  const auto checked_json_length = [&](size_t length) {
    if (length > static_cast<uint64_t>(std::max<int64_t>(limits.max_json_bytes, 0)))
      throw Error(fmt::format("the JSON part is {} bytes, more than the limit of {} bytes (send tensors binary)",
                              length, limits.max_json_bytes));
    return length;
  };
  if (!json_length) return checked_json_length(body.size());
  const std::string_view text = *json_length;
  uint64_t length = 0;
  const bool digits =
      !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), length);
  const std::string shown = text.size() <= 40 ? std::string(text) : std::string(text.substr(0, 40)) + "...";
  if (!digits || parsed.ec != std::errc() || parsed.ptr != text.data() + text.size())
    throw Error(fmt::format("Inference-Header-Content-Length: '{}' is not a decimal byte count", shown));
  if (length > body.size())
    throw Error(fmt::format("Inference-Header-Content-Length: {} is more than the body's {} bytes", length,
                            body.size()));
  return checked_json_length(length);
}

// The tensors of array `name` ("inputs" of a request, "outputs" of a
// response), their data from the JSON or the binary parts.
std::vector<OipTensor> read_tensors(const json& root, std::string_view name, const OipLimits& limits,
                                    BinaryParts& binary) {
  const json& array = *array_member(root, name, limits.max_tensors, true);
  std::vector<OipTensor> tensors(array.size());
  std::set<std::string> names;
  for (size_t i = 0; i < array.size(); ++i) {
    const std::string path = fmt::format("{}[{}]", name, i);
    OipTensor& tensor = tensors[i];
    const TensorHeader header = read_tensor_header(array[i], path, limits, tensor);
    if (!names.insert(tensor.name).second) json_fail(path + ".name", fmt::format("{} appears twice", json_describe(tensor.name)));
    if (header.data)
      read_json_data(header, path, limits, tensor);
    else
      binary.read(header, path, limits, tensor);
  }
  binary.expect_end();
  return tensors;
}

std::string optional_string(const json& root, std::string_view key) {
  const json* value = member(root, key);
  return value ? JsonField(*value, "", std::string(key)).string() : std::string();
}

json optional_parameters(const json& root, const std::string& path) {
  const json* value = member(root, "parameters");
  if (!value) return json::object();
  JsonField(*value, "", path.empty() ? "parameters" : path + ".parameters").require_object();
  return *value;
}

std::vector<OipRequestedOutput> read_requested_outputs(const json& root, const OipLimits& limits,
                                                       bool binary_data_output) {
  std::vector<OipRequestedOutput> outputs;
  const json* array = array_member(root, "outputs", limits.max_tensors, false);
  if (!array) return outputs;
  std::set<std::string> names;
  for (size_t i = 0; i < array->size(); ++i) {
    const std::string path = fmt::format("outputs[{}]", i);
    const JsonField field((*array)[i], "", path);
    field.require_object();
    OipRequestedOutput output;
    output.name = field.at("name").nonempty_string();
    if (!names.insert(output.name).second) json_fail(path + ".name", fmt::format("{} appears twice", json_describe(output.name)));
    output.binary = binary_data_output;
    const json parameters = optional_parameters(field.value(), path);
    // "binary_data" overrides the request's binary_data_output; other
    // parameters (e.g. Triton's classification) are ignored, as Triton ignores
    // those it does not know.
    if (const json* binary = member(parameters, kBinaryData))
      output.binary = JsonField(*binary, "", path + ".parameters." + std::string(kBinaryData)).boolean();
    outputs.push_back(std::move(output));
  }
  return outputs;
}

// ---------------------------------------------------------------- tensors: writing

// Checks that a tensor's bytes agree with its datatype and shape; returns its datatype.
const Datatype& checked_tensor(const OipTensor& tensor, const std::string& path) {
  const Datatype* datatype = find_datatype(tensor.datatype);
  if (!datatype) json_fail(path, fmt::format("{} is not a datatype", json_describe(tensor.datatype)));
  if (tensor.name.empty()) json_fail(path, "the name is empty");
  for (int64_t dim : tensor.shape) {
    if (dim < 0) json_fail(path, fmt::format("shape {} has a negative dimension", shape_text(tensor.shape)));
  }
  const int64_t elements =
      checked_elements(tensor.shape, *datatype, path, tensor_description(tensor), std::numeric_limits<int64_t>::max());
  if (datatype->kind != Kind::bytes && static_cast<uint64_t>(elements * datatype->element_size) != tensor.data.size())
    json_fail(path, fmt::format("{} bytes of data but {} needs {}", tensor.data.size(), tensor_description(tensor),
                           elements * datatype->element_size));
  check_tensor_bytes(tensor, *datatype, elements, path);
  if (!tensor.parameters.is_object()) json_fail(path + ".parameters", "expected an object");
  return *datatype;
}

[[noreturn]] void fail_not_finite(const std::string& path, const Datatype& datatype, size_t index, double value) {
  json_fail(path, fmt::format("{} element {} is {}, which JSON cannot carry (send it binary)", datatype.name, index, value));
}

// The tensor's values as a JSON array (flat, row-major).
ordered_json json_data(const OipTensor& tensor, const Datatype& datatype, const std::string& path) {
  ordered_json data = ordered_json::array();
  const uint8_t* bytes = tensor.data.data();
  const size_t size = datatype.element_size;
  if (datatype.kind == Kind::bytes) {
    int64_t index = 0;
    for_each_bytes_element(bytes, tensor.data.size(), path, [&](std::string_view element) {
      ordered_json value = std::string(element);
      try {
        (void)value.dump();
      } catch (const json::exception&) {
        json_fail(path, fmt::format("BYTES element {} is not UTF-8, which JSON cannot carry (send it binary)", index));
      }
      data.push_back(std::move(value));
      ++index;
    });
    return data;
  }
  const size_t count = size ? tensor.data.size() / size : 0;
  data.get_ref<ordered_json::array_t&>().reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const uint64_t bits = load_little_endian(bytes + i * size, size);
    switch (datatype.kind) {
      case Kind::boolean: data.push_back(bits != 0); break;
      case Kind::unsigned_integer: data.push_back(bits); break;
      case Kind::signed_integer: data.push_back(sign_extended(bits, size)); break;
      case Kind::fp16:
      case Kind::bf16:
      case Kind::fp32: {
        const float value = datatype.kind == Kind::fp32   ? std::bit_cast<float>(static_cast<uint32_t>(bits))
                            : datatype.kind == Kind::fp16 ? float_from_binary16(static_cast<uint16_t>(bits))
                                                          : float_from_bfloat16(static_cast<uint16_t>(bits));
        if (!std::isfinite(value)) fail_not_finite(path, datatype, i, value);
        data.push_back(json_number_for_float(value));
        break;
      }
      case Kind::fp64: {
        const double value = std::bit_cast<double>(bits);
        if (!std::isfinite(value)) fail_not_finite(path, datatype, i, value);
        data.push_back(value);
        break;
      }
      case Kind::bytes: break;
    }
  }
  return data;
}

// Writes the tensors of `name` into `root`; the bytes of those with binary[i]
// go to `binary_parts`. Returns whether any did.
bool write_tensors(ordered_json& root, std::string_view name, const std::vector<OipTensor>& tensors,
                   const std::vector<bool>& binary, std::string& binary_parts) {
  ordered_json array = ordered_json::array();
  bool any_binary = false;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const OipTensor& tensor = tensors[i];
    const std::string path = fmt::format("{}[{}]", name, i);
    const Datatype& datatype = checked_tensor(tensor, path);
    ordered_json j = {{"name", tensor.name}, {"shape", tensor.shape}, {"datatype", tensor.datatype}};
    ordered_json parameters = tensor.parameters;
    parameters.erase(std::string(kBinaryDataSize));
    if (binary[i]) {
      parameters[std::string(kBinaryDataSize)] = tensor.data.size();
      binary_parts.append(reinterpret_cast<const char*>(tensor.data.data()), tensor.data.size());
      any_binary = true;
    }
    if (!parameters.empty()) j["parameters"] = std::move(parameters);
    if (!binary[i]) j["data"] = json_data(tensor, datatype, path);
    array.push_back(std::move(j));
  }
  root[std::string(name)] = std::move(array);
  return any_binary;
}

OipBody body_of(const ordered_json& root, const std::string& binary_parts, bool any_binary) {
  OipBody body;
  body.bytes = dump_json(root);
  if (any_binary) {
    body.json_length = body.bytes.size();
    body.bytes += binary_parts;
    body.content_type = "application/octet-stream";
  } else {
    body.content_type = "application/json";
  }
  return body;
}

ordered_json checked_parameters(const json& parameters, const std::string& path) {
  if (!parameters.is_object()) json_fail(path, "expected an object");
  return parameters;
}

}  // namespace

std::optional<int64_t> oip_element_size(std::string_view datatype) {
  const Datatype* d = find_datatype(datatype);
  if (!d || d->kind == Kind::bytes) return std::nullopt;
  return d->element_size;
}

const char* oip_datatype(DType dtype) {
  switch (dtype) {
    case DType::f32: return "FP32";
    case DType::f16: return "FP16";
    case DType::u8: return "UINT8";
    case DType::i8: return "INT8";
    case DType::i32: return "INT32";
  }
  throw Error("oip_datatype: unknown dtype");
}

std::optional<DType> dtype_from_oip(std::string_view datatype) {
  for (DType dtype : {DType::f32, DType::f16, DType::u8, DType::i8, DType::i32}) {
    if (datatype == oip_datatype(dtype)) return dtype;
  }
  return std::nullopt;
}

InferRequest parse_infer_request(std::string_view body, std::optional<std::string_view> json_length,
                                 const OipLimits& limits) {
  const size_t length = json_part_length(body, json_length, limits);
  const json root = parse_json_text(body.substr(0, length), limits);
  JsonField(root, "", "request").require_object();
  InferRequest request;
  request.id = optional_string(root, "id");
  request.empty_id_given = request.id.empty() && member(root, "id");
  request.parameters = optional_parameters(root, "");
  if (const json* binary_data_output = member(request.parameters, kBinaryDataOutput)) {
    request.binary_data_output = JsonField(*binary_data_output, "", "parameters.binary_data_output").boolean();
    request.parameters.erase(std::string(kBinaryDataOutput));
  }
  BinaryParts binary(body, length, json_length.has_value());
  request.inputs = read_tensors(root, "inputs", limits, binary);
  request.outputs = read_requested_outputs(root, limits, request.binary_data_output);
  return request;
}

OipBody encode_infer_request(const InferRequest& request, bool binary) {
  ordered_json root = ordered_json::object();
  if (!request.id.empty() || request.empty_id_given) root["id"] = request.id;
  ordered_json parameters = checked_parameters(request.parameters, "parameters");
  parameters.erase(std::string(kBinaryDataOutput));
  if (request.binary_data_output) parameters[std::string(kBinaryDataOutput)] = true;
  if (!parameters.empty()) root["parameters"] = std::move(parameters);
  std::string binary_parts;
  const bool any_binary =
      write_tensors(root, "inputs", request.inputs, std::vector<bool>(request.inputs.size(), binary), binary_parts);
  if (!request.outputs.empty()) {
    ordered_json outputs = ordered_json::array();
    for (const OipRequestedOutput& output : request.outputs)
      outputs.push_back({{"name", output.name}, {"parameters", {{std::string(kBinaryData), output.binary}}}});
    root["outputs"] = std::move(outputs);
  }
  return body_of(root, binary_parts, any_binary);
}

InferResponse parse_infer_response(std::string_view body, std::optional<std::string_view> json_length,
                                   const OipLimits& limits) {
  const size_t length = json_part_length(body, json_length, limits);
  const json root = parse_json_text(body.substr(0, length), limits);
  JsonField(root, "", "response").require_object();
  InferResponse response;
  // Required by the protocol, yet left out of Triton's own documented examples.
  response.model_name = optional_string(root, "model_name");
  response.model_version = optional_string(root, "model_version");
  response.id = optional_string(root, "id");
  response.empty_id_given = response.id.empty() && member(root, "id");
  response.parameters = optional_parameters(root, "");
  BinaryParts binary(body, length, json_length.has_value());
  response.outputs = read_tensors(root, "outputs", limits, binary);
  return response;
}

OipBody encode_infer_response(const InferResponse& response, const std::vector<bool>& binary) {
  if (!binary.empty() && binary.size() != response.outputs.size())
    throw Error(fmt::format("encode_infer_response: {} binary flags for {} outputs", binary.size(),
                            response.outputs.size()));
  ordered_json root = ordered_json::object();
  root["model_name"] = response.model_name;
  if (!response.model_version.empty()) root["model_version"] = response.model_version;
  if (!response.id.empty() || response.empty_id_given) root["id"] = response.id;
  ordered_json parameters = checked_parameters(response.parameters, "parameters");
  if (!parameters.empty()) root["parameters"] = std::move(parameters);
  std::string binary_parts;
  const bool any_binary = write_tensors(
      root, "outputs", response.outputs, binary.empty() ? std::vector<bool>(response.outputs.size(), true) : binary,
      binary_parts);
  return body_of(root, binary_parts, any_binary);
}

std::string oip_error_body(std::string_view message) {
  return json{{"error", std::string(message)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace splitpoint
