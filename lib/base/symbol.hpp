// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Interned strings. Every entity type, entity id, attribute name and string value is turned
// into a 32-bit symbol when it is loaded, so equality on the hot path is an integer compare
// (as Lua interns its short strings). The table is process-wide and append-only: a symbol
// from one policy set equals the same symbol from an entity store loaded separately.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mandate::detail {

using symbol = std::uint32_t;

/// The empty string is always symbol 0.
inline constexpr symbol empty_symbol = 0;

/// Returns the symbol of `text`, adding it on first sight. Thread-safe.
symbol intern(std::string_view text);
/// Returns the symbol of `text` when it was ever interned. Thread-safe, never adds.
std::optional<symbol> find_symbol(std::string_view text) noexcept;
/// The text of a symbol. The view stays valid for the life of the process. Thread-safe.
std::string_view symbol_text(symbol s) noexcept;
/// Number of distinct symbols interned so far.
std::uint32_t symbol_count() noexcept;

}  // namespace mandate::detail
