// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Hot evaluation (policies and entities loaded) of generated agent policy sets (workload.hpp:
// 10,000 entities, 10 to 10,000 policies), through the indexed plan and, as the baseline
// measured in the same run, through the reference interpreter; plus compile, cold, entity load,
// memory, delegation chains of depth 2 and 3, and throughput from several threads. Each benchmark reports p50
// and p99 per decision besides Google Benchmark's mean: decisions are timed in batches of 16 so the clock's
// own cost stays small. BM_hot_traced is BM_hot_plan through the traced overload (include/mandate/trace.hpp),
// and BM_trace_overhead runs both in one loop and reports the ratio of their medians.
//
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DMANDATE_BUILD_BENCH=ON
//   cmake --build build-bench -j2 && build-bench/bench/mandate_bench
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "mandate/mandate.hpp"
#include "workload.hpp"

namespace {

// The generated agent workload of workload.hpp: 10,000 entities, N policies, 512 requests.
struct workload {
  mandate::policy_set policies;
  mandate::entity_store entities;
  std::vector<mandate::request> requests;
  std::vector<std::string> acting_for;  // per request: the User id an agent principal acts for, or ""
  std::vector<std::string> contexts;    // per request: its context JSON
  std::vector<std::string> peers;       // per request: another Agent of an agent principal's team, or ""
  std::string text;
  std::string entities_json;
};

workload make_workload(int policy_count) {
  const mandate_bench::generated_workload g =
      mandate_bench::generate_workload({.policies = policy_count, .entities = 10'000, .requests = 512});
  auto compiled = mandate::policy_set::compile(g.policies, "generated.cedar");
  auto loaded = mandate::entity_store::from_json(g.entities, "generated.json");
  if (!compiled || !loaded) {
    if (!compiled) fmt::print(stderr, "{}", mandate::render(compiled.error()));
    if (!loaded) fmt::print(stderr, "{}", mandate::render(loaded.error()));
    std::abort();
  }
  workload w{*compiled, *loaded, {}, {}, {}, {}, g.policies, g.entities};
  for (const auto& r : g.requests) {
    auto req = mandate::request::from_json(r.json);
    if (!req) {
      fmt::print(stderr, "bad generated request {}: {}\n", r.json, req.error());
      std::abort();
    }
    w.requests.push_back(*req);
    w.acting_for.push_back(r.acting_for);
    w.contexts.push_back(r.context);
    w.peers.push_back(r.peer);
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
  // The mix of outcomes, so a reader can tell the workload is not all default denies.
  int allows = 0;
  int approvals = 0;
  for (const auto& req : w.requests) {
    w.policies.evaluate(req, w.entities, out, options);
    allows += out.outcome == mandate::verdict::allow ? 1 : 0;
    approvals += out.outcome == mandate::verdict::require_approval ? 1 : 0;
  }
  state.counters["allow_pct"] = 100.0 * allows / static_cast<double>(w.requests.size());
  state.counters["approval_pct"] = 100.0 * approvals / static_cast<double>(w.requests.size());
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

// Compiling N policies from text (parse, check, index, plan).
void BM_compile(benchmark::State& state) {
  const workload& w = workload_for(static_cast<int>(state.range(0)));
  std::vector<double> samples;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto compiled = mandate::policy_set::compile(w.text, "bench.cedar");
    benchmark::DoNotOptimize(compiled.has_value());
    samples.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["p50_ms"] = percentile(samples, 50);
}

// Cold: parse and compile the policies, then decide one request (entities preloaded).
void BM_cold(benchmark::State& state) {
  const workload& w = workload_for(static_cast<int>(state.range(0)));
  std::size_t next = 0;
  for (auto _ : state) {
    auto compiled = mandate::policy_set::compile(w.text, "bench.cedar");
    mandate::decision d = compiled->evaluate(w.requests[next], w.entities);
    benchmark::DoNotOptimize(d.outcome);
    next = (next + 1) % w.requests.size();
  }
}

// Loading the 10,000 generated entities from JSON (parse, intern, hierarchy closure).
void BM_entity_load(benchmark::State& state) {
  const workload& w = workload_for(10);
  std::vector<double> samples;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto loaded = mandate::entity_store::from_json(w.entities_json, "entities.json");
    benchmark::DoNotOptimize(loaded.has_value());
    samples.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  state.counters["p50_ms"] = percentile(samples, 50);
  state.counters["entities"] = 10'000;
}

// Heap bytes held by a compiled set of N policies and by the 10,000 entities, from glibc's
// allocator statistics (the bench is single-threaded while it measures).
std::size_t heap_in_use() { return mallinfo2().uordblks; }

void BM_memory(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const workload& w = workload_for(count);
  double policy_bytes = 0;
  double entity_bytes = 0;
  for (auto _ : state) {
    const std::size_t before = heap_in_use();
    auto compiled = mandate::policy_set::compile(w.text, "bench.cedar");
    const std::size_t with_policies = heap_in_use();
    auto loaded = mandate::entity_store::from_json(w.entities_json, "entities.json");
    const std::size_t with_entities = heap_in_use();
    policy_bytes = static_cast<double>(with_policies - before);
    entity_bytes = static_cast<double>(with_entities - with_policies);
    benchmark::DoNotOptimize(compiled.has_value() && loaded.has_value());
  }
  state.counters["bytes_per_policy"] = policy_bytes / count;
  state.counters["bytes_per_entity"] = entity_bytes / 10'000;
}

// The requests made by agents (those with a team peer, so the three depths decide the same
// requests), as delegated requests: depth 1 is the agent alone (the plain baseline), depth 2
// the user it acts for delegating to it, depth 3 the user delegating to a coordinator (a peer
// agent of the same team) that delegates to it. Every identity is checked until one denies.
std::vector<mandate::request> chained_requests(const workload& w, int depth) {
  std::vector<mandate::request> out;
  for (std::size_t i = 0; i < w.requests.size(); ++i) {
    if (w.acting_for[i].empty() || w.peers[i].empty()) continue;
    const mandate::request& plain = w.requests[i];
    if (depth == 1) {
      out.push_back(plain);
      continue;
    }
    const mandate::entity_ref agent = plain.principal();
    const mandate::entity_ref user{"User", w.acting_for[i]};
    const std::vector<mandate::entity_ref> scope{plain.action()};
    constexpr std::int64_t until = 4'000'000'000'000;
    std::vector<mandate::delegation_hop> chain;
    if (depth == 2) {
      chain.push_back({user, agent, scope, 0, until, "", std::nullopt});
    } else {
      // The coordinator is a peer of the agent's team, so team grants cover all three.
      if (w.peers[i].empty()) continue;
      const mandate::entity_ref coordinator{"Agent", w.peers[i]};
      chain.push_back({user, coordinator, scope, 0, until, "", std::nullopt});
      chain.push_back({coordinator, agent, scope, 0, until, "", std::nullopt});
    }
    auto with_context =
        mandate::request(user, plain.action(), plain.resource()).with_context_json(w.contexts[i]);
    if (!with_context) std::abort();
    out.push_back(with_context->with_delegation(agent, chain));
  }
  return out;
}

// BM_chain/D/0 decides every chained request; BM_chain/D/1 only those allowed at depth 3, where
// no identity denies early, so each depth checks all its identities: the worst case.
void BM_chain(benchmark::State& state) {
  const workload& w = workload_for(100);
  const int depth = static_cast<int>(state.range(0));
  const mandate::evaluation_options options{.now_ms = 1'800'000'000'000};
  std::vector<mandate::request> requests = chained_requests(w, depth);
  if (state.range(1) == 1) {
    const std::vector<mandate::request> deepest = chained_requests(w, 3);
    std::vector<mandate::request> kept;
    for (std::size_t i = 0; i < deepest.size(); ++i)
      if (w.policies.evaluate(deepest[i], w.entities, options).outcome == mandate::verdict::allow)
        kept.push_back(requests[i]);
    requests = std::move(kept);
  }
  if (requests.empty()) {
    state.SkipWithError("no request");
    return;
  }
  mandate::decision out;
  int allows = 0;
  for (const auto& req : requests) {
    w.policies.evaluate(req, w.entities, out, options);
    allows += out.outcome == mandate::verdict::allow ? 1 : 0;
  }
  state.counters["requests"] = static_cast<double>(requests.size());
  state.counters["allow_pct"] = 100.0 * allows / static_cast<double>(requests.size());
  workload view{w.policies, w.entities, requests, {}, {}, {}, {}, {}};
  evaluate_hot(state, view, [&](const mandate::request& req) {
    w.policies.evaluate(req, w.entities, out, options);
    benchmark::DoNotOptimize(out.outcome);
  });
}

// Throughput with several threads deciding at once on one shared policy set and entity store.
void BM_threads(benchmark::State& state) {
  const workload& w = workload_for(static_cast<int>(state.range(0)));
  mandate::decision out;
  std::size_t next = static_cast<std::size_t>(state.thread_index()) * 97;
  for (auto _ : state) {
    w.policies.evaluate(w.requests[next % w.requests.size()], w.entities, out);
    benchmark::DoNotOptimize(out.outcome);
    ++next;
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_hot_plan)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_hot_traced)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_trace_overhead)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_hot_reference)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_compile)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cold)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_entity_load)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_memory)->Arg(1000)->Arg(10000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_chain)->ArgsProduct({{1, 2, 3}, {0, 1}});
BENCHMARK(BM_threads)->Arg(100)->Arg(10000)->Threads(1)->Threads(2)->UseRealTime();

BENCHMARK_MAIN();
