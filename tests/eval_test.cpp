// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Evaluation semantics through the public API (grammar/REFERENCE.md sections 3 to 11). Every
// decision is computed by both evaluators, the indexed plan and the reference tree walker, and
// the two must agree exactly before the expected value is checked.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mandate/mandate.hpp"

using namespace mandate;

namespace {

// A small world: alice is in staff, bob in admins (inside staff), staff inside everyone; the
// action read and list are in readOnly, readOnly and write are in all; d1 is in f1, f1 in root.
constexpr std::string_view world_json = R"json([
  {"uid": {"type": "User", "id": "alice"},
   "attrs": {"age": 30, "name": "Alice", "active": true, "roles": ["viewer", "editor"],
             "address": {"city": "Paris", "zip": {"code": "75001"}},
             "manager": {"__entity": {"type": "User", "id": "bob"}},
             "ghost": {"__entity": {"type": "User", "id": "nobody"}}},
   "parents": [{"type": "Group", "id": "staff"}],
   "tags": {"department": "eng", "level": 3}},
  {"uid": {"type": "User", "id": "bob"}, "attrs": {"age": 50, "department": "eng"},
   "parents": [{"type": "Group", "id": "admins"}]},
  {"uid": {"type": "Group", "id": "staff"}, "parents": [{"type": "Group", "id": "everyone"}]},
  {"uid": {"type": "Group", "id": "admins"}, "parents": [{"type": "Group", "id": "staff"}]},
  {"uid": {"type": "Group", "id": "everyone"}},
  {"uid": {"type": "Acme::User", "id": "carol"}, "parents": [{"type": "Group", "id": "staff"}]},
  {"uid": {"type": "Action", "id": "read"}, "parents": [{"type": "Action", "id": "readOnly"}]},
  {"uid": {"type": "Action", "id": "list"}, "parents": [{"type": "Action", "id": "readOnly"}]},
  {"uid": {"type": "Action", "id": "readOnly"}, "parents": [{"type": "Action", "id": "all"}]},
  {"uid": {"type": "Action", "id": "write"}, "parents": [{"type": "Action", "id": "all"}]},
  {"uid": {"type": "Action", "id": "all"}},
  {"uid": {"type": "Doc", "id": "d1"},
   "attrs": {"owner": {"__entity": {"type": "User", "id": "alice"}}, "public": false, "labels": ["a", "b"]},
   "parents": [{"type": "Folder", "id": "f1"}],
   "tags": {"k": "allowed"}},
  {"uid": {"type": "Folder", "id": "f1"}, "parents": [{"type": "Folder", "id": "root"}]},
  {"uid": {"type": "Folder", "id": "root"}}
])json";

constexpr std::string_view default_context = R"json({
  "amount": 150, "flag": true, "s": "ham and eggs", "path": "/public/a.txt",
  "big": 9223372036854775807, "small": -9223372036854775808,
  "r": {"x": 1, "y": {"z": "deep"}}, "spaced key": 7, "key": "department", "ipstr": "127.0.0.1",
  "who": {"__entity": {"type": "User", "id": "bob"}},
  "src": {"__extn": {"fn": "ip", "arg": "192.168.1.10"}},
  "price": {"__extn": {"fn": "decimal", "arg": "12.50"}},
  "now": {"__extn": {"fn": "datetime", "arg": "2025-06-01T10:30:00Z"}}
})json";

const entity_store& world() {
  static const entity_store store = [] {
    auto loaded = entity_store::from_json(world_json, "world.json");
    if (!loaded) FAIL(render(loaded.error()));
    return std::move(loaded).value();
  }();
  return store;
}

policy_set compile_ok(std::string_view text) {
  auto compiled = policy_set::compile(text);
  INFO("policy text:\n", text);
  if (!compiled) FAIL(render(compiled.error()));
  return std::move(compiled).value();
}

request make_request(entity_ref principal, entity_ref action, entity_ref resource,
                     std::string_view context = default_context) {
  auto with_context =
      request(std::move(principal), std::move(action), std::move(resource)).with_context_json(context);
  if (!with_context) FAIL(with_context.error());
  return std::move(with_context).value();
}

const request& default_request() {
  static const request req = make_request({"User", "alice"}, {"Action", "read"}, {"Doc", "d1"});
  return req;
}

bool same(const decision& a, const decision& b) {
  if (a.outcome != b.outcome || a.reasons != b.reasons || a.mode != b.mode ||
      a.failed_closed != b.failed_closed || a.errors.size() != b.errors.size() ||
      a.annotations.size() != b.annotations.size())
    return false;
  for (std::size_t i = 0; i < a.errors.size(); ++i) {
    if (a.errors[i].policy != b.errors[i].policy || a.errors[i].message != b.errors[i].message) return false;
  }
  for (std::size_t i = 0; i < a.annotations.size(); ++i) {
    const auto& x = a.annotations[i];
    const auto& y = b.annotations[i];
    if (x.policy != y.policy || x.key != y.key || x.value != y.value) return false;
  }
  return true;
}

// Evaluates with both evaluators, requires them to agree, and returns the decision.
decision decide(const policy_set& policies, const request& req, eval_mode mode = eval_mode::mandate,
                const entity_store& entities = world()) {
  const decision plan = policies.evaluate(req, entities, {.mode = mode, .engine = evaluator::plan});
  const decision reference = policies.evaluate(req, entities, {.mode = mode, .engine = evaluator::reference});
  INFO("plan:      ", to_json(plan));
  INFO("reference: ", to_json(reference));
  CHECK(same(plan, reference));
  CHECK(plan.mode == mode);
  return plan;
}

decision decide(std::string_view text, const request& req = default_request(),
                eval_mode mode = eval_mode::mandate) {
  return decide(compile_ok(text), req, mode);
}

std::vector<std::string> error_ids(const decision& d) {
  std::vector<std::string> ids;
  for (const auto& e : d.errors) ids.push_back(e.policy);
  return ids;
}

using ids = std::vector<std::string>;

// The value of a condition, as the decision of `permit ... when { expr }` shows it: "true",
// "false" or "error" (strings, so that a failing check prints them).
struct condition_result {
  std::string value = "error";
  std::string message;  // the error, when value is error
};

condition_result run_condition(std::string_view expr, const request& req = default_request()) {
  const std::string text =
      "@id(\"e\") permit (principal, action, resource) when { " + std::string(expr) + " };";
  const decision d = decide(text, req);
  condition_result r;
  if (d.outcome == verdict::allow) {
    r.value = "true";
    CHECK(d.errors.empty());
  } else if (d.errors.empty()) {
    r.value = "false";
  } else {
    r.value = "error";
    REQUIRE(d.errors.size() == 1);
    CHECK(d.errors[0].policy == "e");
    r.message = d.errors[0].message;
  }
  return r;
}

std::string eval(std::string_view expr) { return run_condition(expr).value; }

// The error message of an expression that must fail.
std::string error_of(std::string_view expr) {
  const condition_result r = run_condition(expr);
  INFO("expression: ", expr);
  CHECK(r.value == "error");
  return r.message;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// Whether a policy with this scope (and no condition) applies to the request.
bool scope_applies(std::string_view scope, const request& req) {
  const decision d = decide("permit (" + std::string(scope) + ");", req);
  CHECK(d.errors.empty());
  return d.outcome == verdict::allow;
}

request alice_reads(entity_ref resource = {"Doc", "d1"}) {
  return make_request({"User", "alice"}, {"Action", "read"}, resource);
}
request as(entity_ref principal) {
  return make_request(std::move(principal), {"Action", "read"}, {"Doc", "d1"});
}
request doing(std::string action) {
  return make_request({"User", "alice"}, {"Action", std::move(action)}, {"Doc", "d1"});
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Scope (REFERENCE.md section 3).

TEST_CASE("scope: principal ==, in (transitive, reflexive), is, is-in") {
  CHECK(scope_applies(R"(principal == User::"alice", action, resource)", as({"User", "alice"})));
  CHECK_FALSE(scope_applies(R"(principal == User::"alice", action, resource)", as({"User", "bob"})));
  CHECK_FALSE(scope_applies(R"(principal == User::"alice", action, resource)", as({"Admin", "alice"})));

  const char* in_everyone = R"(principal in Group::"everyone", action, resource)";
  CHECK(scope_applies(in_everyone, as({"User", "alice"})));         // alice -> staff -> everyone
  CHECK(scope_applies(in_everyone, as({"User", "bob"})));           // bob -> admins -> staff -> everyone
  CHECK(scope_applies(in_everyone, as({"Group", "everyone"})));     // reflexive
  CHECK_FALSE(scope_applies(in_everyone, as({"User", "nobody"})));  // not in the store
  CHECK_FALSE(scope_applies(R"(principal in Group::"admins", action, resource)", as({"User", "alice"})));
  CHECK(scope_applies(R"(principal in User::"alice", action, resource)", as({"User", "alice"})));
  // Reflexive even for an entity missing from the store.
  CHECK(scope_applies(R"(principal in User::"nobody", action, resource)", as({"User", "nobody"})));

  CHECK(scope_applies("principal is User, action, resource", as({"User", "alice"})));
  CHECK(scope_applies("principal is User, action, resource", as({"User", "nobody"})));
  CHECK_FALSE(scope_applies("principal is User, action, resource", as({"Group", "staff"})));
  CHECK_FALSE(scope_applies("principal is User, action, resource", as({"Acme::User", "carol"})));
  CHECK(scope_applies("principal is Acme::User, action, resource", as({"Acme::User", "carol"})));

  const char* group_in_everyone = R"(principal is Group in Group::"everyone", action, resource)";
  CHECK(scope_applies(group_in_everyone, as({"Group", "staff"})));
  CHECK(scope_applies(group_in_everyone, as({"Group", "everyone"})));
  CHECK_FALSE(scope_applies(group_in_everyone, as({"User", "alice"})));  // in, but the wrong type
  CHECK_FALSE(scope_applies(group_in_everyone, as({"Group", "elsewhere"})));
  CHECK(scope_applies(R"(principal is Acme::User in Group::"everyone", action, resource)",
                      as({"Acme::User", "carol"})));
}

TEST_CASE("scope: resource ==, in, is, is-in") {
  CHECK(scope_applies(R"(principal, action, resource == Doc::"d1")", alice_reads()));
  CHECK_FALSE(scope_applies(R"(principal, action, resource == Doc::"d2")", alice_reads()));
  CHECK(scope_applies(R"(principal, action, resource in Folder::"root")", alice_reads()));
  CHECK(scope_applies(R"(principal, action, resource in Folder::"f1")", alice_reads()));
  CHECK(scope_applies(R"(principal, action, resource in Folder::"root")", alice_reads({"Folder", "f1"})));
  CHECK_FALSE(
      scope_applies(R"(principal, action, resource in Folder::"f1")", alice_reads({"Folder", "root"})));
  CHECK(scope_applies("principal, action, resource is Doc", alice_reads()));
  CHECK_FALSE(scope_applies("principal, action, resource is Folder", alice_reads()));
  CHECK(scope_applies(R"(principal, action, resource is Doc in Folder::"root")", alice_reads()));
  CHECK_FALSE(scope_applies(R"(principal, action, resource is Folder in Folder::"root")", alice_reads()));
  CHECK_FALSE(scope_applies(R"(principal, action, resource is Doc in Folder::"other")", alice_reads()));
  // All three constraints must hold.
  CHECK_FALSE(scope_applies(R"(principal == User::"bob", action, resource is Doc)", alice_reads()));
}

TEST_CASE("scope: action ==, in an action group (from entity parents), action lists") {
  const char* eq_read = R"(principal, action == Action::"read", resource)";
  CHECK(scope_applies(eq_read, doing("read")));
  CHECK_FALSE(scope_applies(eq_read, doing("list")));
  CHECK_FALSE(scope_applies(eq_read, doing("readOnly")));

  const char* in_read_only = R"(principal, action in Action::"readOnly", resource)";
  CHECK(scope_applies(in_read_only, doing("read")));
  CHECK(scope_applies(in_read_only, doing("list")));
  CHECK(scope_applies(in_read_only, doing("readOnly")));  // reflexive
  CHECK_FALSE(scope_applies(in_read_only, doing("write")));
  CHECK_FALSE(scope_applies(in_read_only, doing("all")));
  CHECK_FALSE(scope_applies(in_read_only, doing("ghost")));  // not in the store

  const char* in_all = R"(principal, action in Action::"all", resource)";
  CHECK(scope_applies(in_all, doing("read")));  // read -> readOnly -> all
  CHECK(scope_applies(in_all, doing("write")));
  CHECK_FALSE(scope_applies(in_all, doing("ghost")));

  const char* list = R"(principal, action in [Action::"write", Action::"readOnly"], resource)";
  CHECK(scope_applies(list, doing("read")));  // through the group
  CHECK(scope_applies(list, doing("list")));
  CHECK(scope_applies(list, doing("write")));
  CHECK_FALSE(scope_applies(list, doing("all")));
  CHECK_FALSE(scope_applies(list, doing("delete")));

  // An action missing from the store still matches `==` and a list naming it.
  CHECK(scope_applies(R"(principal, action == Action::"ghost", resource)", doing("ghost")));
  CHECK(scope_applies(R"(principal, action in [Action::"read", Action::"ghost"], resource)", doing("ghost")));
  CHECK(scope_applies(R"(principal, action in [Action::"read", Action::"read"], resource)", doing("read")));
}

TEST_CASE("scope: many policies over the action index give every match, in policy order") {
  const policy_set policies = compile_ok(R"cedar(
    @id("any") permit (principal, action, resource);
    @id("eq-read") permit (principal, action == Action::"read", resource);
    @id("in-all") permit (principal, action in Action::"all", resource);
    @id("eq-write") permit (principal, action == Action::"write", resource);
    @id("list") permit (principal, action in [Action::"list", Action::"write"], resource);
    @id("in-ro") permit (principal, action in Action::"readOnly", resource);
    @id("eq-ro") permit (principal, action == Action::"readOnly", resource);
    @id("ghost") permit (principal, action in [Action::"ghost"], resource);
    @id("in-ro-2") permit (principal, action in [Action::"readOnly", Action::"all"], resource);
  )cedar");
  CHECK(decide(policies, doing("read")).reasons == ids{"any", "eq-read", "in-all", "in-ro", "in-ro-2"});
  CHECK(decide(policies, doing("list")).reasons == ids{"any", "in-all", "list", "in-ro", "in-ro-2"});
  CHECK(decide(policies, doing("write")).reasons == ids{"any", "in-all", "eq-write", "list", "in-ro-2"});
  CHECK(decide(policies, doing("readOnly")).reasons == ids{"any", "in-all", "in-ro", "eq-ro", "in-ro-2"});
  CHECK(decide(policies, doing("all")).reasons == ids{"any", "in-all", "in-ro-2"});
  CHECK(decide(policies, doing("ghost")).reasons == ids{"any", "ghost"});
  CHECK(decide(policies, doing("other")).reasons == ids{"any"});
  // An action of another type, or namespaced, is a different entity.
  CHECK(decide(policies, make_request({"User", "alice"}, {"Acme::Action", "read"}, {"Doc", "d1"})).reasons ==
        ids{"any"});
}

TEST_CASE("scope: policies anchored on principal or resource constraints under every action form") {
  const policy_set policies = compile_ok(R"cedar(
    @id("pe") permit (principal == User::"alice", action in Action::"readOnly", resource);
    @id("pin") permit (principal in Group::"everyone", action, resource);
    @id("pis") permit (principal is User, action == Action::"read", resource);
    @id("pisin")
    permit (principal is User in Group::"admins", action in [Action::"read", Action::"write"], resource);
    @id("re") permit (principal, action, resource == Doc::"d1");
    @id("rin") permit (principal, action in Action::"all", resource in Folder::"root");
    @id("ris") permit (principal, action, resource is Folder);
    @id("risin") permit (principal, action == Action::"list", resource is Doc in Folder::"f1");
    @id("both") permit (principal == User::"bob", action, resource == Doc::"d1");
    @id("ghost-p") permit (principal == User::"nobody", action, resource);
    @id("acme") permit (principal is Acme::User, action, resource);
  )cedar");
  auto reasons = [&](entity_ref principal, std::string action, entity_ref resource) {
    return decide(policies,
                  make_request(std::move(principal), {"Action", std::move(action)}, std::move(resource)))
        .reasons;
  };
  CHECK(reasons({"User", "alice"}, "read", {"Doc", "d1"}) == ids{"pe", "pin", "pis", "re", "rin"});
  CHECK(reasons({"User", "bob"}, "write", {"Doc", "d1"}) == ids{"pin", "pisin", "re", "rin", "both"});
  CHECK(reasons({"User", "alice"}, "list", {"Folder", "f1"}) == ids{"pe", "pin", "rin", "ris"});
  CHECK(reasons({"User", "alice"}, "list", {"Doc", "d1"}) == ids{"pe", "pin", "re", "rin", "risin"});
  CHECK(reasons({"User", "nobody"}, "ghost", {"Doc", "d9"}) == ids{"ghost-p"});
  CHECK(reasons({"Acme::User", "carol"}, "read", {"Folder", "root"}) == ids{"pin", "rin", "ris", "acme"});
}

// ---------------------------------------------------------------------------------------------
// Conditions (section 4).

TEST_CASE("when and unless: every when true, every unless false") {
  CHECK(
      decide(R"(permit (principal, action, resource) when { true } unless { false } when { context.flag };)")
          .outcome == verdict::allow);
  CHECK(decide(R"(permit (principal, action, resource) when { true } unless { context.flag };)").outcome ==
        verdict::deny);
  CHECK(decide(R"(permit (principal, action, resource) unless { context.amount > 1000 };)").outcome ==
        verdict::allow);
  CHECK(decide(R"(permit (principal, action, resource) when { context.amount > 1000 };)").outcome ==
        verdict::deny);
}

TEST_CASE("conditions run left to right and stop at the first that fails") {
  decision d = decide(R"(permit (principal, action, resource) when { false } when { 1 + "a" == 2 };)");
  CHECK(d.outcome == verdict::deny);
  CHECK(d.errors.empty());
  d = decide(R"(permit (principal, action, resource) unless { true } when { principal.nope };)");
  CHECK(d.errors.empty());
  d = decide(R"(permit (principal, action, resource) when { 1 + "a" == 2 } when { false };)");
  CHECK(error_ids(d) == ids{"policy0"});
  d = decide(R"(permit (principal, action, resource) when { true } unless { principal.nope };)");
  CHECK(error_ids(d) == ids{"policy0"});
  CHECK(contains(d.errors[0].message, "nope"));
}

TEST_CASE("a policy whose scope does not match raises no error from its conditions") {
  const decision d = decide(R"cedar(
    forbid (principal == User::"bob", action, resource) when { principal.nope };
    permit (principal, action == Action::"write", resource) when { 1 + "a" == 2 };
    permit (principal, action, resource is Folder) when { context.nope };
  )cedar");
  CHECK(d.outcome == verdict::deny);
  CHECK(d.errors.empty());
  CHECK_FALSE(d.failed_closed);
}

TEST_CASE("a condition that is not a Bool is a type error") {
  CHECK(eval("1") == "error");
  CHECK(eval(R"("true")") == "error");
  CHECK(eval("context.r") == "error");
  const decision d = decide(R"(permit (principal, action, resource) unless { context.amount };)");
  CHECK(error_ids(d) == ids{"policy0"});
}

// ---------------------------------------------------------------------------------------------
// Boolean operators and if-then-else (6.1, 6.2).

TEST_CASE("&& and || short-circuit; their operands must be Bools") {
  CHECK(eval(R"(false && (1 + "a" == 2))") == "false");
  CHECK(eval("false && principal.nope") == "false");
  CHECK(eval("false && 3") == "false");
  CHECK(eval(R"(true || (1 + "a" == 2))") == "true");
  CHECK(eval("true || principal.nope") == "true");
  CHECK(eval("true || 3") == "true");
  CHECK(eval("true && principal.nope") == "error");
  CHECK(eval("false || principal.nope") == "error");
  CHECK(eval("true && 3") == "error");
  CHECK(eval("false || 3") == "error");
  CHECK(eval("3 || true") == "error");
  CHECK(eval("3 && false") == "error");
  CHECK(eval("!8") == "error");
  CHECK(eval("!false") == "true");
  CHECK(eval("!!true") == "true");
  CHECK(eval("true && true && !false") == "true");
  CHECK(eval("false || false || true") == "true");
  CHECK(eval("true && false || true") == "true");  // && binds tighter
  CHECK(eval("(principal has level && principal.level > 5) || !(principal has level)") == "true");
  CHECK(contains(error_of("true && 3"), "&&"));
  CHECK(contains(error_of("false || 3"), "||"));
}

TEST_CASE("if-then-else evaluates only the chosen branch") {
  CHECK(eval("if true then true else (1 + \"a\" == 2)") == "true");
  CHECK(eval("if false then principal.nope else true") == "true");
  CHECK(eval("if context.amount > 100 then context.flag else false") == "true");
  CHECK(eval("if context.amount > 1000 then true else false") == "false");
  CHECK(eval("if true then principal.nope else true") == "error");
  CHECK(eval("if 1 then true else false") == "error");
  CHECK(eval("if principal.nope then true else true") == "error");
  // The branches may have different types; only the chosen one matters.
  CHECK(eval(R"((if context.flag then 1 else "one") == 1)") == "true");
  CHECK(eval(R"((if !context.flag then 1 else "one") == "one")") == "true");
  // The else branch of `if a then b else c || d` is `c || d`.
  CHECK(eval("if false then false else false || true") == "true");
  CHECK(eval("true && (if false then 1 else true)") == "true");
}

// ---------------------------------------------------------------------------------------------
// Equality, comparison and arithmetic (6.3 to 6.5).

TEST_CASE("== is defined across types and is false there, never an error") {
  CHECK(eval("1 == 1") == "true");
  CHECK(eval(R"(5 == "5")") == "false");
  CHECK(eval(R"(5 != "5")") == "true");
  CHECK(eval("1 == true") == "false");
  CHECK(eval("[1] == 1") == "false");
  CHECK(eval(R"(User::"alice" == Admin::"alice")") == "false");
  CHECK(eval(R"(principal == User::"alice")") == "true");
  CHECK(eval(R"(principal != User::"bob")") == "true");
  CHECK(eval(R"(principal == "alice")") == "false");
  CHECK(eval("context.r == {x: 1, y: {z: \"deep\"}}") == "true");
  CHECK(eval("{a: 1} == {a: 1, b: 2}") == "false");
  CHECK(eval("{a: 1} == {a: true}") == "false");
  CHECK(eval(R"(decimal("1.0") == decimal("1.0000"))") == "true");
  CHECK(eval(R"(decimal("1.0") == 1)") == "false");
  CHECK(eval(R"(datetime("2024-08-21") == datetime("2024-08-21T00:00:00.000Z"))") == "true");
  CHECK(eval(R"(ip("10.0.0.1/24") == ip("10.0.0.8/24"))") == "false");
  CHECK(eval(R"(ip("10.0.0.1") == ip("10.0.0.1"))") == "true");
  CHECK(eval(R"(context.src == ip("192.168.1.10"))") == "true");
  CHECK(eval(R"(context.who == User::"bob")") == "true");
  CHECK(eval(R"(resource.owner == principal)") == "true");
  // The operands themselves may still fail.
  CHECK(eval("principal.nope == 1") == "error");
}

TEST_CASE("<, <=, >, >= order Longs, datetimes and durations; anything else is a type error") {
  CHECK(eval("3 < 303") == "true");
  CHECK(eval("3 <= 3") == "true");
  CHECK(eval("3 > 3") == "false");
  CHECK(eval("4 >= 3") == "true");
  CHECK(eval("-5 < 2") == "true");
  CHECK(eval("context.small < context.big") == "true");
  CHECK(eval(R"(datetime("2025-01-01") < datetime("2025-01-02"))") == "true");
  CHECK(eval(R"(context.now >= datetime("2025-06-01"))") == "true");
  CHECK(eval(R"(duration("90m") > duration("1h"))") == "true");
  CHECK(eval(R"(duration("-1ms") < duration("0ms"))") == "true");
  CHECK(eval(R"("a" < "b")") == "error");
  CHECK(eval("true < false") == "error");
  CHECK(eval(R"(1 < "2")") == "error");
  CHECK(eval(R"("1" >= 2)") == "error");
  CHECK(eval("[1] <= [2]") == "error");
  CHECK(eval(R"(principal > User::"bob")") == "error");
  CHECK(eval(R"(decimal("1.5") < decimal("2.0"))") == "error");
  CHECK(eval(R"(datetime("2025-01-01") < duration("1h"))") == "error");
  CHECK(eval(R"(duration("1h") > 1)") == "error");
  CHECK(contains(error_of(R"("a" < "b")"), "type error"));
}

TEST_CASE("Long arithmetic; overflow on + - * and unary minus is an error") {
  CHECK(eval("1 + 2 == 3") == "true");
  CHECK(eval("5 - 7 == -2") == "true");
  CHECK(eval("6 * 7 == 42") == "true");
  CHECK(eval("-(-5) == 5") == "true");
  CHECK(eval("10 - 3 - 2 == 5") == "true");         // left-associative
  CHECK(eval("2 + 3 * 4 == 14") == "true");         // * binds tighter
  CHECK(eval("-context.r.x == -1") == "true");      // `-x.y` is `-(x.y)`
  CHECK(eval("!context.flag == false") == "true");  // `!x.y` is `!(x.y)`, then `==`
  CHECK(eval("context.amount * context.amount == 22500") == "true");
  CHECK(eval("-9223372036854775808 == -9223372036854775807 - 1") == "true");
  CHECK(eval("context.big + context.small == -1") == "true");
  CHECK(eval("context.big * -1 == -9223372036854775807") == "true");
  CHECK(eval("context.small + 0 == context.small") == "true");

  CHECK(eval("9223372036854775807 + 1 == 0") == "error");
  CHECK(eval("context.big + 1 == 0") == "error");
  CHECK(eval("context.small - 1 == 0") == "error");
  CHECK(eval("-9223372036854775807 - 2 == 0") == "error");
  CHECK(eval("4611686018427387904 * 2 == 0") == "error");
  CHECK(eval("context.small * -1 == 0") == "error");
  CHECK(eval("-(-9223372036854775807 - 1) == 0") == "error");
  CHECK(eval("-context.small == 0") == "error");
  // Operands are not reordered: the first step already overflows.
  CHECK(eval("9223372036854775807 + 1 - 1 == 9223372036854775807") == "error");
  CHECK(contains(error_of("context.big + 1 == 0"), "overflow"));
  CHECK(contains(error_of("context.small * 2 == 0"), "overflow"));
  CHECK(contains(error_of("-context.small == 0"), "overflow"));

  CHECK(eval(R"(1 + "a" == 2)") == "error");
  CHECK(eval(R"("a" + "b" == "ab")") == "error");
  CHECK(eval("true * 2 == 2") == "error");
  CHECK(eval(R"(-"a" == 1)") == "error");
  CHECK(eval("-context.flag == 1") == "error");
  CHECK(contains(error_of(R"(1 + "a" == 2)"), "type error"));
}

// ---------------------------------------------------------------------------------------------
// in, has, attribute access (6.6 to 6.9).

TEST_CASE("in: hierarchy, sets of entities, and type errors on non-entities") {
  CHECK(eval(R"(principal in Group::"everyone")") == "true");
  CHECK(eval(R"(principal in Group::"admins")") == "false");
  CHECK(eval("principal in principal") == "true");
  CHECK(eval(R"(User::"nobody" in User::"nobody")") == "true");   // reflexive, missing entity
  CHECK(eval(R"(User::"nobody" in Group::"staff")") == "false");  // missing entity: false, not an error
  CHECK(eval(R"(context.who in Group::"staff")") == "true");      // bob -> admins -> staff
  CHECK(eval(R"(principal in [Group::"admins", Group::"staff"])") == "true");
  CHECK(eval(R"(principal in [Group::"admins", Folder::"root"])") == "false");
  CHECK(eval("principal in []") == "false");
  CHECK(eval(R"(resource in [Folder::"root"])") == "true");
  CHECK(eval(R"(action in Action::"all")") == "true");
  CHECK(eval(R"(action in [Action::"write"])") == "false");

  CHECK(eval(R"(1 in Group::"staff")") == "error");
  CHECK(eval(R"("alice" in [Group::"staff"])") == "error");
  CHECK(eval("principal in 1") == "error");
  CHECK(eval(R"(principal in "staff")") == "error");
  CHECK(eval(R"(principal in [1])") == "error");
  CHECK(eval(R"(principal in {g: Group::"staff"})") == "error");
  // Every element is checked, even after a match.
  CHECK(eval(R"(principal in [Group::"staff", 1])") == "error");
  CHECK(contains(error_of("principal in 1"), "type error"));
}

TEST_CASE("has on records, entities, missing entities and dotted paths") {
  CHECK(eval("context has flag") == "true");
  CHECK(eval("context has nope") == "false");
  CHECK(eval(R"(context has "spaced key")") == "true");
  CHECK(eval("context.r has x") == "true");
  CHECK(eval("context.r has z") == "false");
  CHECK(eval("{a: 1} has a") == "true");
  CHECK(eval("principal has age") == "true");
  CHECK(eval("principal has level") == "false");
  CHECK(eval("resource has owner") == "true");
  CHECK(eval(R"(User::"nobody" has age)") == "false");  // missing entity: false
  CHECK(eval("principal.ghost has age") == "false");
  CHECK(eval("principal.manager has age") == "true");

  CHECK(eval("principal has address.city") == "true");
  CHECK(eval("principal has address.country") == "false");
  CHECK(eval("principal has address.zip.code") == "true");
  CHECK(eval("principal has address.zip.plus4") == "false");
  CHECK(eval("principal has nope.city") == "false");
  CHECK(eval("context has r.y.z") == "true");
  CHECK(eval("context has r.y.w") == "false");
  CHECK(eval("principal has ghost.age") == "false");  // the reference leads to a missing entity
  CHECK(eval("principal has manager.age") == "true");

  CHECK(eval("1 has a") == "error");
  CHECK(eval(R"("s" has a)") == "error");
  CHECK(eval("context.amount has a") == "error");
  // `a has b.c` is `a has b && a.b has c`: a String in the middle is a type error.
  CHECK(eval("principal has address.city.x") == "error");
  CHECK(eval("principal.nope has a") == "error");
}

TEST_CASE("attribute access: missing attribute or missing entity is an error") {
  CHECK(eval("principal.age == 30") == "true");
  CHECK(eval(R"(principal["age"] == 30)") == "true");
  CHECK(eval(R"(principal.address["zip"].code == "75001")") == "true");
  CHECK(eval(R"(context["spaced key"] == 7)") == "true");
  CHECK(eval("principal.manager.age == 50") == "true");  // entity references are followed
  CHECK(eval(R"(resource.owner.manager.department == "eng")") == "true");
  CHECK(eval(R"(context.r.y.z == "deep")") == "true");
  CHECK(eval("{a: {b: 2}}.a.b == 2") == "true");

  const std::string missing = error_of("principal.level > 1");
  CHECK(contains(missing, "level"));
  CHECK(contains(missing, "alice"));
  const std::string no_entity = error_of("principal.ghost.age == 1");
  CHECK(contains(no_entity, R"(User::"nobody")"));
  CHECK(eval(R"(User::"nobody".age == 1)") == "error");
  CHECK(eval("context.nope == 1") == "error");
  CHECK(contains(error_of("context.nope == 1"), "nope"));
  CHECK(eval("context.r.z == 1") == "error");
  CHECK(eval("context.amount.x == 1") == "error");  // neither a record nor an entity
  CHECK(eval(R"(context.s["x"] == 1)") == "error");
  CHECK(eval("{a: 1}.b == 1") == "error");
  // Guarded access does not fail.
  CHECK(eval("principal has level && principal.level > 1") == "false");
}

// ---------------------------------------------------------------------------------------------
// like, is (6.8, 6.10).

TEST_CASE("like: * matches any run of characters, \\* a literal star") {
  CHECK(eval(R"("ham and eggs" like "*and*")") == "true");
  CHECK(eval(R"("Gotham" like "ham*")") == "false");
  CHECK(eval(R"("Gotham" like "*ham")") == "true");
  CHECK(eval(R"(context.path like "/public/*")") == "true");
  CHECK(eval(R"(context.path like "/private/*")") == "false");
  CHECK(eval(R"("abc" like "abc")") == "true");
  CHECK(eval(R"("abc" like "ab")") == "false");
  CHECK(eval(R"("ab" like "abc")") == "false");
  CHECK(eval(R"("" like "*")") == "true");
  CHECK(eval(R"("" like "")") == "true");
  CHECK(eval(R"("a" like "")") == "false");
  CHECK(eval(R"("abc" like "a*c")") == "true");
  CHECK(eval(R"("ac" like "a*c")") == "true");
  CHECK(eval(R"("abcbc" like "*bc")") == "true");
  CHECK(eval(R"("abcbd" like "*bc")") == "false");
  CHECK(eval(R"("aXbYc" like "a*b*c")") == "true");
  CHECK(eval(R"("aXcYb" like "a*b*c")") == "false");
  CHECK(eval(R"("abc" like "a**c")") == "true");
  CHECK(eval(R"("mississippi" like "*sip*")") == "true");
  CHECK(eval(R"("mississippi" like "m*iss*ppi")") == "true");
  CHECK(eval(R"("héllo wörld" like "h*o w*d")") == "true");

  CHECK(eval(R"("string*with*stars" like "string\*with\*stars")") == "true");
  CHECK(eval(R"("stringXwithXstars" like "string\*with\*stars")") == "false");
  CHECK(eval(R"("a*b" like "a\**")") == "true");  // a literal star, then a wildcard
  CHECK(eval(R"("ab" like "a\**")") == "false");
  CHECK(eval(R"("*" like "\*")") == "true");
  CHECK(eval(R"("x" like "\*")") == "false");

  CHECK(eval(R"(1 like "*")") == "error");
  CHECK(eval(R"(principal like "*")") == "error");
}

TEST_CASE("is tests the entity type; is-in adds the hierarchy") {
  CHECK(eval("principal is User") == "true");
  CHECK(eval("principal is Group") == "false");
  CHECK(eval("resource is Doc") == "true");
  CHECK(eval(R"(Acme::User::"x" is Acme::User)") == "true");
  CHECK(eval(R"(Acme::User::"x" is User)") == "false");
  CHECK(eval(R"(User::"x" is Acme::User)") == "false");
  CHECK(eval("context.who is User") == "true");
  CHECK(eval("1 is User") == "error");
  CHECK(eval("context is User") == "error");
  CHECK(contains(error_of(R"("alice" is User)"), "type error"));

  CHECK(eval(R"(principal is User in Group::"everyone")") == "true");
  CHECK(eval(R"(principal is User in Group::"admins")") == "false");
  CHECK(eval(R"(principal is Group in Group::"everyone")") == "false");
  CHECK(eval(R"(principal is User in [Group::"admins", Group::"staff"])") == "true");
  CHECK(eval("principal is User in principal") == "true");
  CHECK(eval(R"(1 is User in Group::"staff")") == "error");
  CHECK(eval("principal is User in 1") == "error");
  // `e is T in x` is `e is T && e in x`: a wrong type short-circuits.
  CHECK(eval("principal is Group in 1") == "false");
  CHECK(eval("principal is Group in principal.nope") == "false");
}

// ---------------------------------------------------------------------------------------------
// Methods, tags, literals, extensions (6.11 to 6.13).

TEST_CASE("contains, containsAll, containsAny, isEmpty") {
  CHECK(eval(R"(principal.roles.contains("viewer"))") == "true");
  CHECK(eval(R"(principal.roles.contains("admin"))") == "false");
  CHECK(eval("[1, 2, 3].contains(2)") == "true");
  CHECK(eval(R"([1, 2, 3].contains("2"))") == "false");
  CHECK(eval("[[1, 2]].contains([2, 1, 1])") == "true");
  CHECK(eval("[{a: 1}].contains({a: 1})") == "true");
  CHECK(eval(R"([principal, resource].contains(User::"alice"))") == "true");
  CHECK(eval(R"(principal.roles.containsAll(["viewer", "editor"]))") == "true");
  CHECK(eval(R"(principal.roles.containsAll(["viewer", "admin"]))") == "false");
  CHECK(eval("[1, 2].containsAll([])") == "true");
  CHECK(eval("[].containsAll([])") == "true");
  CHECK(eval(R"(principal.roles.containsAny(["admin", "editor"]))") == "true");
  CHECK(eval(R"(principal.roles.containsAny(["admin"]))") == "false");
  CHECK(eval("[].containsAny([1])") == "false");
  CHECK(eval("[1].containsAny([])") == "false");
  CHECK(eval("[].isEmpty()") == "true");
  CHECK(eval("[1].isEmpty()") == "false");
  CHECK(eval("!resource.labels.isEmpty()") == "true");

  CHECK(eval(R"("abc".contains("a"))") == "error");
  CHECK(eval("context.r.contains(1)") == "error");
  CHECK(eval("[1].containsAll(1)") == "error");
  CHECK(eval("1.containsAny([1])") == "error");
  CHECK(eval("{a: 1}.isEmpty()") == "error");
  CHECK(eval(R"("".isEmpty())") == "error");
  CHECK(eval("principal.nope.contains(1)") == "error");
}

TEST_CASE("hasTag and getTag") {
  CHECK(eval(R"(principal.hasTag("department"))") == "true");
  CHECK(eval(R"(principal.hasTag("age"))") == "false");              // attributes are not tags
  CHECK(eval("principal.hasTag(context.key)") == "true");            // a computed key
  CHECK(eval(R"(User::"nobody".hasTag("department"))") == "false");  // missing entity: false
  CHECK(eval(R"(principal.getTag("department") == "eng")") == "true");
  CHECK(eval(R"(principal.getTag("level") == 3)") == "true");
  CHECK(eval(R"(resource.hasTag("k") && resource.getTag("k") == "allowed")") == "true");
  CHECK(eval(R"(principal.hasTag("x") && principal.getTag("x") == 1)") == "false");

  CHECK(eval(R"(principal.getTag("x") == 1)") == "error");  // missing tag
  CHECK(contains(error_of(R"(principal.getTag("x") == 1)"), "x"));
  CHECK(eval(R"(User::"nobody".getTag("department") == "eng")") == "error");
  CHECK(eval("principal.hasTag(1)") == "error");
  CHECK(eval("principal.getTag(1) == 1") == "error");
  CHECK(eval(R"(context.r.hasTag("x"))") == "error");
  CHECK(eval(R"("alice".getTag("x") == 1)") == "error");
}

TEST_CASE("set and record literals; set equality ignores order and duplicates") {
  CHECK(eval("[1, 2, 40] == [40, 1, 2, 2]") == "true");
  CHECK(eval("[1, 2] == [1, 2, 3]") == "false");
  CHECK(eval("[] == []") == "true");
  CHECK(eval("[[1], [2]] == [[2], [1, 1]]") == "true");
  CHECK(eval(R"([1, "1"].contains("1"))") == "true");
  CHECK(eval(R"([principal, principal] == [User::"alice"])") == "true");
  CHECK(eval(R"({a: 1, "b c": {d: [1, 2]}} == {"b c": {d: [2, 1, 1]}, a: 1})") == "true");
  CHECK(eval("{a: 1}.a == 1") == "true");
  CHECK(eval(R"({a: 1}["a"] == 1)") == "true");
  CHECK(eval("{a: context.amount + 1}.a == 151") == "true");
  CHECK(eval("{} == {}") == "true");
  CHECK(eval("{a: []} has a") == "true");
  CHECK(eval(R"([1, 1 + "a"] == [1])") == "error");
  CHECK(eval("{a: principal.nope} == {}") == "error");
  CHECK(eval("[context.big + 1].isEmpty()") == "error");
}

TEST_CASE("extension functions: ip, decimal, datetime, duration") {
  CHECK(eval(R"(ip("10.0.0.1").isInRange(ip("10.0.0.0/8")))") == "true");
  CHECK(eval(R"(ip("11.0.0.1").isInRange(ip("10.0.0.0/8")))") == "false");
  CHECK(eval(R"(context.src.isInRange(ip("192.168.0.0/16")))") == "true");
  CHECK(eval(R"(ip("10.0.0.0/16").isInRange(ip("10.0.0.0/8")))") == "true");
  CHECK(eval(R"(ip("10.0.0.0/8").isInRange(ip("10.0.0.0/16")))") == "false");
  CHECK(eval(R"(ip("::1").isInRange(ip("10.0.0.0/8")))") == "false");  // across families
  CHECK(eval(R"(ip("::1").isLoopback() && ip("::1").isIpv6())") == "true");
  CHECK(eval("ip(context.ipstr).isLoopback()") == "true");  // a computed argument
  CHECK(eval(R"(ip("224.0.0.1").isMulticast() && ip("224.0.0.1").isIpv4())") == "true");
  CHECK(eval(R"(ip("300.1.1.1").isIpv4())") == "error");  // bad literal: an evaluation error
  CHECK(eval("ip(1).isIpv4()") == "error");
  CHECK(eval(R"(ip("10.0.0.1").isInRange("10.0.0.0/8"))") == "error");
  CHECK(eval(R"(context.src < ip("10.0.0.1"))") == "error");

  CHECK(eval(R"(decimal("1.5").lessThan(decimal("2.0")))") == "true");
  CHECK(eval(R"(decimal("2.0").lessThan(decimal("1.5")))") == "false");
  CHECK(eval(R"(decimal("1.5").lessThanOrEqual(decimal("1.50")))") == "true");
  CHECK(eval(R"(decimal("-0.0123").greaterThan(decimal("-0.1")))") == "true");
  CHECK(eval(R"(context.price.greaterThanOrEqual(decimal("12.5")))") == "true");
  CHECK(eval(R"(context.price.lessThan(decimal("12.4999")))") == "false");
  CHECK(eval(R"(decimal("1.23456").lessThan(decimal("2.0")))") == "error");
  CHECK(eval(R"(decimal("1").lessThan(decimal("2.0")))") == "error");
  CHECK(eval(R"(decimal("1.0").lessThan(2))") == "error");
  CHECK(eval(R"(decimal("1.0").isInRange(ip("10.0.0.0/8")))") == "error");

  CHECK(eval(R"(datetime("2025-01-31T12:00:00Z") > datetime("2025-01-31"))") == "true");
  CHECK(eval(R"(datetime("2025-01-01T01:00:00+0100") == datetime("2025-01-01"))") == "true");
  CHECK(eval(R"(context.now.toDate() == datetime("2025-06-01"))") == "true");
  CHECK(eval(R"(context.now.toTime() == duration("10h30m"))") == "true");
  CHECK(eval(R"(context.now.durationSince(datetime("2025-05-31")) == duration("1d10h30m"))") == "true");
  CHECK(eval(R"(datetime("2025-05-31").offset(duration("1d")) == datetime("2025-06-01"))") == "true");
  CHECK(eval(R"(duration("1d2h3m4s5ms").toMilliseconds() == 93784005)") == "true");
  CHECK(eval(R"(duration("-90m").toHours() == -1)") == "true");
  CHECK(eval(R"(duration("36h").toDays() == 1)") == "true");
  CHECK(eval(R"(datetime("2025-13-01") < context.now)") == "error");
  CHECK(eval(R"(duration("1x") < duration("1h"))") == "error");
  CHECK(eval(R"(duration("") < duration("1h"))") == "error");
  CHECK(eval(R"(datetime("2025-01-01").offset(1) == context.now)") == "error");
  CHECK(eval(R"(context.now.offset(duration("106751991167d")) > context.now)") == "error");  // overflow
  CHECK(eval(R"(duration("1h").toDate() == 1)") == "error");
}

// ---------------------------------------------------------------------------------------------
// The decision lattice (section 10).

TEST_CASE("forbid beats permit; the determining policies are the satisfied forbids") {
  const decision d = decide(R"cedar(
    @id("p") @reason("anyone may read") permit (principal, action, resource);
    @id("f1") @reason("not on Sundays") forbid (principal, action, resource) when { context.flag };
    @id("ra") @approvers("x") require_approval (principal, action, resource);
    @id("f2") forbid (principal, action, resource) when { false };
    @id("f3") @response("terminate") forbid (principal in Group::"everyone", action, resource);
  )cedar");
  CHECK(d.outcome == verdict::deny);
  CHECK_FALSE(d.allowed());
  CHECK(d.reasons == ids{"f1", "f3"});
  CHECK(d.errors.empty());
  CHECK_FALSE(d.failed_closed);
  REQUIRE(d.annotations.size() == 4);  // f1's @id and @reason, f3's @id and @response
  CHECK(d.annotations[0].policy == "f1");
  CHECK(d.annotations[0].key == "id");
  CHECK(d.annotations[1].key == "reason");
  CHECK(d.annotations[1].value == "not on Sundays");
  CHECK(d.annotations[2].policy == "f3");
  CHECK(d.annotations[3].key == "response");
  CHECK(d.annotations[3].value == "terminate");
}

TEST_CASE("no satisfied permit: default deny with no reasons and no annotations") {
  const decision d = decide(R"cedar(
    @id("p") @reason("never") permit (principal, action, resource) when { false };
    @id("f") @reason("never either") forbid (principal, action, resource) when { false };
    @id("ra") @approvers("x") require_approval (principal, action, resource);
  )cedar");
  CHECK(d.outcome == verdict::deny);
  CHECK(d.reasons.empty());
  CHECK(d.annotations.empty());
  CHECK(d.errors.empty());
  CHECK_FALSE(d.failed_closed);

  const decision empty = decide("");
  CHECK(empty.outcome == verdict::deny);
  CHECK(empty.reasons.empty());
}

TEST_CASE("require_approval with a permit: reasons are the satisfied approvals and permits in policy order") {
  const decision d = decide(R"cedar(
    @id("p1") permit (principal, action, resource);
    @id("ra1") @approvers("billing-admins") @reason("payments above 100 need a human")
    require_approval (principal, action, resource) when { context.amount > 100 };
    @id("p-no") @reason("not satisfied") permit (principal, action, resource) when { false };
    @id("p2") permit (principal is User, action, resource);
    @id("ra-no") @approvers("nobody")
    require_approval (principal, action, resource) when { context.amount > 1000 };
    @id("ra2") @experimental require_approval (principal, action == Action::"read", resource);
    @id("f-no") @reason("not satisfied") forbid (principal, action, resource) unless { true };
  )cedar");
  CHECK(d.outcome == verdict::require_approval);
  CHECK_FALSE(d.allowed());
  CHECK(d.reasons == ids{"p1", "ra1", "p2", "ra2"});
  CHECK_FALSE(d.failed_closed);
  std::vector<std::string> seen;
  for (const auto& a : d.annotations) seen.push_back(a.policy + "." + a.key + "=" + a.value);
  CHECK(seen == ids{"p1.id=p1", "ra1.id=ra1", "ra1.approvers=billing-admins",
                    "ra1.reason=payments above 100 need a human", "p2.id=p2", "ra2.id=ra2",
                    "ra2.experimental="});
}

TEST_CASE("require_approval alone is a guard, never a grant") {
  const decision d = decide(R"cedar(
    @id("ra") @approvers("billing-admins") require_approval (principal, action, resource);
    @id("p") permit (principal, action == Action::"write", resource);
  )cedar");
  CHECK(d.outcome == verdict::deny);
  CHECK(d.reasons.empty());
  CHECK(d.annotations.empty());
  CHECK(decide(R"(require_approval (principal, action, resource);)", default_request(), eval_mode::cedar)
            .outcome == verdict::deny);
}

TEST_CASE("allow: the satisfied permits determine it, with their annotations only") {
  const decision d = decide(R"cedar(
    @id("f") @reason("forbidden") forbid (principal, action, resource) when { context.amount > 1000 };
    @reason("readers") permit (principal, action in Action::"readOnly", resource);
    @id("p-no") @reason("not satisfied") permit (principal == User::"bob", action, resource);
    @id("ra") @approvers("x") require_approval (principal, action, resource) when { false };
    @id("owner") permit (principal, action, resource) when { resource.owner == principal };
  )cedar");
  CHECK(d.outcome == verdict::allow);
  CHECK(d.allowed());
  CHECK(d.reasons == ids{"policy1", "owner"});
  REQUIRE(d.annotations.size() == 2);
  CHECK(d.annotations[0].policy == "policy1");
  CHECK(d.annotations[0].key == "reason");
  CHECK(d.annotations[0].value == "readers");
  CHECK(d.annotations[1].policy == "owner");
  CHECK(d.annotations[1].key == "id");
}

TEST_CASE("REFERENCE.md section 10 example") {
  const policy_set policies = compile_ok(R"cedar(
    @id("agent-pay")
    permit (principal is Agent, action == Action::"pay", resource) when { context.amount <= 5000 };

    @id("pay-approval") @approvers("billing-admins") @reason("payments above 100 need a human")
    require_approval (principal is Agent, action == Action::"pay", resource) when { context.amount > 100 };

    @id("no-sanctioned") @reason("payee is sanctioned")
    forbid (principal, action == Action::"pay", resource) when { resource.sanctioned };
  )cedar");
  auto store = entity_store::from_json(R"([
    {"uid": {"type": "Payee", "id": "p"}, "attrs": {"sanctioned": false}},
    {"uid": {"type": "Payee", "id": "bad"}, "attrs": {"sanctioned": true}}
  ])");
  REQUIRE(store);
  auto pay = [&](std::string payee, long amount) {
    return decide(policies,
                  make_request({"Agent", "a1"}, {"Action", "pay"}, {"Payee", std::move(payee)},
                               "{\"amount\": " + std::to_string(amount) + "}"),
                  eval_mode::mandate, *store);
  };
  decision d = pay("p", 50);
  CHECK(d.outcome == verdict::allow);
  CHECK(d.reasons == ids{"agent-pay"});
  d = pay("p", 500);
  CHECK(d.outcome == verdict::require_approval);
  CHECK(d.reasons == ids{"agent-pay", "pay-approval"});
  CHECK(d.annotations.size() == 4);
  d = pay("p", 9000);
  CHECK(d.outcome == verdict::deny);
  CHECK(d.reasons.empty());
  d = pay("bad", 50);
  CHECK(d.outcome == verdict::deny);
  CHECK(d.reasons == ids{"no-sanctioned"});
  REQUIRE(d.annotations.size() == 2);
  CHECK(d.annotations[1].key == "reason");
  CHECK(d.annotations[1].value == "payee is sanctioned");
}

// ---------------------------------------------------------------------------------------------
// Errors and the two modes (section 11).

TEST_CASE("an erroring forbid denies in Mandate mode (failed closed) and is skipped in Cedar mode") {
  const policy_set policies = compile_ok(R"cedar(
    @id("agents-read")
    permit (principal is Agent, action == Action::"read", resource is Document);

    @id("block-restricted")
    @reason("restricted documents need clearance 3")
    forbid (principal, action, resource is Document)
    when { resource.sensitivity == "restricted" && principal.clearance < 3 };
  )cedar");
  auto store = entity_store::from_json(R"([
    {"uid": {"type": "Agent", "id": "a1"}},
    {"uid": {"type": "Document", "id": "d7"}, "attrs": {"sensitivity": "restricted"}},
    {"uid": {"type": "Document", "id": "d8"}, "attrs": {"sensitivity": "public"}}
  ])");
  REQUIRE(store);
  const request d7 = make_request({"Agent", "a1"}, {"Action", "read"}, {"Document", "d7"}, "{}");

  const decision strict = decide(policies, d7, eval_mode::mandate, *store);
  CHECK(strict.outcome == verdict::deny);
  CHECK(strict.reasons == ids{"block-restricted"});
  CHECK(strict.failed_closed);
  CHECK(strict.mode == eval_mode::mandate);
  REQUIRE(strict.errors.size() == 1);
  CHECK(strict.errors[0].policy == "block-restricted");
  CHECK(contains(strict.errors[0].message, "clearance"));
  CHECK(contains(strict.errors[0].message, R"(Agent::"a1")"));
  REQUIRE(strict.annotations.size() == 2);
  CHECK(strict.annotations[1].value == "restricted documents need clearance 3");

  const decision cedar = decide(policies, d7, eval_mode::cedar, *store);
  CHECK(cedar.outcome == verdict::allow);
  CHECK(cedar.reasons == ids{"agents-read"});
  CHECK_FALSE(cedar.failed_closed);
  CHECK(cedar.mode == eval_mode::cedar);
  REQUIRE(cedar.errors.size() == 1);
  CHECK(cedar.errors[0].policy == strict.errors[0].policy);
  CHECK(cedar.errors[0].message == strict.errors[0].message);
  REQUIRE(cedar.annotations.size() == 1);
  CHECK(cedar.annotations[0].policy == "agents-read");

  // d8: the && short-circuits, nothing errs, both modes allow.
  const request d8 = make_request({"Agent", "a1"}, {"Action", "read"}, {"Document", "d8"}, "{}");
  for (const eval_mode mode : {eval_mode::mandate, eval_mode::cedar}) {
    const decision d = decide(policies, d8, mode, *store);
    CHECK(d.outcome == verdict::allow);
    CHECK(d.reasons == ids{"agents-read"});
    CHECK(d.errors.empty());
    CHECK_FALSE(d.failed_closed);
  }
}

TEST_CASE("an erroring forbid with no permit: deny in both modes, not failed closed (it denies anyway)") {
  const char* text = R"(@id("f") forbid (principal, action, resource) when { principal.nope };)";
  const decision strict = decide(text, default_request(), eval_mode::mandate);
  CHECK(strict.outcome == verdict::deny);
  CHECK(strict.reasons == ids{"f"});
  CHECK_FALSE(strict.failed_closed);
  const decision cedar = decide(text, default_request(), eval_mode::cedar);
  CHECK(cedar.outcome == verdict::deny);
  CHECK(cedar.reasons.empty());
  CHECK_FALSE(cedar.failed_closed);
  CHECK(error_ids(cedar) == ids{"f"});
}

TEST_CASE("an erroring permit is skipped in both modes") {
  const char* text = R"cedar(
    @id("bad") @reason("r") permit (principal, action, resource) when { principal.nope };
    @id("good") permit (principal, action, resource);
  )cedar";
  for (const eval_mode mode : {eval_mode::mandate, eval_mode::cedar}) {
    CAPTURE(to_string(mode));
    const decision d = decide(text, default_request(), mode);
    CHECK(d.outcome == verdict::allow);
    CHECK(d.reasons == ids{"good"});
    CHECK(error_ids(d) == ids{"bad"});
    CHECK_FALSE(d.failed_closed);
    REQUIRE(d.annotations.size() == 1);
    CHECK(d.annotations[0].policy == "good");

    const decision alone = decide(R"(@id("bad") permit (principal, action, resource) when { 1 + "a" == 2 };)",
                                  default_request(), mode);
    CHECK(alone.outcome == verdict::deny);
    CHECK(alone.reasons.empty());
    CHECK(error_ids(alone) == ids{"bad"});
    CHECK_FALSE(alone.failed_closed);
  }
}

TEST_CASE(
    "an erroring require_approval: require_approval (failed closed) in Mandate mode, allow in Cedar mode") {
  const char* text = R"cedar(
    @id("p") permit (principal, action, resource);
    @id("ra") @approvers("billing-admins")
    require_approval (principal, action, resource) when { context.nope > 1 };
  )cedar";
  const decision strict = decide(text, default_request(), eval_mode::mandate);
  CHECK(strict.outcome == verdict::require_approval);
  CHECK(strict.reasons == ids{"p", "ra"});
  CHECK(strict.failed_closed);
  CHECK(error_ids(strict) == ids{"ra"});
  REQUIRE(strict.annotations.size() == 3);
  CHECK(strict.annotations[2].key == "approvers");

  const decision cedar = decide(text, default_request(), eval_mode::cedar);
  CHECK(cedar.outcome == verdict::allow);
  CHECK(cedar.reasons == ids{"p"});
  CHECK_FALSE(cedar.failed_closed);
  CHECK(error_ids(cedar) == ids{"ra"});
  REQUIRE(cedar.errors.size() == 1);
  CHECK(cedar.errors[0].message == strict.errors[0].message);

  // Without a permit it is still a default deny: the guard grants nothing even when it errs.
  const char* alone = R"(@id("ra") require_approval (principal, action, resource) when { context.nope };)";
  for (const eval_mode mode : {eval_mode::mandate, eval_mode::cedar}) {
    const decision d = decide(alone, default_request(), mode);
    CHECK(d.outcome == verdict::deny);
    CHECK(d.reasons.empty());
    CHECK_FALSE(d.failed_closed);
    CHECK(error_ids(d) == ids{"ra"});
  }
}

TEST_CASE("errors list every erroring policy in policy order, in both modes") {
  const char* text = R"cedar(
    @id("e1") permit (principal, action, resource) when { 1 + "a" == 2 };
    @id("ok") permit (principal, action, resource);
    forbid (principal, action, resource) when { principal.nope };
    @id("e3") require_approval (principal, action, resource) when { context.big + 1 > 0 };
    @id("skipped") forbid (principal == User::"bob", action, resource) when { principal.nope };
    @id("e4") forbid (principal, action, resource) unless { "x" };
  )cedar";
  for (const eval_mode mode : {eval_mode::mandate, eval_mode::cedar}) {
    CAPTURE(to_string(mode));
    const decision d = decide(text, default_request(), mode);
    CHECK(error_ids(d) == ids{"e1", "policy2", "e3", "e4"});
    for (const auto& e : d.errors) CHECK_FALSE(e.message.empty());
    if (mode == eval_mode::mandate) {
      CHECK(d.outcome == verdict::deny);
      CHECK(d.reasons == ids{"policy2", "e4"});
      CHECK(d.failed_closed);
    } else {
      CHECK(d.outcome == verdict::allow);
      CHECK(d.reasons == ids{"ok"});
      CHECK_FALSE(d.failed_closed);
    }
  }
}

// REFERENCE.md 11.2: failed_closed says the error made the outcome stricter than skipping the
// erroring policies (Cedar's behaviour) would have. A genuine forbid next to an erroring one
// denies anyway, so it is false there; it is true where only the error stands in the way.
TEST_CASE("failed_closed is set only when the error made the outcome stricter") {
  const decision deny = decide(R"cedar(
    @id("p") permit (principal, action, resource);
    @id("genuine") forbid (principal, action, resource);
    @id("erroring") forbid (principal, action, resource) when { principal.nope };
  )cedar");
  CHECK(deny.outcome == verdict::deny);
  CHECK(deny.reasons == ids{"genuine", "erroring"});
  CHECK_FALSE(deny.failed_closed);

  const decision only_error = decide(R"cedar(
    @id("p") permit (principal, action, resource);
    @id("erroring") forbid (principal, action, resource) when { principal.nope };
  )cedar");
  CHECK(only_error.outcome == verdict::deny);
  CHECK(only_error.reasons == ids{"erroring"});
  CHECK(only_error.failed_closed);

  const decision no_permit = decide(R"cedar(
    @id("erroring") forbid (principal, action, resource) when { principal.nope };
  )cedar");
  CHECK(no_permit.outcome == verdict::deny);
  CHECK_FALSE(no_permit.failed_closed);

  const decision approval = decide(R"cedar(
    @id("p") permit (principal, action, resource);
    @id("erroring") require_approval (principal, action, resource) when { principal.nope };
    @id("genuine") require_approval (principal, action, resource);
  )cedar");
  CHECK(approval.outcome == verdict::require_approval);
  CHECK(approval.reasons == ids{"p", "erroring", "genuine"});
  CHECK_FALSE(approval.failed_closed);

  const decision approval_by_error = decide(R"cedar(
    @id("p") permit (principal, action, resource);
    @id("erroring") require_approval (principal, action, resource) when { principal.nope };
  )cedar");
  CHECK(approval_by_error.outcome == verdict::require_approval);
  CHECK(approval_by_error.failed_closed);
}

TEST_CASE("failed_closed stays false when only genuine policies determine the outcome") {
  // An erroring require_approval does not decide a deny by a genuine forbid.
  const decision d = decide(R"cedar(
    @id("p") permit (principal, action, resource);
    @id("f") forbid (principal, action, resource);
    @id("ra") require_approval (principal, action, resource) when { principal.nope };
  )cedar");
  CHECK(d.outcome == verdict::deny);
  CHECK(d.reasons == ids{"f"});
  CHECK_FALSE(d.failed_closed);
  CHECK(error_ids(d) == ids{"ra"});
}

// ---------------------------------------------------------------------------------------------
// The JSON form of a decision.

TEST_CASE("to_json: allow") {
  const decision d = decide(R"cedar(
    @id("readers") @reason("readers may read") permit (principal, action in Action::"readOnly", resource);
    permit (principal, action, resource);
  )cedar");
  CHECK(to_json(d) ==
        R"({"decision":"allow","reasons":["readers","policy1"],"errors":[],)"
        R"("annotations":{"readers":{"id":"readers","reason":"readers may read"},"policy1":{}},)"
        R"("mode":"mandate"})");
}

TEST_CASE("to_json: deny with errors, failed closed") {
  const decision d = decide(R"cedar(
    permit (principal, action, resource);
    @id("no-ghosts") forbid (principal, action, resource) when { principal.ghost.age > 1 };
  )cedar");
  CHECK(to_json(d) ==
        R"({"decision":"deny","reasons":["no-ghosts"],)"
        R"("errors":[{"policy":"no-ghosts","message":"entity User::\"nobody\" does not exist"}],)"
        R"("annotations":{"no-ghosts":{"id":"no-ghosts"}},"mode":"mandate","failed_closed":true})");
  const decision cedar = decide(R"cedar(
    @id("no-ghosts") forbid (principal, action, resource) when { principal.ghost.age > 1 };
  )cedar",
                                default_request(), eval_mode::cedar);
  CHECK(to_json(cedar) ==
        R"({"decision":"deny","reasons":[],)"
        R"("errors":[{"policy":"no-ghosts","message":"entity User::\"nobody\" does not exist"}],)"
        R"("annotations":{},"mode":"cedar"})");
}

TEST_CASE("to_json: require_approval") {
  const decision d = decide(R"cedar(
    @id("pay") permit (principal, action, resource);
    @id("big") @approvers("billing-admins") require_approval (principal, action, resource)
    when { context.amount > 100 };
  )cedar");
  CHECK(to_json(d) == R"({"decision":"require_approval","reasons":["pay","big"],"errors":[],)"
                      R"("annotations":{"pay":{"id":"pay"},"big":{"id":"big","approvers":"billing-admins"}},)"
                      R"("mode":"mandate"})");
}
