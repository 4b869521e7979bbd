// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// lib/compile: the flat plan and the candidate index. The number of candidate policies a
// decision visits does not depend on the machine, so it is asserted here.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "compile/plan.hpp"
#include "eval/evaluate.hpp"
#include "mandate/mandate.hpp"

namespace {

std::size_t candidates_visited(const mandate::policy_set& policies, const mandate::entity_store& entities,
                               const mandate::request& req) {
  (void)policies.evaluate(req, entities);
  return mandate::detail::eval_scratch::for_this_thread().candidates.size();
}

}  // namespace

TEST_CASE("compile: the index visits only policies whose scope can match") {
  // 50 groups x 20 actions, one permit per pair, plus one forbid on any action for
  // suspended users, one policy anchored on the resource type and one on nothing.
  std::string text;
  for (int g = 0; g < 50; ++g)
    for (int a = 0; a < 20; ++a)
      text +=
          fmt::format("permit(principal in Group::\"g{}\", action == Action::\"a{}\", resource);\n", g, a);
  text += "forbid(principal, action, resource) when { principal has suspended };\n";
  text += "permit(principal, action == Action::\"a3\", resource is Doc);\n";
  text += "forbid(principal, action in [Action::\"a3\", Action::\"a4\"], resource);\n";
  auto policies = mandate::policy_set::compile(text);
  REQUIRE(policies.has_value());
  auto entities = mandate::entity_store::from_json(R"([
    {"uid": {"type": "User", "id": "u"}, "attrs": {}, "parents": [{"type": "Group", "id": "g7"}]},
    {"uid": {"type": "Action", "id": "a3"}, "attrs": {}, "parents": []}
  ])");
  REQUIRE(entities.has_value());

  const mandate::request a3({"User", "u"}, {"Action", "a3"}, {"Doc", "d"});
  // g7's permit for a3, the any-action forbid, the Doc permit, the a3/a4 forbid.
  CHECK(candidates_visited(*policies, *entities, a3) == 4);
  const mandate::request a5({"User", "u"}, {"Action", "a5"}, {"Photo", "p"});
  CHECK(candidates_visited(*policies, *entities, a5) == 2);  // g7's permit for a5 and the forbid
  const mandate::request stranger({"User", "nobody"}, {"Action", "a5"}, {"Photo", "p"});
  CHECK(candidates_visited(*policies, *entities, stranger) == 1);  // only the any-action forbid
  // The index never changes the answer: the reference interpreter visits everything.
  for (const auto& req : {a3, a5, stranger}) {
    const auto plan = policies->evaluate(req, *entities);
    const auto reference = policies->evaluate(req, *entities, {.engine = mandate::evaluator::reference});
    CHECK(plan.outcome == reference.outcome);
    CHECK(plan.reasons == reference.reasons);
  }
}

TEST_CASE("compile: conditions become flat code with short-circuit jumps") {
  auto policies = mandate::policy_set::compile(
      "permit(principal, action, resource) when { context.a && (context.b || context.c) };");
  REQUIRE(policies.has_value());
  const auto& plan = policies->internals().code;
  REQUIRE(plan.conditions.size() == 1);
  const auto& cond = plan.conditions[0];
  int and_checks = 0;
  int or_checks = 0;
  for (std::uint32_t pc = cond.code_begin; pc < cond.code_end; ++pc) {
    const auto& in = plan.code[pc];
    if (in.op == mandate::detail::opcode::and_check || in.op == mandate::detail::opcode::or_check) {
      // Every jump lands inside the condition's code or just past its end.
      CHECK(in.arg > pc);
      CHECK(in.arg <= cond.code_end);
      (in.op == mandate::detail::opcode::and_check ? and_checks : or_checks)++;
    }
  }
  CHECK(and_checks == 1);
  CHECK(or_checks == 1);
  // `false && <error>` never reaches the error: the jump skips it.
  auto skip =
      mandate::policy_set::compile("permit(principal, action, resource) when { false && 1 + \"a\" == 2 };");
  REQUIRE(skip.has_value());
  const auto d =
      skip->evaluate(mandate::request({"U", "u"}, {"Action", "a"}, {"R", "r"}), mandate::entity_store());
  CHECK(d.errors.empty());
  CHECK(d.outcome == mandate::verdict::deny);
}
