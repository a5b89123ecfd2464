#include "dataset/idx_file.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <memory>

#include "core/error.h"

namespace splitpoint {

namespace {

// Reads the (possibly gzipped) file as a stream of bytes.
class ByteSource {
 public:
  explicit ByteSource(const std::filesystem::path& path) : path_(path) {
    gzipped_ = path.extension() == ".gz";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw Error(ErrorKind::kNotFound, fmt::format("{}: no such file", path.string()));
    if (gzipped_) {
      gz_ = gzopen(path.c_str(), "rb");
      if (gz_ == nullptr) throw Error(ErrorKind::kIo, fmt::format("{}: cannot open", path.string()));
      gzbuffer(gz_, 1 << 16);
    } else {
      file_.open(path, std::ios::binary);
      if (!file_) throw Error(ErrorKind::kIo, fmt::format("{}: cannot open", path.string()));
    }
  }
  ~ByteSource() {
    if (gz_ != nullptr) gzclose(gz_);
  }
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // Reads up to `size` bytes; returns how many were read (fewer at the end).
  size_t read(uint8_t* out, size_t size) {
    size_t done = 0;
    while (done < size) {
      if (gzipped_) {
        const unsigned chunk = static_cast<unsigned>(std::min<size_t>(size - done, 1u << 30));
        const int got = gzread(gz_, out + done, chunk);
        if (got < 0) {
          int code = 0;
          const char* message = gzerror(gz_, &code);
          throw Error(fmt::format("{}: corrupt gzip data ({})", path_.string(), message ? message : "zlib error"));
        }
        if (got == 0) {
          int code = 0;
          const char* message = gzerror(gz_, &code);
          if (code != Z_OK && code != Z_STREAM_END)
            throw Error(fmt::format("{}: corrupt gzip data ({})", path_.string(), message ? message : "zlib error"));
          break;
        }
        done += static_cast<size_t>(got);
      } else {
        file_.read(reinterpret_cast<char*>(out + done), static_cast<std::streamsize>(size - done));
        const auto got = file_.gcount();
        if (got <= 0) break;
        done += static_cast<size_t>(got);
      }
    }
    return done;
  }

 private:
  std::filesystem::path path_;
  bool gzipped_ = false;
  gzFile gz_ = nullptr;
  std::ifstream file_;
};

uint32_t big_endian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& path, int64_t max_bytes) {
  const std::string name = path.string();
  ByteSource source(path);
  std::array<uint8_t, 4> magic{};
  if (source.read(magic.data(), 4) != 4) throw Error(fmt::format("{}: truncated IDX file: no 4-byte magic", name));
  if (magic[0] != 0 || magic[1] != 0)
    throw Error(fmt::format("{}: not an IDX file: magic {:02x} {:02x} {:02x} {:02x}, expected 00 00 TYPE RANK", name,
                            magic[0], magic[1], magic[2], magic[3]));
  if (magic[2] != 0x08)
    throw Error(ErrorKind::kUnsupported,
                fmt::format("{}: IDX element type 0x{:02x} is not supported (only 0x08, unsigned byte)", name, magic[2]));
  const int rank = magic[3];
  if (rank < 1 || rank > 4)
    throw Error(fmt::format("{}: IDX rank {} is outside 1..4", name, rank));
  std::array<uint8_t, 16> header{};
  const size_t header_bytes = static_cast<size_t>(rank) * 4;
  if (source.read(header.data(), header_bytes) != header_bytes)
    throw Error(fmt::format("{}: truncated IDX file: the header declares {} dimensions, the file ends before them", name,
                            rank));
  IdxArray array;
  int64_t total = 1;
  for (int i = 0; i < rank; ++i) {
    const int64_t d = big_endian32(header.data() + 4 * i);
    if (d == 0) throw Error(fmt::format("{}: IDX dimension {} is 0", name, i));
    if (d > max_bytes || total > max_bytes / d)
      throw Error(ErrorKind::kTooLarge,
                  fmt::format("{}: IDX dimensions declare more than the limit of {} bytes", name, max_bytes));
    total *= d;
    array.dims.push_back(d);
  }
  // The elements are read in chunks, the array growing by what arrives: a header declaring 2 GiB in a 20-byte file
  // (or a gzip stream that ends early) costs a chunk, not 2 GiB.
  constexpr size_t kChunk = size_t{1} << 20;
  size_t got = 0;
  while (got < static_cast<size_t>(total)) {
    const size_t want = std::min(kChunk, static_cast<size_t>(total) - got);
    array.bytes.resize(got + want);
    const size_t n = source.read(array.bytes.data() + got, want);
    got += n;
    if (n < want) break;
  }
  array.bytes.resize(got);
  if (got != static_cast<size_t>(total))
    throw Error(fmt::format("{}: truncated IDX file: the header declares {} element bytes, the file has {}", name, total,
                            got));
  uint8_t extra = 0;
  if (source.read(&extra, 1) != 0)
    throw Error(fmt::format("{}: IDX file has bytes after the {} its header declares", name, total));
  return array;
}

std::vector<uint8_t> encode_idx(const std::vector<int64_t>& dims, const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> out = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (int64_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>((d >> shift) & 0xff));
  out.insert(out.end(), bytes.begin(), bytes.end());
  return out;
}

}  // namespace splitpoint
