// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Incremental monitors against the reference evaluator: on generated event streams, every
// leaf's answer from the monitors must equal the reference's reading of the same history, at
// every decision point, with history dropped from the front as windows slide.
#include "temporal/monitor.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

#include "compile/plan.hpp"
#include "json/cedar_json.hpp"
#include "mandate/mandate.hpp"
#include "session/history.hpp"
#include "temporal/evaluate.hpp"

namespace {

using namespace mandate;
using detail::temporal::monitor_state;

struct shape {
  const char* condition;
  bool monitored;
};

// Each shape becomes one policy with one temporal leaf, in this order.
const shape
    shapes
        [] =
            {
                {R"(formerly within 30s Action::"a"::request{})", true},
                {R"(formerly within 1m Action::"b"::request{ input.x: context.input.x })", true},
                {R"(formerly within 1m Action::"b"::response{ output.acct: context.input.acct })", true},
                {R"(count_within(1m, Action::"a"::request{ callerPrincipal: principal }) > 2)", true},
                {R"(sum_within(v, 2m, Action::"c"::request{ input.amount: v }) >= 60)", true},
                {R"(count_distinct_within(k, 2m, Action::"a"::request{ input.acct: k }) > 1)", true},
                {R"(previous within 20s Action::"b"::request{ input.x: 1 })", true},
                {R"(!Action::"c"::request{ input.acct: context.input.acct } since within 1m Action::"b"::response{ output.acct: context.input.acct })",
                 true},
                {R"(Action::"a"::request{ input.x: 2 } since within 1m Action::"c"::request{})", true},
                {R"(bind(n, count_within(1m, Action::"a"::request{}), n > 1 && n < 4))", true},
                {R"(!(formerly within 10s Action::"c"::request{}) && formerly within 2m Action::"c"::request{})",
                 true},
                {R"(exists (v: Long). formerly within 1m (Action::"c"::request{ input.amount: v } && v > 25))",
                 true},
                {R"((sum v for (v: Long). where (formerly within 2m Action::"c"::request{ input.amount: v })) > 100)",
                 true},
                {R"(Action::"a"::request{ input.x: 3 })", true},
                {R"(formerly within 1m Action::"b"::request{ input.acct: principal.home })", true},
                {R"(formerly within 1m Action::"a"::request{ input.acct: _ })", true},
                {R"(count_within(1m, Action::"a"::request{}) > context.input.x)", true},
                {R"(formerly within 1m Action::"a"::request{ input.tags: [context.input.x, 1] })", true},
                {R"(formerly within 90s Action::"b"::request{ input.x: 0, input.acct: context.input.acct, callerPrincipal: principal })",
                 true},
                {R"(Action::"b"::request{ input.x: context.input.x } since within 1m Action::"a"::request{ input.x: context.input.x })",
                 true},
                {R"(Action::"a"::request{} since within 40s Action::"a"::request{})", true},
                {R"(Action::"a"::request{ callerPrincipal: principal } && !Action::"c"::request{} since within 1m Action::"b"::request{})",
                 true},
                {R"(formerly within 1m (Action::"c"::request{} && context.input.x > 1))", true},
                {R"(count_within(1m, (context.input.x == 2 && Action::"a"::request{ input.acct: context.input.acct })) > 0)",
                 true},
                // Past operators inside past operators: the inner one is read as each outer event arrives,
                // with the request's values that the outer event carries.
                {R"(formerly within 2m (Action::"a"::request{ input.acct: context.input.acct } && formerly within 30s Action::"b"::response{ output.acct: context.input.acct }))",
                 true},
                {R"(formerly within 2m (Action::"c"::request{} && !(formerly within 20s Action::"a"::request{})))",
                 true},
                {R"(count_within(2m, (Action::"a"::request{ callerPrincipal: principal } && formerly within 30s Action::"b"::request{ callerPrincipal: principal })) > 1)",
                 true},
                {R"(!Action::"c"::request{} since within 1m (Action::"b"::request{ input.x: context.input.x } && formerly within 20s Action::"a"::request{ input.x: context.input.x }))",
                 true},
                // Aggregates over pairs (and triples) of timepoints: each outer match stands for the inner
                // operators' distinct tuples at that match.
                {R"((count for (t1: Timepoint), (t2: Timepoint). where formerly within 1m (Action::"a"::request{ input.acct: context.input.acct } && tp(t1) && formerly within 30s (Action::"b"::request{ input.acct: context.input.acct } && tp(t2)))) > 2)",
                 true},
                {R"((sum v for (v: Long), (t1: Timepoint), (t2: Timepoint). where formerly within 1m (Action::"a"::request{} && tp(t1) && formerly within 20s (Action::"c"::request{ input.amount: v } && tp(t2)))) > 150)",
                 true},
                {R"((count for (t1: Timepoint), (t2: Timepoint), (t3: Timepoint). where formerly within 1m (Action::"a"::request{ callerPrincipal: principal } && tp(t1) && formerly within 30s (Action::"b"::request{} && tp(t2) && formerly within 20s (Action::"c"::request{} && tp(t3))))) > 3)",
                 true},
                {R"((count for (t1: Timepoint), (t2: Timepoint), (t3: Timepoint). where formerly within 1m (Action::"a"::request{ input.acct: context.input.acct } && tp(t1) && formerly within 30s (Action::"b"::request{} && tp(t2)) && formerly within 20s (Action::"c"::response{} && tp(t3)))) > 2)",
                 true},
                {R"((count for (t1: Timepoint), (k: String). where formerly within 1m (Action::"a"::request{ input.x: 1 } && tp(t1) && formerly within 30s Action::"b"::response{ output.acct: k })) > 2)",
                 true},
                // Tuples that several outer matches share (no outer timepoint among the binders): kept
                // with the time of the latest match covering them.
                {R"((count for (t: Timepoint). where formerly within 1m (Action::"a"::request{} && formerly within 30s (Action::"b"::request{} && tp(t)))) > 2)",
                 true},
                {R"((count for (t: Timepoint). where formerly within 1m (Action::"a"::request{ input.acct: context.input.acct } && formerly within 30s (Action::"b"::response{ output.acct: context.input.acct } && formerly within 20s (Action::"c"::request{} && tp(t))))) > 1)",
                 true},
                {R"((count for (t2: Timepoint), (t3: Timepoint). where formerly within 1m (Action::"a"::request{ callerPrincipal: principal } && formerly within 30s (Action::"b"::request{} && tp(t2) && formerly within 20s (Action::"c"::request{} && tp(t3))))) > 2)",
                 true},
                {R"((count for (t2: Timepoint), (t3: Timepoint). where formerly within 1m (Action::"a"::request{ input.x: 1 } && formerly within 30s (Action::"b"::request{} && tp(t2)) && formerly within 20s (Action::"c"::response{} && tp(t3)))) > 3)",
                 true},
                {R"((count for (t: Timepoint). where formerly within 1m (Action::"a"::request{} && formerly within 30s (Action::"b"::request{} && previous within 10s (Action::"c"::request{} && tp(t))))) > 1)",
                 true},
                {R"((count for (t: Timepoint). where formerly within 1m (Action::"a"::request{ callerPrincipal: principal } && previous within 20s (Action::"b"::request{} && formerly within 30s (Action::"c"::request{} && tp(t))))) > 1)",
                 true},
                {R"((count for (x: Long). where formerly within 1m (Action::"a"::request{} && formerly within 30s Action::"b"::response{ input.x: x } && !Action::"c"::request{ input.x: x })) > 1)",
                 true},
                {R"((count for (k: String), (t: Timepoint). where formerly within 1m (Action::"a"::request{ input.acct: k } && formerly within 20s (Action::"b"::request{} && tp(t)))) > 3)",
                 true},
                // Sibling operators meeting on the timepoint they both bind.
                {R"((count for (t: Timepoint). where formerly within 1m (Action::"a"::request{} && formerly within 30s (Action::"b"::request{} && tp(t)) && formerly within 20s (Action::"b"::request{ input.x: 1 } && tp(t)))) > 1)", true},
                {R"((count for (t: Timepoint). where formerly within 1m (Action::"a"::request{ input.acct: context.input.acct } && formerly within 30s (Action::"c"::request{} && tp(t)) && formerly within 40s (Action::"c"::request{ input.x: 2 } && tp(t)))) > 1)",
                 true},
                // ... joined on a value the outer event binds (carried into the inner operator's key).
                {R"((sum x for (x: Long), (t1: Timepoint), (t2: Timepoint). where formerly within 1m (Action::"a"::request{ input.x: x } && tp(t1) && formerly within 30s (Action::"b"::response{ input.x: x } && tp(t2)))) > 3)",
                 true},
                {R"((count for (x: Long), (t1: Timepoint), (t2: Timepoint). where formerly within 1m (Action::"a"::request{ input.x: x, input.acct: context.input.acct } && tp(t1) && formerly within 30s (Action::"b"::response{ input.x: x, output.acct: context.input.acct } && tp(t2)))) > 0)",
                 true},
                {R"(exists (x: Long). formerly within 1m (Action::"a"::request{ input.x: x } && formerly within 20s Action::"b"::response{ input.x: x }))",
                 true},
                {R"(exists (x: Long). formerly within 1m (Action::"c"::request{ input.x: x } && !(formerly within 30s Action::"a"::request{ input.x: x })))",
                 true},
                // A comparison at the top of a variable that one predicate binds: filters its matches.
                {R"(exists (x: Long). formerly within 1m (Action::"a"::request{} && formerly within 30s Action::"b"::response{ input.x: x }) && x > 1)",
                 true},
                {R"(exists (v: Long). formerly within 1m Action::"c"::request{ input.amount: v } && v > 45)",
                 true},
                {R"(exists (v: Long). (!Action::"a"::request{} since within 1m Action::"c"::request{ input.amount: v }) && v >= 25)",
                 true},
                {R"(exists (v: Long). Action::"c"::request{ input.amount: v } && v > 25)", true},
                {R"(exists (x: Long). formerly within 1m (Action::"a"::request{ input.x: x } && (!Action::"c"::request{ input.x: x } since within 30s Action::"b"::response{ input.x: x })))",
                 true},
                // Aggregates over `since` anchors, and `since` counted inside another operator.
                {R"((count for (t: Timepoint). where (!Action::"c"::request{} since within 1m (Action::"a"::request{ callerPrincipal: principal } && tp(t)))) > 1)",
                 true},
                {R"((count for (t: Timepoint). where (Action::"a"::request{} since within 40s (Action::"a"::request{ input.x: 1 } && tp(t)))) > 0)",
                 true},
                {R"((count for (t: Timepoint). where (!Action::"a"::request{ input.x: 2 } since within 1m (Action::"a"::request{ callerPrincipal: principal } && tp(t)))) > 1)",
                 true},
                {R"((count for (t: Timepoint). where ((Action::"a"::request{ callerPrincipal: principal } && !Action::"b"::request{ input.x: 0 }) since within 1m (Action::"a"::request{ input.x: 2 } && tp(t)))) > 1)",
                 true},
                {R"((sum v for (v: Long), (t: Timepoint). where (!Action::"b"::response{ output.acct: context.input.acct } since within 1m (Action::"c"::request{ input.amount: v } && tp(t)))) > 40)",
                 true},
                {R"((count for (t1: Timepoint), (t2: Timepoint). where (!Action::"c"::request{ input.acct: context.input.acct } since within 1m (Action::"a"::request{ input.acct: context.input.acct } && tp(t1) && formerly within 20s (Action::"b"::request{ input.acct: context.input.acct } && tp(t2))))) > 1)",
                 true},
                {R"((count for (t1: Timepoint), (t2: Timepoint). where formerly within 1m (Action::"a"::request{ input.acct: context.input.acct } && tp(t1) && (!Action::"c"::request{} since within 30s (Action::"b"::request{ input.acct: context.input.acct } && tp(t2))))) > 1)",
                 true},
                // Aggregates over `previous`, alone, counting an inner operator, or inside another.
                {R"((sum v for (v: Long), (t: Timepoint). where previous within 10s (Action::"c"::request{ input.amount: v } && tp(t))) > 20)",
                 true},
                {R"((count for (t: Timepoint). where previous within 20s (Action::"b"::request{ input.acct: context.input.acct } && formerly within 1m (Action::"a"::request{ input.acct: context.input.acct } && tp(t)))) > 1)",
                 true},
                {R"((count for (x: Long), (t1: Timepoint), (t2: Timepoint). where formerly within 1m (Action::"a"::request{ input.x: x } && tp(t1) && previous within 20s (Action::"b"::request{ input.x: x } && tp(t2)))) > 0)",
                 true},
                // `previous` over aggregates alone: their windows as of the event before.
                {R"(previous within 20s (exists (n: Long). ((count for (t: Timepoint). where formerly within 30s (Action::"b"::request{ input.acct: context.input.acct } && tp(t))) == n && n == 0)))",
                 true},
                {R"(previous within 10s ((sum v for (v: Long), (t: Timepoint). where formerly within 1m (Action::"c"::request{ input.amount: v } && tp(t))) > 60))",
                 true},
                // An aggregate inside a past operator, and one over the decision event alone.
                {R"(formerly within 1m (Action::"a"::request{ input.acct: context.input.acct } && exists (n: Long). ((count for (t: Timepoint). where formerly within 30s (Action::"b"::request{ input.acct: context.input.acct } && tp(t))) == n && n > 1)))", true},
                {R"(exists (n: Long). ((count for (t: Timepoint). where (Action::"a"::request{ input.acct: context.input.acct } && tp(t))) == n && n > 0))",
                 true},
                {R"((sum v for (v: Long), (t: Timepoint). where (Action::"c"::request{ input.amount: v } && tp(t))) > 25)",
                 true},
                // Two predicates at one timepoint: one event must match both.
                {R"(exists (v: Long). formerly within 1m (Action::"c"::request{ input.amount: v } && Action::"c"::request{ input.x: 1, callerPrincipal: principal } && v > 20))",
                 true},
                {R"(!(formerly within 1m (Action::"a"::request{} && Action::"b"::request{})) && formerly within 10s Action::"c"::request{})",
                 true},
                // The inner operator reads a request value the outer event does not carry.
                {R"(formerly within 2m (Action::"a"::request{} && formerly within 30s Action::"b"::response{ output.acct: context.input.acct }))",
                 false},
                // A join across two events and a nested past operator: left to the reference evaluator.
                {R"(exists (k: String). (formerly within 1m Action::"a"::request{ input.acct: k }) && (formerly within 1m Action::"b"::response{ output.acct: k }))",
                 false},
                {R"(formerly within 1m (Action::"a"::request{} && previous within 10s Action::"b"::request{}))",
                 false},
                // `previous` over aggregates of distinct values, or over another such `previous`.
                {R"(previous within 20s ((count for (k: String). where formerly within 30s Action::"b"::response{ output.acct: k }) > 1))",
                 false},
                {R"(previous within 20s (previous within 20s ((count for (t: Timepoint). where formerly within 30s (Action::"b"::request{} && tp(t))) > 1)))",
                 false},
                // A nested aggregate compared with a value the top bound before.
                {R"(exists (k: Long). k == context.input.x && formerly within 1m (Action::"a"::request{} && exists (n: Long). ((count for (t: Timepoint). where formerly within 30s (Action::"b"::request{} && tp(t))) == n && n > k)))",
                 false},
                // A negated predicate that the body's own event could match, reading an inner binding.
                {R"((count for (x: Long). where formerly within 1m (Action::"a"::request{} && formerly within 30s Action::"b"::response{ input.x: x } && !Action::"a"::request{ input.x: x })) > 1)",
                 false},
                // A variable bound inside a nested operator and compared at the top with another binding.
                {R"(exists (x: Long). formerly within 1m (Action::"a"::request{} && formerly within 30s Action::"b"::response{ input.x: x }) && x == context.input.x)",
                 false},
                // Two sibling operators joined on a timepoint, under an outer timepoint: matches' tuples
                // would not just multiply.
                {R"((count for (t1: Timepoint), (t: Timepoint). where formerly within 1m (Action::"a"::request{} && tp(t1) && formerly within 30s (Action::"b"::request{} && tp(t)) && formerly within 20s (Action::"b"::request{ input.x: 1 } && tp(t)))) > 0)",
                 false},
                // Two sibling operators joined on a variable that is not their timepoint.
                {R"((count for (t: Timepoint). where exists (x: Long). formerly within 1m (Action::"a"::request{} && formerly within 30s (Action::"b"::response{ input.x: x } && tp(t)) && formerly within 30s (Action::"b"::request{ input.x: x }))) > 0)",
                 false},
};

policy_set compile_shapes() {
  std::string text;
  for (const shape& s : shapes)
    text += std::string("permit (principal, action, resource) when temporal { ") + s.condition + " };\n";
  auto set = policy_set::compile(text, "monitors.mandate");
  if (!set) FAIL(render(set.error()));
  return std::move(*set);
}

const char* const people = R"([
  {"uid": {"type": "User", "id": "alice"}, "attrs": {"home": "s1"}, "parents": []},
  {"uid": {"type": "User", "id": "bob"}, "attrs": {"home": "s2"}, "parents": []}
])";

// A random stream of requests and responses over three actions, with times that sometimes
// stand still and sometimes jump past every window.
class stream {
 public:
  explicit stream(std::uint32_t seed) : rng_(seed) {}

  std::string pick(std::initializer_list<const char*> options) {
    std::uniform_int_distribution<std::size_t> d(0, options.size() - 1);
    return *(options.begin() + static_cast<std::ptrdiff_t>(d(rng_)));
  }
  int number(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  void advance() {
    const int roll = number(0, 99);
    if (roll < 15) return;  // same millisecond
    // Whole seconds, so events land exactly on window boundaries often.
    now += roll < 97 ? number(1, 15) * 1000 : number(120, 400) * 1000;
  }

  request next_request() {
    const std::string action = pick({"a", "a", "b", "c"});
    nlohmann::json input;
    input["x"] = number(0, 3);
    if (number(0, 4) != 0) input["acct"] = pick({"s0", "s1", "s2"});
    input["amount"] = number(1, 50);
    input["tags"] = nlohmann::json::array({number(0, 3), 1});
    request r({"User", pick({"alice", "bob"})}, {"Action", action}, {"Tool", "t"});
    auto with = r.with_context_json(nlohmann::json{{"input", input}}.dump());
    REQUIRE(with);
    return std::move(*with);
  }

  detail::temporal::event next_response() {
    detail::temporal::event e;
    e.storage = std::make_shared<detail::arena>(256);
    nlohmann::json fields{{"output", {{"acct", pick({"s0", "s1", "s2"})}}}, {"input", {{"x", number(0, 3)}}}};
    detail::json_error error;
    REQUIRE(detail::cedar_record_from_json(fields, *e.storage, e.fields, error));
    e.context = detail::empty_record();
    e.action = {detail::intern("Action"), detail::intern(pick({"a", "b", "c"}))};
    e.kind = detail::intern("response");
    e.time_ms = now;
    return e;
  }

  std::int64_t now = 1'000'000;

 private:
  std::mt19937 rng_;
};

}  // namespace

TEST_CASE("monitors: the planner monitors every single-event shape and leaves joins to the reference") {
  const policy_set set = compile_shapes();
  const auto& compiled = set.internals();
  REQUIRE(compiled.monitors);
  REQUIRE(compiled.temporal.leaves.size() == std::size(shapes));
  for (std::size_t i = 0; i < std::size(shapes); ++i) {
    const std::string condition = shapes[i].condition;
    CAPTURE(condition);
    CHECK(compiled.monitors->monitored[i] == shapes[i].monitored);
  }
}

TEST_CASE("monitors: every answer equals the reference evaluator's on generated streams") {
  const policy_set set = compile_shapes();
  const auto& compiled = set.internals();
  auto entities = entity_store::from_json(people);
  REQUIRE(entities);
  const std::int64_t horizon = compiled.temporal.max_horizon_ms();
  std::uint64_t decisions = 0;
  std::uint64_t held = 0;
  std::uint64_t compared = 0;
  std::vector<std::uint64_t> true_by_leaf(std::size(shapes));
  std::vector<std::uint64_t> false_by_leaf(std::size(shapes));
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    stream s(seed);
    detail::session::history h;
    for (int step = 0; step < 300; ++step) {
      s.advance();
      if (s.number(0, 3) == 0) {
        h.append(s.next_response());
        continue;
      }
      const request r = s.next_request();
      detail::request_view view = r.internals();
      h.append(detail::session::make_request_event(view, s.now, "s", std::to_string(step)));
      monitor_state* monitors = h.monitors_for(compiled);
      REQUIRE(monitors != nullptr);
      const detail::temporal::decision_inputs inputs{&view, &entities->internals()};
      ++decisions;
      for (std::uint32_t leaf = 0; leaf < compiled.temporal.leaves.size(); ++leaf) {
        const auto expected = detail::temporal::evaluate_leaf(compiled.temporal, leaf, h, inputs);
        REQUIRE(expected.ok);
        const auto got = monitors->evaluate(leaf, h, inputs);
        if (!compiled.monitors->monitored[leaf]) {
          CHECK(got == monitor_state::answer::unknown);
          continue;
        }
        const std::string condition = shapes[leaf].condition;
        CAPTURE(condition);
        CAPTURE(step);
        REQUIRE(got != monitor_state::answer::unknown);
        CHECK((got == monitor_state::answer::yes) == expected.holds);
        held += expected.holds ? 1 : 0;
        ++(expected.holds ? true_by_leaf : false_by_leaf)[leaf];
        ++compared;
      }
      h.compact(horizon, true);
    }
  }
  // Every shape is seen both holding and not holding: each comparison means something.
  for (std::size_t i = 0; i < std::size(shapes); ++i) {
    if (!shapes[i].monitored) continue;
    const std::string condition = shapes[i].condition;
    CAPTURE(condition);
    CHECK(true_by_leaf[i] > 0);
    CHECK(false_by_leaf[i] > 0);
  }
  CHECK(compared > 100'000);
  CHECK(held > compared / 10);
  CHECK(held < compared * 9 / 10);
  CHECK(decisions > 0);
}

TEST_CASE("monitors: a decision's cost does not depend on the history's length") {
  // Counts, not time: the monitors answer without reading the history, and their state holds
  // one entry per key, not per event, for `formerly`.
  const policy_set set = compile_shapes();
  const auto& compiled = set.internals();
  auto entities = entity_store::from_json(people);
  REQUIRE(entities);
  detail::session::history h;
  stream s(7);
  request r({"User", "alice"}, {"Action", "a"}, {"Tool", "t"});
  auto with = r.with_context_json(R"({"input": {"x": 1, "acct": "s1", "amount": 5, "tags": [1]}})");
  REQUIRE(with);
  detail::request_view view = with->internals();
  std::size_t bytes_after_1000 = 0;
  for (int i = 0; i < 20'000; ++i) {
    h.append(detail::session::make_request_event(view, s.now, "s", ""));
    s.now += 1;  // all within every window
    if (i == 999) bytes_after_1000 = h.monitors_for(compiled)->bytes();
  }
  monitor_state* monitors = h.monitors_for(compiled);
  const std::uint64_t answered_before = monitors->answered();
  const detail::temporal::decision_inputs inputs{&view, &entities->internals()};
  CHECK(monitors->evaluate(0, h, inputs) == monitor_state::answer::yes);
  CHECK(monitors->answered() == answered_before + 1);
  // Every monitored shape, nested and counting ones included, is answered from the state
  // alone after 20,000 events (none needs the reference evaluator for this request).
  std::uint64_t monitored = 0;
  for (std::uint32_t leaf = 0; leaf < compiled.temporal.leaves.size(); ++leaf) {
    if (!compiled.monitors->monitored[leaf]) continue;
    const std::string condition = shapes[leaf].condition;
    CAPTURE(condition);
    CHECK(monitors->evaluate(leaf, h, inputs) != monitor_state::answer::unknown);
    ++monitored;
  }
  CHECK(monitors->answered() == answered_before + 1 + monitored);
  CHECK(monitors->unanswered() == 0);
  // Per-event windows (count_within) grow with the events inside them; keyed latest-match
  // state does not. The formerly-only shapes' share stays flat: compare a once-only set.
  auto once_only = policy_set::compile(
      R"(permit (principal, action, resource) when temporal { formerly within 1m Action::"a"::request{ input.acct: context.input.acct } };)",
      "once.mandate");
  REQUIRE(once_only);
  detail::session::history h2;
  std::size_t first = 0;
  for (int i = 0; i < 20'000; ++i) {
    h2.append(detail::session::make_request_event(view, s.now, "s", ""));
    s.now += 1;
    if (i == 999) first = h2.monitors_for(once_only->internals())->bytes();
  }
  const std::size_t last = h2.monitors_for(once_only->internals())->bytes();
  CHECK(last == first);
  CHECK(bytes_after_1000 > 0);
}
