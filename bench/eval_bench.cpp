// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Hot evaluation (policies and entities loaded) of generated agent policy sets, through the
// indexed plan and, as the baseline measured in the same run, through the reference
// interpreter. Each benchmark reports p50 and p99 per decision besides Google Benchmark's
// mean: decisions are timed in batches of 16 so the clock's own cost stays small.
// BM_hot_traced is BM_hot_plan through the traced overload (include/mandate/trace.hpp), and
// BM_trace_overhead runs both in one loop and reports the ratio of their medians.
//
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DMANDATE_BUILD_BENCH=ON
//   cmake --build build-bench -j2 && build-bench/bench/mandate_bench
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "mandate/mandate.hpp"

namespace {

constexpr int actions = 20;
constexpr int groups = 50;
constexpr int users = 2000;
constexpr int documents = 2000;

// A seeded workload: users in groups, agents acting for them, documents with sensitivity
// levels; each policy grants one group one action on documents under some condition.
struct workload {
  mandate::policy_set policies;
  mandate::entity_store entities;
  std::vector<mandate::request> requests;
};

workload make_workload(int policy_count) {
  std::mt19937_64 rng(42);
  std::string entities = "[";
  for (int g = 0; g < groups; ++g)
    entities += fmt::format(R"({{"uid":{{"type":"Group","id":"g{}"}},"attrs":{{}},"parents":[]}},)", g);
  for (int a = 0; a < actions; ++a)
    entities += fmt::format(
        R"({{"uid":{{"type":"Action","id":"a{}"}},"attrs":{{}},"parents":[{{"type":"Action","id":"{}"}}]}},)",
        a, a % 2 == 0 ? "read" : "write");
  entities += R"({"uid":{"type":"Action","id":"read"},"attrs":{},"parents":[]},)";
  entities += R"({"uid":{"type":"Action","id":"write"},"attrs":{},"parents":[]},)";
  for (int u = 0; u < users; ++u)
    entities += fmt::format(
        R"({{"uid":{{"type":"User","id":"u{}"}},"attrs":{{"level":{},"suspended":{}}},"parents":[{{"type":"Group","id":"g{}"}}]}},)",
        u, rng() % 5, rng() % 50 == 0 ? "true" : "false", rng() % groups);
  for (int d = 0; d < documents; ++d)
    entities += fmt::format(
        R"({{"uid":{{"type":"Doc","id":"d{}"}},"attrs":{{"sensitivity":{},"owner":{{"__entity":{{"type":"Group","id":"g{}"}}}}}},"parents":[]}},)",
        d, rng() % 4, rng() % groups);
  entities.back() = ']';

  std::string text;
  for (int p = 0; p < policy_count; ++p) {
    const int action = static_cast<int>(rng() % actions);
    const int group = static_cast<int>(rng() % groups);
    switch (p % 4) {
      case 0:
        text += fmt::format(
            "permit(principal in Group::\"g{}\", action == Action::\"a{}\", resource is Doc) when {{ "
            "resource.sensitivity <= principal.level }};\n",
            group, action);
        break;
      case 1:
        text += fmt::format(
            "permit(principal in Group::\"g{}\", action in [Action::\"a{}\", Action::\"a{}\"], resource) "
            "when {{ principal in resource.owner && context.hour >= 8 }};\n",
            group, action, (action + 1) % actions);
        break;
      case 2:
        text += fmt::format(
            "forbid(principal, action == Action::\"a{}\", resource is Doc) when {{ "
            "resource.sensitivity == 3 && !(principal in Group::\"g{}\") }};\n",
            action, group);
        break;
      default:
        text += fmt::format(
            "require_approval(principal, action == Action::\"a{}\", resource) when {{ "
            "context.amount > {} }};\n",
            action, rng() % 1000);
        break;
    }
  }
  text += "forbid(principal, action, resource) when { principal has suspended && principal.suspended };\n";

  auto compiled = mandate::policy_set::compile(text, "generated.cedar");
  auto loaded = mandate::entity_store::from_json(entities, "generated.json");
  if (!compiled || !loaded) std::abort();
  workload w{*compiled, *loaded, {}};
  for (int r = 0; r < 256; ++r) {
    mandate::request req({"User", fmt::format("u{}", rng() % users)},
                         {"Action", fmt::format("a{}", rng() % actions)},
                         {"Doc", fmt::format("d{}", rng() % documents)});
    auto with_context =
        req.with_context_json(fmt::format(R"({{"hour": {}, "amount": {}}})", rng() % 24, rng() % 2000));
    if (!with_context) std::abort();
    w.requests.push_back(*with_context);
  }
  return w;
}

const workload& workload_for(int policy_count) {
  static std::vector<std::pair<int, workload>> cache;
  for (const auto& [count, w] : cache)
    if (count == policy_count) return w;
  cache.emplace_back(policy_count, make_workload(policy_count));
  return cache.back().second;
}

constexpr int batch = 16;

// The p-th percentile of per-decision nanoseconds (sorts `samples`).
double percentile(std::vector<double>& samples, int p) {
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() * static_cast<std::size_t>(p) / 100];
}

// Times `decide(request)` in batches over the workload's requests, reporting p50 and p99.
template <typename Decide>
void evaluate_hot(benchmark::State& state, const workload& w, Decide&& decide) {
  std::vector<double> samples;
  samples.reserve(1 << 16);
  std::size_t next = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < batch; ++i) {
      decide(w.requests[next]);
      next = (next + 1) % w.requests.size();
    }
    const auto stop = std::chrono::steady_clock::now();
    if (samples.size() < samples.capacity())
      samples.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / batch);
  }
  state.SetItemsProcessed(state.iterations() * batch);
  if (!samples.empty()) {
    state.counters["p50_ns"] = percentile(samples, 50);
    state.counters["p99_ns"] = percentile(samples, 99);
  }
}

void evaluate_hot(benchmark::State& state, mandate::evaluator engine) {
  const workload& w = workload_for(static_cast<int>(state.range(0)));
  const mandate::evaluation_options options{.mode = mandate::eval_mode::mandate, .engine = engine};
  mandate::decision out;
  evaluate_hot(state, w, [&](const mandate::request& req) {
    w.policies.evaluate(req, w.entities, out, options);
    benchmark::DoNotOptimize(out.outcome);
  });
}

void BM_hot_plan(benchmark::State& state) { evaluate_hot(state, mandate::evaluator::plan); }
void BM_hot_reference(benchmark::State& state) { evaluate_hot(state, mandate::evaluator::reference); }

// The same workload through the traced overload, one decision_trace reused as a server would.
void BM_hot_traced(benchmark::State& state) {
  const workload& w = workload_for(static_cast<int>(state.range(0)));
  const mandate::evaluation_options options{.mode = mandate::eval_mode::mandate};
  mandate::decision out;
  mandate::decision_trace trace;
  evaluate_hot(state, w, [&](const mandate::request& req) {
    w.policies.evaluate(req, w.entities, out, trace, options);
    benchmark::DoNotOptimize(out.outcome);
    benchmark::DoNotOptimize(trace.identities.data());
  });
}

// Plain and traced in the same loop, alternating batches over the same requests, so both see
// the same machine state: the overhead of asking why, as a ratio of medians. Which of the two
// goes first alternates too, since the second of a pair runs on caches the first has warmed.
void BM_trace_overhead(benchmark::State& state) {
  const workload& w = workload_for(static_cast<int>(state.range(0)));
  const mandate::evaluation_options options{.mode = mandate::eval_mode::mandate};
  mandate::decision out;
  mandate::decision_trace trace;
  std::vector<double> plain;
  std::vector<double> traced;
  plain.reserve(1 << 15);
  traced.reserve(1 << 15);
  std::size_t next = 0;
  bool traced_first = false;
  auto run_batch = [&](std::size_t first, bool with_trace) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t at = first;
    for (int i = 0; i < batch; ++i) {
      if (with_trace) {
        w.policies.evaluate(w.requests[at], w.entities, out, trace, options);
        benchmark::DoNotOptimize(trace.identities.data());
      } else {
        w.policies.evaluate(w.requests[at], w.entities, out, options);
      }
      benchmark::DoNotOptimize(out.outcome);
      at = (at + 1) % w.requests.size();
    }
    const auto stop = std::chrono::steady_clock::now();
    if ((with_trace ? traced : plain).size() < plain.capacity())
      (with_trace ? traced : plain)
          .push_back(std::chrono::duration<double, std::nano>(stop - start).count() / batch);
    return at;
  };
  for (auto _ : state) {
    run_batch(next, traced_first);
    next = run_batch(next, !traced_first);  // the same requests, the other way
    traced_first = !traced_first;
  }
  state.SetItemsProcessed(state.iterations() * batch * 2);
  if (!plain.empty() && !traced.empty()) {
    const double plain_p50 = percentile(plain, 50);
    const double traced_p50 = percentile(traced, 50);
    state.counters["plain_p50_ns"] = plain_p50;
    state.counters["traced_p50_ns"] = traced_p50;
    state.counters["ratio"] = traced_p50 / plain_p50;
  }
}

void BM_compile(benchmark::State& state) {
  // Rebuild the text each time outside the timed region is not needed: compile is the work.
  const workload& w = workload_for(static_cast<int>(state.range(0)));
  (void)w;
  std::mt19937_64 rng(7);
  std::string text;
  for (int p = 0; p < state.range(0); ++p)
    text += fmt::format(
        "permit(principal in Group::\"g{}\", action == Action::\"a{}\", resource is Doc) when {{ "
        "resource.sensitivity <= principal.level && context.hour >= {} }};\n",
        rng() % groups, rng() % actions, rng() % 24);
  for (auto _ : state) {
    auto compiled = mandate::policy_set::compile(text, "bench.cedar");
    benchmark::DoNotOptimize(compiled.has_value());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(BM_hot_plan)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_hot_traced)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_trace_overhead)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_hot_reference)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_compile)->Arg(100)->Arg(10000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
