// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// A bump allocator for values that live exactly as long as their owner (an entity store, a
// compiled policy set, a request, or one evaluation). reset() keeps the first block, so a
// per-thread scratch arena reaches a steady state with no heap allocation per decision.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <type_traits>
#include <vector>

namespace mandate::detail {

class arena {
 public:
  explicit arena(std::size_t first_block_bytes = 4096) : next_block_bytes_(first_block_bytes) {}
  arena(const arena&) = delete;
  arena& operator=(const arena&) = delete;
  arena(arena&&) noexcept = default;
  arena& operator=(arena&&) noexcept = default;

  void* allocate(std::size_t bytes, std::size_t align) {
    std::size_t offset = (used_ + align - 1) & ~(align - 1);
    if (blocks_.empty() || offset + bytes > capacity_) {
      grow(bytes + align);
      offset = 0;
    }
    used_ = offset + bytes;
    return blocks_[current_].data.get() + offset;
  }

  /// Copies `items` into the arena. T must be trivially copyable and destructible.
  template <typename T>
  std::span<T> copy(std::span<const T> items) {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    if (items.empty()) return {};
    T* out = static_cast<T*>(allocate(sizeof(T) * items.size(), alignof(T)));
    std::memcpy(static_cast<void*>(out), items.data(), sizeof(T) * items.size());
    return {out, items.size()};
  }

  template <typename T>
  T* make_array(std::size_t n) {
    static_assert(std::is_trivially_destructible_v<T>);
    T* out = static_cast<T*>(allocate(sizeof(T) * (n == 0 ? 1 : n), alignof(T)));
    for (std::size_t i = 0; i < n; ++i) new (out + i) T();
    return out;
  }

  /// Forgets everything allocated. When the last cycle needed more than one block, they are
  /// merged into one block of their total size, so a cycle that repeats the same work soon
  /// allocates nothing at all.
  void reset() {
    if (blocks_.size() > 1) {
      const std::size_t total = bytes_reserved();
      blocks_.clear();
      blocks_.push_back({std::make_unique<std::byte[]>(total), total});
      next_block_bytes_ = std::max(next_block_bytes_, total);
    }
    current_ = 0;
    used_ = 0;
    capacity_ = blocks_.empty() ? 0 : blocks_[0].size;
  }

  [[nodiscard]] std::size_t bytes_reserved() const noexcept {
    std::size_t total = 0;
    for (const auto& b : blocks_) total += b.size;
    return total;
  }

 private:
  struct block {
    std::unique_ptr<std::byte[]> data;
    std::size_t size;
  };

  void grow(std::size_t at_least) {
    std::size_t size = next_block_bytes_;
    while (size < at_least) size *= 2;
    next_block_bytes_ = size * 2;
    blocks_.push_back({std::make_unique<std::byte[]>(size), size});
    current_ = blocks_.size() - 1;
    capacity_ = size;
    used_ = 0;
  }

  std::vector<block> blocks_;
  std::size_t current_ = 0;
  std::size_t used_ = 0;
  std::size_t capacity_ = 0;
  std::size_t next_block_bytes_;
};

}  // namespace mandate::detail
