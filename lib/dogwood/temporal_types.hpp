// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Dogwood's temporal dialect checks against the Cedar schema (its guide, chapter 8, section 5.5):
// the context paths a temporal condition reads (TEMP-ContextPath) and the types its comparisons
// and predicate arguments compare (TEMP-Type). Both depend on the actions a policy's scope
// reaches, since `context` is a different record for each action:
//
//   permit (principal, action in [Ns::Action::"A", Ns::Action::"B"], resource)
//   when temporal { formerly within 1h (Ns::Action::"W"::request{} && context.input.mode == 5) };
//
// is checked once with A's context type and once with B's: `context.input.mode` must exist on
// both, and `== 5` must compare an `int` on both. Event-schema names, entity literals and
// windows are validate_predicates' part (event_schema.hpp).
#pragma once

#include <vector>

#include "ast/ast.hpp"
#include "dogwood/event_schema.hpp"
#include "mandate/diagnostic.hpp"
#include "schema/schema_model.hpp"
#include "temporal/formula.hpp"

namespace mandate::detail::dogwood {

/// Checks every temporal leaf of a policy set against the Cedar schema `cedar`, for each action
/// the leaf's policy can apply to: `action == A` reaches A, `action in G` and `action in [...]`
/// reach every requestable action in (or equal to) a named one, leaving out actions whose
/// principal or resource types the policy's scope rules out. A policy with an unconstrained
/// `action` is left to Cedar, as Dogwood does.
///  - every `context.<path>` must resolve in the action's declared context record:
///      "action `Ns::A` has no context field `x` for `context.x`",
///      "record has no field `y` in `context.input.y` path",
///      "`z` accesses a field of a non-record type";
///    a path below an open record (one allowing additional attributes) is not checked;
///  - an ordering comparison (`<`, `<=`, `>`, `>=`) needs `int` on both sides (an aggregate is
///    an `int`; `decimal` and timepoints are not numeric here): "comparison requires numeric
///    operands on both sides, got `string` and `int`";
///  - `==` needs compatible types (any two entities compare; sets compare by element type):
///      "equality requires both sides to have the same type, got `Mode` and `int`";
///  - a context path or a bare `principal` / `resource` given to a predicate's field must have
///    the field's type: "argument `input.mode` of `a\"b` expects `Mode` but got `int`".
/// Operand types come from the schema (context paths), the binders' annotations (variables),
/// the literals, and the action's principal and resource types; a check runs only when both
/// types are known, and `ipaddr`, `datetime` and `duration` are not checked. A finding is
/// reported once however many actions produce it; when the scope reaches several actions, a
/// note names the one it was found for. Diagnostics have code "temporal" (paths) or "type".
/// Indices out of range are skipped, never followed.
void validate_temporal_types(const temporal::temporal_program& program, const schema_data& cedar,
                             const derived_event_schema& events, const policy_set_ast& ast,
                             std::vector<diagnostic>& diagnostics);

}  // namespace mandate::detail::dogwood
