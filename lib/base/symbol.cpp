// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "base/symbol.hpp"

#include <array>
#include <atomic>
#include <cassert>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace mandate::detail {
namespace {

// Texts live in fixed-size pages that never move, and symbol -> text goes through a two-level
// table whose pages are published with release stores, so symbol_text() takes no lock.
constexpr std::uint32_t page_bits = 14;
constexpr std::uint32_t page_size = 1U << page_bits;
constexpr std::uint32_t max_pages = 1U << (32 - page_bits);

struct text_ref {
  const char* data;
  std::uint32_t size;
};

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class symbol_table {
 public:
  symbol_table() { insert_locked(""); }

  symbol intern(std::string_view text) {
    {
      std::shared_lock lock(mutex_);
      if (auto it = index_.find(text); it != index_.end()) return it->second;
    }
    std::unique_lock lock(mutex_);
    if (auto it = index_.find(text); it != index_.end()) return it->second;
    return insert_locked(text);
  }

  std::optional<symbol> find(std::string_view text) const noexcept {
    std::shared_lock lock(mutex_);
    if (auto it = index_.find(text); it != index_.end()) return it->second;
    return std::nullopt;
  }

  std::string_view text(symbol s) const noexcept {
    const text_ref* page = pages_[s >> page_bits].load(std::memory_order_acquire);
    assert(page != nullptr);
    const text_ref& ref = page[s & (page_size - 1)];
    return {ref.data, ref.size};
  }

  std::uint32_t count() const noexcept { return count_.load(std::memory_order_acquire); }

 private:
  symbol insert_locked(std::string_view text) {
    const std::uint32_t id = count_.load(std::memory_order_relaxed);
    if (id == UINT32_MAX) std::abort();  // 4 billion distinct strings: nothing sane to do
    auto& page_slot = pages_[id >> page_bits];
    text_ref* page = page_slot.load(std::memory_order_relaxed);
    if (page == nullptr) {
      owned_pages_.push_back(std::make_unique<text_ref[]>(page_size));
      page = owned_pages_.back().get();
      page_slot.store(page, std::memory_order_release);
    }
    auto& stored = texts_.emplace_back(text);
    page[id & (page_size - 1)] = {stored.data(), static_cast<std::uint32_t>(stored.size())};
    index_.emplace(std::string_view(stored), id);
    count_.store(id + 1, std::memory_order_release);
    return id;
  }

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string_view, symbol, string_hash, std::equal_to<>> index_;
  // std::string in a deque: elements never move, and a moved-from short string would.
  std::deque<std::string> texts_;
  std::vector<std::unique_ptr<text_ref[]>> owned_pages_;
  std::array<std::atomic<text_ref*>, max_pages> pages_{};
  std::atomic<std::uint32_t> count_{0};
};

symbol_table& table() {
  static symbol_table* instance = new symbol_table();  // never destroyed: symbols outlive statics
  return *instance;
}

}  // namespace

symbol intern(std::string_view text) { return table().intern(text); }
std::optional<symbol> find_symbol(std::string_view text) noexcept { return table().find(text); }
std::string_view symbol_text(symbol s) noexcept { return table().text(s); }
std::uint32_t symbol_count() noexcept { return table().count(); }

}  // namespace mandate::detail
