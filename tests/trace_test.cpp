// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Explanations (include/mandate/trace.hpp): what a traced evaluation records for each policy
// (scope, clauses in order, errors, effect), per identity of a delegation chain, and how
// explain() and to_json() put it in words. Every traced decision is also checked against the
// plain one: tracing must never change an answer, which the generated test at the end checks
// over a few hundred random policy sets.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mandate/mandate.hpp"
#include "mandate/session.hpp"

using namespace mandate;

namespace {

// alice (level 3, in staff) reads d1 (restricted, in folder f1); bob is in admins, inside staff.
constexpr std::string_view world_json = R"json([
  {"uid": {"type": "User", "id": "alice"}, "attrs": {"level": 3, "department": "eng", "active": true},
   "parents": [{"type": "Group", "id": "staff"}]},
  {"uid": {"type": "User", "id": "bob"}, "attrs": {"level": 1}, "parents": [{"type": "Group", "id": "admins"}]},
  {"uid": {"type": "Group", "id": "staff"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Group", "id": "admins"}, "attrs": {}, "parents": [{"type": "Group", "id": "staff"}]},
  {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": [{"type": "Action", "id": "readOnly"}]},
  {"uid": {"type": "Action", "id": "readOnly"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Action", "id": "write"}, "attrs": {}, "parents": [{"type": "Action", "id": "mutate"}]},
  {"uid": {"type": "Action", "id": "delete"}, "attrs": {}, "parents": [{"type": "Action", "id": "mutate"}]},
  {"uid": {"type": "Action", "id": "mutate"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Doc", "id": "d1"},
   "attrs": {"sensitivity": "restricted", "public": false, "owner": {"__entity": {"type": "User", "id": "alice"}}},
   "parents": [{"type": "Folder", "id": "f1"}]},
  {"uid": {"type": "Folder", "id": "f1"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Folder", "id": "f2"}, "attrs": {}, "parents": []}
])json";

const entity_store& world() {
  static const entity_store store = [] {
    auto loaded = entity_store::from_json(world_json, "world.json");
    if (!loaded) FAIL(render(loaded.error()));
    return std::move(loaded).value();
  }();
  return store;
}

policy_set compile_ok(std::string_view text) {
  auto compiled = policy_set::compile(text, "trace.cedar");
  INFO("policy text:\n", text);
  if (!compiled) FAIL(render(compiled.error()));
  return std::move(compiled).value();
}

request make_request(entity_ref principal = {"User", "alice"}, entity_ref action = {"Action", "read"},
                     entity_ref resource = {"Doc", "d1"},
                     std::string_view context = R"({"hour": 10, "flag": true})") {
  auto with =
      request(std::move(principal), std::move(action), std::move(resource)).with_context_json(context);
  if (!with) FAIL(with.error());
  return std::move(with).value();
}

// Every field of a decision a caller can see.
bool same(const decision& a, const decision& b) {
  if (a.outcome != b.outcome || a.reasons != b.reasons || a.mode != b.mode ||
      a.failed_closed != b.failed_closed || a.errors.size() != b.errors.size() ||
      a.annotations.size() != b.annotations.size() || a.deciding_hop != b.deciding_hop ||
      a.deciding_principal != b.deciding_principal || a.chain_violation != b.chain_violation ||
      a.chain_message != b.chain_message)
    return false;
  for (std::size_t i = 0; i < a.errors.size(); ++i)
    if (a.errors[i].policy != b.errors[i].policy || a.errors[i].message != b.errors[i].message) return false;
  for (std::size_t i = 0; i < a.annotations.size(); ++i) {
    const auto& x = a.annotations[i];
    const auto& y = b.annotations[i];
    if (x.policy != y.policy || x.key != y.key || x.value != y.value) return false;
  }
  return true;
}

struct traced {
  decision d;
  decision_trace trace;
};

// The traced decision, after checking that it is the plain one.
traced run(const policy_set& policies, const request& req, const evaluation_options& options = {},
           const trace_options& with = {}, const entity_store& entities = world()) {
  traced out;
  policies.evaluate(req, entities, out.d, out.trace, options, with);
  const decision plain = policies.evaluate(req, entities, options);
  INFO("plain:  ", to_json(plain));
  INFO("traced: ", to_json(out.d));
  CHECK(same(plain, out.d));
  return out;
}

const policy_trace* find_policy(const identity_trace& identity, std::string_view id) {
  for (const policy_trace& p : identity.policies)
    if (p.id == id) return &p;
  return nullptr;
}

// The trace of policy `id`, which must be there.
const policy_trace& policy_of(const identity_trace& identity, std::string_view id) {
  const policy_trace* p = find_policy(identity, id);
  INFO("policy ", id);
  REQUIRE(p != nullptr);
  return *p;
}

const identity_trace& only_identity(const decision_trace& trace) {
  REQUIRE(trace.identities.size() == 1);
  CHECK(trace.identities[0].hop == -1);
  return trace.identities[0];
}

std::size_t count_of(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const auto end = text.find('\n', begin);
    out.push_back(text.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return out;
}

}  // namespace

// ---- scopes ------------------------------------------------------------------------------

TEST_CASE("trace: a principal scope that does not match says which constraint, for each operator") {
  const policy_set policies = compile_ok(R"(
@id("p-eq") permit (principal == User::"bob", action, resource);
@id("p-in") permit (principal in Group::"admins", action, resource);
@id("p-is") permit (principal is Agent, action, resource);
@id("p-is-in-type") permit (principal is Agent in Group::"staff", action, resource);
@id("p-is-in-group") permit (principal is User in Group::"admins", action, resource);
@id("p-in-list") permit (principal, action in [Action::"read"], resource == Doc::"d1") when { principal in [Group::"admins"] };
)");
  const traced t = run(policies, make_request(), {}, {.include_ruled_out = true});
  CHECK(t.d.outcome == verdict::deny);
  const identity_trace& id = only_identity(t.trace);
  struct expectation {
    const char* id;
    const char* detail;
  };
  for (const expectation& e : {
           expectation{"p-eq", R"(principal is User::"alice", not User::"bob")"},
           expectation{"p-in", R"(principal User::"alice" is not in Group::"admins")"},
           expectation{"p-is", R"(principal User::"alice" is not a Agent)"},
           expectation{"p-is-in-type", R"(principal User::"alice" is not a Agent)"},
           expectation{"p-is-in-group", R"(principal User::"alice" is not in Group::"admins")"},
       }) {
    CAPTURE(e.id);
    const policy_trace& p = policy_of(id, e.id);
    CHECK(p.scope == scope_result::principal);
    CHECK(p.scope_detail == e.detail);
    CHECK(p.clauses.empty());
    CHECK_FALSE(p.applied);
    CHECK(p.effect == policy_effect::none);
    CHECK(p.scope_where.file == "trace.cedar");
    CHECK(p.scope_where.line > 0);
    CHECK(p.scope_source_line.find("principal") != std::string::npos);
  }
  // The index files `is Agent in Group::"staff"` under the group, which alice is in: it is a
  // candidate whose scope then fails on the type, not one the index ruled out.
  CHECK_FALSE(policy_of(id, "p-is-in-type").ruled_out_by_index);
  CHECK(policy_of(id, "p-eq").ruled_out_by_index);
  CHECK(policy_of(id, "p-in").ruled_out_by_index);
  // The scope matched; its clause failed.
  const policy_trace& list = policy_of(id, "p-in-list");
  CHECK(list.scope == scope_result::matched);
  CHECK(list.scope_detail.empty());
  REQUIRE(list.clauses.size() == 1);
  CHECK(list.clauses[0].value == "false");
}

TEST_CASE("trace: an action scope that does not match, with ==, in and in [list]") {
  const policy_set policies = compile_ok(R"(
@id("a-eq") permit (principal, action == Action::"write", resource);
@id("a-in") permit (principal, action in Action::"mutate", resource);
@id("a-list") permit (principal, action in [Action::"write", Action::"delete"], resource);
@id("a-ok") permit (principal, action in [Action::"write", Action::"readOnly"], resource);
)");
  const traced t = run(policies, make_request(), {}, {.include_ruled_out = true});
  CHECK(t.d.outcome == verdict::allow);
  CHECK(t.d.reasons == std::vector<std::string>{"a-ok"});
  const identity_trace& id = only_identity(t.trace);
  CHECK(policy_of(id, "a-eq").scope == scope_result::action);
  CHECK(policy_of(id, "a-eq").scope_detail == R"(action is Action::"read", not Action::"write")");
  CHECK(policy_of(id, "a-in").scope == scope_result::action);
  CHECK(policy_of(id, "a-in").scope_detail == R"(action Action::"read" is not in Action::"mutate")");
  CHECK(policy_of(id, "a-list").scope == scope_result::action);
  CHECK(policy_of(id, "a-list").scope_detail ==
        R"(action Action::"read" is not in [Action::"write", Action::"delete"])");
  for (const char* ruled : {"a-eq", "a-in", "a-list"}) {
    CAPTURE(ruled);
    CHECK(policy_of(id, ruled).ruled_out_by_index);
    CHECK(policy_of(id, ruled).effect == policy_effect::none);
  }
  const policy_trace& ok = policy_of(id, "a-ok");
  CHECK(ok.scope == scope_result::matched);
  CHECK_FALSE(ok.ruled_out_by_index);
  CHECK(ok.applied);
  CHECK(ok.effect == policy_effect::determining);
  CHECK(id.ruled_out == 3);
}

TEST_CASE("trace: a resource scope that does not match, with ==, in, is and is in") {
  // Anchored at the principal, so the index proposes each and the resource check fails.
  const policy_set policies = compile_ok(R"(
@id("r-eq") permit (principal in Group::"staff", action, resource == Doc::"d2");
@id("r-in") permit (principal in Group::"staff", action, resource in Folder::"f2");
@id("r-is") permit (principal in Group::"staff", action, resource is Folder);
@id("r-is-in-type") permit (principal in Group::"staff", action, resource is Folder in Folder::"f1");
@id("r-is-in-folder") permit (principal in Group::"staff", action, resource is Doc in Folder::"f2");
)");
  // Without include_ruled_out: these are candidates, so they are traced all the same.
  const traced t = run(policies, make_request());
  CHECK(t.d.outcome == verdict::deny);
  const identity_trace& id = only_identity(t.trace);
  CHECK(id.ruled_out == 0);
  REQUIRE(id.policies.size() == 5);
  struct expectation {
    const char* id;
    const char* detail;
  };
  for (const expectation& e : {
           expectation{"r-eq", R"(resource is Doc::"d1", not Doc::"d2")"},
           expectation{"r-in", R"(resource Doc::"d1" is not in Folder::"f2")"},
           expectation{"r-is", R"(resource Doc::"d1" is not a Folder)"},
           expectation{"r-is-in-type", R"(resource Doc::"d1" is not a Folder)"},
           expectation{"r-is-in-folder", R"(resource Doc::"d1" is not in Folder::"f2")"},
       }) {
    CAPTURE(e.id);
    const policy_trace& p = policy_of(id, e.id);
    CHECK_FALSE(p.ruled_out_by_index);
    CHECK(p.scope == scope_result::resource);
    CHECK(p.scope_detail == e.detail);
    CHECK(p.scope_source_line.find("resource") != std::string::npos);
  }
  // The verdict cites them as the permits that did not apply.
  const std::string text = explain(t.d, t.trace);
  CHECK(text.find(R"(policy "r-eq" (trace.cedar:2) did not apply: resource is Doc::"d1", not Doc::"d2")") !=
        std::string::npos);
}

// ---- clauses -----------------------------------------------------------------------------

TEST_CASE("trace: clauses are recorded in order, up to the one that decided") {
  const policy_set policies = compile_ok(R"(
@id("stops") permit (principal, action, resource)
  when { principal.active }
  unless { principal.department == "sales" }
  when { principal.level > 5 }
  when { principal.department == "eng" };
@id("holds") permit (principal, action, resource)
  when { principal.active }
  when { principal.level >= 3 };
)");
  const traced t = run(policies, make_request());
  CHECK(t.d.outcome == verdict::allow);
  const identity_trace& id = only_identity(t.trace);
  const policy_trace& stops = policy_of(id, "stops");
  CHECK(stops.kind == "permit");
  CHECK(stops.scope == scope_result::matched);
  REQUIRE(stops.clauses.size() == 3);  // the fourth never ran
  CHECK(stops.clauses[0].is_when);
  CHECK(stops.clauses[0].text == "principal.active");
  CHECK(stops.clauses[0].value == "true");
  CHECK(stops.clauses[0].failed_part.empty());
  CHECK(stops.clauses[0].values.empty());
  CHECK_FALSE(stops.clauses[1].is_when);
  CHECK(stops.clauses[1].text == R"(principal.department == "sales")");
  CHECK(stops.clauses[1].value == "false");
  CHECK(stops.clauses[1].failed_part.empty());
  CHECK(stops.clauses[2].is_when);
  CHECK(stops.clauses[2].text == "principal.level > 5");
  CHECK(stops.clauses[2].value == "false");
  CHECK_FALSE(stops.clauses[2].errored);
  // An allow cites no misses: the failing part and its values are worked out only for the
  // default deny that cites them.
  CHECK(stops.clauses[2].failed_part.empty());
  CHECK(stops.clauses[2].values.empty());
  CHECK(stops.clauses[2].where.line == 5);
  // Source lines are copied only for what a verdict cites; an allow does not cite this permit.
  CHECK(stops.clauses[2].source_line.empty());
  CHECK_FALSE(stops.applied);
  CHECK_FALSE(stops.errored);
  CHECK(stops.effect == policy_effect::none);
  CHECK(stops.where.line == 2);
  CHECK(stops.source_line.empty());

  const policy_trace& holds = policy_of(id, "holds");
  REQUIRE(holds.clauses.size() == 2);
  CHECK(holds.clauses[0].value == "true");
  CHECK(holds.clauses[1].value == "true");
  CHECK(holds.applied);
  CHECK(holds.effect == policy_effect::determining);
}

TEST_CASE("trace: a clause written over several lines is quoted on one") {
  const policy_set policies = compile_ok(R"(
@id("wrapped") permit (principal, action, resource)
  when {
    principal.active &&
      principal.level > 5
  };
)");
  const traced t = run(policies, make_request());
  const clause_trace& c = policy_of(only_identity(t.trace), "wrapped").clauses.at(0);
  CHECK(c.text == "principal.active && principal.level > 5");
  CHECK(c.failed_part == "principal.level > 5");
  CHECK(c.failed_where.line == 5);
  CHECK(c.source_line == "      principal.level > 5");
}

// A clause is quoted on one line, but whitespace inside a string literal is the author's data.
TEST_CASE("trace: whitespace inside a string literal is quoted as written") {
  const policy_set policies = compile_ok(R"(
@id("spaced") permit (principal, action, resource) when { principal.department == "a  b" };
)");
  const traced t = run(policies, make_request());
  const clause_trace& c = policy_of(only_identity(t.trace), "spaced").clauses.at(0);
  CHECK(c.text == R"(principal.department == "a  b")");
  CHECK(c.failed_part == R"(principal.department == "a  b")");
}

TEST_CASE("trace: the false part of an && chain is named with the values its operands had") {
  const policy_set policies = compile_ok(R"(
@id("chain") permit (principal, action, resource)
  when { principal.active && resource.sensitivity == "public" && principal.level >= 1 };
)");
  const traced t = run(policies, make_request());
  CHECK(t.d.outcome == verdict::deny);
  const policy_trace& p = policy_of(only_identity(t.trace), "chain");
  REQUIRE(p.clauses.size() == 1);
  const clause_trace& c = p.clauses[0];
  CHECK(c.text == R"(principal.active && resource.sensitivity == "public" && principal.level >= 1)");
  CHECK(c.value == "false");
  CHECK(c.failed_part == R"(resource.sensitivity == "public")");
  CHECK(c.values == std::vector<std::string>{R"(`resource.sensitivity` is "restricted")"});
  CHECK(c.failed_where.line == 3);
  CHECK(c.failed_where.column == 30);
  CHECK(explain(t.d, t.trace) ==
        "deny: no permit applied\n"
        R"(  policy "chain" (trace.cedar:2) did not apply: resource.sensitivity == "public" )"
        R"((`resource.sensitivity` is "restricted"))"
        "\n");
  // With sources: the clause's line and a caret under the failing part.
  const std::string sourced = explain_with_sources(t.d, t.trace);
  CHECK(sourced.find(R"(principal.active && resource.sensitivity == "public" && principal.level >= 1)") !=
        std::string::npos);
  CHECK(sourced.find(R"(= `resource.sensitivity` is "restricted")") != std::string::npos);
  CHECK(sourced.find('^') != std::string::npos);
}

TEST_CASE("trace: a false || and a ! are cited whole, with the values under them") {
  const policy_set policies = compile_ok(R"(
@id("either") permit (principal, action, resource)
  when { principal.level > 4 || resource.public };
@id("negated") permit (principal, action, resource)
  when { principal.active && !(principal.department == "eng") };
@id("bare") permit (principal, action, resource)
  when { principal.active && resource.public };
)");
  const traced t = run(policies, make_request());
  const identity_trace& id = only_identity(t.trace);
  // A false `||` in a `when`: both sides were false, no one part is to blame; both are shown.
  const clause_trace& either = policy_of(id, "either").clauses.at(0);
  CHECK(either.value == "false");
  CHECK(either.failed_part == "principal.level > 4 || resource.public");
  CHECK(either.values ==
        std::vector<std::string>{"`principal.level > 4` is false", "`resource.public` is false"});
  // A `!` is not taken apart (its operand alone would read as the opposite of what failed),
  // but the values under it are given.
  const clause_trace& negated = policy_of(id, "negated").clauses.at(0);
  CHECK(negated.value == "false");
  CHECK(negated.failed_part == R"(!(principal.department == "eng"))");
  CHECK(negated.values == std::vector<std::string>{R"(`principal.department` is "eng")"});
  // A bare attribute: its own value.
  const clause_trace& bare = policy_of(id, "bare").clauses.at(0);
  CHECK(bare.failed_part == "resource.public");
  CHECK(bare.values == std::vector<std::string>{"`resource.public` is false"});
}

TEST_CASE("trace: an unless clause that held stops the policy and is cited as such") {
  const policy_set policies = compile_ok(R"(
@id("unless-restricted") permit (principal, action, resource)
  when { principal.active }
  unless { resource.public || resource.sensitivity == "restricted" };
)");
  const traced t = run(policies, make_request());
  CHECK(t.d.outcome == verdict::deny);
  const policy_trace& p = policy_of(only_identity(t.trace), "unless-restricted");
  REQUIRE(p.clauses.size() == 2);
  const clause_trace& c = p.clauses[1];
  CHECK_FALSE(c.is_when);
  CHECK(c.value == "true");
  CHECK(c.failed_part == R"(resource.sensitivity == "restricted")");
  CHECK(c.values == std::vector<std::string>{R"(`resource.sensitivity` is "restricted")"});
  CHECK_FALSE(p.applied);
  CHECK(p.effect == policy_effect::none);
  CHECK(
      explain(t.d, t.trace) ==
      "deny: no permit applied\n"
      R"(  policy "unless-restricted" (trace.cedar:2) did not apply: unless resource.sensitivity == "restricted" )"
      R"((`resource.sensitivity` is "restricted"))"
      "\n");
}

TEST_CASE("trace: a clause that errors records the message, and an erroring permit is skipped") {
  const policy_set policies = compile_ok(R"(
@id("broken") permit (principal, action, resource)
  when { principal.active }
  when { principal.nickname == "al" }
  when { principal.level > 0 };
@id("fine") permit (principal, action, resource);
)");
  for (const eval_mode mode : {eval_mode::mandate, eval_mode::cedar}) {
    CAPTURE(to_string(mode));
    const traced t = run(policies, make_request(), {.mode = mode});
    CHECK(t.d.outcome == verdict::allow);
    CHECK(t.d.reasons == std::vector<std::string>{"fine"});
    REQUIRE(t.d.errors.size() == 1);
    const std::string message = R"(entity User::"alice" does not have the attribute `nickname`)";
    CHECK(t.d.errors[0].policy == "broken");
    CHECK(t.d.errors[0].message == message);
    const policy_trace& p = policy_of(only_identity(t.trace), "broken");
    REQUIRE(p.clauses.size() == 2);  // the third never ran
    CHECK(p.clauses[0].value == "true");
    CHECK(p.clauses[1].errored);
    CHECK(p.clauses[1].value.empty());
    CHECK(p.clauses[1].error == message);
    CHECK(p.errored);
    CHECK(p.error == message);
    CHECK_FALSE(p.applied);
    CHECK(p.effect == policy_effect::skipped);
    CHECK(explain(t.d, t.trace) ==
          "allow\n"
          R"(  policy "fine" (trace.cedar:6) applied)"
          "\n"
          R"(  note: policy "broken" (trace.cedar:2) raised an error and was skipped: )" +
              message + "\n");
  }
}

// A condition of the wrong type is an error in the decision; the trace must carry the same
// message, since explain() repeats it as the reason the policy was skipped.
TEST_CASE("trace: a non-Bool condition is traced with the decision's own error message") {
  const policy_set policies = compile_ok(R"(
@id("not-bool") permit (principal, action, resource) when { principal.level };
)");
  const traced t = run(policies, make_request());
  REQUIRE(t.d.errors.size() == 1);
  CHECK(t.d.errors[0].message == "type error: a `when` condition must be a Bool, got Long (3)");
  const policy_trace& p = policy_of(only_identity(t.trace), "not-bool");
  REQUIRE(p.clauses.size() == 1);
  CHECK(p.clauses[0].errored);
  CHECK(p.clauses[0].error == t.d.errors[0].message);
  CHECK(p.error == t.d.errors[0].message);
}

TEST_CASE("trace: a forbid that errors in Mandate mode fails closed and is determining") {
  const policy_set policies = compile_ok(R"(
@id("allow-all") permit (principal, action, resource);
@id("guard") @reason("restricted documents need a clearance") forbid (principal, action, resource)
  when { principal.clearance < 2 };
)");
  const std::string message = R"(entity User::"alice" does not have the attribute `clearance`)";
  {
    const traced t = run(policies, make_request(), {.mode = eval_mode::mandate});
    CHECK(t.d.outcome == verdict::deny);
    CHECK(t.d.failed_closed);
    CHECK(t.d.reasons == std::vector<std::string>{"guard"});
    const identity_trace& id = only_identity(t.trace);
    CHECK(id.outcome == verdict::deny);
    const policy_trace& guard = policy_of(id, "guard");
    CHECK(guard.kind == "forbid");
    CHECK(guard.errored);
    CHECK(guard.error == message);
    CHECK_FALSE(guard.applied);
    CHECK(guard.effect == policy_effect::determining);
    CHECK(guard.reason == "restricted documents need a clearance");
    const policy_trace& permit = policy_of(id, "allow-all");
    CHECK(permit.applied);
    CHECK(permit.effect == policy_effect::overridden);
    CHECK(explain(t.d, t.trace) ==
          "deny\n"
          R"(  policy "guard" (trace.cedar:3) applied: restricted documents need a )"
          "clearance (its condition raised an error, which counts as applying: " +
              message + ")\n");
  }
  {
    // Cedar mode skips it: the permit decides.
    const traced t = run(policies, make_request(), {.mode = eval_mode::cedar});
    CHECK(t.d.outcome == verdict::allow);
    CHECK_FALSE(t.d.failed_closed);
    const identity_trace& id = only_identity(t.trace);
    CHECK(policy_of(id, "guard").effect == policy_effect::skipped);
    CHECK(policy_of(id, "allow-all").effect == policy_effect::determining);
  }
}

TEST_CASE("trace: a permit that applied under a forbid is overridden") {
  const policy_set policies = compile_ok(R"(
@id("staff-read") permit (principal in Group::"staff", action == Action::"read", resource);
@id("no-restricted") @reason("restricted documents are off limits") forbid (principal, action, resource)
  when { resource.sensitivity == "restricted" };
@id("unrelated") forbid (principal, action, resource) when { resource.public };
)");
  const traced t = run(policies, make_request());
  CHECK(t.d.outcome == verdict::deny);
  CHECK(t.d.reasons == std::vector<std::string>{"no-restricted"});
  const identity_trace& id = only_identity(t.trace);
  CHECK(policy_of(id, "staff-read").applied);
  CHECK(policy_of(id, "staff-read").effect == policy_effect::overridden);
  CHECK(policy_of(id, "no-restricted").effect == policy_effect::determining);
  CHECK(policy_of(id, "unrelated").effect == policy_effect::none);
  CHECK(explain(t.d, t.trace) ==
        "deny\n"
        R"(  policy "no-restricted" (trace.cedar:3) applied: restricted documents are off limits)"
        "\n");
}

TEST_CASE("trace: require_approval names the approvers in the explanation") {
  const policy_set policies = compile_ok(R"(
@id("staff-read") permit (principal in Group::"staff", action, resource);
@id("restricted-approval") @approvers("security-leads") @reason("restricted reads are reviewed")
require_approval (principal, action, resource) when { resource.sensitivity == "restricted" };
)");
  const traced t = run(policies, make_request());
  CHECK(t.d.outcome == verdict::require_approval);
  CHECK(t.d.reasons == std::vector<std::string>{"staff-read", "restricted-approval"});
  // A policy is cited at its effect keyword: line 4 here, below its annotations.
  const identity_trace& id = only_identity(t.trace);
  CHECK(id.outcome == verdict::require_approval);
  CHECK(policy_of(id, "restricted-approval").kind == "require_approval");
  CHECK(policy_of(id, "restricted-approval").effect == policy_effect::determining);
  CHECK(policy_of(id, "staff-read").effect == policy_effect::determining);
  CHECK(explain(t.d, t.trace) ==
        "require_approval\n"
        R"(  policy "staff-read" (trace.cedar:2) applied)"
        "\n"
        R"(  policy "restricted-approval" (trace.cedar:4) applied: restricted reads are reviewed)"
        "\n"
        "  note: approvers (restricted-approval): security-leads\n");
}

// ---- the index ---------------------------------------------------------------------------

TEST_CASE("trace: policies the index ruled out are counted, and listed when asked or when nothing allowed") {
  const policy_set policies = compile_ok(R"(
@id("bob-only") permit (principal == User::"bob", action, resource);
@id("writes") permit (principal, action == Action::"write", resource);
@id("folders") permit (principal, action, resource is Folder);
@id("admins") permit (principal in Group::"admins", action, resource);
@id("staff-public") permit (principal in Group::"staff", action, resource) when { resource.public };
)");
  {
    // Allowed: the ruled out are only counted.
    const traced t = run(policies, make_request({"User", "bob"}));
    CHECK(t.d.outcome == verdict::allow);
    const identity_trace& id = only_identity(t.trace);
    CHECK(id.ruled_out == 2);  // writes, folders
    REQUIRE(id.policies.size() == 3);
    for (const policy_trace& p : id.policies) CHECK_FALSE(p.ruled_out_by_index);
    CHECK(find_policy(id, "writes") == nullptr);
    CHECK(find_policy(id, "folders") == nullptr);
  }
  const traced counted = run(policies, make_request());
  CHECK(counted.d.outcome == verdict::deny);
  CHECK(counted.trace.policy_count == 5);
  const identity_trace& c = only_identity(counted.trace);
  CHECK(c.ruled_out == 4);
  // A default deny names the permits the index ruled out for this action (not `writes`): their
  // scopes say whom or what they were for.
  REQUIRE(c.policies.size() == 4);
  CHECK_FALSE(policy_of(c, "staff-public").ruled_out_by_index);
  for (const char* ruled : {"bob-only", "folders", "admins"}) {
    CAPTURE(ruled);
    CHECK(policy_of(c, ruled).ruled_out_by_index);
  }
  CHECK(find_policy(c, "writes") == nullptr);
  CHECK(
      explain(counted.d, counted.trace) ==
      "deny: no permit applied\n"
      R"(  policy "staff-public" (trace.cedar:6) did not apply: resource.public (`resource.public` is false))"
      "\n"
      R"(  policy "bob-only" (trace.cedar:2) did not apply: principal is User::"alice", not User::"bob")"
      "\n"
      R"(  policy "folders" (trace.cedar:4) did not apply: resource Doc::"d1" is not a Folder)"
      "\n"
      R"(  policy "admins" (trace.cedar:5) did not apply: principal User::"alice" is not in Group::"admins")"
      "\n"
      "  note: 4 of 5 policies were ruled out by the index\n");

  const traced listed = run(policies, make_request(), {}, {.include_ruled_out = true});
  const identity_trace& l = only_identity(listed.trace);
  CHECK(l.ruled_out == 4);
  REQUIRE(l.policies.size() == 5);
  std::set<std::string> ruled;
  for (const policy_trace& p : l.policies) {
    if (!p.ruled_out_by_index) continue;
    ruled.insert(p.id);
    CHECK(p.scope != scope_result::matched);
    CHECK_FALSE(p.scope_detail.empty());
    CHECK(p.effect == policy_effect::none);
    CHECK(p.clauses.empty());
  }
  CHECK(ruled == std::set<std::string>{"bob-only", "writes", "folders", "admins"});
  CHECK(policy_of(l, "writes").scope_detail == R"(action is Action::"read", not Action::"write")");
  CHECK(same(listed.d, counted.d));
  // Every one listed: the near miss first, then the ruled out, five at most.
  CHECK(count_of(explain(listed.d, listed.trace), "did not apply:") == 5);
}

TEST_CASE("trace: a default deny names at most five of the permits the index ruled out") {
  std::string text;
  for (int i = 0; i < 7; ++i)
    text += "@id(\"u" + std::to_string(i) + "\") permit (principal == User::\"u" + std::to_string(i) +
            "\", action, resource);\n";
  text += "@id(\"writes\") permit (principal, action == Action::\"write\", resource);\n";
  const traced t = run(compile_ok(text), make_request());
  CHECK(t.d.outcome == verdict::deny);
  const identity_trace& id = only_identity(t.trace);
  CHECK(id.ruled_out == 8);
  REQUIRE(id.policies.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(id.policies[i].id == "u" + std::to_string(i));
    CHECK(id.policies[i].ruled_out_by_index);
    CHECK(id.policies[i].scope_detail ==
          "principal is User::\"alice\", not User::\"u" + std::to_string(i) + "\"");
  }
  const std::string out = explain(t.d, t.trace);
  CHECK(count_of(out, "did not apply:") == 5);
  CHECK(out.find("note: 8 of 8 policies were ruled out by the index") != std::string::npos);

  // No permit for this action at all: said so.
  const traced none =
      run(compile_ok(R"(permit (principal, action == Action::"write", resource);)"), make_request());
  CHECK(only_identity(none.trace).policies.empty());
  CHECK(explain(none.d, none.trace) ==
        "deny: no permit applied\n"
        "  note: no permit applies to this principal, action and resource\n"
        "  note: 1 of 1 policies were ruled out by the index\n");
}

TEST_CASE("trace: a deny with many near misses lists five and counts the rest") {
  std::string text;
  for (int i = 0; i < 8; ++i)
    text += "@id(\"p" + std::to_string(i) +
            "\") permit (principal, action, resource) when { principal.level > " + std::to_string(10 + i) +
            " };\n";
  const policy_set policies = compile_ok(text);
  const traced t = run(policies, make_request());
  CHECK(t.d.outcome == verdict::deny);
  const std::string out = explain(t.d, t.trace);
  const auto lines = lines_of(out);
  REQUIRE(lines.size() == 7);
  CHECK(lines[0] == "deny: no permit applied");
  for (int i = 0; i < 5; ++i)
    CHECK(lines[static_cast<std::size_t>(1 + i)] ==
          "  policy \"p" + std::to_string(i) + "\" (trace.cedar:" + std::to_string(1 + i) +
              ") did not apply: principal.level > " + std::to_string(10 + i) + " (`principal.level` is 3)");
  CHECK(lines[6] == "  note: 3 more permits did not apply");
  CHECK(count_of(out, "did not apply:") == 5);

  // Exactly five: no note.
  std::string five;
  for (int i = 0; i < 5; ++i)
    five +=
        "permit (principal, action, resource) when { principal.level > " + std::to_string(10 + i) + " };\n";
  const traced f = run(compile_ok(five), make_request());
  const std::string five_out = explain(f.d, f.trace);
  CHECK(count_of(five_out, "did not apply:") == 5);
  CHECK(five_out.find("more permits") == std::string::npos);

  // No candidate, but a permit for this action the index ruled out: it is the near miss.
  const traced none =
      run(compile_ok(R"(permit (principal == User::"bob", action, resource);)"), make_request());
  CHECK(explain(none.d, none.trace) ==
        "deny: no permit applied\n"
        R"(  policy "policy0" (trace.cedar:1) did not apply: principal is User::"alice", not User::"bob")"
        "\n"
        "  note: 1 of 1 policies were ruled out by the index\n");
}

// ---- delegation chains -------------------------------------------------------------------

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000;
constexpr std::int64_t hour = 3'600'000;

constexpr std::string_view chain_policies = R"(
@id("support-read") permit (principal in Group::"support", action in Action::"read_group", resource);
@id("agent-ceiling") permit (principal is Agent, action == Action::"read", resource)
  when { principal.approved };
@id("agent-writes") permit (principal is Agent, action == Action::"write", resource);
@id("support-write") permit (principal in Group::"support", action == Action::"write", resource);
@id("writes-need-approval") @approvers("leads")
require_approval (principal is Agent, action == Action::"write", resource);
)";

constexpr std::string_view chain_entities = R"([
  {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": [{"type": "Group", "id": "support"}]},
  {"uid": {"type": "User", "id": "carol"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Agent", "id": "bot"}, "attrs": {"approved": true}, "parents": []},
  {"uid": {"type": "Agent", "id": "sub"}, "attrs": {"approved": true}, "parents": []},
  {"uid": {"type": "Agent", "id": "rogue"}, "attrs": {"approved": false}, "parents": []},
  {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": [{"type": "Action", "id": "read_group"}]},
  {"uid": {"type": "Action", "id": "write"}, "attrs": {}, "parents": []}
])";

const entity_store& chain_world() {
  static const entity_store store = [] {
    auto loaded = entity_store::from_json(chain_entities, "chain.json");
    if (!loaded) FAIL(render(loaded.error()));
    return std::move(loaded).value();
  }();
  return store;
}

delegation_hop hop(const char* from_type, const char* from, const char* to,
                   std::vector<const char*> actions) {
  delegation_hop h{{from_type, from}, {"Agent", to}, {}, t0 - hour, t0 + hour, "", std::nullopt};
  for (const char* a : actions) h.scope.push_back({"Action", a});
  return h;
}

request chain_request(const char* principal, const char* action, const std::vector<delegation_hop>& chain) {
  return request({"User", principal}, {"Action", action}, {"Doc", "d"})
      .with_delegation(chain.empty() ? std::nullopt : std::optional<entity_ref>(chain.back().delegate),
                       chain);
}

}  // namespace

TEST_CASE("trace: a delegation chain is traced one identity per hop checked") {
  const policy_set policies = compile_ok(chain_policies);
  const evaluation_options at_t0{.now_ms = t0};
  {
    // Both allowed; the agent's write needs approval, so hop 1 decides.
    const traced t = run(policies, chain_request("alice", "write", {hop("User", "alice", "bot", {"write"})}),
                         at_t0, {}, chain_world());
    CHECK(t.d.outcome == verdict::require_approval);
    CHECK(t.d.deciding_hop == 1);
    REQUIRE(t.trace.identities.size() == 2);
    CHECK(t.trace.identities[0].hop == 0);
    CHECK(t.trace.identities[0].principal == R"(User::"alice")");
    CHECK(t.trace.identities[0].outcome == verdict::allow);
    CHECK(policy_of(t.trace.identities[0], "support-write").effect == policy_effect::determining);
    CHECK(t.trace.identities[1].hop == 1);
    CHECK(t.trace.identities[1].principal == R"(Agent::"bot")");
    CHECK(t.trace.identities[1].outcome == verdict::require_approval);
    CHECK(policy_of(t.trace.identities[1], "agent-writes").effect == policy_effect::determining);
    CHECK(policy_of(t.trace.identities[1], "writes-need-approval").effect == policy_effect::determining);
    CHECK(explain(t.d, t.trace) ==
          R"(require_approval (decided by hop 1, Agent::"bot"))"
          "\n"
          R"(  hop 0, User::"alice": policy "support-write" (trace.cedar:6) applied)"
          "\n"
          R"(  hop 1, Agent::"bot": policy "agent-writes" (trace.cedar:5) applied)"
          "\n"
          R"(  hop 1, Agent::"bot": policy "writes-need-approval" (trace.cedar:8) applied)"
          "\n"
          "  note: approvers (writes-need-approval): leads\n");
  }
  {
    // Two hops, all allowed: three identities, the principal deciding (the first of equals).
    const traced t =
        run(policies,
            chain_request("alice", "read",
                          {hop("User", "alice", "bot", {"read"}), hop("Agent", "bot", "sub", {"read"})}),
            at_t0, {}, chain_world());
    CHECK(t.d.outcome == verdict::allow);
    CHECK(t.d.deciding_hop == 0);
    REQUIRE(t.trace.identities.size() == 3);
    const char* principals[] = {R"(User::"alice")", R"(Agent::"bot")", R"(Agent::"sub")"};
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(t.trace.identities[i].hop == static_cast<std::int32_t>(i));
      CHECK(t.trace.identities[i].principal == principals[i]);
      CHECK(t.trace.identities[i].outcome == verdict::allow);
    }
    CHECK(explain(t.d, t.trace)
              .rfind(R"(allow (decided by hop 0, User::"alice"))"
                     "\n",
                     0) == 0);
  }
  {
    // The agent is denied: hop 1 decides, and the explanation shows why its permit missed.
    const traced t = run(policies, chain_request("alice", "read", {hop("User", "alice", "rogue", {"read"})}),
                         at_t0, {}, chain_world());
    CHECK(t.d.outcome == verdict::deny);
    CHECK(t.d.deciding_hop == 1);
    REQUIRE(t.trace.identities.size() == 2);
    CHECK(t.trace.identities[1].principal == R"(Agent::"rogue")");
    const policy_trace& ceiling = policy_of(t.trace.identities[1], "agent-ceiling");
    REQUIRE(ceiling.clauses.size() == 1);
    CHECK(ceiling.clauses[0].value == "false");
    CHECK(explain(t.d, t.trace)
              .rfind(R"(deny (decided by hop 1, Agent::"rogue"): no permit applied)"
                     "\n"
                     R"(  policy "agent-ceiling" (trace.cedar:3) did not apply: principal.approved)",
                     0) == 0);
  }
  {
    // The principal is denied: nothing is stricter, so the agent is never checked.
    const traced t = run(policies, chain_request("carol", "read", {hop("User", "carol", "bot", {"read"})}),
                         at_t0, {}, chain_world());
    CHECK(t.d.outcome == verdict::deny);
    CHECK(t.d.deciding_hop == 0);
    REQUIRE(t.trace.identities.size() == 1);
    CHECK(t.trace.identities[0].hop == 0);
    CHECK(t.trace.identities[0].principal == R"(User::"carol")");
    CHECK(explain(t.d, t.trace).rfind(R"(deny (decided by hop 0, User::"carol"): no permit applied)", 0) ==
          0);
  }
}

TEST_CASE("trace: a refused chain has no identities, and the explanation gives the code") {
  const policy_set policies = compile_ok(chain_policies);
  decision d;
  decision_trace trace;
  // Reused: a refused chain must not leave the identities of an earlier decision behind.
  policies.evaluate(chain_request("alice", "read", {hop("User", "alice", "bot", {"read"})}), chain_world(), d,
                    trace, {.now_ms = t0});
  REQUIRE(trace.identities.size() == 2);
  const request refused = chain_request("alice", "read", {hop("User", "alice", "bot", {"write"})});
  policies.evaluate(refused, chain_world(), d, trace, {.now_ms = t0});
  CHECK(same(d, policies.evaluate(refused, chain_world(), {.now_ms = t0})));
  CHECK(d.outcome == verdict::deny);
  CHECK(d.chain_violation == "chain.out_of_scope");
  CHECK(trace.identities.empty());
  CHECK(trace.policy_count == 5);
  CHECK(explain(d, trace) ==
        "deny: the delegation chain was refused (chain.out_of_scope): "
        R"(hop 0 (User::"alice" -> Agent::"bot") does not grant Action::"read")"
        "\n");
  const auto j = nlohmann::json::parse(to_json(d, trace));
  CHECK(j["identities"].empty());
  CHECK(j["summary"].get<std::string>().rfind("deny: the delegation chain was refused (chain.out_of_scope)",
                                              0) == 0);
}

// ---- temporal conditions -----------------------------------------------------------------

TEST_CASE("trace: a temporal condition outside a session sees the request alone") {
  const policy_set policies = compile_ok(R"(
@id("first-search") permit (principal, action == Action::"search", resource)
  when temporal { count_within(1h, Action::"search"::request{}) == 1 };
@id("burst") forbid (principal, action == Action::"search", resource)
  when temporal { count_within(1h, Action::"search"::request{}) > 1 };
)");
  const traced t = run(policies, make_request({"User", "alice"}, {"Action", "search"}, {"Doc", "d1"}));
  CHECK(t.d.outcome == verdict::allow);
  CHECK(t.d.reasons == std::vector<std::string>{"first-search"});
  const identity_trace& id = only_identity(t.trace);
  const policy_trace& first = policy_of(id, "first-search");
  REQUIRE(first.clauses.size() == 1);
  CHECK(first.clauses[0].value == "true");
  CHECK(first.applied);
  CHECK(first.effect == policy_effect::determining);
  const policy_trace& burst = policy_of(id, "burst");
  REQUIRE(burst.clauses.size() == 1);
  const clause_trace& c = burst.clauses[0];
  CHECK_FALSE(c.errored);
  CHECK(c.value == "false");
  CHECK(c.text.find(R"(count_within(1h, Action::"search"::request{}) > 1)") != std::string::npos);
  CHECK(c.failed_part.empty());  // a forbid that did not apply is not cited
  CHECK(c.values.empty());
  CHECK_FALSE(burst.applied);
  CHECK(burst.effect == policy_effect::none);
}

// ---- JSON --------------------------------------------------------------------------------

TEST_CASE("trace: to_json parses and has the documented members") {
  const policy_set policies = compile_ok(R"(
@id("staff-read") @reason("staff may read") permit (principal in Group::"staff", action, resource)
  when { principal.active };
@id("chain") permit (principal, action, resource)
  when { principal.active && resource.sensitivity == "public" };
@id("broken") permit (principal, action, resource) when { principal.nickname == "x" };
@id("bob-only") permit (principal == User::"bob", action, resource);
)");
  const traced t = run(policies, make_request(), {}, {.include_ruled_out = true});
  const std::string text = to_json(t.d, t.trace);
  nlohmann::json j;
  REQUIRE_NOTHROW(j = nlohmann::json::parse(text));
  REQUIRE(j.is_object());
  std::string summary = explain(t.d, t.trace);
  summary.pop_back();  // the trailing newline
  CHECK(j.at("summary") == summary);
  CHECK(j.at("policy_count") == 4);
  REQUIRE(j.at("identities").is_array());
  REQUIRE(j["identities"].size() == 1);
  const auto& identity = j["identities"][0];
  // Without a chain there is no hop (the struct's -1 is left out).
  CHECK_FALSE(identity.contains("hop"));
  CHECK(identity.at("principal") == R"(User::"alice")");
  CHECK(identity.at("decision") == "allow");
  CHECK(identity.at("ruled_out") == 1);
  REQUIRE(identity.at("policies").size() == 4);
  std::set<std::string> seen;
  for (const auto& p : identity["policies"]) {
    for (const char* member : {"id", "kind", "at", "scope", "clauses", "applied", "effect"}) {
      CAPTURE(member);
      CHECK(p.contains(member));
    }
    seen.insert(p.at("id").get<std::string>());
    for (const auto& c : p.at("clauses")) {
      for (const char* member : {"kind", "text", "at"}) {
        CAPTURE(member);
        CHECK(c.contains(member));
      }
      CHECK(c.contains("value") != c.contains("error"));
    }
  }
  CHECK(seen == std::set<std::string>{"staff-read", "chain", "broken", "bob-only"});
  auto by_id = [&](const char* id) -> const nlohmann::json& {
    for (const auto& p : identity["policies"])
      if (p["id"] == id) return p;
    FAIL("no policy ", id);
    return identity;
  };
  const auto& staff = by_id("staff-read");
  CHECK(staff["kind"] == "permit");
  // `at` is the effect keyword (after the annotations), not the policy's first token `@id`.
  CHECK(staff["at"] == "trace.cedar:2:45");
  CHECK(staff["scope"] == "matched");
  CHECK(staff["applied"] == true);
  CHECK(staff["effect"] == "determining");
  CHECK(staff["reason"] == "staff may read");
  REQUIRE(staff["clauses"].size() == 1);
  CHECK(staff["clauses"][0]["kind"] == "when");
  CHECK(staff["clauses"][0]["text"] == "principal.active");
  CHECK(staff["clauses"][0]["value"] == true);

  const auto& chain = by_id("chain");
  CHECK(chain["effect"] == "none");
  CHECK(chain["applied"] == false);
  const auto& failed = chain["clauses"][0];
  CHECK(failed["value"] == false);
  // The decision is an allow: no miss is cited, so none carries its failing part.
  CHECK_FALSE(failed.contains("failed"));
  CHECK_FALSE(failed.contains("values"));

  const auto& broken = by_id("broken");
  CHECK(broken["effect"] == "skipped");
  CHECK(broken["error"] == R"(entity User::"alice" does not have the attribute `nickname`)");
  CHECK(broken["clauses"][0]["error"] == broken["error"]);

  const auto& bob = by_id("bob-only");
  CHECK(bob["ruled_out_by_index"] == true);
  CHECK(bob["scope"] == "principal");
  CHECK(bob["scope_detail"] == R"(principal is User::"alice", not User::"bob")");
  CHECK(bob["effect"] == "none");

  // A chain: every identity has its hop.
  const policy_set chained = compile_ok(chain_policies);
  const traced c = run(chained, chain_request("alice", "write", {hop("User", "alice", "bot", {"write"})}),
                       {.now_ms = t0}, {}, chain_world());
  const auto cj = nlohmann::json::parse(to_json(c.d, c.trace));
  REQUIRE(cj["identities"].size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& identity_json = cj["identities"][i];
    for (const char* member : {"hop", "principal", "decision", "ruled_out", "policies"}) {
      CAPTURE(member);
      CHECK(identity_json.contains(member));
    }
    CHECK(identity_json["hop"] == i);
  }
  CHECK(cj["identities"][1]["principal"] == R"(Agent::"bot")");
  CHECK(cj["identities"][1]["decision"] == "require_approval");
}

// ---- reuse -------------------------------------------------------------------------------

TEST_CASE("trace: inside a session the traced decision is the plain one, and the window's count decides") {
  const policy_set policies = compile_ok(R"(
@id("search") permit (principal, action == Action::"search", resource);
@id("burst") forbid (principal, action == Action::"search", resource)
  when temporal { count_within(1m, Action::"search"::request{}) > 3 };
)");
  std::int64_t now = 1'700'000'000'000;
  session_manager plain_sessions({.clock = [&] { return now; }});
  session_manager traced_sessions({.clock = [&] { return now; }});
  const request search = make_request({"User", "alice"}, {"Action", "search"}, {"Doc", "d1"});
  decision_trace trace;
  for (int i = 0; i < 6; ++i) {
    CAPTURE(i);
    now += 1000;
    const decision plain = plain_sessions.evaluate(policies, world(), search, "s");
    const decision d = traced_sessions.evaluate(policies, world(), search, "s", {}, {}, &trace);
    CHECK(same(plain, d));
    CHECK(d.outcome == (i < 3 ? verdict::allow : verdict::deny));
    const identity_trace& id = only_identity(trace);
    const policy_trace& burst = policy_of(id, "burst");
    REQUIRE(burst.clauses.size() == 1);
    CHECK(burst.clauses[0].value == (i < 3 ? "false" : "true"));
    CHECK(burst.effect == (i < 3 ? policy_effect::none : policy_effect::determining));
    CHECK(policy_of(id, "search").effect == (i < 3 ? policy_effect::determining : policy_effect::overridden));
  }
}

TEST_CASE("trace: linked templates are traced under their link id, and templates never appear") {
  const policy_source source{"trace.cedar", R"(
@id("owner-read") permit (principal == ?principal, action == Action::"read", resource in ?resource);
@id("never") permit (principal, action, resource) when { false };
)"};
  const template_link link{"owner-read", "alice-f1", entity_ref{"User", "alice"}, entity_ref{"Folder", "f1"}};
  auto compiled = policy_set::compile(std::span(&source, 1), {}, std::span(&link, 1));
  REQUIRE_MESSAGE(compiled.has_value(), (compiled ? "" : render(compiled.error())));
  const policy_set& policies = *compiled;
  const traced alice = run(policies, make_request(), {}, {.include_ruled_out = true});
  CHECK(alice.d.outcome == verdict::allow);
  CHECK(alice.d.reasons == std::vector<std::string>{"alice-f1"});
  CHECK(alice.trace.policy_count == 3);  // the template counts as a policy of the set
  const identity_trace& a = only_identity(alice.trace);
  CHECK(a.ruled_out == 0);
  CHECK(find_policy(a, "owner-read") == nullptr);
  CHECK(policy_of(a, "alice-f1").effect == policy_effect::determining);
  CHECK(policy_of(a, "alice-f1").where.line == 2);

  const traced bob = run(policies, make_request({"User", "bob"}), {}, {.include_ruled_out = true});
  const identity_trace& b = only_identity(bob.trace);
  CHECK(b.ruled_out == 1);
  CHECK(find_policy(b, "owner-read") == nullptr);
  const policy_trace& linked = policy_of(b, "alice-f1");
  CHECK(linked.ruled_out_by_index);
  CHECK(linked.scope_detail == R"(principal is User::"bob", not User::"alice")");
}

TEST_CASE("trace: a trace object reused across decisions holds only the last one") {
  const policy_set policies = compile_ok(R"(
@id("staff-read") permit (principal in Group::"staff", action == Action::"read", resource);
@id("bob-write") permit (principal == User::"bob", action == Action::"write", resource);
)");
  decision d;
  decision_trace trace;
  policies.evaluate(make_request(), world(), d, trace);
  REQUIRE(trace.identities.size() == 1);
  CHECK(d.outcome == verdict::allow);
  policies.evaluate(make_request({"User", "bob"}, {"Action", "write"}), world(), d, trace);
  REQUIRE(trace.identities.size() == 1);
  CHECK(d.outcome == verdict::allow);
  CHECK(d.reasons == std::vector<std::string>{"bob-write"});
  REQUIRE(trace.identities[0].policies.size() == 1);
  CHECK(trace.identities[0].policies[0].id == "bob-write");
  CHECK(trace.identities[0].principal == R"(User::"bob")");
  CHECK(trace.policy_count == 2);
}

// ---- tracing never changes an answer (generated) -----------------------------------------

namespace {

using json = nlohmann::ordered_json;

class rng_source {
 public:
  explicit rng_source(std::uint64_t seed) : engine_(seed) {}
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(engine_() % n); }
  bool chance(double p) { return static_cast<double>(engine_() % 1'000'000) < p * 1'000'000.0; }
  template <typename C>
  const auto& pick(const C& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

// A small random world and policy set in the manner of differential_test.cpp: attributes are
// sometimes missing or of the wrong type, entities are sometimes unknown, so errors, fail-closed
// forbids, approvals and delegation chains (valid or not) all occur.
class trace_generator {
 public:
  explicit trace_generator(std::uint64_t seed) : rng_(seed) {}

  std::string entities() {
    json out = json::array();
    auto add = [&](const std::string& type, const std::string& id, json attrs,
                   const std::vector<std::string>& parents) {
      json ps = json::array();
      for (const std::string& p : parents) {
        const auto sep = p.find(':');
        ps.push_back(json{{"type", p.substr(0, sep)}, {"id", p.substr(sep + 1)}});
      }
      out.push_back(
          json{{"uid", json{{"type", type}, {"id", id}}}, {"attrs", std::move(attrs)}, {"parents", ps}});
    };
    for (int g = 0; g < 3; ++g) {
      std::vector<std::string> parents;
      for (int h = 0; h < g; ++h)
        if (rng_.chance(0.5)) parents.push_back("Group:g" + std::to_string(h));
      add("Group", "g" + std::to_string(g), json::object(), parents);
    }
    for (int u = 0; u < 4; ++u) {
      json attrs = json::object();
      maybe(attrs, "level", json(static_cast<std::int64_t>(rng_.below(6))));
      maybe(attrs, "active", json(rng_.chance(0.6)));
      maybe(attrs, "department", json(std::string(rng_.pick(strings))));
      maybe(attrs, "roles", json::array({std::string(rng_.pick(strings))}));
      maybe(attrs, "manager",
            json{{"__entity", json{{"type", "User"}, {"id", "u" + std::to_string(rng_.below(5))}}}});
      std::vector<std::string> parents;
      for (int g = 0; g < 3; ++g)
        if (rng_.chance(0.4)) parents.push_back("Group:g" + std::to_string(g));
      add("User", "u" + std::to_string(u), std::move(attrs), parents);
    }
    for (int a = 0; a < 3; ++a) {
      json attrs = json::object();
      maybe(attrs, "approved", json(rng_.chance(0.7)));
      maybe(attrs, "level", json(static_cast<std::int64_t>(rng_.below(6))));
      std::vector<std::string> parents;
      if (rng_.chance(0.3)) parents.push_back("Group:g" + std::to_string(rng_.below(3)));
      add("Agent", "a" + std::to_string(a), std::move(attrs), parents);
    }
    for (int f = 0; f < 2; ++f) add("Folder", "f" + std::to_string(f), json::object(), {});
    for (int d = 0; d < 4; ++d) {
      json attrs = json::object();
      maybe(attrs, "sensitivity", json(std::string(rng_.pick(strings))));
      maybe(attrs, "public", json(rng_.chance(0.5)));
      maybe(attrs, "size",
            json(rng_.chance(0.1) ? std::int64_t{9'223'372'036'854'775'807}
                                  : static_cast<std::int64_t>(rng_.below(100))));
      maybe(attrs, "owner",
            json{{"__entity", json{{"type", "User"}, {"id", "u" + std::to_string(rng_.below(5))}}}});
      std::vector<std::string> parents;
      if (rng_.chance(0.7)) parents.push_back("Folder:f" + std::to_string(rng_.below(2)));
      add("Doc", "d" + std::to_string(d), std::move(attrs), parents);
    }
    add("Action", "read", json::object(), {"Action:readOnly"});
    add("Action", "list", json::object(), {"Action:readOnly"});
    add("Action", "write", json::object(), {"Action:mutate"});
    add("Action", "delete", json::object(),
        rng_.chance(0.8) ? std::vector<std::string>{"Action:mutate"} : std::vector<std::string>{});
    add("Action", "readOnly", json::object(), {});
    add("Action", "mutate", json::object(), {});
    return out.dump();
  }

  std::string policies() {
    std::string text;
    const std::size_t count = 3 + rng_.below(10);
    for (std::size_t i = 0; i < count; ++i) {
      if (rng_.chance(0.5)) text += "@id(\"p" + std::to_string(i) + "\") ";
      if (rng_.chance(0.3)) text += "@reason(\"" + std::string(rng_.pick(strings)) + "\") ";
      if (rng_.chance(0.2)) text += "@approvers(\"leads\") ";
      const std::size_t effect = rng_.below(20);
      text += effect < 10 ? "permit" : effect < 15 ? "forbid" : "require_approval";
      text += " (" + principal_scope() + ", " + action_scope() + ", " + resource_scope() + ")";
      const std::size_t clauses = rng_.below(4);
      for (std::size_t c = 0; c < clauses; ++c)
        text += (rng_.chance(0.7) ? "\n  when { " : "\n  unless { ") +
                boolean(static_cast<int>(rng_.below(4))) + " }";
      text += ";\n";
    }
    return text;
  }

  // The request as JSON, and whether it goes through a delegation chain.
  std::string request_json() {
    json principal;
    const std::size_t who = rng_.below(10);
    if (who < 6)
      principal = json{{"type", "User"}, {"id", "u" + std::to_string(rng_.below(5))}};  // u4 is unknown
    else if (who < 8)
      principal = json{{"type", "Agent"}, {"id", "a" + std::to_string(rng_.below(3))}};
    else
      principal = json{{"type", "Group"}, {"id", "g" + std::to_string(rng_.below(3))}};
    static constexpr std::array<const char*, 6> actions = {"read",   "list",     "write",
                                                           "delete", "readOnly", "ghost"};
    const std::string action = rng_.pick(actions);
    json resource = rng_.chance(0.8) ? json{{"type", "Doc"}, {"id", "d" + std::to_string(rng_.below(5))}}
                                     : json{{"type", "Folder"}, {"id", "f" + std::to_string(rng_.below(2))}};
    json context = json::object();
    if (rng_.chance(0.9)) context["flag"] = rng_.chance(0.5);
    if (rng_.chance(0.9)) context["s"] = std::string(rng_.pick(strings));
    if (rng_.chance(0.8)) context["amount"] = rng_.chance(0.1) ? json("many") : json(rng_.below(300));
    json out{{"principal", principal},
             {"action", json{{"type", "Action"}, {"id", action}}},
             {"resource", resource},
             {"context", context}};
    if (principal["type"] == "User" && rng_.chance(0.35)) {
      // A chain of one or two hops, usually valid, sometimes out of scope or expired.
      json chain = json::array();
      std::string from = "User::\"" + principal["id"].get<std::string>() + "\"";
      const std::size_t hops = 1 + rng_.below(2);
      std::string last;
      for (std::size_t h = 0; h < hops; ++h) {
        const std::string to = "Agent::\"a" + std::to_string(h == 0 ? rng_.below(2) : 2) + "\"";
        json scope = json::array();
        scope.push_back(rng_.chance(0.85)
                            ? "Action::\"" + action + "\""
                            : std::string(rng_.chance(0.5) ? "Action::\"readOnly\"" : "Action::\"write\""));
        const bool expired = rng_.chance(0.05);
        chain.push_back(json{{"delegator", from},
                             {"delegate", to},
                             {"scope", scope},
                             {"issued_at", "2027-01-15T07:00:00Z"},
                             {"expires_at", expired ? "2027-01-15T07:30:00Z" : "2027-01-15T09:00:00Z"}});
        from = to;
        last = to;
      }
      out["agent"] = last;
      out["delegation"] = chain;
    }
    return out.dump();
  }

  static constexpr std::array<std::string_view, 6> strings = {"eng",    "sales", "restricted",
                                                              "public", "",      "a*b"};

 private:
  void maybe(json& attrs, const char* key, json v) {
    if (!rng_.chance(0.85)) return;
    attrs[key] = rng_.chance(0.05) ? json("wrong") : std::move(v);
  }

  std::string principal_scope() {
    switch (rng_.below(8)) {
      case 0:
        return "principal == User::\"u" + std::to_string(rng_.below(5)) + "\"";
      case 1:
        return "principal in Group::\"g" + std::to_string(rng_.below(3)) + "\"";
      case 2:
        return rng_.chance(0.5) ? "principal is Agent" : "principal is User";
      case 3:
        return "principal is User in Group::\"g" + std::to_string(rng_.below(3)) + "\"";
      default:
        return "principal";
    }
  }
  std::string action_scope() {
    static constexpr std::array<const char*, 6> names = {"read",   "list",     "write",
                                                         "delete", "readOnly", "mutate"};
    switch (rng_.below(8)) {
      case 0:
        return std::string("action == Action::\"") + rng_.pick(names) + "\"";
      case 1:
      case 2:
        return std::string("action in Action::\"") + rng_.pick(names) + "\"";
      case 3:
        return std::string("action in [Action::\"") + rng_.pick(names) + "\", Action::\"" + rng_.pick(names) +
               "\"]";
      default:
        return "action";
    }
  }
  std::string resource_scope() {
    switch (rng_.below(8)) {
      case 0:
        return "resource == Doc::\"d" + std::to_string(rng_.below(4)) + "\"";
      case 1:
        return "resource in Folder::\"f" + std::to_string(rng_.below(2)) + "\"";
      case 2:
        return rng_.chance(0.7) ? "resource is Doc" : "resource is Folder";
      case 3:
        return "resource is Doc in Folder::\"f" + std::to_string(rng_.below(2)) + "\"";
      default:
        return "resource";
    }
  }

  std::string boolean(int depth) {
    static constexpr std::array<const char*, 22> leaves = {
        "principal.active",
        "resource.public",
        "context.flag",
        "true",
        "false",
        "principal.level > 2",
        "principal.level <= context.amount",
        "resource.sensitivity == \"restricted\"",
        "resource.sensitivity like \"*e*\"",
        "principal in Group::\"g0\"",
        "principal in resource.owner",
        "resource.owner == principal",
        "principal has level",
        "resource has owner && resource.owner.active",
        "principal.roles.contains(context.s)",
        "principal.nickname == \"x\"",
        "principal.manager.level > 1",
        "resource.size + 1 > 10",
        "principal.level",
        "context.amount > 100",
        "principal.approved",
        "if principal has level then principal.level > 1 else context.flag"};
    if (depth <= 0) return rng_.pick(leaves);
    const int d = depth - 1;
    switch (rng_.below(6)) {
      case 0:
      case 1:
        return "(" + boolean(d) + ") && (" + boolean(d) + ")";
      case 2:
      case 3:
        return "(" + boolean(d) + ") || (" + boolean(d) + ")";
      case 4:
        return "!(" + boolean(d) + ")";
      default:
        return boolean(0);
    }
  }

  rng_source rng_;
};

// What a trace must say about the decision it was recorded with.
void check_trace_consistency(const decision& d, const decision_trace& trace, const trace_options& with,
                             std::size_t policy_count, const std::string& context) {
  INFO(context);
  CHECK(trace.policy_count == policy_count);
  if (!d.chain_violation.empty()) {
    CHECK(trace.identities.empty());
    return;
  }
  REQUIRE_FALSE(trace.identities.empty());
  const bool chained = d.deciding_hop >= 0;
  if (!chained) {
    CHECK(trace.identities.size() == 1);
    CHECK(trace.identities[0].hop == -1);
  }
  for (std::size_t i = 0; i < trace.identities.size(); ++i) {
    const identity_trace& id = trace.identities[i];
    if (chained) CHECK(id.hop == static_cast<std::int32_t>(i));
    // Only the last identity checked may be denied: a deny stops the chain.
    if (i + 1 < trace.identities.size()) CHECK(id.outcome != verdict::deny);
    std::size_t candidates = 0;
    std::size_t listed_ruled_out = 0;
    std::set<std::string> ids;
    for (const policy_trace& p : id.policies) {
      CHECK(ids.insert(p.id).second);  // each policy at most once per identity
      if (p.ruled_out_by_index) {
        ++listed_ruled_out;
        CHECK(p.scope != scope_result::matched);
        CHECK_FALSE(p.scope_detail.empty());
        CHECK(p.clauses.empty());
        CHECK(p.effect == policy_effect::none);
        continue;
      }
      ++candidates;
      if (p.scope != scope_result::matched) {
        // Which part failed is always recorded; the words for it only where a default deny
        // cites the policy (a permit or require_approval).
        const bool cited = id.outcome == verdict::deny && p.kind != "forbid" &&
                           std::none_of(id.policies.begin(), id.policies.end(), [](const policy_trace& q) {
                             return q.effect == policy_effect::determining;
                           });
        CHECK(p.scope_detail.empty() != cited);
        CHECK(p.clauses.empty());
        CHECK_FALSE(p.applied);
        CHECK(p.effect == policy_effect::none);
        continue;
      }
      // Every clause before the last held; the last decided unless the policy applied.
      for (std::size_t c = 0; c < p.clauses.size(); ++c) {
        const clause_trace& ct = p.clauses[c];
        const bool held = !ct.errored && ct.value == (ct.is_when ? "true" : "false");
        if (c + 1 < p.clauses.size()) CHECK(held);
        if (ct.errored) {
          CHECK_FALSE(ct.error.empty());
          CHECK(ct.value.empty());
        } else {
          CHECK((ct.value == "true" || ct.value == "false"));
        }
        // The failing part is worked out for what a default deny cites: permits and
        // require_approval policies that did not apply.
        const bool default_deny =
            id.outcome == verdict::deny &&
            std::none_of(id.policies.begin(), id.policies.end(),
                         [](const policy_trace& q) { return q.effect == policy_effect::determining; });
        const bool cited = default_deny && p.kind != "forbid";
        if (!held && !ct.errored) CHECK(ct.failed_part.empty() != cited);
      }
      if (p.applied) {
        CHECK_FALSE(p.errored);
        CHECK(p.effect != policy_effect::none);
        CHECK(p.effect != policy_effect::skipped);
      }
      if (p.errored) {
        CHECK_FALSE(p.clauses.empty());
        if (!p.clauses.empty()) CHECK(p.clauses.back().errored);
        CHECK((p.effect == policy_effect::skipped || p.effect == policy_effect::determining));
        if (p.effect == policy_effect::determining) {
          CHECK(d.mode == eval_mode::mandate);
          CHECK(p.kind != "permit");
        }
      }
      if (!p.applied && !p.errored) CHECK(p.effect == policy_effect::none);
      if (p.effect == policy_effect::overridden) CHECK(id.outcome != verdict::allow);
    }
    CHECK(candidates + id.ruled_out == policy_count);
    // Listed when asked; else, on a default deny, up to five permits for the action are named.
    const bool default_deny = id.outcome == verdict::deny &&
                              std::none_of(id.policies.begin(), id.policies.end(), [](const auto& p) {
                                return p.effect == policy_effect::determining;
                              });
    if (with.include_ruled_out) {
      CHECK(listed_ruled_out == id.ruled_out);
    } else if (default_deny) {
      CHECK(listed_ruled_out <= std::min<std::size_t>(5, id.ruled_out));
      for (const policy_trace& p : id.policies)
        if (p.ruled_out_by_index) CHECK(p.kind != "forbid");
    } else {
      CHECK(listed_ruled_out == 0);
    }
  }
  // The identity that decided: its determining policies are the reasons, its erroring
  // policies the errors.
  const identity_trace& decider =
      trace.identities[chained ? static_cast<std::size_t>(d.deciding_hop) : std::size_t{0}];
  CHECK(decider.outcome == d.outcome);
  if (chained) CHECK(decider.principal == d.deciding_principal);
  std::multiset<std::string> determining;
  std::multiset<std::string> errored;
  for (const policy_trace& p : decider.policies) {
    if (p.effect == policy_effect::determining) determining.insert(p.id);
    if (p.errored) errored.insert(p.id);
  }
  CHECK(determining == std::multiset<std::string>(d.reasons.begin(), d.reasons.end()));
  std::multiset<std::string> error_ids;
  for (const auto& e : d.errors) error_ids.insert(e.policy);
  CHECK(errored == error_ids);
}

}  // namespace

TEST_CASE("trace: tracing never changes a decision (generated policies, entities and requests)") {
  constexpr std::uint64_t seeds = 300;
  constexpr int requests_per_seed = 12;
  std::size_t decisions = 0;
  std::size_t with_errors = 0;
  std::size_t chained = 0;
  std::size_t refused = 0;
  std::size_t outcomes[3] = {0, 0, 0};
  std::size_t disagreements = 0;
  decision traced_out;  // reused, as a server would
  decision_trace trace;
  for (std::uint64_t s = 0; s < seeds && disagreements < 5; ++s) {
    const std::uint64_t seed = 0x7ace0000 + s;
    trace_generator gen(seed);
    const std::string entities_text = gen.entities();
    const std::string policy_text = gen.policies();
    auto policies = policy_set::compile(policy_text, "generated.cedar");
    if (!policies) {
      FAIL_CHECK("seed ", seed, ": generated policies do not compile\n", render(policies.error()), "\n",
                 policy_text);
      continue;
    }
    auto entities = entity_store::from_json(entities_text, "generated.json");
    if (!entities) {
      FAIL_CHECK("seed ", seed, ": generated entities do not load\n", render(entities.error()));
      continue;
    }
    for (int r = 0; r < requests_per_seed; ++r) {
      const std::string request_text = gen.request_json();
      auto req = request::from_json(request_text);
      if (!req) {
        FAIL_CHECK("seed ", seed, ": request does not parse: ", req.error(), "\n", request_text);
        continue;
      }
      for (const eval_mode mode : {eval_mode::mandate, eval_mode::cedar}) {
        const trace_options with{.include_ruled_out = (r % 2) == 1};
        const evaluation_options options{.mode = mode, .now_ms = t0};
        const decision plain = policies->evaluate(*req, *entities, options);
        const decision reference =
            policies->evaluate(*req, *entities, {.mode = mode, .engine = evaluator::reference, .now_ms = t0});
        policies->evaluate(*req, *entities, traced_out, trace, options, with);
        // The traced path always runs the plan; asking for the reference engine must not matter.
        decision traced_reference;
        decision_trace trace_reference;
        policies->evaluate(*req, *entities, traced_reference, trace_reference,
                           {.mode = mode, .engine = evaluator::reference, .now_ms = t0}, with);
        const std::string context = "seed " + std::to_string(seed) + ", request " + std::to_string(r) +
                                    ", mode " + std::string(to_string(mode)) + "\npolicies:\n" + policy_text +
                                    "\nentities: " + entities_text + "\nrequest: " + request_text +
                                    "\nplain:  " + to_json(plain) + "\ntraced: " + to_json(traced_out);
        ++decisions;
        if (!same(plain, traced_out) || !same(reference, traced_out) || !same(plain, traced_reference)) {
          ++disagreements;
          FAIL_CHECK("tracing changed the decision: ", context);
          continue;
        }
        ++outcomes[plain.outcome == verdict::allow ? 0 : plain.outcome == verdict::require_approval ? 1 : 2];
        if (!plain.errors.empty()) ++with_errors;
        if (plain.deciding_hop >= 0) ++chained;
        if (!plain.chain_violation.empty()) ++refused;
        check_trace_consistency(traced_out, trace, with, policies->size(), context);
        // The explanation always renders, and its JSON always parses.
        const std::string words = explain(traced_out, trace);
        CHECK_FALSE(words.empty());
        CHECK(words.back() == '\n');
        CHECK_FALSE(explain_with_sources(traced_out, trace).empty());
        const std::string j = to_json(traced_out, trace);
        CHECK(nlohmann::json::accept(j));
      }
    }
  }
  CHECK(disagreements == 0);
  // Not vacuous: every outcome, errors, chains and refused chains all occur.
  INFO("decisions ", decisions, ", allow ", outcomes[0], ", require_approval ", outcomes[1], ", deny ",
       outcomes[2], ", with errors ", with_errors, ", chained ", chained, ", refused ", refused);
  CHECK(decisions >= seeds * requests_per_seed * 2);
  CHECK(outcomes[0] > decisions / 20);
  CHECK(outcomes[1] > decisions / 50);
  CHECK(outcomes[2] > decisions / 20);
  CHECK(with_errors > decisions / 20);
  CHECK(chained > decisions / 20);
  CHECK(refused > 0);
}
