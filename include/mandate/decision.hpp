// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// What evaluation returns. Errors during evaluation are data here, never exceptions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mandate {
inline namespace v0 {

/// The three outcomes of the decision lattice (LANGUAGE.md 2.1).
enum class verdict : std::uint8_t { deny, allow, require_approval };

/// How errors in conditions are treated (LANGUAGE.md 2.2).
/// - mandate: an erroring forbid or require_approval counts as satisfied (fail closed);
///   an erroring permit is skipped.
/// - cedar: every erroring policy is skipped, exactly as Cedar does.
enum class eval_mode : std::uint8_t { mandate, cedar };

/// Which evaluator runs the policies. `plan` is the indexed, compiled evaluator used in
/// production; `reference` walks the AST naively and exists to check `plan` against.
enum class evaluator : std::uint8_t { plan, reference };

[[nodiscard]] std::string_view to_string(verdict v) noexcept;
[[nodiscard]] std::string_view to_string(eval_mode m) noexcept;

/// A policy whose condition raised an error, and the error.
struct evaluation_error {
  std::string policy;   ///< policy id
  std::string message;  ///< e.g. "attribute `level` not found on entity User::\"bob\""
};

/// One annotation of a determining policy, e.g. @approvers("billing-admins").
struct decision_annotation {
  std::string policy;
  std::string key;
  std::string value;
};

/// What a session asks of the agent besides the verdict (LANGUAGE.md 2.5).
enum class session_response : std::uint8_t {
  none,
  throttle,   ///< slow down: retry after `retry_after_ms`
  terminate,  ///< the session is over: every later request is denied
};

/// The outcome of evaluating one request.
struct decision {
  verdict outcome = verdict::deny;
  /// Determining policies: the satisfied forbids (deny), the satisfied require_approval and
  /// permit policies (require_approval), or the satisfied permits (allow); empty for a
  /// default deny. Ids are `@id` annotations when present, else `policy0`, `policy1`, ...
  std::vector<std::string> reasons;
  std::vector<evaluation_error> errors;
  /// Annotations of the determining policies, in policy order.
  std::vector<decision_annotation> annotations;
  eval_mode mode = eval_mode::mandate;
  /// True when an erroring forbid or require_approval, counted as satisfied (Mandate mode),
  /// made the outcome stricter than it would be with erroring policies skipped as Cedar
  /// skips them. Never true in Cedar mode.
  bool failed_closed = false;

  /// For a request with a delegation chain: which identity decided, 0 for the accountable
  /// principal and i for the delegate of hop i (the strictest outcome, earliest identity
  /// first); -1 without a chain or when the chain itself was refused.
  std::int32_t deciding_hop = -1;
  /// The identity checked at `deciding_hop`, as `Type::"id"`.
  std::string deciding_principal;
  /// Why a delegation chain was refused before any policy ran, as a stable code
  /// (`chain.linkage`, `chain.cycle`, `chain.depth`, `chain.expired`, `chain.not_yet_valid`,
  /// `chain.outlives_parent`, `chain.scope_widened`, `chain.out_of_scope`, `chain.agent_mismatch`,
  /// `chain.missing`); empty when there was no chain or it held. `chain_message` says it in words.
  std::string chain_violation;
  std::string chain_message;

  /// Set by a session: a forbid annotated @response("throttle") or @response("terminate")
  /// applied, or the session was already terminated.
  session_response response = session_response::none;
  std::int64_t retry_after_ms = 0;

  /// True only for allow: require_approval is not permission yet.
  [[nodiscard]] bool allowed() const noexcept { return outcome == verdict::allow; }
};

/// Renders a decision as the CLI prints it: one JSON object on one line,
/// {"decision":..,"reasons":[..],"errors":[{"policy":..,"message":..}],"annotations":{..},"mode":..}.
/// `annotations` maps each determining policy id to its annotations object.
[[nodiscard]] std::string to_json(const decision& d);

}  // namespace v0
}  // namespace mandate
