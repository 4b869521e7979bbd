// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The policy linter: rules about policies that compile but are probably wrong, dangerous for
// agents, or hard to maintain. Findings are diagnostics whose `code` is the rule's id, so they
// render like the compiler's (`file:line:col: warning[permit-unconstrained]: ...`).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mandate/diagnostic.hpp"
#include "mandate/expected.hpp"
#include "mandate/policy_set.hpp"
#include "mandate/schema.hpp"

namespace mandate {
inline namespace v0 {

/// How a rule reports: `off` drops its findings; the others set their severity.
enum class lint_level : std::uint8_t { off, note, warning, error };

/// "off", "note", "warning" or "error", as configuration files and `mandate lint --list` write it.
[[nodiscard]] std::string_view to_string(lint_level level) noexcept;

/// One lint rule. Ids are stable across releases (kebab-case, e.g. "missing-reason"); the
/// summary is one line for `mandate lint --list` and SARIF's shortDescription.
struct lint_rule_info {
  std::string_view id;
  std::string_view category;  ///< "agents", "correctness", "security", "performance" or "style"
  lint_level default_level = lint_level::warning;
  std::string_view summary;
};

/// Every rule, in a fixed order (the order of `mandate lint --list` and of SARIF's rule table).
[[nodiscard]] std::span<const lint_rule_info> lint_rules() noexcept;
/// The rule with this id, or null.
[[nodiscard]] const lint_rule_info* find_lint_rule(std::string_view id) noexcept;

/// Options of one lint run. Aggregate: `lint_options{.against = &schema}`.
struct lint_options {
  /// Schema to check attribute reads and sensitivity levels against; null lints without one
  /// (rules that need a schema then say nothing).
  const schema* against = nullptr;
  /// Per-rule levels, by id, overriding each rule's default (later entries win).
  std::vector<std::pair<std::string, lint_level>> levels;
  compile_options compile;
};

/// Lints the sources as one policy set. Text that does not compile gives the compiler's
/// diagnostics (errors) and no findings for that set, with one exception: when duplicate ids are
/// the only compile errors, they are reported (code `duplicate-id`, always an error, never
/// suppressed) and the other rules still run on the parsed policies. With a schema, the
/// validator's diagnostics are included: an optional attribute read without a guard becomes
/// `unguarded-optional-attribute`, anything else keeps the code `type`. Inline suppressions in comments
/// (`// mandate-lint: ignore RULE[, RULE...]` on the finding's line or just above its policy,
/// `// mandate-lint: ignore-file RULE[, ...]` anywhere in a file) are honoured; a suppression
/// naming an unknown rule is itself reported. Findings are sorted by file, then position.
/// Never throws for bad input.
[[nodiscard]] std::vector<diagnostic> lint(std::span<const policy_source> sources,
                                           const lint_options& options = {});

/// Reads a lint configuration (JSON): `{"rules": {"missing-reason": "off", "permit-unconstrained":
/// "error"}}`. Levels are "off", "note", "warning" or "error"; an unknown rule id or level is an error
/// diagnostic.
[[nodiscard]] expected<std::vector<std::pair<std::string, lint_level>>, std::vector<diagnostic>>
parse_lint_config(std::string_view json, std::string_view source_name = "<lint config>");

/// Writes findings as a SARIF 2.1.0 log (one run, tool "mandate", the full rule table), as
/// GitHub code scanning accepts it. Paths are written as given, as relative URIs when relative.
[[nodiscard]] std::string to_sarif(std::span<const diagnostic> findings);

}  // namespace v0
}  // namespace mandate
