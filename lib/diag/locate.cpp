// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Positions for diagnostics about text the compiler never saw (trace files, audit logs, test
// files), so every tool renders its complaints the same way.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "mandate/diagnostic.hpp"

namespace mandate {
inline namespace v0 {

diagnostic diagnostic_at(std::string_view file, std::string_view text, std::size_t offset, std::size_t length,
                         std::string code, std::string message, severity level) {
  offset = std::min(offset, text.size());
  const std::size_t line_begin = offset == 0 ? 0 : text.rfind('\n', offset - 1) + 1;  // npos + 1 == 0
  std::size_t line_end = text.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = text.size();
  std::string_view line = text.substr(line_begin, line_end - line_begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  diagnostic d;
  d.code = std::move(code);
  d.level = level;
  d.message = std::move(message);
  d.where.file = std::string(file);
  d.where.line = static_cast<std::uint32_t>(
      std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(line_begin), '\n') + 1);
  d.where.column = static_cast<std::uint32_t>(offset - line_begin + 1);
  d.where.offset = static_cast<std::uint32_t>(offset);
  d.where.length = static_cast<std::uint32_t>(std::max<std::size_t>(length, 1));
  if (line.size() <= diagnostic::max_excerpt_bytes) d.source_line = std::string(line);
  return d;
}

diagnostic diagnostic_at_line(std::string_view file, std::string_view text, std::uint32_t line,
                              std::uint32_t column, std::string code, std::string message, severity level) {
  if (line == 0) {
    diagnostic d;
    d.code = std::move(code);
    d.level = level;
    d.message = std::move(message);
    d.where.file = std::string(file);
    return d;
  }
  std::size_t begin = 0;
  for (std::uint32_t current = 1; current < line; ++current) {
    const std::size_t next = text.find('\n', begin);
    if (next == std::string_view::npos) {
      begin = text.size();
      break;
    }
    begin = next + 1;
  }
  std::size_t end = text.find('\n', begin);
  if (end == std::string_view::npos) end = text.size();
  const std::size_t offset = std::min(begin + (column > 0 ? column - 1 : 0), end);
  return diagnostic_at(file, text, offset, 1, std::move(code), std::move(message), level);
}

}  // namespace v0
}  // namespace mandate
