// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Diagnostics: mistakes in policy, schema, entity and request text, reported like a compiler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mandate {
inline namespace v0 {

enum class severity : std::uint8_t { error, warning, note };

/// "error", "warning" or "note", as the renderer writes it (and SARIF names its levels).
[[nodiscard]] std::string_view to_string(severity level) noexcept;

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

/// A diagnostic pointing at `length` bytes from byte `offset` of `text` (the contents of
/// `file`): fills line, column and the source line, so tools that read their own input (trace
/// files, audit logs, test files) report it like the compiler. An offset past the end points
/// at the end.
[[nodiscard]] diagnostic diagnostic_at(std::string_view file, std::string_view text, std::size_t offset,
                                       std::size_t length, std::string code, std::string message,
                                       severity level = severity::error);
/// Same, at a 1-based line and column of `text`; line 0 gives an unpositioned diagnostic.
[[nodiscard]] diagnostic diagnostic_at_line(std::string_view file, std::string_view text, std::uint32_t line,
                                            std::uint32_t column, std::string code, std::string message,
                                            severity level = severity::error);

/// Renders `file:line:col: error[code]: message`, then the source line and a caret line.
[[nodiscard]] std::string render(const diagnostic& d);
/// Renders every diagnostic, one after another.
[[nodiscard]] std::string render(std::span<const diagnostic> ds);
/// True when any diagnostic is an error (warnings and notes are not).
[[nodiscard]] bool has_errors(std::span<const diagnostic> ds) noexcept;

}  // namespace v0
}  // namespace mandate
