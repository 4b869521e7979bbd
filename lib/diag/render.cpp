// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Renders diagnostics the way GCC and Clang do, so editors and CI log scrapers that already
// understand `file:line:col: error: message` pick them up unchanged:
//
//   policies/support.cedar:3:14: error[parse]: expected `;` after the policy
//       3 | permit(principal, action, resource)
//         |              ^~~~
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

#include "mandate/diagnostic.hpp"

namespace mandate {
inline namespace v0 {
namespace {

// Columns count bytes, but a terminal shows one cell per code point: UTF-8 continuation
// bytes must not add padding or tildes, or the caret drifts right of multi-byte text.
constexpr bool is_utf8_continuation(char byte) noexcept {
  return (static_cast<unsigned char>(byte) & 0xC0U) == 0x80U;
}

// The caret line for `where` under `line`: the padding copies tabs from the source line so
// the caret lands under the same cell whatever the terminal's tab width.
std::string caret_line(std::string_view line, const source_location& where) {
  const std::size_t start = std::min<std::size_t>(where.column > 0 ? where.column - 1 : 0, line.size());
  std::string out;
  for (std::size_t i = 0; i < start; ++i) {
    if (line[i] == '\t') {
      out += '\t';
    } else if (!is_utf8_continuation(line[i])) {
      out += ' ';
    }
  }
  // Clip the span to the line: a span running over several lines underlines to the end of
  // its first line. A position at or past the end (say, "unexpected end of input") still
  // gets one caret.
  const std::size_t span_bytes =
      std::min<std::size_t>(std::max<std::uint32_t>(where.length, 1), line.size() - start);
  out += '^';
  bool first_cell = true;
  for (std::size_t i = start; i < start + span_bytes; ++i) {
    if (is_utf8_continuation(line[i])) continue;
    if (first_cell) {
      first_cell = false;
      continue;
    }
    out += '~';
  }
  return out;
}

}  // namespace

std::string_view to_string(severity level) noexcept {
  switch (level) {
    case severity::error:
      return "error";
    case severity::warning:
      return "warning";
    case severity::note:
      return "note";
  }
  return "error";
}

std::string render(const diagnostic& d) {
  const std::string_view file = d.where.file.empty() ? std::string_view("<input>") : d.where.file;
  std::string out;
  auto sink = std::back_inserter(out);
  if (d.where.line == 0) {
    fmt::format_to(sink, "{}: {}[{}]: {}\n", file, to_string(d.level), d.code, d.message);
    return out;
  }
  fmt::format_to(sink, "{}:{}:{}: {}[{}]: {}\n", file, d.where.line, d.where.column, to_string(d.level),
                 d.code, d.message);

  // No excerpt when there is no line text (a line too long to show, or text not at hand).
  if (d.source_line.empty()) return out;
  std::string_view line = d.source_line;
  // Files with Windows line endings leave a '\r' that would move the cursor back on a terminal.
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  // The gutter is as wide as GCC's (at least four digits) so short and long line numbers align.
  const std::string number = std::to_string(d.where.line);
  const std::size_t gutter = std::max<std::size_t>(number.size(), 4);
  fmt::format_to(sink, " {:>{}} | {}\n", number, gutter, line);
  fmt::format_to(sink, " {:>{}} | {}\n", "", gutter, caret_line(line, d.where));
  return out;
}

std::string render(std::span<const diagnostic> ds) {
  std::string out;
  for (const diagnostic& d : ds) out += render(d);
  return out;
}

bool has_errors(std::span<const diagnostic> ds) noexcept {
  return std::any_of(ds.begin(), ds.end(), [](const diagnostic& d) { return d.level == severity::error; });
}

}  // namespace v0
}  // namespace mandate
