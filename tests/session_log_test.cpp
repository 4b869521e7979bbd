// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The sessions' file log through the public API: compaction as windows expire (by hand and at
// the threshold), signals that survive a restart, and a damaged file. Each test works in a
// directory of its own under the system's temporary directory, removed at the end.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mandate/mandate.hpp"
#include "mandate/session.hpp"
#include "support.hpp"

namespace {

using namespace mandate;

using test_support::call;
using test_support::compile_or_fail;
using test_support::entities_or_fail;
using test_support::fake_clock;

const char* const user_entities = R"([
  {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": [{"type": "Team", "id": "support"}]},
  {"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": [{"type": "Team", "id": "support"}]},
  {"uid": {"type": "Team", "id": "support"}, "attrs": {}, "parents": []}
])";

// A directory of the test's own, removed with everything in it at the end.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path =
        std::filesystem::temp_directory_path() / ("mandate-session-log-" + std::to_string(::getpid()) + "-" +
                                                  std::to_string(counter++) + "-" + std::to_string(stamp));
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] std::string file(std::string_view name) const { return (path / name).string(); }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t count_lines(const std::string& path) {
  const std::string text = read_file(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::unique_ptr<session_manager> open_or_fail(session_options options) {
  auto opened = session_manager::open(std::move(options));
  if (!opened) FAIL(opened.error());
  return std::move(*opened);
}

// What a decision says, to compare two of them.
std::string summary(const decision& d) {
  std::vector<std::string> reasons = d.reasons;
  std::sort(reasons.begin(), reasons.end());
  std::string out =
      std::to_string(static_cast<int>(d.outcome)) + "/" + std::to_string(static_cast<int>(d.response));
  for (const auto& r : reasons) out += " " + r;
  for (const auto& e : d.errors) out += " [" + e.message + "]";
  return out;
}

const char* const rate_policies = R"(
  permit (principal, action, resource);
  @id("search-rate")
  forbid (principal, action == Action::"search", resource)
  when temporal { count_within(1m, Action::"search"::request{}) > 3 };
)";

// Session "s": twenty searches two minutes apart (each alone in its minute), then three within
// a few seconds (a fourth would be over the limit). Session "t": one read, then revoked.
void build_rate_history(session_manager& sessions, fake_clock& clock, const policy_set& policies,
                        const entity_store& entities) {
  for (int i = 0; i < 20; ++i) {
    const std::string input = R"({"tag": "old-)" + std::to_string(i) + R"("})";
    CHECK(sessions.evaluate(policies, entities, call("search", input), "s").outcome == verdict::allow);
    clock.now += 120'000;
  }
  for (int i = 0; i < 3; ++i) {
    const std::string input = R"({"tag": "new-)" + std::to_string(i) + R"("})";
    CHECK(sessions.evaluate(policies, entities, call("search", input), "s").outcome == verdict::allow);
    clock.now += 1'000;
  }
  CHECK(sessions.evaluate(policies, entities, call("read"), "t").outcome == verdict::allow);
  REQUIRE(sessions.signal({.type = "session-revoked", .session_id = "t", .reason = "user logged out"}));
}

// The same requests after a restart, in order: each decision as a summary.
std::vector<std::string> probe_rate(session_manager& sessions, fake_clock& clock, const policy_set& policies,
                                    const entity_store& entities) {
  std::vector<std::string> out;
  out.push_back(summary(sessions.evaluate(policies, entities, call("search"), "s")));  // the 4th in a minute
  clock.now += 61'000;
  out.push_back(summary(sessions.evaluate(policies, entities, call("search"), "s")));  // alone again
  out.push_back(summary(sessions.evaluate(policies, entities, call("read"), "t")));    // still terminated
  out.push_back(std::to_string(sessions.state("s").events_seen));
  return out;
}

}  // namespace

TEST_CASE("session log: compaction shrinks the file and reopening it decides as before") {
  temp_dir dir;
  const std::string live_log = dir.file("live.jsonl");
  const std::string plain_log = dir.file("plain.jsonl");
  const std::string compacted_log = dir.file("compacted.jsonl");
  const auto policies = compile_or_fail(rate_policies);
  const auto entities = entities_or_fail(user_entities);

  // The same history three times: probed without a restart, reopened as appended, and
  // reopened after a compaction.
  fake_clock live_clock;
  fake_clock plain_clock;
  fake_clock compacted_clock;
  auto live = open_or_fail({.clock = live_clock.fn(), .log_path = live_log, .compact_after_lines = 0});
  build_rate_history(*live, live_clock, policies, entities);
  REQUIRE(live->record("u", {.action = {"Action", "lookup"}}));
  {
    auto plain = open_or_fail({.clock = plain_clock.fn(), .log_path = plain_log, .compact_after_lines = 0});
    build_rate_history(*plain, plain_clock, policies, entities);
    REQUIRE(plain->record("u", {.action = {"Action", "lookup"}}));
  }
  {
    auto compacted =
        open_or_fail({.clock = compacted_clock.fn(), .log_path = compacted_log, .compact_after_lines = 0});
    build_rate_history(*compacted, compacted_clock, policies, entities);
    // 23 searches, 1 read, 1 termination.
    CHECK(count_lines(compacted_log) == 25);
    const auto size_before = std::filesystem::file_size(compacted_log);
    REQUIRE(compacted->compact());
    // "s": the three searches of the last minute and the one before them (`previous` may look
    // at it), and its last request's principal; "t": its read, principal and termination.
    CHECK(count_lines(compacted_log) == 8);
    const auto size_after = std::filesystem::file_size(compacted_log);
    MESSAGE("compaction: 25 lines, " << size_before << " bytes -> 8 lines, " << size_after << " bytes");
    CHECK(size_after < size_before / 3);
    CHECK(!std::filesystem::exists(compacted_log + ".tmp"));
    CHECK(compacted->state("s").events_kept == 4);
    CHECK(compacted->state("s").events_seen == 23);
    // Appending goes on in the new file.
    REQUIRE(compacted->record("u", {.action = {"Action", "lookup"}}));
    CHECK(count_lines(compacted_log) == 9);
  }
  CHECK(count_lines(plain_log) == 26);

  // Events no window reaches are gone from the compacted file; the kept ones are there.
  const std::string text = read_file(compacted_log);
  for (int i = 0; i < 19; ++i) CHECK(text.find("\"old-" + std::to_string(i) + "\"") == std::string::npos);
  CHECK(text.find("\"old-19\"") != std::string::npos);
  for (int i = 0; i < 3; ++i) CHECK(text.find("\"new-" + std::to_string(i) + "\"") != std::string::npos);

  auto plain = open_or_fail({.clock = plain_clock.fn(), .log_path = plain_log, .compact_after_lines = 0});
  auto compacted =
      open_or_fail({.clock = compacted_clock.fn(), .log_path = compacted_log, .compact_after_lines = 0});
  CHECK(compacted->state("s").events_seen == 23);
  CHECK(compacted->state("s").events_kept == 4);
  CHECK(compacted->state("t").terminated);
  CHECK(compacted->state("t").terminated_reason == "session revoked: user logged out");
  CHECK(compacted->state("u").events_seen == 1);

  const auto before = probe_rate(*live, live_clock, policies, entities);
  CHECK(probe_rate(*plain, plain_clock, policies, entities) == before);
  CHECK(probe_rate(*compacted, compacted_clock, policies, entities) == before);
  // The kept events still count: the first probe is the fourth search within the minute.
  decision fourth;
  fourth.outcome = verdict::deny;
  fourth.reasons = {"search-rate"};
  REQUIRE(before.size() == 4);
  CHECK(before[0] == summary(fourth));
  CHECK(before[1].rfind(std::to_string(static_cast<int>(verdict::allow)) + "/", 0) == 0);
  CHECK(before[2].find("user logged out") != std::string::npos);
  CHECK(before[3] == "25");
}

TEST_CASE("session log: a request id defaults to the event's place, also after compaction") {
  temp_dir dir;
  const std::string log = dir.file("events.jsonl");
  // Two searches of the same request (the default id is the event's position in the session)
  // within the hour: the repeated id must not match an earlier, dropped event's.
  const auto policies = compile_or_fail(R"(
    permit (principal, action, resource);
    @id("same-id")
    forbid (principal, action, resource)
    when temporal { count_within(1h, Action::"search"::request{ requestId: "3" }) > 1 };
  )");
  const auto entities = entities_or_fail(user_entities);
  fake_clock clock;
  {
    auto sessions = open_or_fail({.clock = clock.fn(), .log_path = log, .compact_after_lines = 0});
    for (int i = 0; i < 3; ++i) {
      CHECK(sessions->evaluate(policies, entities, call("search"), "s").allowed());
      clock.now += 2 * 3'600'000;
    }
    REQUIRE(sessions->compact());
  }
  auto sessions = open_or_fail({.clock = clock.fn(), .log_path = log, .compact_after_lines = 0});
  CHECK(sessions->state("s").events_seen == 3);
  // Numbered 3, as before the restart: one event with that id, allowed.
  CHECK(sessions->evaluate(policies, entities, call("search"), "s").allowed());
  clock.now += 1000;
  CHECK(sessions->evaluate(policies, entities, call("search"), "s", {}, "3").outcome == verdict::deny);
}

TEST_CASE("session log: every signal survives a restart") {
  temp_dir dir;
  const std::string log = dir.file("events.jsonl");
  bool compact = false;
  SUBCASE("restart with the signals as appended") { compact = false; }
  SUBCASE("restart after a compaction") { compact = true; }
  fake_clock clock;
  const std::int64_t credential_time = clock.now + 5'000;
  const auto policies = compile_or_fail(R"(
    permit (principal, action, resource);
    @id("risk")
    forbid (principal, action, resource)
    when { context.session has risk_level && context.session.risk_level == "high" };
    @id("assurance")
    forbid (principal, action, resource)
    when { context.session has assurance_level && context.session.assurance_level == "aal1" };
    @id("credential")
    forbid (principal, action, resource)
    when { context.session has credential_changed_at &&
           context.session.credential_changed_at == )" +
                                        std::to_string(credential_time) + R"( };
    @id("claims")
    forbid (principal, action, resource)
    when { principal has dept && principal.dept == "ops" };
    @id("group")
    forbid (principal, action, resource)
    unless { principal in Team::"support" };
  )");
  const auto entities = entities_or_fail(user_entities);
  const std::vector<std::string> all = {"assurance", "claims", "credential", "group", "risk"};
  std::string s_before;
  std::string u_before;
  std::string fresh_before;
  {
    auto sessions = open_or_fail({.clock = clock.fn(), .log_path = log, .compact_after_lines = 0});
    CHECK(sessions->evaluate(policies, entities, call("read"), "s").allowed());
    CHECK(sessions->evaluate(policies, entities, call("read", "{}", "bob"), "u").allowed());
    // By subject: every session whose last request was alice's ("s", not "u").
    REQUIRE(sessions->signal(
        {.type = "risk-level-change", .subject = entity_ref{"User", "alice"}, .level = "high"}));
    REQUIRE(sessions->signal({.type = "assurance-level-change", .session_id = "s", .level = "aal1"}));
    clock.now = credential_time;
    REQUIRE(sessions->signal({.type = "credential-change", .session_id = "s"}));
    REQUIRE(sessions->signal({.type = "token-claims-change",
                              .subject = entity_ref{"User", "alice"},
                              .claims_json = R"({"attrs": {"dept": "ops"}, "parents": []})"}));
    // A later change of one member keeps the other.
    REQUIRE(sessions->signal({.type = "token-claims-change",
                              .subject = entity_ref{"User", "bob"},
                              .claims_json = R"({"attrs": {"dept": "ops"}})"}));
    REQUIRE(sessions->signal({.type = "token-claims-change",
                              .subject = entity_ref{"User", "bob"},
                              .claims_json = R"({"parents": []})"}));
    if (compact) REQUIRE(sessions->compact());
    clock.now += 1000;
    const decision d = sessions->evaluate(policies, entities, call("read"), "s");
    CHECK(d.outcome == verdict::deny);
    std::vector<std::string> reasons = d.reasons;
    std::sort(reasons.begin(), reasons.end());
    CHECK(reasons == all);
    s_before = summary(d);
    u_before = summary(sessions->evaluate(policies, entities, call("read", "{}", "bob"), "u"));
    fresh_before = summary(sessions->evaluate(policies, entities, call("read"), "fresh"));
  }
  auto sessions = open_or_fail({.clock = clock.fn(), .log_path = log, .compact_after_lines = 0});
  CHECK(sessions->state("s").risk_level == "high");
  CHECK(sessions->state("s").assurance_level == "aal1");
  CHECK(sessions->state("u").risk_level.empty());
  CHECK(summary(sessions->evaluate(policies, entities, call("read"), "s")) == s_before);
  // bob: attributes and parents from two signals; no session signals reached "u".
  CHECK(u_before.find("claims") != std::string::npos);
  CHECK(u_before.find("group") != std::string::npos);
  CHECK(u_before.find("risk") == std::string::npos);
  CHECK(summary(sessions->evaluate(policies, entities, call("read", "{}", "bob"), "u")) == u_before);
  // Claims are the principal's, in every session.
  CHECK(summary(sessions->evaluate(policies, entities, call("read"), "fresh")) == fresh_before);
  // The subject still leads to its sessions after the restart.
  REQUIRE(
      sessions->signal({.type = "session-revoked", .subject = entity_ref{"User", "bob"}, .reason = "gone"}));
  auto reopened = open_or_fail({.clock = clock.fn(), .log_path = log, .compact_after_lines = 0});
  CHECK(reopened->state("u").terminated);
  CHECK(!reopened->state("s").terminated);
}

TEST_CASE("session log: a torn last line after compaction is ignored, a corrupt middle line is an error") {
  temp_dir dir;
  const std::string log = dir.file("events.jsonl");
  const auto policies = compile_or_fail(rate_policies);
  const auto entities = entities_or_fail(user_entities);
  fake_clock clock;
  {
    auto sessions = open_or_fail({.clock = clock.fn(), .log_path = log, .compact_after_lines = 0});
    build_rate_history(*sessions, clock, policies, entities);
    REQUIRE(sessions->compact());
  }
  const std::size_t lines = count_lines(log);
  CHECK(lines == 8);

  SUBCASE("torn") {
    { std::ofstream(log, std::ios::app) << R"({"session": "s", "time_ms": 1)"; }
    {
      auto sessions = open_or_fail({.clock = clock.fn(), .log_path = log, .compact_after_lines = 0});
      CHECK(sessions->state("s").events_seen == 23);
      CHECK(sessions->evaluate(policies, entities, call("search"), "s").outcome == verdict::deny);
    }
    // The torn part was cut off, so the line written after it stands on its own.
    CHECK(count_lines(log) == lines + 1);
    auto sessions = open_or_fail({.clock = clock.fn(), .log_path = log, .compact_after_lines = 0});
    CHECK(sessions->state("s").events_seen == 24);
  }
  SUBCASE("corrupt") {
    std::string text = read_file(log);
    const std::size_t second = text.find('\n') + 1;
    text.insert(second, "{\"session\": \"s\", \"time_ms\": \n");
    { std::ofstream(log, std::ios::binary | std::ios::trunc) << text; }
    auto reopened = session_manager::open({.clock = clock.fn(), .log_path = log});
    REQUIRE(!reopened);
    CHECK(reopened.error().find("events.jsonl:2:") != std::string::npos);
  }
}

TEST_CASE("session log: compaction starts by itself at the threshold") {
  temp_dir dir;
  const std::string log = dir.file("events.jsonl");
  const auto policies = compile_or_fail(rate_policies);
  const auto entities = entities_or_fail(user_entities);
  fake_clock clock;

  SUBCASE("past the threshold, the file is rewritten") {
    auto sessions = open_or_fail({.clock = clock.fn(), .log_path = log, .compact_after_lines = 20});
    for (int i = 0; i < 20; ++i) {
      (void)sessions->evaluate(policies, entities, call("search"), "s");
      clock.now += 30'000;
    }
    CHECK(count_lines(log) == 20);  // at the threshold, not past it
    (void)sessions->evaluate(policies, entities, call("search"), "s");
    // The 21st line started it: what is left is the minute's searches, the one before them
    // and the session's principal.
    const std::size_t kept = sessions->state("s").events_kept;
    CHECK(kept == 4);
    CHECK(count_lines(log) == kept + 1);
    // The count starts again from there.
    for (int i = 0; i < 20; ++i) {
      clock.now += 30'000;
      (void)sessions->evaluate(policies, entities, call("search"), "s");
    }
    CHECK(count_lines(log) == kept + 1 + 20);
    clock.now += 30'000;
    (void)sessions->evaluate(policies, entities, call("search"), "s");
    CHECK(count_lines(log) == kept + 1);
    auto reopened = open_or_fail({.clock = clock.fn(), .log_path = log});
    CHECK(reopened->state("s").events_seen == 42);
  }
  SUBCASE("not while the file is mostly live events") {
    // Every event is within the hour: rewriting would keep them all, so nothing happens until
    // the file is twice what a compaction would keep.
    const auto hourly = compile_or_fail(R"(
      permit (principal, action, resource);
      forbid (principal, action, resource) when temporal { count_within(1h, Action::"x"::request{}) > 0 };
    )");
    auto sessions = open_or_fail({.clock = clock.fn(), .log_path = log, .compact_after_lines = 5});
    for (int i = 0; i < 30; ++i) {
      (void)sessions->evaluate(hourly, entities, call("search"), "s");
      clock.now += 1'000;
    }
    CHECK(count_lines(log) == 30);
  }
  SUBCASE("0 turns it off") {
    auto sessions = open_or_fail({.clock = clock.fn(), .log_path = log, .compact_after_lines = 0});
    for (int i = 0; i < 50; ++i) {
      (void)sessions->evaluate(policies, entities, call("search"), "s");
      clock.now += 30'000;
    }
    CHECK(count_lines(log) == 50);
  }
  SUBCASE("without a file log there is nothing to compact") {
    session_manager sessions({.clock = clock.fn()});
    CHECK(sessions.compact());
  }
}

TEST_CASE("session log: compaction while sessions decide in parallel loses nothing") {
  temp_dir dir;
  const std::string log = dir.file("events.jsonl");
  const auto policies = compile_or_fail(R"(
    permit (principal, action, resource);
    forbid (principal, action, resource)
    when temporal { count_within(10s, Action::"search"::request{}) > 1000 };
  )");
  const auto entities = entities_or_fail(user_entities);
  std::atomic<std::int64_t> now{1'700'000'000'000};
  const session_clock clock = [&now] { return now.fetch_add(1000); };
  constexpr int threads = 4;
  constexpr int per_thread = 150;
  {
    auto sessions = open_or_fail({.clock = clock, .log_path = log, .compact_after_lines = 40});
    std::vector<std::thread> workers;
    std::atomic<int> allowed{0};
    for (int t = 0; t < threads; ++t)
      workers.emplace_back([&, t] {
        const std::string id = "s" + std::to_string(t);
        for (int i = 0; i < per_thread; ++i) {
          if (sessions->evaluate(policies, entities, call("search"), id).allowed()) ++allowed;
          if (i % 10 == 0)
            (void)sessions->signal({.type = "risk-level-change", .session_id = id, .level = "low"});
        }
      });
    for (auto& w : workers) w.join();
    CHECK(allowed == threads * per_thread);
    CHECK(count_lines(log) < static_cast<std::size_t>(threads * per_thread));
  }
  auto reopened = open_or_fail({.clock = clock, .log_path = log});
  for (int t = 0; t < threads; ++t) {
    CHECK(reopened->state("s" + std::to_string(t)).events_seen == per_thread);
    CHECK(reopened->state("s" + std::to_string(t)).risk_level == "low");
  }
  CHECK(!std::filesystem::exists(log + ".tmp"));
}
