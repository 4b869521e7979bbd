// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// lib/base: interned symbols, the bump arena and the flat index.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "base/arena.hpp"
#include "base/flat_index.hpp"
#include "base/symbol.hpp"

using mandate::detail::arena;
using mandate::detail::find_symbol;
using mandate::detail::flat_index;
using mandate::detail::intern;
using mandate::detail::symbol_text;

TEST_CASE("symbols: equal texts intern to equal symbols, and back") {
  const auto a = intern("base-test-alpha");
  const auto b = intern("base-test-beta");
  CHECK(a != b);
  CHECK(intern("base-test-alpha") == a);
  CHECK(symbol_text(a) == "base-test-alpha");
  CHECK(symbol_text(mandate::detail::empty_symbol).empty());
  CHECK(find_symbol("base-test-alpha") == a);
  CHECK_FALSE(find_symbol("base-test-never-interned").has_value());
  // Embedded NULs are part of the text.
  const std::string with_nul("a\0b", 3);
  CHECK(symbol_text(intern(with_nul)) == with_nul);
}

TEST_CASE("symbols: concurrent interning agrees on one symbol per text") {
  constexpr int threads = 4;
  constexpr int texts = 2000;
  std::vector<std::vector<std::uint32_t>> seen(threads, std::vector<std::uint32_t>(texts));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < texts; ++i) seen[t][i] = intern("concurrent-" + std::to_string(i));
    });
  }
  for (auto& w : workers) w.join();
  for (int i = 0; i < texts; ++i) {
    for (int t = 1; t < threads; ++t) CHECK(seen[t][i] == seen[0][i]);
    CHECK(symbol_text(seen[0][i]) == "concurrent-" + std::to_string(i));
  }
}

TEST_CASE("arena: allocations are aligned, distinct, and reused after reset") {
  arena a(64);
  auto cycle = [&] {
    auto* first = static_cast<char*>(a.allocate(10, 1));
    auto* aligned = a.allocate(8, 8);
    CHECK(reinterpret_cast<std::uintptr_t>(aligned) % 8 == 0);
    CHECK(static_cast<char*>(aligned) >= first + 10);
    auto* big = static_cast<char*>(a.allocate(1000, 8));  // larger than the first block
    big[999] = 'x';
    for (int i = 0; i < 10; ++i) a.allocate(50, 8);
  };
  cycle();
  a.reset();  // merges the blocks of the first cycle into one
  const std::size_t reserved = a.bytes_reserved();
  CHECK(reserved >= 1064 + 500);
  for (int i = 0; i < 5; ++i) {
    cycle();
    a.reset();
    CHECK(a.bytes_reserved() == reserved);  // the same work needs no new block
  }
}

TEST_CASE("flat_index: finds every key's values in build order, and nothing else") {
  flat_index index;
  CHECK(index.find({1, 2}).empty());
  std::vector<std::pair<flat_index::key, std::uint32_t>> entries;
  for (std::uint32_t i = 0; i < 1000; ++i) entries.push_back({{i % 37, i % 5}, i});
  index.build(entries);
  for (std::uint64_t a = 0; a < 37; ++a) {
    for (std::uint64_t b = 0; b < 5; ++b) {
      const auto found = index.find({a, b});
      std::vector<std::uint32_t> expected;
      for (std::uint32_t i = 0; i < 1000; ++i)
        if (i % 37 == a && i % 5 == b) expected.push_back(i);
      CHECK(std::vector<std::uint32_t>(found.begin(), found.end()) == expected);
    }
  }
  CHECK(index.find({37, 0}).empty());
  CHECK(index.find({0, 5}).empty());
  CHECK(index.find({~0ULL, ~0ULL}).empty());
}
