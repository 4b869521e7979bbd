// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Dogwood's temporal context paths and operand types (lib/dogwood/temporal_types): policies
// compiled and validated as `mandate replay --validate` does, against a small Cedar schema whose
// actions give `context.input.mode` different types; then hand-built programs with indices out
// of range, which must be skipped rather than followed.
#include "dogwood/temporal_types.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "dogwood/replay.hpp"
#include "mandate/mandate.hpp"

namespace {

namespace dw = mandate::detail::dogwood;
namespace tp = mandate::detail::temporal;
using mandate::diagnostic;
using mandate::severity;

constexpr std::string_view schema_text = R"(
namespace Escaped {
    entity User;
    entity Bot;
    entity Doc;
    entity Mode enum ["read", "write"];
    action "Witness" appliesTo {
        principal: [User], resource: [Doc],
        context: { input: { mode: Long, name: String } }
    };
    action "Normal" in ["Group"] appliesTo {
        principal: [User], resource: [Doc],
        context: { input: { mode: Long, name: String, limit: Long } }
    };
    action "a\"b" in ["Group"] appliesTo {
        principal: [User], resource: [Doc],
        context: { input: { mode: Mode, name: String } }
    };
    action "BotOnly" appliesTo {
        principal: [Bot], resource: [Doc],
        context: { input: { other: String } }
    };
    action "Group";
}
)";

/// Compiles `policy` and validates it against schema_text and the default event schema.
dw::replay_setup validated(std::string_view policy) {
  dw::replay_inputs in;
  in.policies.push_back({"policy.dw", std::string(policy)});
  in.cedar_schema = std::string(schema_text);
  in.validate = true;
  return dw::prepare_replay(in);
}

void require_rejected(std::string_view policy, std::string_view message) {
  const auto setup = validated(policy);
  INFO(mandate::render(setup.diagnostics));
  CHECK_FALSE(setup.ok);
  bool found = false;
  for (const diagnostic& d : setup.diagnostics)
    if (d.level == severity::error && d.message == message) found = true;
  CHECK_MESSAGE(found, "expected the error: " << message);
}

void require_accepted(std::string_view policy) {
  const auto setup = validated(policy);
  INFO(mandate::render(setup.diagnostics));
  CHECK(setup.ok);
  CHECK_FALSE(mandate::has_errors(setup.diagnostics));
}

/// A policy over `scope` whose temporal condition is `formerly within 1h (Witness && <body>)`.
std::string policy_with(std::string_view scope, std::string_view body,
                        std::string_view principal = "principal") {
  return "permit (" + std::string(principal) + ", " + std::string(scope) +
         ", resource)\nwhen temporal {\n  formerly within 1h (\n"
         "    Escaped::Action::\"Witness\"::request{} &&\n    " +
         std::string(body) + "\n  )\n};\n";
}

}  // namespace

TEST_CASE("temporal types: context paths resolve in the scoped action's context") {
  SUBCASE("a missing field below `input` (Dogwood's 2104)") {
    const auto policy = policy_with("action == Escaped::Action::\"a\\\"b\"", "context.input.limit == 3");
    require_rejected(policy, "record has no field `limit` in `context.input.limit` path");
    const auto setup = validated(policy);
    REQUIRE_FALSE(setup.diagnostics.empty());
    const diagnostic& d = setup.diagnostics.front();
    CHECK(d.code == "temporal");
    CHECK(d.where.line == 5);  // points at the path, in the policy's file
    CHECK(d.where.file == "policy.dw");
  }
  SUBCASE("a missing field of the context record itself") {
    require_rejected(policy_with("action == Escaped::Action::\"Normal\"", "context.system.now == 3"),
                     "action `Escaped::Normal` has no context field `system` for `context.system`");
  }
  SUBCASE("a field read from something that is not a record") {
    require_rejected(
        policy_with("action == Escaped::Action::\"Normal\"", "context.input.name.first == \"x\""),
        "`first` accesses a field of a non-record type");
  }
  SUBCASE("a path must resolve on every action of a list, and of a group") {
    require_rejected(policy_with("action in [Escaped::Action::\"Normal\", Escaped::Action::\"a\\\"b\"]",
                                 "context.input.limit == 3"),
                     "record has no field `limit` in `context.input.limit` path");
    require_rejected(policy_with("action in Escaped::Action::\"Group\"", "context.input.limit == 3"),
                     "record has no field `limit` in `context.input.limit` path");
  }
  SUBCASE("paths that resolve are accepted") {
    require_accepted(policy_with("action == Escaped::Action::\"Normal\"", "context.input.limit == 3"));
    require_accepted(policy_with("action in Escaped::Action::\"Group\"", "context.input.name == \"x\""));
  }
  SUBCASE("an action the policy's principal scope rules out is not checked") {
    const auto scope = "action in [Escaped::Action::\"Normal\", Escaped::Action::\"BotOnly\"]";
    require_accepted(policy_with(scope, "context.input.limit == 3", "principal is Escaped::User"));
    require_rejected(policy_with(scope, "context.input.limit == 3"),
                     "record has no field `limit` in `context.input.limit` path");
  }
  SUBCASE("an unconstrained action scope is left to Cedar, as Dogwood does") {
    require_accepted(policy_with("action", "context.input.limit == 3"));
  }
}

TEST_CASE("temporal types: comparisons compare compatible types") {
  SUBCASE("equality against an enum entity on one action of a list (Dogwood's 2105)") {
    const auto policy = policy_with("action in [Escaped::Action::\"Normal\", Escaped::Action::\"a\\\"b\"]",
                                    "context.input.mode == 5");
    require_rejected(policy, "equality requires both sides to have the same type, got `Mode` and `int`");
    // The error is followed by a note naming the action whose context types it so.
    const auto setup = validated(policy);
    bool noted = false;
    for (const diagnostic& d : setup.diagnostics)
      if (d.level == severity::note && d.message.find("Escaped::Action::\"a\\\"b\"") != std::string::npos)
        noted = true;
    CHECK(noted);
  }
  SUBCASE("the same equality holds on an action where the field is an int") {
    require_accepted(policy_with("action == Escaped::Action::\"Normal\"", "context.input.mode == 5"));
  }
  SUBCASE("ordering needs ints on both sides") {
    require_rejected(policy_with("action == Escaped::Action::\"Normal\"", "context.input.name < 5"),
                     "comparison requires numeric operands on both sides, got `string` and `int`");
    require_rejected(
        policy_with("action == Escaped::Action::\"Normal\"", "context.input.limit >= decimal(\"1.5\")"),
        "comparison requires numeric operands on both sides, got `int` and `decimal`");
    require_accepted(policy_with("action == Escaped::Action::\"Normal\"", "context.input.limit >= 2"));
  }
  SUBCASE("entities compare with entities, whatever their types") {
    require_accepted(policy_with("action == Escaped::Action::\"a\\\"b\"",
                                 "context.input.mode == Escaped::Mode::\"read\""));
    require_rejected(policy_with("action == Escaped::Action::\"Normal\"", "principal == \"alice\""),
                     "equality requires both sides to have the same type, got `User` and `string`");
  }
  SUBCASE("an aggregate is an int, and a binder has its declared type") {
    const std::string count =
        "exists (n: Long). ((count for (t: Timepoint). where (formerly within 1h "
        "(Escaped::Action::\"Witness\"::request{} && tp(t)))) == n && n >= context.input.limit)";
    require_accepted(
        "permit (principal, action == Escaped::Action::\"Normal\", resource)\nwhen temporal {\n" + count +
        "\n};\n");
    const std::string wrong =
        "exists (n: Long). ((count for (t: Timepoint). where (formerly within 1h "
        "(Escaped::Action::\"Witness\"::request{} && tp(t)))) == n && n >= context.input.name)";
    require_rejected(
        "permit (principal, action == Escaped::Action::\"Normal\", resource)\nwhen temporal {\n" + wrong +
            "\n};\n",
        "comparison requires numeric operands on both sides, got `int` and `string`");
  }
}

TEST_CASE("temporal types: a predicate's field given the current request's context") {
  require_rejected(
      "permit (principal, action == Escaped::Action::\"a\\\"b\", resource)\nwhen temporal {\n"
      "  formerly within 1h Escaped::Action::\"Witness\"::request{ input.mode: context.input.mode }\n};\n",
      "argument `input.mode` of `Witness` expects `int` but got `Mode`");
  require_accepted(
      "permit (principal, action == Escaped::Action::\"Normal\", resource)\nwhen temporal {\n"
      "  formerly within 1h Escaped::Action::\"Witness\"::request{ input.mode: context.input.mode }\n};\n");
}

TEST_CASE("temporal types: out-of-range indices are skipped, never followed") {
  auto parsed = mandate::schema::parse(schema_text, "schema.cedarschema");
  REQUIRE(parsed);
  mandate::detail::policy_set_ast ast;
  mandate::detail::policy p;
  p.action.op = mandate::detail::scope_op::in;
  p.action.entity = {mandate::detail::intern("Escaped::Action"), mandate::detail::intern("Group")};
  ast.policies.push_back(p);

  tp::temporal_program program;
  tp::node cmp;
  cmp.kind = tp::node_kind::comparison;
  cmp.left = 7;  // no such terms
  cmp.right = 9;
  program.nodes.push_back(cmp);
  tp::node conj;
  conj.kind = tp::node_kind::conjunction;
  conj.a = 0;
  conj.b = 42;  // no such node
  program.nodes.push_back(conj);
  tp::node pred;
  pred.kind = tp::node_kind::predicate;
  pred.index = 3;  // no such predicate
  program.nodes.push_back(pred);
  tp::term path;
  path.kind = tp::term_kind::context_path;
  path.path = {mandate::detail::intern("input"), mandate::detail::intern("mode")};
  program.terms.push_back(path);
  tp::term agg;
  agg.kind = tp::term_kind::count;
  agg.aggregate = 5;  // no such aggregate
  program.terms.push_back(agg);
  tp::term var;
  var.kind = tp::term_kind::variable;
  var.var = 11;  // no such variable
  program.terms.push_back(var);
  tp::leaf l;
  l.root = 1;
  program.leaves.push_back(l);
  tp::leaf stray;
  stray.root = 99;
  stray.policy = 12;  // no such policy
  program.leaves.push_back(stray);

  dw::derived_event_schema events;
  std::vector<diagnostic> out;
  dw::validate_temporal_types(program, parsed->internals(), events, ast, out);
  CHECK(out.empty());

  // A comparison between a path that does not resolve and a variable that does not exist
  // reports the path once per action, and nothing about the types.
  program.nodes[0].left = 0;
  program.nodes[0].right = 2;
  dw::validate_temporal_types(program, parsed->internals(), events, ast, out);
  INFO(mandate::render(out));
  CHECK(out.empty());  // both group members declare input.mode
  program.terms[0].path.push_back(mandate::detail::intern("deeper"));
  dw::validate_temporal_types(program, parsed->internals(), events, ast, out);
  REQUIRE_FALSE(out.empty());
  CHECK(out.front().message == "`deeper` accesses a field of a non-record type");
}
