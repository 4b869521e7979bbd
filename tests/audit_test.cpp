// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The audit trail (LANGUAGE.md 4): records built from real evaluations, their JSON lines and the
// way back, the file sink under concurrent writers, and the least-privilege report.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#if !defined(_WIN32)
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "mandate/audit.hpp"
#include "mandate/mandate.hpp"

namespace {

using mandate::audit_record;
using mandate::delegation_hop;
using mandate::entity_ref;
using mandate::request;
using mandate::verdict;

constexpr std::int64_t t0 = 1'800'000'000'000;  // a fixed "now" in milliseconds
constexpr std::int64_t hour = 3'600'000;

// Agents may read and write; people may read, write and delete; root may do anything. Write
// is reached through the action group Action::"writes".
const char* loose_policies = R"cedar(
@id("people") permit (
  principal is User, action in [Action::"read", Action::"write", Action::"delete"], resource);
@id("agents-read") permit (principal is Agent, action == Action::"read", resource);
@id("agents-write") permit (principal is Agent, action in Action::"writes", resource);
@id("root-anything") permit (principal == User::"root", action, resource);
)cedar";

// Exactly what the logged work below needs.
const char* tight_policies = R"cedar(
@id("people") permit (principal is User, action == Action::"read", resource);
@id("agents-read") permit (principal is Agent, action == Action::"read", resource);
)cedar";

const char* entities_text = R"([
  {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Agent", "id": "bot"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Agent", "id": "helper"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Action", "id": "write"}, "attrs": {}, "parents": [{"type": "Action", "id": "writes"}]},
  {"uid": {"type": "Action", "id": "writes"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Action", "id": "delete"}, "attrs": {}, "parents": []}
])";

const entity_ref alice{"User", "alice"};
const entity_ref bot{"Agent", "bot"};
const entity_ref helper{"Agent", "helper"};
const entity_ref read_action{"Action", "read"};
const entity_ref write_action{"Action", "write"};
const entity_ref delete_action{"Action", "delete"};
const entity_ref doc1{"Doc", "d1"};
const entity_ref doc2{"Doc", "d2"};

mandate::policy_set compile(const char* text) {
  auto p = mandate::policy_set::compile(text, "audit.cedar");
  REQUIRE_MESSAGE(p.has_value(), mandate::render(p.error()));
  return *p;
}

mandate::entity_store entities() {
  auto e = mandate::entity_store::from_json(entities_text);
  REQUIRE_MESSAGE(e.has_value(), mandate::render(e.error()));
  return *e;
}

delegation_hop hop(const entity_ref& from, const entity_ref& to, std::vector<entity_ref> scope,
                   std::string grant, std::int64_t expires_at = t0 + hour) {
  return {from, to, std::move(scope), t0 - hour, expires_at, std::move(grant), std::nullopt};
}

// Evaluates `alice` acting through `chain` (direct when empty) at t0 and records the decision.
audit_record logged(const mandate::policy_set& policies, const mandate::entity_store& store,
                    const std::vector<delegation_hop>& chain, const entity_ref& action,
                    const entity_ref& resource, std::string id, std::string grant = {}) {
  request req(alice, action, resource);
  if (!chain.empty()) req = req.with_delegation(chain.back().delegate, chain);
  mandate::evaluation_options options;
  options.now_ms = t0;
  const mandate::decision d = policies.evaluate(req, store, options);
  return mandate::make_audit_record(req, d, policies, t0, grant, "s-1", std::move(id));
}

void check_same_hop(const delegation_hop& a, const delegation_hop& b) {
  CHECK(a.delegator == b.delegator);
  CHECK(a.delegate == b.delegate);
  CHECK(a.scope == b.scope);
  CHECK(a.issued_at_ms == b.issued_at_ms);
  CHECK(a.expires_at_ms == b.expires_at_ms);
  CHECK(a.grant == b.grant);
  CHECK(a.resource == b.resource);
}

void check_same_record(const audit_record& a, const audit_record& b) {
  CHECK(a.decision_id == b.decision_id);
  CHECK(a.time_ms == b.time_ms);
  CHECK(a.agent == b.agent);
  CHECK(a.principal == b.principal);
  REQUIRE(a.chain.size() == b.chain.size());
  for (std::size_t i = 0; i < a.chain.size(); ++i) check_same_hop(a.chain[i], b.chain[i]);
  CHECK(a.action == b.action);
  CHECK(a.resource == b.resource);
  CHECK(a.outcome == b.outcome);
  CHECK(a.reasons == b.reasons);
  CHECK(a.errors == b.errors);
  CHECK(a.deciding_hop == b.deciding_hop);
  CHECK(a.chain_violation == b.chain_violation);
  CHECK(a.grant_id == b.grant_id);
  CHECK(a.session_id == b.session_id);
  CHECK(a.policy_set_hash == b.policy_set_hash);
  CHECK(a.engine_version == b.engine_version);
  CHECK(a.mode == b.mode);
}

std::filesystem::path fresh_directory(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("mandate-audit-" + name + "-" + std::to_string(std::random_device{}()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("audit: a record carries the whole chained evaluation") {
  const auto policies = compile(loose_policies);
  const auto store = entities();
  // People may delete, agents may not: the helper, the first agent of the chain, decides.
  std::vector<delegation_hop> chain{hop(alice, helper, {read_action, delete_action}, "g-parent"),
                                    hop(helper, bot, {read_action, delete_action}, "g-child", t0 + hour / 2)};
  chain[1].resource = doc1;
  const audit_record r = logged(policies, store, chain, delete_action, doc1, "", "g-child");

  CHECK(r.decision_id.starts_with("d-"));
  CHECK(r.decision_id.size() == 34);
  CHECK(r.decision_id.find_first_not_of("0123456789abcdef", 2) == std::string::npos);
  CHECK(r.time_ms == t0);
  REQUIRE(r.agent.has_value());
  CHECK(*r.agent == bot);
  CHECK(r.principal == alice);
  REQUIRE(r.chain.size() == 2);
  check_same_hop(r.chain[0], chain[0]);
  check_same_hop(r.chain[1], chain[1]);
  CHECK(r.action == delete_action);
  CHECK(r.resource == doc1);
  CHECK(r.outcome == verdict::deny);
  CHECK(r.reasons.empty());
  CHECK(r.deciding_hop == 1);
  CHECK(r.chain_violation.empty());
  CHECK(r.grant_id == "g-child");
  CHECK(r.session_id == "s-1");
  CHECK(r.policy_set_hash == policies.fingerprint());
  CHECK(r.engine_version == mandate::version_string);
  CHECK(r.mode == mandate::eval_mode::mandate);

  // Generated ids differ; a given id is kept.
  CHECK(logged(policies, store, chain, delete_action, doc1, "").decision_id != r.decision_id);
  CHECK(logged(policies, store, chain, delete_action, doc1, "mine").decision_id == "mine");

  // An allowed read names the root's permit and the root as the deciding identity.
  const audit_record allowed = logged(policies, store, chain, read_action, doc1, "");
  CHECK(allowed.outcome == verdict::allow);
  CHECK(allowed.reasons == std::vector<std::string>{"people"});
  CHECK(allowed.deciding_hop == 0);

  // A refused chain keeps its code and names no hop.
  const audit_record expired =
      logged(policies, store, {hop(alice, bot, {read_action}, "g-old", t0 - 1)}, read_action, doc1, "");
  CHECK(expired.outcome == verdict::deny);
  CHECK(expired.chain_violation == "chain.expired");
  CHECK(expired.deciding_hop == -1);
}

#if !defined(_WIN32)
TEST_CASE("audit: a forked child does not replay its parent's decision ids") {
  const auto policies = compile(tight_policies);
  const request req(alice, read_action, doc1);
  const mandate::decision d = policies.evaluate(req, entities());
  (void)mandate::make_audit_record(req, d, policies, t0);  // the parent's generator is in use
  int channel[2];
  REQUIRE(::pipe(channel) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const std::string id = mandate::make_audit_record(req, d, policies, t0).decision_id;
    const auto written = ::write(channel[1], id.data(), id.size());
    ::_exit(written == static_cast<ssize_t>(id.size()) ? 0 : 1);
  }
  ::close(channel[1]);
  const std::string parent_id = mandate::make_audit_record(req, d, policies, t0).decision_id;
  char buffer[64] = {};
  const auto got = ::read(channel[0], buffer, sizeof buffer);
  ::close(channel[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(got == 34);
  CHECK(std::string(buffer, 34) != parent_id);
}
#endif

TEST_CASE("audit: erroring policies are recorded by id") {
  const auto policies =
      compile(R"(@id("needs-level") forbid (principal, action, resource) when { principal.level > 3 };
                                   @id("all") permit (principal, action, resource);)");
  const request req(alice, read_action, doc1);
  const auto d = policies.evaluate(req, entities());
  const audit_record r = mandate::make_audit_record(req, d, policies, t0);
  CHECK(r.outcome == verdict::deny);
  CHECK(r.errors == std::vector<std::string>{"needs-level"});
  CHECK(!r.agent.has_value());
  CHECK(r.chain.empty());
  CHECK(r.deciding_hop == -1);
}

TEST_CASE("audit: a record's JSON line uses AuthZEN and OCSF names and reads back the same") {
  const auto policies = compile(loose_policies);
  std::vector<delegation_hop> chain{hop(alice, helper, {read_action}, "g-1"),
                                    hop(helper, bot, {read_action}, "")};
  chain[1].resource = doc2;
  audit_record r = logged(policies, entities(), chain, read_action, doc2, "d-fixed", "g-1");
  r.time_ms = *mandate::parse_rfc3339("2027-01-15T08:00:00.250Z");
  r.errors = {"p1"};
  r.mode = mandate::eval_mode::cedar;

  const std::string line = mandate::to_json(r);
  CHECK(line.find('\n') == std::string::npos);
  const auto j = nlohmann::json::parse(line);
  CHECK(j["id"] == "d-fixed");
  CHECK(j["time"] == "2027-01-15T08:00:00.250Z");
  CHECK(j["decision"] == "allow");
  CHECK(j["subject"] == nlohmann::json{{"type", "User"}, {"id", "alice"}});
  CHECK(j["actor"] == nlohmann::json{{"type", "Agent"}, {"id", "bot"}});
  CHECK(j["action"] == nlohmann::json{{"type", "Action"}, {"id", "read"}, {"name", "read"}});
  CHECK(j["resource"] == nlohmann::json{{"type", "Doc"}, {"id", "d2"}});
  REQUIRE(j["delegation"].size() == 2);
  CHECK(j["delegation"][0]["grant"] == "g-1");
  CHECK(!j["delegation"][1].contains("grant"));
  CHECK(j["delegation"][1]["resource"]["id"] == "d2");
  CHECK(j["delegation"][0]["expires_at"] == "2027-01-15T09:00:00.000Z");  // t0 + 1 hour
  CHECK(j["reasons"] == nlohmann::json::array({"people"}));
  CHECK(j["errors"] == nlohmann::json::array({"p1"}));
  CHECK(j["deciding_hop"] == 0);
  CHECK(!j.contains("chain_violation"));
  CHECK(j["grant"] == "g-1");
  CHECK(j["session"] == "s-1");
  CHECK(j["policy_set_hash"] == fmt::format("{:016x}", policies.fingerprint()));
  CHECK(j["engine"] ==
        nlohmann::json{{"name", "mandate"}, {"version", std::string(mandate::version_string)}});
  CHECK(j["mode"] == "cedar");

  auto back = mandate::parse_audit_line(line);
  REQUIRE_MESSAGE(back.has_value(), back.error());
  check_same_record(*back, r);
  CHECK(mandate::to_json(*back) == line);

  // The sparse case: no agent, no chain, a refused chain's code, no grant or session.
  audit_record bare;
  bare.decision_id = "d-bare";
  bare.principal = alice;
  bare.action = read_action;
  bare.resource = doc1;
  bare.chain_violation = "chain.missing";
  bare.policy_set_hash = 0xabcULL;
  const std::string bare_line = mandate::to_json(bare);
  CHECK(bare_line.find("\"policy_set_hash\":\"0000000000000abc\"") != std::string::npos);
  CHECK(bare_line.find("\"time\":\"1970-01-01T00:00:00.000Z\"") != std::string::npos);
  CHECK(bare_line.find("actor") == std::string::npos);
  auto bare_back = mandate::parse_audit_line(bare_line);
  REQUIRE_MESSAGE(bare_back.has_value(), bare_back.error());
  check_same_record(*bare_back, bare);
}

TEST_CASE("audit: malformed lines are refused with a one-line message that names the field") {
  audit_record r;
  r.decision_id = "d-1";
  r.principal = alice;
  r.agent = bot;
  r.chain = {hop(alice, bot, {read_action}, "g-1")};
  r.action = read_action;
  r.resource = doc1;
  const std::string good = mandate::to_json(r);
  REQUIRE(mandate::parse_audit_line(good).has_value());

  const auto replaced = [&](const std::string& from, const std::string& to) {
    std::string line = good;
    const auto at = line.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    return line.replace(at, from.size(), to);
  };
  struct bad_case {
    std::string line;
    std::string expected;
  };
  const std::vector<bad_case> cases{
      {"{\"id\": ", "invalid JSON"},
      {"[1, 2]", "must be a JSON object"},
      {replaced("\"subject\"", "\"someone\""), "\"subject\" is missing"},
      {replaced("\"decision\":\"deny\"", "\"decision\":\"maybe\""), "decision: \"maybe\""},
      {replaced("\"decision\":\"deny\"", "\"decision\":\"deny\",\"decision\":\"allow\""), "duplicate key"},
      {replaced("\"expires_at\":\"", "\"expires_at\":\"soon"), "delegation[0].expires_at"},
      {replaced("\"delegator\":{\"type\":\"User\",", "\"delegator\":{"), "delegation[0].delegator: \"type\""},
      {replaced("\"policy_set_hash\":\"0000000000000000\"", "\"policy_set_hash\":\"xyz\""),
       "policy_set_hash"},
      {replaced("\"mode\":\"mandate\"", "\"mode\":\"strict\""), "mode"},
      {replaced("\"reasons\":[]", "\"reasons\":[1]"), "reasons[0]"},
      {replaced("\"actor\":{\"type\":\"Agent\",\"id\":\"bot\"}", "\"actor\":\"bot\""), "actor"},
  };
  for (const bad_case& c : cases) {
    auto parsed = mandate::parse_audit_line(c.line);
    REQUIRE_MESSAGE(!parsed.has_value(), c.line);
    CHECK_MESSAGE(parsed.error().find(c.expected) != std::string::npos, parsed.error());
    CHECK(parsed.error().find('\n') == std::string::npos);
    CHECK(parsed.error().starts_with("audit line"));
  }

  // A line from another writer may name the action by AuthZEN's "name" alone.
  auto by_name =
      mandate::parse_audit_line(replaced("\"id\":\"read\",\"name\":\"read\"", "\"name\":\"read\""));
  REQUIRE_MESSAGE(by_name.has_value(), by_name.error());
  CHECK(by_name->action == read_action);
}

TEST_CASE("audit: the file sink appends one flushed line per record") {
  const auto dir = fresh_directory("sink");
  const auto path = dir / "audit.log";
  {
    std::ofstream existing(path);
    existing << "earlier line\n";
  }
  auto sink = mandate::file_audit_sink::open(path);
  REQUIRE_MESSAGE(sink.has_value(), sink.error());
  audit_record r;
  r.principal = alice;
  r.action = read_action;
  r.resource = doc1;
  r.decision_id = "d-first";
  (*sink)->write(r);
  // Read while the sink is still open: the line must already be in the file.
  auto lines = read_lines(path);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "earlier line");  // append mode keeps what was there
  CHECK(lines[1] == mandate::to_json(r));
  r.decision_id = "d-second";
  (*sink)->write(r);
  lines = read_lines(path);
  REQUIRE(lines.size() == 3);
  CHECK(mandate::parse_audit_line(lines[2])->decision_id == "d-second");
  CHECK(!(*sink)->failed());
  sink->reset();
  std::filesystem::remove_all(dir);
}

TEST_CASE("audit: a trail torn in the middle of a line gets its next record on a line of its own") {
  const auto dir = fresh_directory("torn");
  const auto path = dir / "audit.log";
  audit_record r;
  r.principal = alice;
  r.action = read_action;
  r.resource = doc1;
  r.decision_id = "d-whole";
  const std::string whole = mandate::to_json(r);
  {
    // A record, then the first half of another, as a process killed mid-write leaves it.
    std::ofstream existing(path, std::ios::binary);
    existing << whole << "\n" << whole.substr(0, whole.size() / 2);
  }
  {
    auto sink = mandate::file_audit_sink::open(path);
    REQUIRE_MESSAGE(sink.has_value(), sink.error());
    r.decision_id = "d-after";
    (*sink)->write(r);
  }
  const auto lines = read_lines(path);
  REQUIRE(lines.size() == 3);
  CHECK(mandate::parse_audit_line(lines[0])->decision_id == "d-whole");
  CHECK_FALSE(mandate::parse_audit_line(lines[1]).has_value());  // only the fragment is lost
  CHECK(mandate::parse_audit_line(lines[2])->decision_id == "d-after");
  // A trail that ends with its newline is appended to as it is.
  {
    auto sink = mandate::file_audit_sink::open(path);
    REQUIRE(sink.has_value());
    r.decision_id = "d-last";
    (*sink)->write(r);
  }
  const auto more = read_lines(path);
  REQUIRE(more.size() == 4);
  CHECK(mandate::parse_audit_line(more[3])->decision_id == "d-last");
  std::filesystem::remove_all(dir);
}

TEST_CASE("audit: concurrent writers never interleave lines and lose none") {
  const auto dir = fresh_directory("threads");
  const auto path = dir / "audit.log";
  constexpr int thread_count = 8;
  constexpr int records_per_thread = 300;
  {
    auto sink = mandate::file_audit_sink::open(path);
    REQUIRE_MESSAGE(sink.has_value(), sink.error());
    mandate::audit_sink& shared = **sink;
    std::vector<std::thread> writers;
    for (int t = 0; t < thread_count; ++t) {
      writers.emplace_back([&shared, t] {
        audit_record r;
        r.principal = alice;
        r.action = read_action;
        r.resource = doc1;
        // Lines longer than stdio's buffer take several write(2) calls each: without the lock
        // they would tear.
        for (int k = 0; k < 200; ++k)
          r.reasons.push_back("policy-from-thread-" + std::to_string(t) + "-" + std::to_string(k));
        for (int i = 0; i < records_per_thread; ++i) {
          r.decision_id = "d-" + std::to_string(t) + "-" + std::to_string(i);
          shared.write(r);
        }
      });
    }
    for (std::thread& w : writers) w.join();
  }
  const auto lines = read_lines(path);
  REQUIRE(lines.size() == std::size_t{thread_count} * records_per_thread);
  std::set<std::string> ids;
  for (const std::string& line : lines) {
    auto parsed = mandate::parse_audit_line(line);
    REQUIRE_MESSAGE(parsed.has_value(), parsed.error());
    REQUIRE(parsed->reasons.size() == 200);
    // Every reason names the thread whose record this is: no line mixes two writers.
    const std::string owner =
        "policy-from-thread-" + parsed->decision_id.substr(2, parsed->decision_id.find('-', 2) - 2) + "-";
    CHECK(std::all_of(parsed->reasons.begin(), parsed->reasons.end(),
                      [&](const std::string& reason) { return reason.starts_with(owner); }));
    ids.insert(parsed->decision_id);
  }
  CHECK(ids.size() == lines.size());
  std::filesystem::remove_all(dir);
}

TEST_CASE("audit: a sink that cannot open or cannot write says so") {
  const auto dir = fresh_directory("unwritable");
  auto missing = mandate::file_audit_sink::open(dir / "no-such-directory" / "audit.log");
  REQUIRE(!missing.has_value());
  CHECK(missing.error().find("cannot open audit log") != std::string::npos);
  CHECK(missing.error().find("no-such-directory") != std::string::npos);
  CHECK(missing.error().find("No such file or directory") != std::string::npos);

  auto directory = mandate::file_audit_sink::open(dir);
  REQUIRE(!directory.has_value());
  CHECK(directory.error().find("Is a directory") != std::string::npos);
  std::filesystem::remove_all(dir);

  // /dev/full accepts the open and refuses every write: the sink must notice.
  if (std::filesystem::exists("/dev/full")) {
    auto full = mandate::file_audit_sink::open("/dev/full");
    REQUIRE_MESSAGE(full.has_value(), full.error());
    CHECK(!(*full)->failed());
    audit_record r;
    r.decision_id = "d-lost";
    (*full)->write(r);
    CHECK((*full)->failed());
  }
}

TEST_CASE(
    "audit: the least-privilege report finds unused permits, excess actions, unused grants, deep chains") {
  const auto policies = compile(loose_policies);
  const auto store = entities();
  const std::vector<audit_record> records{
      // alice -> bot reads: allowed, decided by alice's permit; bot's own permit is needed too.
      logged(policies, store, {hop(alice, bot, {read_action}, "g-1")}, read_action, doc1, "d-direct"),
      // alice -> helper -> bot reads: allowed, but the helper adds nothing.
      logged(policies, store,
             {hop(alice, helper, {read_action}, "g-2"), hop(helper, bot, {read_action}, "g-3")}, read_action,
             doc2, "d-deep"),
      // A grant for writing, used for a delete it does not cover: refused, so never used.
      logged(policies, store, {hop(alice, bot, {write_action}, "g-4")}, delete_action, doc1, "d-refused"),
      // alice acting herself: no agent to report on.
      logged(policies, store, {}, delete_action, doc1, "d-human"),
  };
  REQUIRE(records[0].outcome == verdict::allow);
  REQUIRE(records[1].outcome == verdict::allow);
  REQUIRE(records[2].chain_violation == "chain.out_of_scope");
  REQUIRE(records[3].outcome == verdict::allow);

  const auto report = mandate::build_least_privilege_report(policies, records, store);
  // agents-read decided nothing by name (the root decides an allowed chain) yet let bot read.
  CHECK(report.unused_permits == std::vector<std::string>{"agents-write", "root-anything"});

  REQUIRE(report.agents.size() == 1);
  const auto& excess = report.agents[0];
  CHECK(excess.agent == bot);
  // The group Action::"writes" is not an action of its own, though `in` would match it.
  CHECK(excess.allowed_actions == std::vector<entity_ref>{read_action, write_action});
  CHECK(excess.used_actions == std::vector<entity_ref>{read_action});
  CHECK(excess.excess_actions == std::vector<entity_ref>{write_action});

  CHECK(report.unused_grants == std::vector<std::string>{"g-4"});

  REQUIRE(report.deep_chains.size() == 1);
  CHECK(report.deep_chains[0].decision_id == "d-deep");
  CHECK(report.deep_chains[0].depth == 2);
  CHECK(report.deep_chains[0].needed == 1);
  CHECK(!report.empty());

  // Through JSON lines and back, the report is the same.
  std::vector<audit_record> reread;
  for (const audit_record& r : records) reread.push_back(*mandate::parse_audit_line(mandate::to_json(r)));
  CHECK(mandate::to_json(mandate::build_least_privilege_report(policies, reread, store)) ==
        mandate::to_json(report));
  CHECK(
      mandate::to_json(report) ==
      R"({"unused_permits":["agents-write","root-anything"],"agents":[{"agent":{"type":"Agent","id":"bot"},)"
      R"("allowed_actions":[{"type":"Action","id":"read"},{"type":"Action","id":"write"}],)"
      R"("used_actions":[{"type":"Action","id":"read"}],"excess_actions":[{"type":"Action","id":"write"}]}],)"
      R"("unused_grants":["g-4"],"deep_chains":[{"decision_id":"d-deep","depth":2,"needed":1}]})");
}

TEST_CASE("audit: the report claims no deep chain and no used grant for a refused chain") {
  // Dropping the agent without a permit would allow, but the logged request was denied.
  const auto policies = compile(R"(
    @id("people") permit (principal is User, action, resource);
    @id("helper") permit (principal == Agent::"helper", action == Action::"read", resource);
    @id("bot") permit (principal == Agent::"bot", action, resource);
  )");
  const auto store = entities();
  const entity_ref third{"Agent", "third"};
  const std::vector<audit_record> records{
      logged(policies, store,
             {hop(alice, helper, {read_action}, "g-1"), hop(helper, third, {read_action}, "g-2"),
              hop(third, bot, {read_action}, "g-3")},
             read_action, doc1, "d-three")};
  REQUIRE(records[0].outcome == verdict::deny);  // third has no permit
  const auto report = mandate::build_least_privilege_report(policies, records, store);
  CHECK(report.deep_chains.empty());  // a refused chain is not an over-long allowed one
  CHECK(report.unused_grants == std::vector<std::string>{"g-1", "g-2", "g-3"});
}

TEST_CASE("audit: no deep chain is claimed when the current policies refuse the logged chain") {
  const auto store = entities();
  const auto then = compile(loose_policies);
  const std::vector<audit_record> records{
      logged(then, store, {hop(alice, helper, {read_action}, "g-1"), hop(helper, bot, {read_action}, "g-2")},
             read_action, doc1, "d-deep")};
  REQUIRE(records[0].outcome == verdict::allow);
  REQUIRE(mandate::build_least_privilege_report(then, records, store).deep_chains.size() == 1);
  // Now the helper has lost its permit: the logged chain would be refused, though alice -> bot
  // alone would still be allowed. Calling the chain "deeper than needed" would be wrong.
  const auto now = compile(R"(
    @id("people") permit (principal is User, action, resource);
    @id("bot") permit (principal == Agent::"bot", action == Action::"read", resource);
  )");
  CHECK(mandate::build_least_privilege_report(now, records, store).deep_chains.empty());
}

TEST_CASE("audit: a tight setup gets an empty report") {
  const auto policies = compile(tight_policies);
  const auto store = entities();
  const std::vector<audit_record> records{
      logged(policies, store, {hop(alice, bot, {read_action}, "g-1")}, read_action, doc1, "d-1"),
      logged(policies, store, {hop(alice, bot, {read_action}, "g-1")}, read_action, doc2, "d-2"),
      // Denied attempts use nothing: the write is out of the grant's scope.
      logged(policies, store, {hop(alice, bot, {read_action}, "g-1")}, write_action, doc1, "d-3"),
      logged(policies, store, {}, read_action, doc1, "d-4"),
  };
  REQUIRE(records[2].outcome == verdict::deny);
  const auto report = mandate::build_least_privilege_report(policies, records, store);
  CHECK(report.unused_permits.empty());
  CHECK(report.agents.empty());
  CHECK(report.unused_grants.empty());
  CHECK(report.deep_chains.empty());
  CHECK(report.empty());
  CHECK(mandate::to_json(report) ==
        R"({"unused_permits":[],"agents":[],"unused_grants":[],"deep_chains":[]})");
}
