// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Concurrency under stress (issue 10, part 4): many threads decide while others replace the
// policies and entities, issue and revoke grants, record session events, send CAEP signals and
// write the audit trail. Each test checks what a caller relies on:
//   - every decision comes from one snapshot: policies and entities of the same version;
//   - once a replacement, revocation or signal has returned, no decision started afterwards
//     sees the state before it;
//   - no audit line is lost or torn.
// The checks hold under any interleaving, so the tests cannot pass by luck of timing; the
// sanitizer builds (scripts/sanitize.sh: ThreadSanitizer, AddressSanitizer) run this binary to
// catch data races and use-after-free that a check could miss.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "mandate/mandate.hpp"
#include "support.hpp"

namespace {

using namespace mandate;
using mandate::test_support::compile_or_fail;
using mandate::test_support::entities_or_fail;

// Threads that decide, besides the writer; more than the machine's cores, so that the
// scheduler interleaves them mid-decision.
constexpr int deciders = 6;

// Runs `decide(thread_index, round)` on `deciders` threads until `writer()` returns, then joins.
// The writer starts once every decider has decided once, so each test sees decisions from
// before any change however the threads are scheduled.
template <typename Decide, typename Write>
void run_against_writer(Decide decide, Write writer) {
  std::atomic<bool> done{false};
  std::atomic<int> warmed{0};
  std::vector<std::thread> threads;
  threads.reserve(deciders);
  for (int t = 0; t < deciders; ++t) {
    threads.emplace_back([&, t] {
      std::uint64_t round = 0;
      decide(t, round++);
      warmed.fetch_add(1, std::memory_order_acq_rel);
      while (!done.load(std::memory_order_acquire)) decide(t, round++);
    });
  }
  while (warmed.load(std::memory_order_acquire) < deciders) std::this_thread::yield();
  writer();
  done.store(true, std::memory_order_release);
  for (auto& th : threads) th.join();
}

}  // namespace

TEST_CASE("concurrency: every decision sees one snapshot, never an older one after replace() returned") {
  // Version k: a permit naming k that needs the resource's `version` to be k. Policies of one
  // version with entities of another deny, so a torn read cannot hide.
  constexpr int versions = 150;
  std::vector<policy_set> policies;
  std::vector<entity_store> entities;
  for (int k = 0; k <= versions; ++k) {
    policies.push_back(compile_or_fail(
        "@id(\"v" + std::to_string(k) +
        "\") permit (principal, action, resource) when { resource.version == " + std::to_string(k) + " };"));
    entities.push_back(entities_or_fail(R"([{"uid": {"type": "Doc", "id": "d"}, "attrs": {"version": )" +
                                        std::to_string(k) + R"(}, "parents": []}])"));
  }
  engine e(policies[0], entities[0]);
  std::atomic<int> published{0};
  std::atomic<std::uint64_t> decisions{0};
  std::atomic<std::uint64_t> torn{0};
  std::atomic<std::uint64_t> stale{0};
  const request req({"User", "u"}, {"Action", "read"}, {"Doc", "d"});

  run_against_writer(
      [&](int, std::uint64_t) {
        const int at_least = published.load(std::memory_order_acquire);
        const decision d = e.evaluate(req);
        decisions.fetch_add(1, std::memory_order_relaxed);
        if (d.outcome != verdict::allow || d.reasons.size() != 1) {
          torn.fetch_add(1, std::memory_order_relaxed);
          return;
        }
        if (std::stoi(d.reasons[0].substr(1)) < at_least) stale.fetch_add(1, std::memory_order_relaxed);
      },
      [&] {
        for (int k = 1; k <= versions; ++k) {
          e.replace(policies[k], entities[k]);
          published.store(k, std::memory_order_release);
          std::this_thread::yield();
        }
      });
  MESSAGE(decisions.load() << " decisions across " << versions << " replacements");
  CHECK(torn.load() == 0);
  CHECK(stale.load() == 0);
  CHECK(e.evaluate(req).reasons == std::vector<std::string>{"v" + std::to_string(versions)});
}

TEST_CASE("concurrency: replace_policies and replace_entities from two writers lose neither") {
  // Two writers publish different halves; neither may publish over the other's latest half.
  const policy_set deny_all = compile_or_fail("forbid (principal, action, resource);");
  const policy_set allow_all = compile_or_fail("@id(\"open\") permit (principal, action, resource);");
  const entity_store empty;
  const entity_store one_doc =
      entities_or_fail(R"([{"uid": {"type": "Doc", "id": "d"}, "attrs": {}, "parents": []}])");
  engine e(deny_all, empty);
  std::thread policies_writer([&] {
    for (int i = 0; i < 2000; ++i) e.replace_policies(i % 2 == 0 ? deny_all : allow_all);
    e.replace_policies(allow_all);
  });
  std::thread entities_writer([&] {
    for (int i = 0; i < 2000; ++i) e.replace_entities(i % 2 == 0 ? empty : one_doc);
    e.replace_entities(one_doc);
  });
  policies_writer.join();
  entities_writer.join();
  const auto last = e.current();
  CHECK(last->entities.contains({"Doc", "d"}));
  CHECK(e.evaluate(request({"User", "u"}, {"Action", "read"}, {"Doc", "d"})).outcome == verdict::allow);
}

TEST_CASE("concurrency: no request through a grant is allowed once its revocation returned") {
  const policy_set policies = compile_or_fail(R"(
    @id("agents-read") permit (principal, action == Action::"read", resource);
  )");
  const entity_store entities = entities_or_fail(R"([
    {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": []},
    {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": []}
  ])");
  auto store = std::make_shared<in_memory_grant_store>();
  grant_authority authority(store);
  constexpr int grant_count = 48;
  std::vector<std::string> ids;
  for (int g = 0; g < grant_count; ++g) {
    auto issued = authority.issue({.principal = {"User", "alice"},
                                   .agent = {"Agent", "bot-" + std::to_string(g)},
                                   .task = "task-" + std::to_string(g % 12),
                                   .scope = {{"Action", "read"}},
                                   .resource = {"Doc", "d"},
                                   .duration_ms = 3'600'000},
                                  policies, entities);
    REQUIRE(issued.has_value());
    ids.push_back(issued->id);
  }
  // dead[g] is set only after the call that revoked grant g has returned.
  std::vector<std::atomic<bool>> dead(grant_count);
  std::atomic<std::uint64_t> allowed{0};
  std::atomic<std::uint64_t> missed{0};
  std::atomic<std::uint64_t> issued_meanwhile{0};
  const request req({"User", "alice"}, {"Action", "read"}, {"Doc", "d"});

  run_against_writer(
      [&](int t, std::uint64_t round) {
        const auto g = static_cast<int>((round * 7 + static_cast<std::uint64_t>(t) * 13) % grant_count);
        const bool was_dead = dead[g].load(std::memory_order_acquire);
        const decision d = authority.evaluate(req, ids[g], policies, entities);
        if (d.outcome == verdict::allow) {
          allowed.fetch_add(1, std::memory_order_relaxed);
          if (was_dead) missed.fetch_add(1, std::memory_order_relaxed);
        } else if (!was_dead && d.chain_violation.empty()) {
          missed.fetch_add(1, std::memory_order_relaxed);  // denied for no reason: also wrong
        }
        // Issuing goes on beside revocation, through the same store.
        if (round % 64 == 0) {
          auto extra = authority.issue({.principal = {"User", "alice"},
                                        .agent = {"Agent", "extra"},
                                        .task = "extra",
                                        .scope = {{"Action", "read"}},
                                        .resource = {"Doc", "d"},
                                        .duration_ms = 60'000},
                                       policies, entities);
          if (extra) issued_meanwhile.fetch_add(1, std::memory_order_relaxed);
        }
      },
      [&] {
        // Every way to revoke: one grant, an agent's, a task's (four grants at once), a completed task.
        for (int g = 0; g < grant_count; ++g) {
          if (dead[g].load()) continue;
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          std::vector<int> hit{g};
          switch (g % 4) {
            case 0:
              authority.revoke_grant(ids[g]);
              break;
            case 1:
              authority.revoke_agent({"Agent", "bot-" + std::to_string(g)});
              break;
            case 2:
            case 3: {
              const int task = g % 12;
              const std::string name = "task-" + std::to_string(task);
              if (g % 4 == 2)
                authority.revoke_task(name);
              else
                authority.complete_task(name);
              hit.clear();
              for (int other = task; other < grant_count; other += 12) hit.push_back(other);
              break;
            }
          }
          for (int h : hit) dead[h].store(true, std::memory_order_release);
        }
      });
  MESSAGE(allowed.load() << " allowed before revocation, " << issued_meanwhile.load()
                         << " grants issued meanwhile");
  CHECK(missed.load() == 0);
  CHECK(allowed.load() > 0);
  for (int g = 0; g < grant_count; ++g) {
    CHECK(authority.evaluate(req, ids[g], policies, entities).outcome == verdict::deny);
    CHECK(authority.state(ids[g]) != grant_state::active);
  }
}

TEST_CASE("concurrency: sessions decide in parallel while signals, events and entity updates arrive") {
  // Staff may read; a rate limit (never reached here) keeps the monitors busy; a burst forbid
  // terminates a session that reads too often within a minute.
  const policy_set policies = compile_or_fail(R"(
    @id("staff-read") permit (principal in Group::"staff", action == Action::"read", resource);
    @id("rate") forbid (principal, action, resource)
      when temporal { count_within(1m, Action::"read"::request{ callerPrincipal: principal }) > 100000 };
    @id("no-export-after-error") forbid (principal, action == Action::"read", resource)
      when temporal { formerly within 1m Action::"read"::error{ input.fatal: true } };
  )");
  constexpr int users = 12;
  auto people = [&](int version) {
    std::string json = R"([{"uid": {"type": "Group", "id": "staff"}, "attrs": {"v": )" +
                       std::to_string(version) + R"(}, "parents": []})";
    for (int u = 0; u < users; ++u) {
      json += R"(, {"uid": {"type": "User", "id": "u)" + std::to_string(u) +
              R"("}, "attrs": {}, "parents": [{"type": "Group", "id": "staff"}]})";
    }
    return entities_or_fail(json + "]");
  };
  engine e(policies, people(0));
  session_manager sessions;
  // A session per user; left[u]: u was removed from staff (claims) and that signal returned;
  // ended[u]: u's session was revoked and that signal returned.
  std::vector<std::atomic<bool>> left(users);
  std::vector<std::atomic<bool>> ended(users);
  std::atomic<std::uint64_t> missed{0};
  std::atomic<std::uint64_t> allowed{0};
  std::atomic<std::uint64_t> events{0};

  std::thread recorder([&] {
    // Tool responses reported from another thread for every session, as a caller would.
    for (int i = 0; i < 3000; ++i) {
      session_event ev;
      ev.kind = "response";
      ev.action = {"Action", "read"};
      ev.fields_json = R"({"input": {"fatal": false}, "output": {"rows": )" + std::to_string(i) + "}}";
      if (sessions.record("s-" + std::to_string(i % users), ev))
        events.fetch_add(1, std::memory_order_relaxed);
    }
  });
  run_against_writer(
      [&](int t, std::uint64_t round) {
        const int u = static_cast<int>((round + static_cast<std::uint64_t>(t) * 5) % users);
        const bool was_left = left[u].load(std::memory_order_acquire);
        const bool was_ended = ended[u].load(std::memory_order_acquire);
        const auto snap = e.current();
        const request req({"User", "u" + std::to_string(u)}, {"Action", "read"}, {"Doc", "d"});
        const decision d = sessions.evaluate(snap->policies, snap->entities, req, "s-" + std::to_string(u));
        if (d.outcome == verdict::allow) {
          allowed.fetch_add(1, std::memory_order_relaxed);
          if (was_left || was_ended) missed.fetch_add(1, std::memory_order_relaxed);
        }
        if (was_ended && d.response != session_response::terminate)
          missed.fetch_add(1, std::memory_order_relaxed);
      },
      [&] {
        for (int u = 0; u < users; ++u) {
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
          // A new entity store every step: sessions rebuild their claims-patched copy of it
          // while other threads still read the previous copy.
          e.replace_entities(people(u + 1));
          if (u % 2 == 0) {
            CHECK(sessions.signal({.type = "token-claims-change",
                                   .subject = entity_ref{"User", "u" + std::to_string(u)},
                                   .claims_json = R"({"parents": []})"}));
            left[u].store(true, std::memory_order_release);
          } else {
            CHECK(sessions.signal(
                {.type = "session-revoked", .session_id = "s-" + std::to_string(u), .reason = "stress"}));
            ended[u].store(true, std::memory_order_release);
          }
          CHECK(sessions.signal({.type = "risk-level-change",
                                 .session_id = "s-" + std::to_string((u + 1) % users),
                                 .level = u % 3 == 0 ? "high" : "low"}));
        }
      });
  recorder.join();
  MESSAGE(allowed.load() << " allowed, " << events.load() << " events recorded alongside");
  CHECK(missed.load() == 0);
  CHECK(allowed.load() > 0);
  for (int u = 0; u < users; ++u) {
    const auto snap = e.current();
    const request req({"User", "u" + std::to_string(u)}, {"Action", "read"}, {"Doc", "d"});
    CHECK(sessions.evaluate(snap->policies, snap->entities, req, "s-" + std::to_string(u)).outcome ==
          verdict::deny);
    CHECK(sessions.state("s-" + std::to_string(u)).terminated == (u % 2 == 1));
  }
}

TEST_CASE("concurrency: many threads and two sinks on one audit file lose and tear no line") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("mandate-stress-audit-" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
  constexpr int per_thread = 300;
  const policy_set policies = compile_or_fail("@id(\"open\") permit (principal, action, resource);");
  const entity_store entities;
  {
    // Two sinks on the same file stand for two processes sharing a trail.
    auto first = file_audit_sink::open(path);
    auto second = file_audit_sink::open(path);
    REQUIRE(first.has_value());
    REQUIRE(second.has_value());
    std::vector<std::thread> writers;
    for (int t = 0; t < deciders; ++t) {
      writers.emplace_back([&, t] {
        audit_sink& sink =
            t % 2 == 0 ? static_cast<audit_sink&>(**first) : static_cast<audit_sink&>(**second);
        for (int i = 0; i < per_thread; ++i) {
          // Records of different sizes, some far beyond a pipe buffer, so writes interleave.
          const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
          request req({"User", id + std::string(static_cast<std::size_t>(i % 7) * 1000, 'x')},
                      {"Action", "read"}, {"Doc", "d"});
          const decision d = policies.evaluate(req, entities);
          sink.write(make_audit_record(req, d, policies, 1'800'000'000'000 + i, {}, {}, id));
        }
      });
    }
    for (auto& w : writers) w.join();
    CHECK_FALSE((*first)->failed());
    CHECK_FALSE((*second)->failed());
  }
  std::ifstream in(path);
  std::string line;
  std::set<std::string> seen;
  int bad = 0;
  while (std::getline(in, line)) {
    auto record = parse_audit_line(line);
    if (!record) {
      ++bad;
      continue;
    }
    CHECK(record->outcome == verdict::allow);
    seen.insert(record->decision_id);
  }
  std::filesystem::remove(path);
  CHECK(bad == 0);
  CHECK(seen.size() == static_cast<std::size_t>(deciders * per_thread));
}
