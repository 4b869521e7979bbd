// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Diagnostics: mistakes in policy, schema, entity and request text, reported like a compiler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mandate {
inline namespace v0 {

enum class severity : std::uint8_t { error, warning, note };

/// Where a diagnostic points. Lines and columns count from 1; columns count bytes.
struct source_location {
  std::string file;        ///< file name as given to the compiler ("<input>" for text)
  std::uint32_t line = 0;  ///< 0 when the diagnostic has no position
  std::uint32_t column = 0;
  std::uint32_t offset = 0;  ///< byte offset of the start in the file
  std::uint32_t length = 0;  ///< bytes covered (at least 1 when positioned)
};

/// One problem found in input text. `code` is stable across releases (e.g. "parse",
/// "json", "nesting") so tools may match on it; the message is for people.
struct diagnostic {
  std::string code;
  severity level = severity::error;
  std::string message;
  source_location where;
  /// The text of the line `where` points into, without newline; empty when that line is
  /// longer than `max_excerpt_bytes` (a minified 100 MB line is not worth echoing).
  std::string source_line;
  static constexpr std::size_t max_excerpt_bytes = 1000;
};

/// Renders `file:line:col: error[code]: message`, then the source line and a caret line.
[[nodiscard]] std::string render(const diagnostic& d);
/// Renders every diagnostic, one after another.
[[nodiscard]] std::string render(std::span<const diagnostic> ds);
/// True when any diagnostic is an error (warnings and notes are not).
[[nodiscard]] bool has_errors(std::span<const diagnostic> ds) noexcept;

}  // namespace v0
}  // namespace mandate
