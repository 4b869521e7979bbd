// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Hostile input: deep nesting, huge files, random bytes and mutated policies must give
// diagnostics, never a crash, a hang or a stack overflow. Sizes are chosen so that the whole
// file runs in a few seconds in a Debug build.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "mandate/diagnostic.hpp"
#include "mandate/entities.hpp"
#include "mandate/policy_set.hpp"
#include "mandate/request.hpp"
#include "mandate/schema.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view condition_prefix = "permit (principal, action, resource) when { ";

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

std::string policy_with_condition(std::string_view expression) {
  return std::string(condition_prefix) + std::string(expression) + " };";
}

std::vector<mandate::diagnostic> compile_errors(std::string_view text,
                                                const mandate::compile_options& options = {}) {
  auto result = mandate::policy_set::compile(text, "hostile.cedar", options);
  if (result) return {};
  return std::move(result).error();
}

// Every diagnostic is an error pointing inside `text`, with a message, and renders.
void check_well_formed(const std::vector<mandate::diagnostic>& ds, std::string_view text) {
  REQUIRE_FALSE(ds.empty());
  CHECK(mandate::has_errors(ds));
  for (const mandate::diagnostic& d : ds) {
    CHECK_FALSE(d.message.empty());
    CHECK_FALSE(d.code.empty());
    if (d.code == "io") continue;  // whole-file problems have no position
    CHECK(d.where.line >= 1);
    CHECK(d.where.column >= 1);
    CHECK(d.where.offset <= text.size());
    // Lines too long to echo come without an excerpt.
    if (!d.source_line.empty()) CHECK(d.where.column <= d.source_line.size() + 1);
    CHECK_FALSE(mandate::render(d).empty());
  }
}

// A depth-limit diagnostic for deep nesting: one error, on line 1, pointing at `token` where
// the nesting first goes past the limit, rather than at the start of the policy.
void check_nesting_rejected(const std::string& text, std::string_view token) {
  const auto started = std::chrono::steady_clock::now();
  const auto ds = compile_errors(text);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  check_well_formed(ds, text);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].message.find("nested too deeply") != std::string::npos);
  CHECK(ds[0].message.find("128") != std::string::npos);
  CHECK(ds[0].where.line == 1);
  REQUIRE(ds[0].where.offset < text.size());
  CHECK(std::string_view(text).substr(ds[0].where.offset, token.size()) == token);
  CHECK(ds[0].where.offset > condition_prefix.size() + 100);
  CHECK(ds[0].where.offset < condition_prefix.size() + 128 * 16);
}

std::string deep_parentheses(std::size_t depth) { return repeat("(", depth) + "true" + repeat(")", depth); }

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

}  // namespace

// ---- nesting -------------------------------------------------------------------------------

TEST_CASE("limits: 10,000 nested parentheses give a nesting diagnostic") {
  check_nesting_rejected(policy_with_condition(deep_parentheses(10000)), "(");
}

TEST_CASE("limits: 10,000 nested set literals give a nesting diagnostic") {
  check_nesting_rejected(policy_with_condition(repeat("[", 10000) + "1" + repeat("]", 10000)), "[");
}

TEST_CASE("limits: 10,000 nested record literals give a nesting diagnostic") {
  check_nesting_rejected(policy_with_condition(repeat("{a:", 10000) + "1" + repeat("}", 10000)), "{");
}

TEST_CASE("limits: 10,000 nested if-then-else give a nesting diagnostic") {
  check_nesting_rejected(
      policy_with_condition(repeat("if true then ", 10000) + "1" + repeat(" else 2", 10000)), "true");
}

TEST_CASE("limits: unclosed deep nesting gives a nesting diagnostic too") {
  check_nesting_rejected(std::string(condition_prefix) + repeat("(", 10000), "(");
  check_nesting_rejected(std::string(condition_prefix) + repeat("[", 10000), "[");
}

// REFERENCE.md section 13: excess nesting is an error diagnostic with code `nesting`, from the
// parser's depth limit as from the compiler's expression-depth check.
TEST_CASE("limits: the nesting-depth diagnostic has code `nesting`") {
  const auto ds = compile_errors(policy_with_condition(deep_parentheses(10000)));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].code == "nesting");
}

TEST_CASE("limits: nesting just inside the limit compiles; max_nesting_depth is honoured") {
  CHECK(mandate::policy_set::compile(policy_with_condition(deep_parentheses(100))).has_value());
  CHECK(mandate::policy_set::compile(policy_with_condition(repeat("[", 100) + repeat("]", 100) + " == []"))
            .has_value());
  const mandate::compile_options shallow{.max_nesting_depth = 4};
  CHECK(mandate::policy_set::compile(policy_with_condition(deep_parentheses(2)), "s.cedar", shallow)
            .has_value());
  const auto ds = compile_errors(policy_with_condition(deep_parentheses(6)), shallow);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].message.find("more than 4") != std::string::npos);
}

TEST_CASE("limits: a || chain of 50,000 terms gives the expression-depth diagnostic") {
  const std::string text = policy_with_condition(repeat("context.a || ", 49999) + "context.a");
  const auto ds = compile_errors(text);
  check_well_formed(ds, text);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].code == "nesting");
  CHECK(ds[0].message.find("limit is 1024") != std::string::npos);
  CHECK(ds[0].where.column == condition_prefix.size() + 1);  // the condition that is too deep

  // The limit is the documented one: 1,000 terms compile, and the option changes it.
  CHECK(mandate::policy_set::compile(policy_with_condition(repeat("true || ", 999) + "true")).has_value());
  const auto limited =
      compile_errors(policy_with_condition(repeat("true || ", 99) + "true"), {.max_expression_depth = 50});
  REQUIRE(limited.size() == 1);
  CHECK(limited[0].code == "nesting");
}

TEST_CASE("limits: a member chain .a.a.a... 200,000 long does not overflow the stack") {
  const std::string text = policy_with_condition("context" + repeat(".a", 200000));
  const auto ds = compile_errors(text);
  check_well_formed(ds, text);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].code == "nesting");
}

TEST_CASE("limits: 20,000 unary operators in a row are rejected") {
  for (const char* op : {"!", "-"}) {
    const std::string text = policy_with_condition(repeat(op, 20000) + "1");
    const auto ds = compile_errors(text);
    check_well_formed(ds, text);
    CHECK(ds[0].message.find("unary") != std::string::npos);
  }
}

// ---- size ----------------------------------------------------------------------------------

TEST_CASE("limits: 100 MB of valid policies hit the default max_source_bytes with an io diagnostic") {
  const std::string policy =
      "permit (principal, action == Action::\"read\", resource) when { context.n > 1 };\n";
  const std::string text = repeat(policy, (std::size_t{100} << 20) / policy.size() + 1);
  REQUIRE(text.size() > (std::size_t{100} << 20));
  const auto started = std::chrono::steady_clock::now();
  const auto ds = compile_errors(text);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].code == "io");
  CHECK(ds[0].level == mandate::severity::error);
  CHECK(ds[0].where.file == "hostile.cedar");
  CHECK(ds[0].message.find(std::to_string(text.size())) != std::string::npos);
  CHECK(ds[0].message.find(std::to_string(std::size_t{64} << 20)) != std::string::npos);  // the limit
}

TEST_CASE("limits: max_source_bytes = 1 MiB rejects a 2 MB input and accepts a smaller one") {
  const mandate::compile_options one_mebibyte{.max_source_bytes = 1 << 20};
  const std::string policy = "forbid (principal, action, resource) when { context.blocked };\n";
  const std::string two_megabytes = repeat(policy, (std::size_t{2} << 20) / policy.size());
  const auto ds = compile_errors(two_megabytes, one_mebibyte);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].code == "io");
  CHECK(ds[0].message.find("1048576") != std::string::npos);
  CHECK(ds[0].message.find(std::to_string(two_megabytes.size())) != std::string::npos);
  CHECK(mandate::render(ds).find("error[io]") != std::string::npos);

  const std::string small = repeat(policy, 1000);
  const auto compiled = mandate::policy_set::compile(small, "small.cedar", one_mebibyte);
  REQUIRE(compiled.has_value());
  CHECK(compiled->size() == 1000);
  // Exactly at the limit is accepted.
  std::string at_limit = policy;
  at_limit.resize(1 << 20, ' ');
  CHECK(mandate::policy_set::compile(at_limit, "edge.cedar", one_mebibyte).has_value());
}

TEST_CASE("limits: 100 MB of garbage returns quickly with diagnostics capped by max_errors") {
  const mandate::compile_options roomy{.max_source_bytes = std::size_t{128} << 20};
  const std::string garbage = repeat("@@ %% ?? ;\n", (std::size_t{100} << 20) / 11);
  const auto started = std::chrono::steady_clock::now();
  const auto ds = compile_errors(garbage, roomy);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  check_well_formed(ds, garbage);
  CHECK(ds.size() == roomy.max_errors);
  CHECK(ds.back().where.line == roomy.max_errors);  // one per line, in order, then it stops

  auto capped = roomy;
  capped.max_errors = 3;
  CHECK(compile_errors(std::string_view(garbage).substr(0, 1 << 20), capped).size() == 3);

  // Garbage without any `;` is one error: the parser skips to the end.
  const std::string no_semicolons(std::size_t{10} << 20, 'x');
  const auto one = compile_errors(no_semicolons, roomy);
  REQUIRE(one.size() == 1);
  CHECK(one[0].where.line == 1);
  CHECK(one[0].where.column == 1);
}

// ---- random input --------------------------------------------------------------------------

TEST_CASE("limits: 2,000 random byte strings never crash the compiler") {
  std::mt19937_64 random(20260101);
  // Half the inputs are raw bytes (NULs and invalid UTF-8 included); the other half are random
  // Cedar tokens, which reach deeper into the grammar.
  // clang-format off
  const std::vector<std::string_view> tokens = {
      "permit", "forbid", "require_approval", "(", ")", "principal", "action", "resource", "context", ",",
      ";", "when", "unless", "{", "}", "[", "]", "==", "!=", "<", "<=", ">", ">=", "in", "is", "has", "like",
      "if", "then", "else", "&&", "||", "!", "-", "+", "*", ".", "::", ":", "@id", "\"s\"", "\"\\u{1F600}\"",
      "\"\\q", "1", "9223372036854775808", "-9223372036854775808", "User", "Action", "?principal", "?resource",
      "ip", "decimal", "contains", "//", "\n", " ", "\"", "\\", std::string_view("\0", 1), "\xC3\x28", "\xFF"};
  // clang-format on
  std::uniform_int_distribution<std::size_t> length(0, 2048);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> token(0, tokens.size() - 1);
  std::size_t compiled = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string input;
    const std::size_t size = length(random);
    if (i % 2 == 0) {
      for (std::size_t k = 0; k < size; ++k) input += static_cast<char>(byte(random));
    } else {
      while (input.size() < size) {
        input += tokens[token(random)];
        input += ' ';
      }
      input.resize(size);
    }
    CAPTURE(i);
    auto result = mandate::policy_set::compile(input, "random.cedar");
    if (result) {
      ++compiled;
      continue;
    }
    check_well_formed(result.error(), input);
  }
  CHECK(compiled < 2000);  // random text is almost never a policy set
}

TEST_CASE("limits: mutated example policies compile or give positioned errors") {
  const fs::path policies = fs::path(MANDATE_SOURCE_DIR) / "examples" / "policies";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(policies))
    if (entry.path().extension() == ".cedar") files.push_back(entry.path());
  REQUIRE(files.size() >= 4);
  std::sort(files.begin(), files.end());

  const auto store = mandate::entity_store::from_json("[]");
  REQUIRE(store.has_value());
  const mandate::request request({"User", "alice"}, {"Action", "read"}, {"Customer", "c1"});

  std::mt19937_64 random(42);
  std::size_t still_compiled = 0;
  std::size_t rejected = 0;
  for (const fs::path& file : files) {
    const std::string original = read_bytes(file);
    REQUIRE(mandate::policy_set::compile(original, file.filename().string()).has_value());
    for (int i = 0; i < 300; ++i) {
      std::string mutated = original;
      std::uniform_int_distribution<int> edits(1, 3);
      for (int e = edits(random); e > 0; --e) {
        std::uniform_int_distribution<std::size_t> position(0, mutated.size() - 1);
        const std::size_t at = position(random);
        switch (random() % 3) {
          case 0:
            mutated.erase(at, 1);
            break;  // delete a byte
          case 1:
            mutated.insert(at, 1, static_cast<char>(random() % 256));
            break;  // insert a byte
          default:
            std::swap(mutated[at], mutated[position(random)]);
            break;  // swap two bytes
        }
        if (mutated.empty()) mutated = " ";
      }
      const std::string name = file.filename().string() + " mutation " + std::to_string(i);
      CAPTURE(name);
      auto result = mandate::policy_set::compile(mutated, file.filename().string());
      if (result) {
        ++still_compiled;
        // A policy set that compiles must also evaluate without crashing.
        const mandate::decision d = result->evaluate(request, *store);
        CHECK((d.outcome == mandate::verdict::allow || d.outcome == mandate::verdict::deny ||
               d.outcome == mandate::verdict::require_approval));
        continue;
      }
      ++rejected;
      check_well_formed(result.error(), mutated);
    }
  }
  // Both outcomes occur, so the mutations exercise the parser and the evaluator.
  CHECK(still_compiled > 0);
  CHECK(rejected > 0);
}

// ---- JSON ----------------------------------------------------------------------------------

TEST_CASE("limits: entity JSON 10,000 deep is an error, not a crash") {
  const std::string deep_record = repeat("{\"a\":", 10000) + "1" + repeat("}", 10000);
  const std::string deep_set = repeat("[", 10000) + "1" + repeat("]", 10000);
  for (const std::string& value : {deep_record, deep_set}) {
    const std::string json = "[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"x\": " + value +
                             "}, \"parents\": []}]";
    const auto store = mandate::entity_store::from_json(json, "deep.json");
    REQUIRE_FALSE(store.has_value());
    REQUIRE_FALSE(store.error().empty());
    CHECK(store.error()[0].code == "json");
    CHECK(store.error()[0].message.find("deep") != std::string::npos);
    CHECK(store.error()[0].where.line == 1);
  }
  const auto bare = mandate::entity_store::from_json(repeat("[", 10000) + repeat("]", 10000));
  REQUIRE_FALSE(bare.has_value());
  CHECK(bare.error()[0].code == "json");
}

TEST_CASE("limits: request JSON 10,000 deep is an error, not a crash") {
  const std::string deep_record = repeat("{\"a\":", 10000) + "1" + repeat("}", 10000);
  const std::string deep_set = repeat("[", 10000) + "1" + repeat("]", 10000);
  for (const std::string& value : {deep_record, deep_set}) {
    const std::string json =
        "{\"principal\": {\"type\": \"User\", \"id\": \"a\"}, \"action\": {\"type\": \"Action\", \"id\": "
        "\"r\"},"
        " \"resource\": {\"type\": \"Doc\", \"id\": \"d\"}, \"context\": {\"x\": " +
        value + "}}";
    const auto request = mandate::request::from_json(json);
    REQUIRE_FALSE(request.has_value());
    CHECK(request.error().find("deep") != std::string::npos);
  }
  CHECK_FALSE(mandate::request::from_json(repeat("{\"a\":", 10000)).has_value());
  const mandate::request base({"User", "a"}, {"Action", "r"}, {"Doc", "d"});
  CHECK_FALSE(base.with_context_json("{\"x\": " + deep_record + "}").has_value());
}

TEST_CASE("limits: 100 MB JSON inputs are refused or rejected quickly, never a crash") {
  const std::size_t hundred_mb = std::size_t{100} << 20;
  // Requests have a size limit: a 100 MB context string is refused before parsing.
  const std::string huge_request =
      R"({"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "r"},)"
      R"( "resource": {"type": "Doc", "id": "d"}, "context": {"x": ")" +
      std::string(hundred_mb, 'a') + "\"}}";
  const auto request = mandate::request::from_json(huge_request);
  REQUIRE_FALSE(request.has_value());
  CHECK(request.error().find("MiB") != std::string::npos);

  // Entities have no size limit (large deployments are real), so 100 MB of broken JSON must
  // fail at the first bad byte with a positioned diagnostic.
  std::string broken = "[" + std::string(hundred_mb, ' ') + "}";
  const auto store = mandate::entity_store::from_json(broken, "huge.json");
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error()[0].code == "json");
  CHECK(store.error()[0].where.line == 1);
  CHECK(store.error()[0].source_line.empty());  // a 100 MB line is not echoed
}

// ---- Entity hierarchies: depth and the size of the closure ----

namespace {

// Entity JSON for `count` entities named E::"0".. whose parents `parents_of(i)` gives.
template <typename ParentsOf>
std::string hierarchy_json(std::size_t count, ParentsOf parents_of) {
  std::string out = "[\n";
  for (std::size_t i = 0; i < count; ++i) {
    out += R"({"uid": {"type": "E", "id": ")" + std::to_string(i) + R"("}, "attrs": {}, "parents": [)";
    bool first = true;
    for (std::size_t parent : parents_of(i)) {
      if (!first) out += ", ";
      first = false;
      out += R"({"type": "E", "id": ")" + std::to_string(parent) + R"("})";
    }
    out += "]}";
    out += i + 1 < count ? ",\n" : "\n";
  }
  return out + "]";
}

// A chain: E::"i" has parent E::"i-1", so E::"n-1" is n-1 levels deep.
std::string chain_json(std::size_t count) {
  return hierarchy_json(count, [](std::size_t i) {
    return i == 0 ? std::vector<std::size_t>{} : std::vector<std::size_t>{i - 1};
  });
}

bool descends(const mandate::entity_store& store, std::size_t child, std::size_t ancestor) {
  const auto policies =
      mandate::policy_set::compile(R"(permit (principal, action, resource) when { principal in resource };)");
  REQUIRE(policies.has_value());
  const mandate::request req({"E", std::to_string(child)}, {"Action", "a"}, {"E", std::to_string(ancestor)});
  return policies->evaluate(req, store).outcome == mandate::verdict::allow;
}

}  // namespace

TEST_CASE("limits: a hierarchy 256 levels deep loads and 257 is a `limit` diagnostic at the entity") {
  const auto ok = mandate::entity_store::from_json(chain_json(257), "chain.json");
  REQUIRE(ok.has_value());
  CHECK(descends(*ok, 256, 0));
  CHECK_FALSE(descends(*ok, 0, 256));

  const auto deep = mandate::entity_store::from_json(chain_json(258), "chain.json");
  REQUIRE_FALSE(deep.has_value());
  REQUIRE(deep.error().size() == 1);
  const mandate::diagnostic& d = deep.error()[0];
  CHECK(d.code == "limit");
  CHECK(d.message.find(R"(E::"257")") != std::string::npos);
  CHECK(d.message.find("256 levels") != std::string::npos);
  CHECK(d.message.find("max_hierarchy_depth") != std::string::npos);
  CHECK(d.where.file == "chain.json");
  CHECK(d.where.line == 259);  // "[" is line 1, entity i on line i + 2
}

TEST_CASE("limits: max_hierarchy_depth is honoured with and without a schema") {
  const mandate::entity_limits shallow{.max_hierarchy_depth = 3};
  CHECK(mandate::entity_store::from_json(chain_json(4), "c.json", shallow).has_value());
  const auto deep = mandate::entity_store::from_json(chain_json(5), "c.json", shallow);
  REQUIRE_FALSE(deep.has_value());
  CHECK(deep.error()[0].code == "limit");

  const auto schema =
      mandate::schema::parse("entity E in [E]; action a appliesTo { principal: E, resource: E };");
  REQUIRE(schema.has_value());
  CHECK(mandate::entity_store::from_json(chain_json(4), "c.json", *schema, shallow).has_value());
  const auto typed = mandate::entity_store::from_json(chain_json(5), "c.json", *schema, shallow);
  REQUIRE_FALSE(typed.has_value());
  CHECK(typed.error()[0].code == "limit");
}

TEST_CASE("limits: a chain of 20,000 entities is refused, not closed in quadratic time") {
  const auto deep = mandate::entity_store::from_json(chain_json(20'000), "long.json");
  REQUIRE_FALSE(deep.has_value());
  CHECK(deep.error()[0].code == "limit");
  // The first entity past the limit is reported, not the end of the chain.
  CHECK(deep.error()[0].message.find(R"(E::"257")") != std::string::npos);
}

TEST_CASE("limits: a cycle through 5,000 entities would need 25 million links and is refused") {
  const std::size_t count = 5000;
  const std::string cycle =
      hierarchy_json(count, [&](std::size_t i) { return std::vector<std::size_t>{(i + 1) % count}; });
  const auto store = mandate::entity_store::from_json(cycle, "cycle.json");
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error()[0].code == "limit");
  CHECK(store.error()[0].message.find("cycle of 5000 entities") != std::string::npos);
  CHECK(store.error()[0].message.find("max_ancestor_links") != std::string::npos);

  // A small cycle is Cedar data like any other: every member is in every other.
  const auto small = mandate::entity_store::from_json(
      hierarchy_json(3, [](std::size_t i) { return std::vector<std::size_t>{(i + 1) % 3}; }));
  REQUIRE(small.has_value());
  CHECK(descends(*small, 0, 2));
  CHECK(descends(*small, 2, 1));
}

TEST_CASE("limits: a shallow lattice whose closure is quadratic is refused within its budget") {
  // 40 layers of 500: every entity has three parents in the layer above, spread so that after
  // nine layers an entity is below the whole layer above: 20,000 entities, 60,000 links, but a
  // closure of about 150 million. Depth alone (39) would not catch it.
  const std::size_t width = 500;
  const std::size_t layers = 40;
  auto three_above = [&](std::size_t i) {
    if (i < width) return std::vector<std::size_t>{};
    const std::size_t above = (i / width - 1) * width;
    const std::size_t column = i % width;
    return std::vector<std::size_t>{above + column, above + (2 * column) % width,
                                    above + (2 * column + 1) % width};
  };
  const std::string lattice = hierarchy_json(width * layers, three_above);
  const auto store = mandate::entity_store::from_json(lattice, "lattice.json");
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error()[0].code == "limit");
  CHECK(store.error()[0].message.find("max_ancestor_links") != std::string::npos);

  // The same lattice with a budget raised to fit it loads, and `in` sees across it.
  const auto raised =
      mandate::entity_store::from_json(hierarchy_json(width * 12, three_above), "lattice.json",
                                       mandate::entity_limits{.max_ancestor_links = 100'000'000});
  REQUIRE(raised.has_value());
  CHECK(descends(*raised, width * 11 + 7, 123));
}

TEST_CASE("limits: an organisation-shaped hierarchy of 20,000 entities loads within the default budget") {
  // 10 departments > 100 teams > 10,000 users, each user also in 5 of 200 project groups and
  // 10,000 documents in 1 of 100 folders under 10 roots.
  std::vector<std::vector<std::size_t>> parents;
  auto add = [&](std::vector<std::size_t> p) {
    parents.push_back(std::move(p));
    return parents.size() - 1;
  };
  std::vector<std::size_t> departments;
  std::vector<std::size_t> teams;
  std::vector<std::size_t> projects;
  for (int d = 0; d < 10; ++d) departments.push_back(add({}));
  for (int t = 0; t < 100; ++t) teams.push_back(add({departments[t % 10]}));
  for (int p = 0; p < 200; ++p) projects.push_back(add({teams[p % 100]}));
  for (int u = 0; u < 10'000; ++u) {
    std::vector<std::size_t> p{teams[u % 100]};
    for (int k = 0; k < 5; ++k) p.push_back(projects[(u * 7 + k * 31) % 200]);
    add(std::move(p));
  }
  std::vector<std::size_t> folders;
  for (int f = 0; f < 100; ++f) {
    folders.push_back(f < 10 ? add({}) : add({folders[f % 10]}));
  }
  for (int doc = 0; doc < 10'000; ++doc) add({folders[doc % 100]});
  const auto store = mandate::entity_store::from_json(
      hierarchy_json(parents.size(), [&](std::size_t i) { return parents[i]; }), "org.json");
  REQUIRE(store.has_value());
  CHECK(store->size() == parents.size());
  // User 42 (entity 352) is in team 42, which is in department 2.
  CHECK(descends(*store, 310 + 42, departments[2]));
  CHECK(descends(*store, 310 + 42, teams[42]));
  CHECK_FALSE(descends(*store, 310 + 42, departments[3]));
}

TEST_CASE("limits: an explicit max_ancestor_links bounds even a small tree") {
  const auto tight = mandate::entity_store::from_json(chain_json(20), "c.json",
                                                      mandate::entity_limits{.max_ancestor_links = 50});
  REQUIRE_FALSE(tight.has_value());
  CHECK(tight.error()[0].message.find("more than 50 ancestor links") != std::string::npos);
  CHECK(mandate::entity_store::from_json(chain_json(20), "c.json",
                                         mandate::entity_limits{.max_ancestor_links = 400})
            .has_value());
}

// ---- Requests: the size bound is public and exact ----

TEST_CASE("limits: a request of exactly request::max_json_bytes is read and one byte more is refused") {
  const std::string head =
      R"({"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "r"},)"
      R"( "resource": {"type": "Doc", "id": "d"}, "context": {"pad": ")";
  const std::string tail = "\"}}";
  const std::size_t pad = mandate::request::max_json_bytes - head.size() - tail.size();
  const std::string exact = head + std::string(pad, 'x') + tail;
  REQUIRE(exact.size() == mandate::request::max_json_bytes);
  CHECK(mandate::request::from_json(exact).has_value());
  const std::string over = head + std::string(pad + 1, 'x') + tail;
  const auto refused = mandate::request::from_json(over);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().find(std::to_string(over.size()) + " bytes") != std::string::npos);
  CHECK(refused.error().find("16 MiB") != std::string::npos);
  const mandate::request base({"User", "a"}, {"Action", "r"}, {"Doc", "d"});
  CHECK_FALSE(
      base.with_context_json("{\"pad\": \"" + std::string(mandate::request::max_json_bytes, 'x') + "\"}")
          .has_value());
}
