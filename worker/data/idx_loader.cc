#include "worker/data/idx_loader.h"

#include <sys/mman.h>
#include <zlib.h>

#include <cstdint>
#include <memory>

#include "absl/strings/str_cat.h"

namespace hpsearch::data {

namespace {

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

absl::Status ReadExact(gzFile f, void* buf, std::size_t n, const std::string& path) {
  auto* p = static_cast<unsigned char*>(buf);
  while (n > 0) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n, 1u << 30));
    const int got = gzread(f, p, chunk);
    if (got <= 0) return absl::DataLossError(absl::StrCat(path, ": truncated IDX file"));
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint32_t>> ReadHeader(gzFile f, const std::string& path, int expected_dims) {
  unsigned char magic[4];
  if (auto st = ReadExact(f, magic, 4, path); !st.ok()) return st;
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] != expected_dims)
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not an IDX file of unsigned bytes with ", expected_dims, " dimensions"));
  std::vector<uint32_t> dims(expected_dims);
  for (auto& d : dims) {
    unsigned char b[4];
    if (auto st = ReadExact(f, b, 4, path); !st.ok()) return st;
    d = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
  }
  return dims;
}

absl::StatusOr<GzFile> Open(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  gzbuffer(f, 1 << 20);  // fewer, larger reads than zlib's 8 KiB
  return GzFile(f);
}

// Large buffers in 2 MiB pages where the kernel offers them on request: a
// Fashion-MNIST load writes 220 MB of floats, and 4 KiB pages cost it ~55,000 faults.
void PreferHugePages(void* data, std::size_t bytes) {
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // a hint: errors ignored
}

}  // namespace

absl::StatusOr<IdxImages> ReadIdxImages(const std::string& path, int64_t limit) {
  auto f = Open(path);
  if (!f.ok()) return f.status();
  auto dims = ReadHeader(f->get(), path, 3);
  if (!dims.ok()) return dims.status();
  int64_t n = (*dims)[0];
  if (limit > 0) n = std::min(n, limit);
  IdxImages img;
  img.rows = static_cast<int>((*dims)[1]);
  img.cols = static_cast<int>((*dims)[2]);
  const std::size_t per = static_cast<std::size_t>(img.rows) * img.cols;
  const std::size_t count = per * static_cast<std::size_t>(n);
  auto bytes = std::make_unique_for_overwrite<unsigned char[]>(count);  // not zero-filled first
  PreferHugePages(bytes.get(), count);
  if (auto st = ReadExact(f->get(), bytes.get(), count, path); !st.ok()) return st;
  img.pixels.resize(n, static_cast<Eigen::Index>(per));
  float* out = img.pixels.data();
  PreferHugePages(out, count * sizeof(float));
  for (std::size_t i = 0; i < count; ++i) out[i] = bytes[i] * (1.0f / 255.0f);
  return img;
}

absl::StatusOr<std::vector<int32_t>> ReadIdxLabels(const std::string& path, int64_t limit) {
  auto f = Open(path);
  if (!f.ok()) return f.status();
  auto dims = ReadHeader(f->get(), path, 1);
  if (!dims.ok()) return dims.status();
  int64_t n = (*dims)[0];
  if (limit > 0) n = std::min(n, limit);
  std::vector<unsigned char> bytes(n);
  if (auto st = ReadExact(f->get(), bytes.data(), bytes.size(), path); !st.ok()) return st;
  return std::vector<int32_t>(bytes.begin(), bytes.end());
}

}  // namespace hpsearch::data
