// Byte containers.
//
// Bytes: plain std::vector<uint8_t> for public data (hashes, signatures, encodings).
// SecretBytes: key material and other secrets. Every buffer it ever owned is wiped before it is
// released (reallocation included); it cannot be copied by accident (explicit Clone()); equality is
// constant time in the contents for equal lengths. It never prints its contents.
//
// Thread safety: like std::vector.
#ifndef QFS_BASE_BYTES_H_
#define QFS_BASE_BYTES_H_

#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

namespace qfs {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

// Overwrites `size` bytes at `data` with zeros in a way the compiler may not elide.
void SecureWipe(void* data, std::size_t size);

// True iff a and b have equal length and contents. Time depends only on the lengths.
bool ConstantTimeEqual(ByteSpan a, ByteSpan b);

// The byte-wise (lexicographic, unsigned) order of two equal-size arrays — memcmp's order —
// compared 8 bytes at a time, inline. Ordered maps keyed by ids compare ~10 times per lookup,
// and a call to memcmp for each cost more than the comparison itself. Not constant time.
template <std::size_t N>
std::strong_ordering CompareFixedBytes(const std::array<std::uint8_t, N>& a,
                                       const std::array<std::uint8_t, N>& b) {
  std::size_t i = 0;
  for (; i + 8 <= N; i += 8) {
    std::uint64_t x = 0, y = 0;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) {
      if constexpr (std::endian::native == std::endian::little) {
        x = __builtin_bswap64(x);
        y = __builtin_bswap64(y);
      }
      return x <=> y;
    }
  }
  for (; i < N; ++i) {
    if (a[i] != b[i]) return a[i] <=> b[i];
  }
  return std::strong_ordering::equal;
}

// An allocator that wipes memory before returning it to the heap.
template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) {
    SecureWipe(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>&) const {
    return true;
  }
};

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size) : data_(size, 0) {}
  explicit SecretBytes(ByteSpan contents) : data_(contents.begin(), contents.end()) {}
  SecretBytes(SecretBytes&&) noexcept = default;
  SecretBytes& operator=(SecretBytes&&) noexcept = default;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() { Wipe(); }

  SecretBytes Clone() const { return SecretBytes(span()); }
  // Zeroes the contents; the size stays.
  void Wipe() { SecureWipe(data_.data(), data_.size()); }

  std::size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  std::uint8_t* data() { return data_.data(); }
  const std::uint8_t* data() const { return data_.data(); }
  ByteSpan span() const { return {data_.data(), data_.size()}; }
  std::span<std::uint8_t> mutable_span() { return {data_.data(), data_.size()}; }
  void resize(std::size_t size) { data_.resize(size, 0); }

  friend bool operator==(const SecretBytes& a, const SecretBytes& b) {
    return ConstantTimeEqual(a.span(), b.span());
  }

 private:
  std::vector<std::uint8_t, WipingAllocator<std::uint8_t>> data_;
};

}  // namespace qfs

#endif  // QFS_BASE_BYTES_H_
