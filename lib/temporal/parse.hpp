// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Temporal block text -> temporal_program (formula.hpp). The main policy parser finds the
// `temporal { ... }` blocks and the `def temporal` / `def cedar` declarations and hands their
// byte ranges here. A block is parsed (grammar/temporal_grammar.hpp), its macro calls are
// expanded, it is lowered to one leaf with numbered variables, and it must pass Dogwood's
// acceptance checks (08-formal-specification.md section 5.4) before it is kept: a condition
// that is not closed, range-restricted and ordered producer-first is rejected at compile time,
// like any other compile error, rather than evaluating to a silently wrong answer.
//
// Nothing here throws; every failure is a diagnostic with code "temporal", positioned at the
// offending text (inside a user macro's body when that is where it is; at the call for the
// standard macros, which have no text of their own).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ast/ast.hpp"
#include "mandate/diagnostic.hpp"
#include "temporal/formula.hpp"

namespace mandate::detail::temporal {

/// A `def temporal name(?a, ?b) { body };` or `def cedar ...` declaration, as the policy
/// parser records it: the body stays text in its file until a block uses the macro.
using macro_definition = macro_declaration;

/// Dogwood's default cap on a `within` window (its event schema's `max_window`): 24 hours.
inline constexpr std::int64_t default_max_window_ms = 24LL * 60 * 60 * 1000;

struct temporal_options {
  /// A window longer than this is an error ("window `30d` exceeds max_window (24h)"). Dogwood
  /// takes it from the event schema's `max_window` directive, 24h when absent.
  std::int64_t max_window_ms = default_max_window_ms;
  /// Nesting depth of the block text (parentheses, operators, terms) and of a macro body.
  std::uint32_t max_nesting_depth = 128;
  /// Depth of macro calls inside macro call arguments.
  std::uint32_t max_expansion_depth = 32;
  /// Syntax nodes a block may grow to by macro expansion (a macro that uses its argument
  /// twice, called inside itself 30 times, would otherwise grow 2^30 nodes).
  std::uint32_t max_expanded_nodes = 100'000;
};

/// Parses the body of one temporal block (file `file`, bytes [begin, end) of ast.files[file].text),
/// expands macro calls (user `macros` first; the four standard macros count_within, sum_within,
/// count_distinct_within and bind are built in, and a user def of the same name wins), runs the
/// acceptance checks, appends the lowered formula to `program` and returns the new leaf index.
/// `policy` is stored in the leaf. On any error appends diagnostics (code "temporal") and returns
/// std::nullopt, leaving `program` as it was. A diagnostic identical to one already in
/// `diagnostics` (a broken macro body met from two blocks) is not added twice.
std::optional<std::uint32_t> parse_temporal_block(
    const policy_set_ast& ast, std::uint32_t file, std::uint32_t begin, std::uint32_t end,
    std::uint32_t policy, std::span<const macro_definition> macros, temporal_program& program,
    std::vector<mandate::diagnostic>& diagnostics, const temporal_options& options = {});

/// Checks the declarations themselves, once per policy set, so that a macro nobody calls is
/// still reported: a reserved name (`count`, `tp`, `decimal`, ...), two definitions of one name,
/// a parameter declared twice, and for `def temporal` a body that does not parse, mentions an
/// undeclared `?param` or calls another macro (Dogwood has no macro-in-macro). Returns false
/// when it appended an error. `def cedar` bodies are Cedar and are not looked at here.
bool check_macro_definitions(const policy_set_ast& ast, std::span<const macro_definition> macros,
                             std::vector<mandate::diagnostic>& diagnostics,
                             const temporal_options& options = {});

/// Dogwood's acceptance checks on a lowered leaf (run by parse_temporal_block; exposed for
/// leaves built or rewritten programmatically): aggregation domains (WF-Agg-*), range
/// restriction of `exists` binders (WF-Exists), producer-before-consumer order in `&&` chains
/// (WF-Demands), and that every monitoring scope depends on the timepoint (WF-TpDep).
/// Closedness and aggregate placement are established by lowering. Returns false when it
/// appended an error.
bool check_well_formed(const policy_set_ast& ast, const temporal_program& program, std::uint32_t leaf,
                       std::vector<mandate::diagnostic>& diagnostics);

/// Renders a leaf as readable temporal text: every `&&`, `since`, `exists` and aggregate is
/// parenthesized, windows use their largest whole unit, and variables print by name (macro
/// binders as `t$<offset of the call>`). For tests and explanations.
[[nodiscard]] std::string to_text(const temporal_program& program, std::uint32_t leaf);

}  // namespace mandate::detail::temporal
