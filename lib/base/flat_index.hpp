// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// An immutable open-addressing hash table from a pair of 64-bit keys to a span of 32-bit
// values, built once and then only read: one flat array of slots and one of values, so a
// lookup is a hash, a probe or two in one cache line, and no pointer chasing
// (re2's SparseArray and Lua's table part are the models).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace mandate::detail {

class flat_index {
 public:
  struct key {
    std::uint64_t first = 0;
    std::uint64_t second = 0;
    friend bool operator==(const key&, const key&) = default;
  };

  /// Builds from (key, value) pairs; values of equal keys keep their input order.
  void build(std::vector<std::pair<key, std::uint32_t>> entries) {
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.first.first != b.first.first ? a.first.first < b.first.first : a.first.second < b.first.second;
    });
    std::size_t distinct = 0;
    for (std::size_t i = 0; i < entries.size(); ++i)
      if (i == 0 || !(entries[i].first == entries[i - 1].first)) ++distinct;
    std::size_t capacity = 8;
    while (capacity < distinct * 2) capacity *= 2;
    mask_ = capacity - 1;
    slots_.assign(capacity, slot{});
    values_.clear();
    values_.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size();) {
      const key k = entries[i].first;
      const auto begin = static_cast<std::uint32_t>(values_.size());
      for (; i < entries.size() && entries[i].first == k; ++i) values_.push_back(entries[i].second);
      std::size_t at = hash(k) & mask_;
      while (slots_[at].count != 0) at = (at + 1) & mask_;
      slots_[at] = {k, begin, static_cast<std::uint32_t>(values_.size()) - begin};
    }
  }

  /// The values filed under `k`, in build order; empty when none.
  [[nodiscard]] std::span<const std::uint32_t> find(key k) const noexcept {
    if (slots_.empty()) return {};
    for (std::size_t at = hash(k) & mask_;; at = (at + 1) & mask_) {
      const slot& s = slots_[at];
      if (s.count == 0) return {};
      if (s.k == k) return {values_.data() + s.begin, s.count};
    }
  }

  [[nodiscard]] bool empty() const noexcept { return values_.empty(); }

 private:
  struct slot {
    key k;
    std::uint32_t begin = 0;
    std::uint32_t count = 0;  // 0 marks an empty slot: every filed key has a value
  };

  static std::size_t hash(key k) noexcept {
    // splitmix64's finaliser over both halves: entity keys differ mostly in their low bits.
    std::uint64_t x = k.first * 0x9E3779B97F4A7C15ULL ^ (k.second + 0x632BE59BD9B4E019ULL);
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return static_cast<std::size_t>(x);
  }

  std::vector<slot> slots_;
  std::vector<std::uint32_t> values_;
  std::size_t mask_ = 0;
};

}  // namespace mandate::detail
