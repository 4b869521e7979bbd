// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The public API as an embedding program uses it: the engine holder under concurrent
// replacement, policy_set sharing across threads, noexcept evaluation, loading policy
// directories, fingerprints, sizes and ids.
#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "mandate/mandate.hpp"

using namespace mandate;

namespace {

using ids = std::vector<std::string>;

policy_set compile_ok(std::string_view text) {
  auto compiled = policy_set::compile(text);
  INFO("policy text:\n", text);
  if (!compiled) FAIL(render(compiled.error()));
  return std::move(compiled).value();
}

entity_store entities_ok(std::string_view json) {
  auto loaded = entity_store::from_json(json);
  INFO("entities:\n", json);
  if (!loaded) FAIL(render(loaded.error()));
  return std::move(loaded).value();
}

// A fresh directory under the system temp directory, removed again at the end of the test.
class temp_dir {
 public:
  temp_dir() {
    std::random_device random;
    const auto base = std::filesystem::temp_directory_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = base / ("mandate-api-test-" + std::to_string(random()) + "-" + std::to_string(attempt));
      if (std::filesystem::create_directory(path_)) return;
    }
    FAIL("cannot create a temporary directory under ", base.string());
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  std::filesystem::path write(const std::string& name, std::string_view text) const {
    const std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << text;
    out.close();
    REQUIRE(out.good());
    return file;
  }

 private:
  std::filesystem::path path_;
};

bool has_code(const std::vector<diagnostic>& ds, std::string_view code) {
  for (const auto& d : ds)
    if (d.code == code && d.level == severity::error) return true;
  return false;
}

// ---- the two policy sets and two entity stores the engine alternates between ----------------
//
// Set A allows alice to read, set B denies it; which policy decides depends on alice's level,
// which is 1 in store E1 and 2 in store E2. Each of the four combinations has exactly one
// correct decision, so a decision that mixes two policy sets is caught, and so is one that
// pairs policies and entities never published together.

constexpr std::string_view set_a = R"cedar(
  @id("a1") permit (principal == User::"alice", action == Action::"read", resource)
  when { principal.level == 1 };
  @id("a2") permit (principal == User::"alice", action == Action::"read", resource)
  when { principal.level == 2 };
)cedar";

constexpr std::string_view set_b = R"cedar(
  @id("b-permit") permit (principal, action, resource);
  @id("b1") forbid (principal, action, resource) when { principal.level == 1 };
  @id("b2") forbid (principal, action, resource) when { principal.level == 2 };
)cedar";

constexpr std::string_view store_1 = R"([{"uid": {"type": "User", "id": "alice"}, "attrs": {"level": 1}}])";
constexpr std::string_view store_2 = R"([{"uid": {"type": "User", "id": "alice"}, "attrs": {"level": 2}}])";

// Which of the four consistent decisions `d` is: 0 (A, E1), 1 (A, E2), 2 (B, E1), 3 (B, E2);
// -1 for anything else.
int classify(const decision& d) {
  if (!d.errors.empty() || d.failed_closed || d.reasons.size() != 1) return -1;
  const std::string& reason = d.reasons[0];
  if (d.outcome == verdict::allow) {
    if (reason == "a1") return 0;
    if (reason == "a2") return 1;
  } else if (d.outcome == verdict::deny) {
    if (reason == "b1") return 2;
    if (reason == "b2") return 3;
  }
  return -1;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The engine holder.

TEST_CASE(
    "engine: evaluations during concurrent replace_policies / replace_entities see one whole snapshot") {
  const policy_set a = compile_ok(set_a);
  const policy_set b = compile_ok(set_b);
  const entity_store e1 = entities_ok(store_1);
  const entity_store e2 = entities_ok(store_2);
  const request req({"User", "alice"}, {"Action", "read"}, {"Doc", "d"});

  // Single-threaded, each combination gives its own decision.
  CHECK(classify(a.evaluate(req, e1)) == 0);
  CHECK(classify(a.evaluate(req, e2)) == 1);
  CHECK(classify(b.evaluate(req, e1)) == 2);
  CHECK(classify(b.evaluate(req, e2)) == 3);

  engine holder(a, e1);
  constexpr int readers = 4;
  constexpr int publications = 2000;
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> evaluations{0};
  std::atomic<std::uint64_t> torn{0};
  std::array<std::atomic<std::uint64_t>, 4> seen{};
  std::vector<std::string> first_torn(readers);

  std::vector<std::thread> threads;
  for (int t = 0; t < readers; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const evaluation_options options{.mode = (n & 1) != 0 ? eval_mode::cedar : eval_mode::mandate,
                                         .engine = (n & 2) != 0 ? evaluator::reference : evaluator::plan};
        const decision d = holder.evaluate(req, options);
        const int kind = classify(d);
        if (kind < 0 || kind == 3 || d.mode != options.mode) {
          torn.fetch_add(1);
          if (first_torn[t].empty()) first_torn[t] = to_json(d);
        } else {
          seen[kind].fetch_add(1, std::memory_order_relaxed);
        }
        evaluations.fetch_add(1, std::memory_order_release);
        ++n;
        std::this_thread::yield();  // on a machine with few cores, let the writer run
      }
    });
  }

  // The writer changes one half at a time: (A, E1) -> (B, E1) -> (A, E1) -> (A, E2) -> (A, E1)
  // ... so (B, E2) is never published: a decision of kind 3 mixes the policies of one snapshot
  // with the entities of a later one. First, after each publication the writer waits until the
  // readers have finished 2 * readers more evaluations: at most `readers` of them can have
  // started on an older snapshot, so every published state is evaluated at least `readers`
  // times. Then for 300 ms it publishes as fast as it can, A and E2 back to back, so that a
  // reader that read B's policies and then the entities after that pair would show up torn.
  // (A race test: it can miss a torn read, but it never reports one that did not happen.)
  go.store(true);
  auto publish = [&](int i) {
    switch (i % 4) {
      case 1:
        holder.replace_policies(b);
        break;
      case 2:
        holder.replace_policies(a);
        break;
      case 3:
        holder.replace_entities(e2);
        break;
      default:
        holder.replace_entities(e1);
        break;
    }
  };
  bool progressed = true;
  int i = 1;
  for (; i <= publications && progressed; ++i) {
    publish(i);
    const std::uint64_t target = evaluations.load(std::memory_order_acquire) + 2 * readers;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (evaluations.load(std::memory_order_acquire) < target) {
      if (std::chrono::steady_clock::now() > deadline) {
        progressed = false;
        break;
      }
      std::this_thread::yield();
    }
  }
  const auto stress_end = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  for (; std::chrono::steady_clock::now() < stress_end || i % 4 != 1; ++i) {
    publish(i);
    if (i % 4 == 2) continue;  // A and E2 back to back: then (B, E2) is one torn read away
    // Busy-wait rather than yield, so the readers run alongside on the other cores.
    const auto pause_end = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
    while (std::chrono::steady_clock::now() < pause_end) {
    }
  }
  stop.store(true);
  for (auto& t : threads) t.join();

  CHECK(progressed);
  INFO("evaluations: ", evaluations.load(), "; seen (A,E1) ", seen[0].load(), " (A,E2) ", seen[1].load(),
       " (B,E1) ", seen[2].load());
  std::string examples;
  for (const auto& example : first_torn) examples += example.empty() ? "" : "\n  " + example;
  INFO("torn decisions, for example:", examples);
  CHECK(torn.load() == 0);
  CHECK(seen[0].load() >= readers);
  CHECK(seen[1].load() >= readers);
  CHECK(seen[2].load() >= readers);

  // After the writer stops, the holder answers from the last publication, (A, E1).
  const std::shared_ptr<const snapshot> last = holder.current();
  REQUIRE(last != nullptr);
  CHECK(classify(last->policies.evaluate(req, last->entities)) == 0);
  CHECK(classify(holder.evaluate(req)) == 0);
}

TEST_CASE("engine: a snapshot stays usable after it has been replaced") {
  engine holder(compile_ok(set_a), entities_ok(store_1));
  const request req({"User", "alice"}, {"Action", "read"}, {"Doc", "d"});
  const std::shared_ptr<const snapshot> old = holder.current();
  holder.replace_policies(compile_ok(set_b));
  holder.replace_entities(entities_ok(store_2));
  CHECK(classify(holder.evaluate(req)) == 3);
  CHECK(classify(old->policies.evaluate(req, old->entities)) == 0);
  CHECK(old->policies.size() == 2);
  CHECK(holder.current()->policies.size() == 3);
  CHECK(holder.current()->entities.size() == 1);
  // Replacing one half keeps the other.
  holder.replace_policies(compile_ok(set_a));
  CHECK(classify(holder.evaluate(req)) == 1);
  CHECK(holder.evaluate(req, {.mode = eval_mode::cedar}).mode == eval_mode::cedar);
}

// ---------------------------------------------------------------------------------------------
// policy_set sharing.

TEST_CASE("policy_set copies share the compiled set and are usable from many threads") {
  const entity_store store = entities_ok(R"([
    {"uid": {"type": "User", "id": "alice"}, "attrs": {"level": 3},
     "parents": [{"type": "Group", "id": "staff"}]},
    {"uid": {"type": "User", "id": "bob"}, "attrs": {"level": 1}},
    {"uid": {"type": "Group", "id": "staff"}}
  ])");
  std::vector<policy_set> copies;
  std::uint64_t fingerprint = 0;
  const void* shared = nullptr;
  {
    const policy_set original = compile_ok(R"cedar(
      @id("staff") permit (principal in Group::"staff", action, resource);
      @id("senior") permit (principal, action == Action::"write", resource) when { principal.level >= 3 };
      @id("approve-writes") require_approval (principal, action == Action::"write", resource);
      @id("no-delete") forbid (principal, action == Action::"delete", resource);
      @id("broken") forbid (principal, action == Action::"read", resource) when { principal.nope };
    )cedar");
    fingerprint = original.fingerprint();
    shared = &original.internals();
    for (int i = 0; i < 4; ++i) copies.push_back(original);
  }  // the original is gone; the copies keep the compiled set alive
  for (const policy_set& copy : copies) {
    CHECK(&copy.internals() == shared);
    CHECK(copy.fingerprint() == fingerprint);
    CHECK(copy.size() == 5);
  }

  struct probe {
    request req;
    verdict outcome;
    ids reasons;
  };
  const std::vector<probe> probes = {
      {request({"User", "alice"}, {"Action", "list"}, {"Doc", "d"}), verdict::allow, {"staff"}},
      {request({"User", "alice"}, {"Action", "write"}, {"Doc", "d"}),
       verdict::require_approval,
       {"staff", "senior", "approve-writes"}},
      {request({"User", "bob"}, {"Action", "write"}, {"Doc", "d"}), verdict::deny, {}},
      {request({"User", "alice"}, {"Action", "delete"}, {"Doc", "d"}), verdict::deny, {"no-delete"}},
      {request({"User", "alice"}, {"Action", "read"}, {"Doc", "d"}), verdict::deny, {"broken"}},
  };

  std::atomic<int> wrong{0};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < copies.size(); ++t) {
    threads.emplace_back([&, t] {
      const policy_set mine = copies[t];  // one more copy, made on this thread
      for (int i = 0; i < 500; ++i) {
        const probe& p = probes[(static_cast<std::size_t>(i) + t) % probes.size()];
        const evaluator which = i % 2 == 0 ? evaluator::plan : evaluator::reference;
        const decision d = mine.evaluate(p.req, store, {.engine = which});
        if (d.outcome != p.outcome || d.reasons != p.reasons) wrong.fetch_add(1);
        done.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(done.load() == 2000);
  CHECK(wrong.load() == 0);
}

// ---------------------------------------------------------------------------------------------
// Evaluation never throws.

TEST_CASE("evaluate is noexcept and denies, with errors, a request naming entities that do not exist") {
  static_assert(noexcept(std::declval<const policy_set&>().evaluate(std::declval<const request&>(),
                                                                    std::declval<const entity_store&>())));
  static_assert(noexcept(std::declval<const policy_set&>().evaluate(
      std::declval<const request&>(), std::declval<const entity_store&>(), std::declval<decision&>())));
  static_assert(noexcept(std::declval<const engine&>().evaluate(std::declval<const request&>())));

  const policy_set policies = compile_ok(R"cedar(
    @id("needs-level") permit (principal, action, resource) when { principal.level > 0 };
    @id("owner-only") forbid (principal, action, resource) unless { resource.owner == principal };
  )cedar");
  const request ghost({"User", "ghost"}, {"Action", "read"}, {"Doc", "ghost"});
  for (const entity_store& store :
       {entity_store(), entities_ok(R"([{"uid": {"type": "User", "id": "alice"}}])")}) {
    for (const evaluator which : {evaluator::plan, evaluator::reference}) {
      const decision strict = policies.evaluate(ghost, store, {.mode = eval_mode::mandate, .engine = which});
      CHECK(strict.outcome == verdict::deny);
      CHECK(strict.reasons == ids{"owner-only"});
      // No permit holds either, so the deny does not rest on the erroring forbid.
      CHECK_FALSE(strict.failed_closed);
      REQUIRE(strict.errors.size() == 2);
      CHECK(strict.errors[0].policy == "needs-level");
      CHECK(strict.errors[0].message.find(R"(User::"ghost")") != std::string::npos);
      CHECK(strict.errors[1].policy == "owner-only");
      CHECK(strict.errors[1].message.find(R"(Doc::"ghost")") != std::string::npos);

      const decision cedar = policies.evaluate(ghost, store, {.mode = eval_mode::cedar, .engine = which});
      CHECK(cedar.outcome == verdict::deny);
      CHECK(cedar.reasons.empty());
      CHECK_FALSE(cedar.failed_closed);
      CHECK(cedar.errors.size() == 2);
    }
  }
  // The engine answers the same way.
  engine holder(policies, entity_store());
  const decision d = holder.evaluate(ghost);
  CHECK(d.outcome == verdict::deny);
  CHECK(d.errors.size() == 2);
}

TEST_CASE("evaluate into a reused decision overwrites everything from the previous one") {
  const policy_set policies = compile_ok(R"cedar(
    @id("p") @reason("r") permit (principal, action == Action::"read", resource);
    @id("ra") @approvers("x") require_approval (principal, action == Action::"read", resource)
    when { context.big };
    @id("f") forbid (principal, action == Action::"write", resource) when { principal.nope };
    @id("w") permit (principal, action == Action::"write", resource);
  )cedar");
  const entity_store store;
  decision out;
  const request base({"User", "a"}, {"Action", "read"}, {"Doc", "d"});
  auto big = base.with_context_json(R"({"big": true})");
  REQUIRE(big);
  policies.evaluate(*big, store, out);
  CHECK(out.outcome == verdict::require_approval);
  CHECK(out.annotations.size() == 4);
  policies.evaluate(request({"User", "a"}, {"Action", "write"}, {"Doc", "d"}), store, out);
  CHECK(out.outcome == verdict::deny);
  CHECK(out.reasons == ids{"f"});
  CHECK(out.failed_closed);
  REQUIRE(out.annotations.size() == 1);
  CHECK(out.annotations[0].policy == "f");
  policies.evaluate(request({"User", "a"}, {"Action", "list"}, {"Doc", "d"}), store, out,
                    {.mode = eval_mode::cedar});
  CHECK(out.outcome == verdict::deny);
  CHECK(out.reasons.empty());
  CHECK(out.errors.empty());
  CHECK(out.annotations.empty());
  CHECK_FALSE(out.failed_closed);
  CHECK(out.mode == eval_mode::cedar);
  policies.evaluate(*big, store, out, {.engine = evaluator::reference});
  CHECK(out.outcome == verdict::require_approval);
  CHECK(out.reasons == ids{"p", "ra"});
  CHECK(out.mode == eval_mode::mandate);
}

// ---------------------------------------------------------------------------------------------
// Loading policy files.

TEST_CASE(
    "policy_set::load reads the *.cedar files of a directory in sorted order; ids run on across files") {
  temp_dir dir;
  // Written out of order, to show that the order is the sorted paths, not creation order.
  dir.write("b.cedar", R"cedar(
    forbid (principal, action == Action::"write", resource);
    @id("b-named") permit (principal, action == Action::"write", resource);
  )cedar");
  dir.write("notes.txt", "this is not Cedar at all (((");
  dir.write("a.cedar", R"cedar(
    permit (principal, action == Action::"read", resource);
    @id("a-named") permit (principal, action, resource) when { context.ok };
  )cedar");

  auto loaded = policy_set::load(dir.path());
  if (!loaded) FAIL(render(loaded.error()));
  const policy_set& policies = *loaded;
  CHECK(policies.size() == 4);
  CHECK(policies.policy_ids() == ids{"policy0", "a-named", "policy2", "b-named"});

  const entity_store none;
  const decision read = policies.evaluate(request({"User", "u"}, {"Action", "read"}, {"Doc", "d"}), none);
  CHECK(read.outcome == verdict::allow);
  CHECK(read.reasons == ids{"policy0"});
  const decision write = policies.evaluate(request({"User", "u"}, {"Action", "write"}, {"Doc", "d"}), none);
  CHECK(write.outcome == verdict::deny);
  CHECK(write.reasons == ids{"policy2"});
  // a-named reads context.ok, which this request lacks: a permit error, reported by id.
  REQUIRE(read.errors.size() == 1);
  CHECK(read.errors[0].policy == "a-named");

  // The same directory compiled from sources in the same order gives the same ids.
  auto direct = policy_set::load(dir.path() / "a.cedar");
  REQUIRE(direct);
  CHECK(direct->policy_ids() == ids{"policy0", "a-named"});
}

TEST_CASE("policy_set::load includes *.mandate files and reports errors with the file's path") {
  temp_dir dir;
  dir.write("a.cedar", "permit (principal, action, resource);\n");
  dir.write("b.mandate", R"(@id("guard") require_approval (principal, action, resource);)");
  auto loaded = policy_set::load(dir.path());
  if (!loaded) FAIL(render(loaded.error()));
  CHECK(loaded->policy_ids() == ids{"policy0", "guard"});
  CHECK(loaded->evaluate(request({"User", "u"}, {"Action", "a"}, {"Doc", "d"}), entity_store()).outcome ==
        verdict::require_approval);

  const auto broken =
      dir.write("c.cedar", "permit (principal, action, resource);\npermit (principal action);\n");
  auto failed = policy_set::load(dir.path());
  REQUIRE_FALSE(failed);
  REQUIRE_FALSE(failed.error().empty());
  const diagnostic& d = failed.error().front();
  CHECK(d.level == severity::error);
  CHECK(d.code == "parse");
  CHECK(std::filesystem::path(d.where.file).filename() == "c.cedar");
  CHECK(d.where.line == 2);
  CHECK(std::filesystem::equivalent(std::filesystem::path(d.where.file), broken));
}

TEST_CASE("policy_set::load: a missing path is an io diagnostic") {
  temp_dir dir;
  const auto missing = dir.path() / "does-not-exist";
  auto file = policy_set::load(missing / "policies.cedar");
  REQUIRE_FALSE(file);
  CHECK(has_code(file.error(), "io"));
  CHECK(file.error().front().where.file.find("policies.cedar") != std::string::npos);
  auto directory = policy_set::load(missing);
  REQUIRE_FALSE(directory);
  CHECK(has_code(directory.error(), "io"));
  CHECK_FALSE(render(directory.error()).empty());
}

TEST_CASE("policy_set::load: a directory without policy files is an io diagnostic, not an empty set") {
  temp_dir dir;
  auto empty = policy_set::load(dir.path());
  REQUIRE_FALSE(empty);
  CHECK(has_code(empty.error(), "io"));

  dir.write("readme.txt", "permit (principal, action, resource);");
  dir.write("policy.cedar.bak", "permit (principal, action, resource);");
  auto only_other_files = policy_set::load(dir.path());
  REQUIRE_FALSE(only_other_files);
  CHECK(has_code(only_other_files.error(), "io"));
}

// ---------------------------------------------------------------------------------------------
// Fingerprints, sizes, ids.

TEST_CASE("fingerprint: equal for identical sources, different when one byte changes") {
  constexpr std::string_view text = R"cedar(
    @id("p") permit (principal == User::"alice", action, resource);
    forbid (principal, action, resource) when { context.amount > 100 };
  )cedar";
  const policy_set one = compile_ok(text);
  const policy_set two = compile_ok(text);
  CHECK(one.fingerprint() == two.fingerprint());
  CHECK(one.fingerprint() != 0);

  std::string changed(text);
  changed[changed.find("alice") + 4] = 'f';  // alice -> alicf
  CHECK(compile_ok(changed).fingerprint() != one.fingerprint());
  std::string threshold(text);
  threshold[threshold.find("100") + 2] = '1';  // 100 -> 101
  CHECK(compile_ok(threshold).fingerprint() != one.fingerprint());
  CHECK(compile_ok("").fingerprint() != one.fingerprint());

  // Several sources hash as their sequence.
  const std::vector<policy_source> ab = {{"a.cedar", "permit (principal, action, resource);"},
                                         {"b.cedar", "forbid (principal, action, resource);"}};
  const std::vector<policy_source> ba = {ab[1], ab[0]};
  auto first = policy_set::compile(ab);
  auto again = policy_set::compile(ab);
  auto swapped = policy_set::compile(ba);
  REQUIRE(first);
  REQUIRE(again);
  REQUIRE(swapped);
  CHECK(first->fingerprint() == again->fingerprint());
  CHECK(first->fingerprint() != swapped->fingerprint());
}

TEST_CASE("size and policy_ids follow source order, with @id or positional ids") {
  const policy_set policies = compile_ok(R"cedar(
    permit (principal, action, resource);
    @id("named") forbid (principal, action, resource) when { false };
    @reason("no id here") require_approval (principal, action, resource);
    @id("last") permit (principal, action, resource);
  )cedar");
  CHECK(policies.size() == 4);
  CHECK(policies.policy_ids() == ids{"policy0", "named", "policy2", "last"});
  const policy_set empty = compile_ok("// nothing but a comment\n");
  CHECK(empty.size() == 0);
  CHECK(empty.policy_ids().empty());
  // Ids continue across sources.
  const std::vector<policy_source> sources = {{"one.cedar", "permit (principal, action, resource);"},
                                              {"two.cedar",
                                               "permit (principal, action, resource);\n"
                                               "@id(\"x\") permit (principal, action, resource);"}};
  auto several = policy_set::compile(sources);
  REQUIRE(several);
  CHECK(several->size() == 3);
  CHECK(several->policy_ids() == ids{"policy0", "policy1", "x"});
}
