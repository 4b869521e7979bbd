// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Continuous authorization: decisions of a generated set of 100 temporal policies
// (`when temporal { ... }`, LANGUAGE.md 2.5) through session_manager::evaluate, on sessions
// prefilled with 100, 1,000 or 10,000 events. Measured in the same run, so ratios can be read:
//
//   BM_session_incremental/H  session_options{.incremental = true} (the default): temporal
//                             conditions answered by per-condition monitors; meant to be flat in H.
//   BM_session_reference/H    session_options{.incremental = false}: the reference evaluator
//                             re-reads the history on every decision (the baseline); grows with H.
//   BM_plain                  policy_set::evaluate without a session, on the same policies with
//                             their temporal conditions removed (the plain decision baseline).
//
// Each benchmark reports p50_ns and p99_ns per decision (decisions are timed in batches of 16,
// as in eval_bench.cpp), the memory of one session (`bytes`, `events_kept`, from
// session_manager::state) and the outcome mix, so that a generator change that makes every
// decision a default deny does not go unnoticed.
//
// History: each session is prefilled with H events, one per simulated second of a fake clock
// (10,000 events span 2.8 h, less than the longest windows: 24 h, and 14 days for first use), so
// nothing expires and `events_kept` is really H: requests decided through evaluate (which
// records them) and tool responses added with record(). The measured decisions go on at the
// same pace per session, so short windows keep sliding and the measured burst does not trip
// the rate limits by itself.
//
// Every measured decision appends one more `request` event to its session, so a benchmark
// that ran for a fixed time would measure a fast evaluator on a longer history than a slow
// one. The session benchmarks therefore run a fixed number of decisions (`Iterations`, not
// MinTime) spread round-robin over enough identically prefilled sessions that no session's
// history grows by more than a quarter of H while measured (164 sessions at H = 100, 17 at
// 1,000, 2 at 10,000). Prefilling is not timed; its wall time is the `prefill_s` counter.
//
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DMANDATE_BUILD_BENCH=ON
//   cmake --build build-bench -j2 --target mandate_session_bench
//   build-bench/bench/mandate_session_bench
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "mandate/mandate.hpp"

namespace {

constexpr int tools = 20;
constexpr int users = 8;
constexpr int tickets = 200;
constexpr int accounts = 50;
constexpr std::int64_t second_ms = 1000;
constexpr std::int64_t day_ms = 24 * 3600 * second_ms;
// Simulated time between two events of one session, prefilled or measured.
constexpr std::int64_t event_pace_ms = second_ms;
// First use looks back 14 days (as in tests/session_test.cpp), above the default 24 h cap.
constexpr std::int64_t first_use_window_ms = 14 * day_ms;

// Decisions are timed in batches; a session benchmark measures Iterations(batches) x batch
// decisions, 4,096. Prefilling a session of 10,000 events with the reference evaluator takes
// ~3-10 s and its decisions ~1-3 ms each there (each re-reads the history so far), so the
// reference variant also goes up to 10,000: the whole binary runs in well under two minutes.
// Both variants decide the same requests on the same sessions and hash every decision, prefill
// included: the reference variant reports `same_decisions` = 1 when its hash equals the
// incremental one's for the same history length (it must: the monitors answer as the reference
// evaluator).
constexpr int batch = 16;
constexpr int batches = 256;
constexpr int measured_decisions = batch * batches;
// A session's history may grow by at most H / max_growth_divisor while measured.
constexpr int max_growth_divisor = 4;

// The event mix of prefilled history (requests are recorded by evaluate, responses by record).
constexpr double response_share = 0.2;  // of all events
constexpr double approve_share = 0.05;  // of requests
constexpr double error_share = 0.1;     // of responses

enum class shape : int { rate, total, approval, first_use, distinct, previous, since, base, count_ };
constexpr std::array<const char*, static_cast<int>(shape::count_)> shape_names = {
    "rate_limit",     "running_total", "approval_before", "first_use",
    "count_distinct", "previous",      "since",           "base_permit"};
// 100 policies; 8 of the 26 rate limits are @response("throttle").
constexpr std::array<int, static_cast<int>(shape::count_)> shape_counts = {26, 14, 8, 10, 12, 12, 17, 1};
constexpr int throttled_rate_limits = 8;

struct window {
  const char* text;
  std::int64_t ms;
};
constexpr std::array<window, 10> windows = {{{"1m", 60 * second_ms},
                                             {"5m", 300 * second_ms},
                                             {"10m", 600 * second_ms},
                                             {"15m", 900 * second_ms},
                                             {"30m", 1800 * second_ms},
                                             {"1h", 3600 * second_ms},
                                             {"2h", 7200 * second_ms},
                                             {"6h", 6 * 3600 * second_ms},
                                             {"12h", 12 * 3600 * second_ms},
                                             {"24h", day_ms}}};

struct workload {
  mandate::policy_set temporal;  // the 100 policies
  mandate::policy_set plain;     // the same with every `when/unless temporal { ... }` removed
  mandate::entity_store entities;
  // The measured requests, as many as a session benchmark decides: a short rotating set would
  // repeat the same principal and tool pairs every few seconds and trip the rate limits.
  std::vector<mandate::request> requests;
  std::string mix;  // shape counts, for the report header
};

// std::mt19937_64's output is fixed by the standard, the distributions and std::shuffle are
// not: these keep the generated workload the same with every standard library.
double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1p-53; }

template <typename T>
void shuffle(std::vector<T>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

// Every draw is its own statement: the order in which function arguments are evaluated is
// unspecified.
mandate::request make_request(std::mt19937_64& rng, bool allow_approve) {
  const auto user = rng() % users;
  const bool approve = allow_approve && unit(rng) < approve_share;
  const auto tool = rng() % tools;
  const auto amount = 1 + rng() % 500;
  const auto ticket = rng() % tickets;
  const auto account = rng() % accounts;
  mandate::request req({"User", fmt::format("u{}", user)},
                       {"Action", approve ? std::string("approve") : fmt::format("tool{}", tool)},
                       {"Tool", "t"});
  auto with = req.with_context_json(fmt::format(
      R"({{"input": {{"amount": {}, "ticket": "t{}", "account": "acct{}"}}}})", amount, ticket, account));
  if (!with) {
    std::fprintf(stderr, "bad request context: %s\n", with.error().c_str());
    std::abort();
  }
  return std::move(*with);
}

mandate::session_event make_response(std::mt19937_64& rng) {
  const auto tool = rng() % tools;
  const auto user = rng() % users;
  const auto amount = 1 + rng() % 500;
  const bool error = unit(rng) < error_share;
  const auto account = rng() % accounts;
  mandate::session_event e;
  e.kind = "response";
  e.action = {"Action", fmt::format("tool{}", tool)};
  e.principal = mandate::entity_ref{"User", fmt::format("u{}", user)};
  e.fields_json =
      fmt::format(R"({{"input": {{"amount": {}}}, "output": {{"status": "{}", "account": "acct{}"}}}})",
                  amount, error ? "error" : "ok", account);
  return e;
}

mandate::policy_set compile_or_abort(const std::string& text, const char* name) {
  auto set = mandate::policy_set::compile(text, name, {.max_temporal_window_ms = first_use_window_ms});
  if (!set) {
    std::fprintf(stderr, "%s does not compile:\n%s\n--- policies ---\n%s\n", name,
                 mandate::render(set.error()).c_str(), text.c_str());
    std::abort();
  }
  return std::move(*set);
}

workload make_workload() {
  std::mt19937_64 rng(20260514);
  auto factor = [&] { return 0.8 + 0.7 * unit(rng); };
  auto pick_tool = [&] { return static_cast<int>(rng() % tools); };
  auto other_tool = [&](int not_this) {
    int t = pick_tool();
    while (t == not_this) t = pick_tool();
    return t;
  };
  auto pick_window = [&] { return windows[rng() % windows.size()]; };
  // Expected request events of one tool within `w` at H = 10,000 (one event a second, the
  // history spanning 10,000 s), so thresholds are neither always nor never reached there.
  auto expected_in = [](const window& w) {
    const double seconds = static_cast<double>(std::min<std::int64_t>(w.ms / second_ms, 10'000));
    return seconds * (1 - response_share) * (1 - approve_share) / tools;
  };

  // A limit sits above normal use: a Poisson mean m of events (each weighing `weight` on
  // average, amounts being uniform in 1..500) plus three standard deviations and a margin, times
  // 0.8 to 1.5, so that a few limits are reached by ordinary fluctuation and most are not.
  auto ceiling = [&](double m, double weight) {
    const double spread = weight == 1.0 ? std::sqrt(m) : std::sqrt(m * 83'500.0);
    return std::lround((m * weight + 3 * spread + 2 * weight) * factor());
  };

  std::vector<shape> order;
  for (int s = 0; s < static_cast<int>(shape::count_); ++s)
    order.insert(order.end(), shape_counts[s], static_cast<shape>(s));
  shuffle(order, rng);

  // Tools gated by an approval are left out of the base permit: their permit is the approval.
  std::vector<int> gated;
  while (static_cast<int>(gated.size()) < shape_counts[static_cast<int>(shape::approval)]) {
    const int t = pick_tool();
    if (std::find(gated.begin(), gated.end(), t) == gated.end()) gated.push_back(t);
  }

  std::string temporal_text;
  std::string plain_text;
  int throttles = 0;
  int approvals = 0;
  for (std::size_t p = 0; p < order.size(); ++p) {
    std::string annotations = fmt::format("@id(\"p{}-{}\")", p, shape_names[static_cast<int>(order[p])]);
    std::string head;
    std::string condition;  // the temporal clause, dropped in the plain set
    const int k = pick_tool();
    const window w = pick_window();
    const std::string scope_k = fmt::format("(principal, action == Action::\"tool{}\", resource)", k);
    switch (order[p]) {
      case shape::rate: {
        if (throttles < throttled_rate_limits) {
          ++throttles;
          annotations += " @response(\"throttle\") @retry_after(\"30s\")";
        }
        const auto n = ceiling(expected_in(w) / users, 1.0);
        head = "forbid " + scope_k;
        condition = fmt::format(
            "when temporal {{ count_within({}, Action::\"tool{}\"::request{{ callerPrincipal: principal }}) "
            "> {} }}",
            w.text, k, n);
        break;
      }
      case shape::total: {
        const auto n = ceiling(expected_in(w), 250.0);
        head = "forbid " + scope_k;
        condition = fmt::format(
            "when temporal {{ sum_within(a, {}, Action::\"tool{}\"::request{{ input.amount: a }}) > {} }}",
            w.text, k, n);
        break;
      }
      case shape::approval: {
        const int gated_tool = gated[static_cast<std::size_t>(approvals++)];
        head = fmt::format("permit (principal in Team::\"agents\", action == Action::\"tool{}\", resource)",
                           gated_tool);
        condition = fmt::format(
            "when temporal {{ formerly within {} Action::\"approve\"::request{{ input.ticket: "
            "context.input.ticket }} }}",
            w.text);
        break;
      }
      case shape::first_use:
        head = "require_approval " + scope_k;
        condition =
            fmt::format("unless temporal {{ count_within(14d, Action::\"tool{}\"::request{{}}) > 1 }}", k);
        break;
      case shape::distinct: {
        const double e = expected_in(w);
        const double distinct = accounts * (1 - std::exp(-e / accounts));
        const auto n = ceiling(distinct, 1.0);
        head = "forbid " + scope_k;
        condition = fmt::format(
            "when temporal {{ count_distinct_within(k, {}, Action::\"tool{}\"::request{{ input.account: k "
            "}}) > {} }}",
            w.text, k, n);
        break;
      }
      case shape::previous:
        head = "forbid " + scope_k;
        // Right after another tool failed, or right after this principal used another tool.
        if (rng() % 2 == 0)
          condition = fmt::format(
              "when temporal {{ previous within {} Action::\"tool{}\"::response{{ output.status: \"error\" "
              "}} }}",
              w.text, other_tool(k));
        else
          condition = fmt::format(
              "when temporal {{ previous within {} Action::\"tool{}\"::request{{ callerPrincipal: principal "
              "}} }}",
              w.text, other_tool(k));
        break;
      case shape::since: {
        // A tool that failed blocks this one until the principal has run a third (a re-check).
        const int failed = other_tool(k);
        int recheck = other_tool(k);
        while (recheck == failed) recheck = other_tool(k);
        head = "forbid " + scope_k;
        condition = fmt::format(
            "when temporal {{ !Action::\"tool{}\"::request{{ callerPrincipal: principal }} since within {} "
            "Action::\"tool{}\"::response{{ output.status: \"error\" }} }}",
            recheck, w.text, failed);
        break;
      }
      case shape::base: {
        std::string actions = "Action::\"approve\"";
        for (int t = 0; t < tools; ++t)
          if (std::find(gated.begin(), gated.end(), t) == gated.end())
            actions += fmt::format(", Action::\"tool{}\"", t);
        head = fmt::format("permit (principal in Team::\"agents\", action in [{}], resource)", actions);
        break;
      }
      case shape::count_:
        break;
    }
    temporal_text += annotations + "\n" + head + (condition.empty() ? "" : "\n" + condition) + ";\n";
    plain_text += annotations + "\n" + head + ";\n";
  }

  std::string entities = R"([{"uid":{"type":"Team","id":"agents"},"attrs":{},"parents":[]})";
  for (int u = 0; u < users; ++u)
    entities += fmt::format(
        R"(,{{"uid":{{"type":"User","id":"u{}"}},"attrs":{{}},"parents":[{{"type":"Team","id":"agents"}}]}})",
        u);
  entities += "]";
  auto loaded = mandate::entity_store::from_json(entities, "session_bench.json");
  if (!loaded) {
    std::fprintf(stderr, "entities: %s\n", mandate::render(loaded.error()).c_str());
    std::abort();
  }

  workload w{compile_or_abort(temporal_text, "session_bench_temporal.mandate"),
             compile_or_abort(plain_text, "session_bench_plain.mandate"),
             std::move(*loaded),
             {},
             {}};
  if (w.temporal.size() != order.size() || w.plain.size() != order.size()) std::abort();
  std::mt19937_64 request_rng(7);
  for (int r = 0; r < measured_decisions; ++r) w.requests.push_back(make_request(request_rng, true));
  for (int s = 0; s < static_cast<int>(shape::count_); ++s)
    w.mix += fmt::format("{}{}={}", s == 0 ? "" : " ", shape_names[s], shape_counts[s]);
  w.mix +=
      fmt::format(" (throttle={}; tools={}; windows 1m..24h, first use 14d)", throttled_rate_limits, tools);
  return w;
}

const workload& the_workload() {
  static const workload w = make_workload();
  return w;
}

// FNV-1a over what a decision says, to compare the two variants' decisions.
struct decision_hash {
  std::uint64_t h = 14695981039346656037ULL;
  void byte(unsigned char b) { h = (h ^ b) * 1099511628211ULL; }
  void add(const mandate::decision& d) {
    byte(static_cast<unsigned char>(d.outcome));
    byte(static_cast<unsigned char>(d.response));
    for (const std::string& r : d.reasons) {
      for (char ch : r) byte(static_cast<unsigned char>(ch));
      byte(0);
    }
    byte(0xff);
  }
};

// The incremental variant's hash per history length, for the reference variant to compare.
std::vector<std::pair<int, std::uint64_t>>& incremental_hashes() {
  static std::vector<std::pair<int, std::uint64_t>> hashes;
  return hashes;
}

struct fake_clock {
  std::int64_t now = 1'700'000'000'000;
};

struct outcome_counts {
  std::int64_t allow = 0, deny = 0, approval = 0, throttle = 0, errors = 0;
  void add(const mandate::decision& d) {
    allow += d.outcome == mandate::verdict::allow;
    deny += d.outcome == mandate::verdict::deny;
    approval += d.outcome == mandate::verdict::require_approval;
    throttle += d.response == mandate::session_response::throttle;
    errors += !d.errors.empty();
  }
  void report(benchmark::State& state) const {
    const double total = static_cast<double>(allow + deny + approval);
    if (total == 0) return;
    state.counters["allow_pct"] = 100.0 * static_cast<double>(allow) / total;
    state.counters["deny_pct"] = 100.0 * static_cast<double>(deny) / total;
    state.counters["approval_pct"] = 100.0 * static_cast<double>(approval) / total;
    state.counters["throttle_pct"] = 100.0 * static_cast<double>(throttle) / total;
    state.counters["error_pct"] = 100.0 * static_cast<double>(errors) / total;
  }
};

void report_percentiles(benchmark::State& state, std::vector<double>& samples) {
  if (samples.empty()) return;
  std::sort(samples.begin(), samples.end());
  state.counters["p50_ns"] = samples[samples.size() / 2];
  state.counters["p99_ns"] = samples[samples.size() * 99 / 100];
}

void session_decisions(benchmark::State& state, bool incremental) {
  const workload& w = the_workload();
  const int history = static_cast<int>(state.range(0));
  const int sessions = std::max(1, (measured_decisions * max_growth_divisor + history - 1) / history);

  auto clock = std::make_unique<fake_clock>();
  fake_clock* const c = clock.get();
  mandate::session_manager manager({.clock = [c] { return c->now; }, .incremental = incremental});
  std::vector<std::string> ids;
  for (int s = 0; s < sessions; ++s) ids.push_back(fmt::format("s{}", s));

  // Prefill: one event per session per simulated second, each session with its own seeded
  // stream of requests (decided, hence recorded) and recorded responses.
  decision_hash hash;
  const auto prefill_start = std::chrono::steady_clock::now();
  {
    std::vector<std::mt19937_64> streams;
    for (int s = 0; s < sessions; ++s) streams.emplace_back(1000 + static_cast<std::uint64_t>(s));
    for (int e = 0; e < history; ++e) {
      for (int s = 0; s < sessions; ++s) {
        auto& rng = streams[static_cast<std::size_t>(s)];
        if (unit(rng) < response_share) {
          if (!manager.record(ids[static_cast<std::size_t>(s)], make_response(rng))) std::abort();
        } else {
          const mandate::decision d = manager.evaluate(w.temporal, w.entities, make_request(rng, true),
                                                       ids[static_cast<std::size_t>(s)]);
          hash.add(d);
        }
      }
      c->now += event_pace_ms;
    }
  }
  const double prefill_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - prefill_start).count();
  const mandate::session_state before = manager.state(ids[0]);
  if (before.terminated || before.events_kept < static_cast<std::uint64_t>(history)) {
    state.SkipWithError(fmt::format("prefill: session s0 keeps {} events of {} (terminated: {})",
                                    before.events_kept, history, before.terminated)
                            .c_str());
    return;
  }

  outcome_counts outcomes;
  std::vector<double> samples;
  samples.reserve(static_cast<std::size_t>(state.max_iterations));
  std::array<mandate::decision, batch> decided;
  std::size_t next_request = 0;
  std::size_t next_session = 0;
  // Measured decisions keep the prefill's pace, each session seeing about one event per
  // simulated second: at 1 ms a decision the measured burst (up to 2,048 requests per session
  // in 2 s at H = 10,000) would itself trip most rate limits, and no event would leave a short
  // window.
  const std::int64_t step_ms = std::max<std::int64_t>(1, event_pace_ms / sessions);
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    for (auto& d : decided) {
      c->now += step_ms;
      d = manager.evaluate(w.temporal, w.entities, w.requests[next_request], ids[next_session]);
      next_request = (next_request + 1) % w.requests.size();
      next_session = (next_session + 1) % ids.size();
    }
    const auto stop = std::chrono::steady_clock::now();
    samples.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / batch);
    for (const auto& d : decided) {
      outcomes.add(d);
      hash.add(d);
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);
  report_percentiles(state, samples);
  outcomes.report(state);
  const mandate::session_state after = manager.state(ids[0]);
  state.counters["sessions"] = sessions;
  if (incremental) {
    incremental_hashes().emplace_back(history, hash.h);
  } else {
    for (const auto& [h, theirs] : incremental_hashes())
      if (h == history) {
        state.counters["same_decisions"] = theirs == hash.h ? 1 : 0;
        if (theirs != hash.h)
          std::fprintf(stderr,
                       "WARNING: at H = %d the incremental and reference session managers decided "
                       "differently\n",
                       history);
      }
  }
  state.counters["prefill_s"] = prefill_s;
  state.counters["events_kept"] = static_cast<double>(after.events_kept);
  state.counters["bytes"] = static_cast<double>(after.bytes);
  state.counters["bytes_per_event"] =
      after.events_kept == 0 ? 0.0
                             : static_cast<double>(after.bytes) / static_cast<double>(after.events_kept);
}

void BM_session_incremental(benchmark::State& state) { session_decisions(state, true); }
void BM_session_reference(benchmark::State& state) { session_decisions(state, false); }

void BM_plain(benchmark::State& state) {
  const workload& w = the_workload();
  mandate::decision out;
  outcome_counts outcomes;
  std::vector<double> samples;
  samples.reserve(1 << 16);
  std::size_t next = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < batch; ++i) {
      w.plain.evaluate(w.requests[next], w.entities, out);
      benchmark::DoNotOptimize(out.outcome);
      outcomes.add(out);
      next = (next + 1) % w.requests.size();
    }
    const auto stop = std::chrono::steady_clock::now();
    if (samples.size() < samples.capacity())
      samples.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / batch);
  }
  state.SetItemsProcessed(state.iterations() * batch);
  report_percentiles(state, samples);
  outcomes.report(state);
}

}  // namespace

// Fixed iteration counts (see the top of the file); times per iteration are per batch of 16.
BENCHMARK(BM_session_incremental)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Iterations(batches)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_session_reference)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Iterations(batches)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_plain)->MinTime(0.5)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Compiles (or aborts with the diagnostics) before any benchmark runs.
  benchmark::AddCustomContext("policy_mix", the_workload().mix);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
