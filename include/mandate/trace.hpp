// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Explanations (LANGUAGE.md section 3): why a decision came out as it did, in the policy
// author's terms. `policy_set::evaluate` with a `decision_trace` records, for every policy the
// index proposed, whether its scope matched (and which constraint did not), the value of each
// condition clause in order, the errors, and the policy's effect on the decision; `explain`
// turns a trace into a verdict in words. Tracing costs nothing when not asked for: the plain
// evaluate runs code with the recording compiled out.
//
// What only a verdict in words needs is worked out for what the verdict cites: the words for a
// scope that did not match (`scope_detail`), the failing part of a clause and the values it saw,
// and the source lines are filled for the determining policies and, for a deny that no permit
// allowed, for the permits and require_approval policies that did not apply (the nearest
// misses, including up to five the index ruled out for the action). Reusing one trace object
// for many decisions reuses its storage.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mandate/decision.hpp"
#include "mandate/diagnostic.hpp"

namespace mandate {
inline namespace v0 {

struct trace_options {
  /// List the policies the index ruled out one by one (with the scope constraint that rules
  /// each out) instead of only counting them.
  bool include_ruled_out = false;
};

/// Which part of a policy's scope failed, if any.
enum class scope_result : std::uint8_t { matched, principal, action, resource };

/// One `when` / `unless` clause as evaluated.
struct clause_trace {
  bool is_when = true;
  std::string text;       ///< the clause's source text
  source_location where;  ///< where it is written
  bool errored = false;
  std::string value;  ///< "true" / "false" when it did not error
  std::string error;  ///< when it errored
  /// For the clause that stopped a cited policy: the innermost sub-expression that made it fail
  /// (e.g. the false conjunct of an `&&`; a `!` whole), and the values its operands had.
  std::string failed_part;
  source_location failed_where;
  std::vector<std::string> values;  ///< e.g. `resource.sensitivity` is "internal"
  std::string source_line;          ///< the line `failed_where` (else `where`) points into
};

/// What a policy did to the decision.
enum class policy_effect : std::uint8_t {
  none,         ///< did not apply
  determining,  ///< one of the decision's reasons
  overridden,   ///< applied, but a stricter outcome won (a permit under a forbid)
  skipped,      ///< errored and was skipped (every erroring permit; any erroring policy in Cedar mode)
};

struct policy_trace {
  std::string id;
  std::string kind;         ///< "permit", "forbid" or "require_approval"
  source_location where;    ///< the policy's effect keyword (`permit`, ...)
  std::string source_line;  ///< the line `where` points into
  std::string reason;       ///< its @reason annotation, if any
  bool ruled_out_by_index = false;
  scope_result scope = scope_result::matched;
  std::string scope_detail;  ///< when the scope of a cited policy did not match, in words
  source_location scope_where;
  std::string scope_source_line;
  std::vector<clause_trace> clauses;  ///< in order, up to the clause that decided
  bool applied = false;               ///< scope matched and every clause held
  bool errored = false;
  std::string error;
  policy_effect effect = policy_effect::none;
};

/// One identity's evaluation: the request alone, or one identity of a delegation chain.
struct identity_trace {
  std::int32_t hop = -1;  ///< -1 without a chain; 0 the principal, i the delegate of hop i
  std::string principal;  ///< as `Type::"id"`
  verdict outcome = verdict::deny;
  /// The candidates; the policies the index ruled out when asked (`include_ruled_out`), and
  /// for a default deny the permits it ruled out for the action (up to five).
  std::vector<policy_trace> policies;
  std::size_t ruled_out = 0;  ///< policies the index did not propose
};

struct decision_trace {
  std::vector<identity_trace> identities;  ///< empty when a delegation chain was refused
  std::size_t policy_count = 0;            ///< policies in the set
  void clear() {
    identities.clear();
    policy_count = 0;
  }
};

/// The verdict in words, for people: the determining policies with their @reason (or their
/// source line); for a deny, the forbids that applied, or the nearest misses: the permits
/// whose scope matched and the first clause that failed, with the values it saw.
[[nodiscard]] std::string explain(const decision& d, const decision_trace& trace);

/// The same with source excerpts and carets under each clause it cites, like the compiler's
/// diagnostics (needs the policy text, which the trace's locations point into).
[[nodiscard]] std::string explain_with_sources(const decision& d, const decision_trace& trace);

/// The explanation as one JSON object: {"summary", "policy_count", "identities": [{"hop" (with
/// a chain), "principal", "decision", "ruled_out", "policies": [{"id", "kind", "at", "scope",
/// "clauses": [...], "applied", "effect", ...}]}]}.
[[nodiscard]] std::string to_json(const decision& d, const decision_trace& trace);

}  // namespace v0
}  // namespace mandate
