// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The type checker behind mandate::validate(), after Cedar's validator. For each policy it
// works out every request type the scope admits under the schema — each (principal type,
// action, resource type) allowed by an action's `appliesTo` — and types the conditions once
// per request type, so `context` has the right shape for each action and `principal is User &&
// principal.dept == "x"` is fine when the principal may also be an Agent. It tracks `has` facts
// through `&&`, `||` and `if`, so reading an optional attribute needs a guard, as in Cedar.
#pragma once

#include <vector>

#include "compile/plan.hpp"
#include "mandate/diagnostic.hpp"
#include "schema/schema_model.hpp"

namespace mandate::detail::typecheck {

/// Appends to `diagnostics` every type error (and warning) of `policies` against `schema`.
void check_policies(const compiled_policy_set& policies, const schema_data& schema,
                    std::vector<diagnostic>& diagnostics);

/// True when an entity of `type` can satisfy the scope constraint `c` under `schema` (a
/// template slot admits any type `c` allows; `in` asks whether the schema lets `type` be a
/// descendant). Used to enumerate the request environments a policy applies to.
[[nodiscard]] bool scope_admits(const schema_data& schema, const scope_constraint& c, symbol type) noexcept;

}  // namespace mandate::detail::typecheck
