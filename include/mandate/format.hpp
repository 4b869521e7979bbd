// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The policy formatter: one canonical layout for policy text, as `mandate fmt` writes it.
// Formatting keeps every comment, changes only whitespace and line breaks (so the formatted
// text compiles to the same policies), and is idempotent: formatting its own output changes
// nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mandate/diagnostic.hpp"
#include "mandate/expected.hpp"

namespace mandate {
inline namespace v0 {

/// Layout settings. Aggregate: `format_options{.line_width = 100}`.
struct format_options {
  /// Lines are broken to stay within this many bytes where the syntax allows it.
  std::uint32_t line_width = 80;
  /// Spaces per indentation level.
  std::uint32_t indent = 2;
};

/// Formats one file of policy text (policies, `ordered enum` declarations, `def` macros and
/// comments). Text that does not parse is returned as the parser's diagnostics and never
/// half-formatted; so is a lexical error inside a `temporal { ... }` body (code `parse`) and
/// bracket nesting deeper than 200 levels (code `parse`). Should the layout ever produce text
/// whose tokens differ from the input's, the result is a diagnostic with code `internal`
/// rather than that text.
///
/// The layout, in the spirit of `cedar format`:
/// - top-level items are separated by exactly one blank line; the output uses LF and ends with
///   one newline (an empty or blank file formats to the empty string);
/// - annotations one per line; `permit (`, the three scope elements each on a line of its
///   own, `)`; each `when { ... }` / `unless { ... }` / `when temporal { ... }` on its own line,
///   on one line when it fits in `line_width`, else its body indented and broken at top-level
///   `||`, then `&&` (operator first on the continuation lines), `if`/`then`/`else` and
///   Dogwood's `since`, and inside sets, records, calls and Dogwood field blocks, one element
///   a line; a call whose last argument ends in a bracket breaks only that bracket when that is
///   enough;
/// - single blanks around binary operators, none inside `(...)`, `[...]` and Cedar records,
///   one inside Dogwood field blocks and `temporal { ... }`;
/// - comments are all kept, in order: a comment on a line of its own stays on a line of its
///   own before the token it preceded, a trailing comment stays at the end of its token's
///   line; comments separated from the next item by a blank line stay a block of their own.
///
/// String literals are copied byte for byte (a multi-line string keeps its line breaks, even
/// CRLF ones). Formatting is idempotent.
[[nodiscard]] expected<std::string, std::vector<diagnostic>> format_policies(
    std::string_view text, std::string_view source_name = "<input>", const format_options& options = {});

}  // namespace v0
}  // namespace mandate
