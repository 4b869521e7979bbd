// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The rule table. Ids are part of the public contract (suppression comments, configuration
// files and SARIF baselines name them), so a rule is never renamed, only retired.
#include <array>

#include "lint/lint_internal.hpp"

namespace mandate {
inline namespace v0 {
namespace {

using enum lint_level;

// Agent rules first, then security, correctness, performance, style: the order of `--list`.
constexpr std::array rules{
    lint_rule_info{
        "sensitive-write-without-approval", "agents", warning,
        "a permit lets a write-like action (write, update, delete, pay, send, ...) reach the top "
        "sensitivity level with no require_approval or sensitivity-bounding forbid for that action"},
    lint_rule_info{"permit-any-action", "agents", warning,
                   "a permit constrains the principal or the resource but not the action, so it grants every "
                   "action, including ones added later"},
    lint_rule_info{"approval-without-approvers", "agents", warning,
                   "a require_approval has no (or an empty) @approvers, so nobody knows who should approve"},
    lint_rule_info{"throttle-without-retry-after", "agents", note,
                   "@response(\"throttle\") without @retry_after: the agent is told to wait for the longest "
                   "temporal window, or 60s"},
    lint_rule_info{"permit-unconstrained", "security", warning,
                   "a permit whose scope constrains none of principal, action and resource"},
    lint_rule_info{"forbid-everything", "correctness", warning,
                   "a forbid with an unconstrained scope and no condition denies every request"},
    lint_rule_info{
        "always-errors", "correctness", error,
        "a condition always raises an evaluation error: in Mandate mode a forbid or require_approval "
        "with it always applies, a permit never does"},
    lint_rule_info{
        "invalid-response", "correctness", error,
        "@response is not \"throttle\" or \"terminate\", or @retry_after is not a duration such as "
        "\"30s\""},
    lint_rule_info{"duplicate-id", "correctness", error,
                   "two policies have the same id (a compile error; the other rules still run)"},
    lint_rule_info{"never-applies", "correctness", warning,
                   "a policy can never be satisfied: a condition that is always false, an empty action list, "
                   "contradictory equalities"},
    lint_rule_info{
        "shadowed-by-forbid", "correctness", warning,
        "a permit or require_approval lies inside the scope of an unconditional forbid, so it never "
        "takes effect"},
    lint_rule_info{
        "cancelling-pair", "correctness", warning,
        "a permit and a forbid with the same scope and conditions: the permit never allows anything"},
    lint_rule_info{"duplicate-policy", "correctness", warning,
                   "two policies are identical except for their annotations"},
    lint_rule_info{
        "redundant-policy", "correctness", warning,
        "a policy lies inside the scope of an unconditional policy of the same effect, so it never "
        "changes a decision"},
    lint_rule_info{"constant-condition", "correctness", warning,
                   "a condition, or an operand of &&, || or if, is always true or always false"},
    lint_rule_info{"entity-string-comparison", "correctness", warning,
                   "== or != between an entity and a string is always false (true); write the entity, e.g. "
                   "User::\"alice\""},
    lint_rule_info{
        "unguarded-optional-attribute", "correctness", warning,
        "an optional attribute (per the schema) is read without a `has` guard, which errors when it "
        "is absent"},
    lint_rule_info{"response-not-on-forbid", "correctness", warning,
                   "@response or @retry_after on a permit or require_approval, where they are ignored"},
    lint_rule_info{"condition-defeats-index", "performance", note,
                   "a top-level condition constrains principal, action or resource while the scope leaves it "
                   "open: move it into the scope so the index skips the policy"},
    lint_rule_info{"unmonitored-temporal", "performance", note,
                   "a temporal condition whose shape no incremental monitor covers: each decision re-reads "
                   "the session's history for it, so its cost grows with the history"},
    lint_rule_info{
        "missing-id", "style", warning,
        "a policy without @id gets the positional id policyN, which changes when policies are added"},
    lint_rule_info{"missing-reason", "style", note,
                   "a policy without @reason: its decisions cannot be explained to the agent or the user"},
    lint_rule_info{
        "unknown-annotation", "style", note,
        "an annotation key close to one Mandate reads (id, reason, approvers, response, retry_after) "
        "but not equal to it"},
    lint_rule_info{"like-without-wildcard", "style", note, "`like` with a pattern that has no `*`: use =="},
    lint_rule_info{"double-negation", "style", note, "`!!e` or `unless { !e }`: write `e` or `when { e }`"},
    lint_rule_info{"if-returns-bool", "style", note,
                   "`if c then true else false` is `c` (and the reverse is `!c`)"},
    lint_rule_info{"unknown-rule", "style", warning,
                   "a `mandate-lint: ignore` comment names a rule that does not exist"},
};

}  // namespace

std::span<const lint_rule_info> lint_rules() noexcept { return rules; }

const lint_rule_info* find_lint_rule(std::string_view id) noexcept {
  for (const auto& r : rules)
    if (r.id == id) return &r;
  return nullptr;
}

}  // namespace v0
}  // namespace mandate
