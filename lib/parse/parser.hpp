// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Policy text -> AST. The parser recovers at policy boundaries, so one file can report
// several errors; it never throws and never recurses deeper than the nesting limit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ast/ast.hpp"
#include "mandate/diagnostic.hpp"

namespace mandate::detail {

struct parse_limits {
  std::uint32_t max_nesting_depth = 128;
  std::uint32_t max_errors = 50;
};

/// Records the `def` macros of file `file_index` in `ast.macros`. Run on every file before
/// parse_policies, since a macro may be used before (or in another file than) its definition.
void collect_macros(policy_set_ast& ast, std::uint32_t file_index, const parse_limits& limits,
                    std::vector<diagnostic>& diagnostics);

/// Parses file `file_index` of `ast` (already in ast.files) and appends its policies. Temporal
/// blocks are recorded in `ast.temporal_blocks` for lib/temporal to parse.
/// Policies with errors are left out; their diagnostics are appended to `diagnostics`.
void parse_policies(policy_set_ast& ast, std::uint32_t file_index, const parse_limits& limits,
                    std::vector<diagnostic>& diagnostics);

/// Builds a positioned diagnostic for a span of one of the AST's files.
[[nodiscard]] diagnostic make_diagnostic(const policy_set_ast& ast, source_span span, std::string code,
                                         std::string message, severity level = severity::error);

/// Decodes a Cedar string literal body (between the quotes). Returns false and sets `error`
/// on a bad escape.
bool unescape_cedar(std::string_view body, std::string& out, std::string& error);
/// Decodes a `like` pattern body: `*` is a wildcard, `\*` a literal star.
bool parse_like_pattern(std::string_view body, pattern& out, std::string& error);

}  // namespace mandate::detail
