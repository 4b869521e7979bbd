// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The linter: every rule fires on a policy that has the problem, at the right line, and stays
// quiet on a near-identical policy that does not; suppressions, configuration, SARIF, and
// hostile input.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "mandate/mandate.hpp"
#include "support.hpp"

namespace {

using mandate::diagnostic;
using mandate::lint_level;

std::vector<diagnostic> run(const std::string& text, mandate::lint_options options = {}) {
  const mandate::policy_source source{"test.mandate", text};
  return mandate::lint(std::span(&source, 1), options);
}

// Lines at which `rule` fired.
std::vector<std::uint32_t> lines_of(const std::vector<diagnostic>& found, std::string_view rule) {
  std::vector<std::uint32_t> out;
  for (const auto& d : found)
    if (d.code == rule) out.push_back(d.where.line);
  return out;
}

struct rule_case {
  const char* rule;
  const char* bad;
  std::uint32_t line;  // where the finding must be
  const char* good;
};

// Every policy carries @id and @reason so only the rule under test speaks.
const rule_case cases[] = {
    {"permit-unconstrained", "@id(\"a\") @reason(\"r\")\npermit (principal, action, resource);", 2,
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"read\", resource);"},
    {"permit-any-action", "@id(\"a\") @reason(\"r\")\npermit (principal == User::\"u\", action, resource);",
     2,
     "@id(\"a\") @reason(\"r\")\npermit (principal == User::\"u\", action == Action::\"read\", resource);"},
    {"sensitive-write-without-approval",
     "ordered enum Sensitivity [\"low\", \"high\"];\n@id(\"a\") @reason(\"r\")\n"
     "permit (principal, action == Action::\"delete_doc\", resource is Doc);",
     3,
     "ordered enum Sensitivity [\"low\", \"high\"];\n@id(\"a\") @reason(\"r\")\n"
     "permit (principal, action == Action::\"delete_doc\", resource is Doc)\n"
     "when { resource.sensitivity < Sensitivity::\"high\" };"},
    {"approval-without-approvers",
     "@id(\"a\") @reason(\"r\")\nrequire_approval (principal, action == Action::\"pay\", resource);", 2,
     "@id(\"a\") @reason(\"r\") @approvers(\"admins\")\nrequire_approval (principal, action == "
     "Action::\"pay\", "
     "resource);"},
    {"response-not-on-forbid",
     "@id(\"a\") @reason(\"r\")\n@response(\"throttle\") @retry_after(\"30s\")\npermit (principal, action == "
     "Action::\"x\", resource);",
     2,
     "@id(\"a\") @reason(\"r\")\n@response(\"throttle\") @retry_after(\"30s\")\nforbid (principal, action == "
     "Action::\"x\", resource);"},
    {"invalid-response",
     "@id(\"a\") @reason(\"r\")\n@response(\"slow\") @retry_after(\"30s\")\nforbid (principal, action == "
     "Action::\"x\", resource);",
     2,
     "@id(\"a\") @reason(\"r\")\n@response(\"terminate\") @retry_after(\"30s\")\nforbid (principal, action "
     "== "
     "Action::\"x\", resource);"},
    {"throttle-without-retry-after",
     "@id(\"a\") @reason(\"r\")\n@response(\"throttle\")\nforbid (principal, action == Action::\"x\", "
     "resource);",
     2,
     "@id(\"a\") @reason(\"r\")\n@response(\"throttle\")\n@retry_after(\"1m\")\nforbid (principal, action == "
     "Action::\"x\", resource);"},
    {"never-applies",
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { context.a == "
     "1 && "
     "context.a == 2 };",
     3,
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { context.a == "
     "1 && "
     "context.b == 2 };"},
    {"shadowed-by-forbid",
     "@id(\"f\") @reason(\"r\")\nforbid (principal, action == Action::\"x\", resource);\n@id(\"a\") "
     "@reason(\"r\")\npermit (principal == User::\"u\", action == Action::\"x\", resource);",
     4,
     "@id(\"f\") @reason(\"r\")\nforbid (principal, action == Action::\"x\", resource) when { context.bad "
     "};\n@id(\"a\") "
     "@reason(\"r\")\npermit (principal == User::\"u\", action == Action::\"x\", resource);"},
    {"redundant-policy",
     "@id(\"b\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource is Doc);\n@id(\"a\") "
     "@reason(\"r\")\npermit (principal == User::\"u\", action == Action::\"x\", resource is Doc);",
     4,
     "@id(\"b\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource is Doc) when { "
     "context.ok "
     "};\n@id(\"a\") @reason(\"r\")\npermit (principal == User::\"u\", action == Action::\"x\", resource is "
     "Doc);"},
    {"duplicate-policy",
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource) when { context.ok };\n"
     "@id(\"b\") @reason(\"s\")\npermit (principal, action == Action::\"x\", resource) when { context.ok };",
     4,
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource) when { context.ok };\n"
     "@id(\"b\") @reason(\"s\")\npermit (principal, action == Action::\"y\", resource) when { context.ok };"},
    {"cancelling-pair",
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource) when { context.ok };\n"
     "@id(\"b\") @reason(\"s\")\nforbid (principal, action == Action::\"x\", resource) when { context.ok };",
     2,
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource) when { context.ok };\n"
     "@id(\"b\") @reason(\"s\")\nforbid (principal, action == Action::\"x\", resource) unless { context.ok "
     "};"},
    {"constant-condition",
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { context.ok || "
     "1 == 1 "
     "};",
     3,
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { context.ok || "
     "context.n == 1 };"},
    {"always-errors",
     "@id(\"a\") @reason(\"r\")\nforbid (principal, action == Action::\"x\", resource)\nwhen { context.n > 1 "
     "+ \"a\" "
     "};",
     3,
     "@id(\"a\") @reason(\"r\")\nforbid (principal, action == Action::\"x\", resource)\nwhen { context.n > 1 "
     "+ 2 };"},
    {"duplicate-id",
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource);\n@id(\"a\") "
     "@reason(\"r\")\npermit (principal, action == Action::\"y\", resource);",
     3,
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource);\n@id(\"b\") "
     "@reason(\"r\")\npermit (principal, action == Action::\"y\", resource);"},
    {"missing-id", "@reason(\"r\")\npermit (principal, action == Action::\"x\", resource);", 2,
     "@id(\"a\")\n@reason(\"r\")\npermit (principal, action == Action::\"x\", resource);"},
    {"missing-reason", "@id(\"a\")\npermit (principal, action == Action::\"x\", resource);", 2,
     "@id(\"a\")\n@reason(\"r\")\npermit (principal, action == Action::\"x\", resource);"},
    {"condition-defeats-index",
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { principal == "
     "User::\"u\" };",
     3, "@id(\"a\") @reason(\"r\")\npermit (principal == User::\"u\", action == Action::\"x\", resource);"},
    {"like-without-wildcard",
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { context.p "
     "like "
     "\"/pub\" };",
     3,
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { context.p "
     "like "
     "\"/pub/*\" };"},
    {"entity-string-comparison",
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { "
     "resource.owner == "
     "principal && principal == \"alice\" };",
     3,
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { "
     "resource.owner == "
     "principal && principal.name == \"alice\" };"},
    {"unknown-annotation",
     "@id(\"a\") @reason(\"r\")\n@approver(\"x\")\nforbid (principal, action == Action::\"x\", resource);", 2,
     "@id(\"a\") @reason(\"r\")\n@owner(\"x\")\nforbid (principal, action == Action::\"x\", resource);"},
    {"double-negation",
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nunless { !context.ok "
     "};",
     3,
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { context.ok "
     "};"},
    {"if-returns-bool",
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { if context.ok "
     "then "
     "true else false };",
     3,
     "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource)\nwhen { if context.ok "
     "then "
     "context.a else false };"},
    // Two past operators joined on `a` at the top: left to the reference evaluator. The good one
    // joins through the outer event instead, which a monitor keys by `a`.
    {"unmonitored-temporal",
     "@id(\"a\") @reason(\"r\")\nforbid (principal, action == Action::\"pay\", resource)\nwhen temporal { "
     "exists (a: Long). formerly within 1h Action::\"lookup\"::response{ output.acct: a } && formerly within "
     "1h Action::\"pay\"::request{ input.acct: a } };",
     3,
     "@id(\"a\") @reason(\"r\")\nforbid (principal, action == Action::\"pay\", resource)\nwhen temporal { "
     "exists (a: Long). formerly within 1h (Action::\"pay\"::request{ input.acct: a } && formerly within 1h "
     "Action::\"lookup\"::response{ output.acct: a }) };"},
    {"forbid-everything", "@id(\"a\") @reason(\"r\")\nforbid (principal, action, resource);", 2,
     "@id(\"a\") @reason(\"r\")\nforbid (principal, action, resource) when { context.locked };"},
    {"unknown-rule",
     "// mandate-lint: ignore missing-reasons\n@id(\"a\") @reason(\"r\")\npermit (principal, action == "
     "Action::\"x\", resource);",
     1,
     "// mandate-lint: ignore missing-reason\n@id(\"a\") @reason(\"r\")\npermit (principal, action == "
     "Action::\"x\", resource);"},
};

}  // namespace

TEST_CASE("lint: every rule fires on its bad policy at the right line, and not on the good one") {
  std::set<std::string> covered;
  for (const rule_case& c : cases) {
    const std::string rule = c.rule;
    CAPTURE(rule);
    const auto bad = run(c.bad);
    CAPTURE(mandate::render(bad));
    const auto lines = lines_of(bad, c.rule);
    REQUIRE_FALSE(lines.empty());
    CHECK(lines.front() == c.line);
    const auto good = run(c.good);
    CAPTURE(mandate::render(good));
    CHECK(lines_of(good, c.rule).empty());
    covered.insert(c.rule);
  }
  // unguarded-optional-attribute needs a schema: tested below.
  covered.insert("unguarded-optional-attribute");
  for (const auto& r : mandate::lint_rules()) CHECK_MESSAGE(covered.count(std::string(r.id)) == 1, r.id);
}

TEST_CASE("lint: more never-applies, constant-condition and always-errors shapes") {
  const std::string head = "@id(\"a\") @reason(\"r\")\n";
  CHECK(lines_of(run(head + "permit (principal, action in [], resource);"), "never-applies") ==
        std::vector<std::uint32_t>{2});
  CHECK(lines_of(run(head + "permit (principal, action == Action::\"x\", resource)\nwhen { false };"),
                 "never-applies") == std::vector<std::uint32_t>{3});
  CHECK(lines_of(run(head + "permit (principal == User::\"a\", action == Action::\"x\", resource)\nwhen { "
                            "principal == User::\"b\" };"),
                 "never-applies") == std::vector<std::uint32_t>{3});
  CHECK(lines_of(
            run(head + "permit (principal, action == Action::\"x\", resource)\nwhen { principal == principal "
                       "};"),
            "constant-condition") == std::vector<std::uint32_t>{3});
  CHECK(lines_of(run(head + "permit (principal, action == Action::\"x\", resource)\nwhen { true };"),
                 "constant-condition") == std::vector<std::uint32_t>{3});
  for (std::string bad : {"ip(\"nope\").isLoopback()", "decimal(\"x\") == decimal(\"1.0\")", "\"a\" < 1",
                          "9223372036854775807 + 1 > 0", "{a: 1}.b == 1", "\"abc\".contains(1)",
                          "principal + 1 > 2", "!context"}) {
    CAPTURE(bad);
    const auto found =
        run(head + "permit (principal, action == Action::\"x\", resource)\nwhen { " + bad + " };");
    CHECK(lines_of(found, "always-errors") == std::vector<std::uint32_t>{3});
  }
  // Short-circuited: never evaluated.
  CHECK(lines_of(
            run(head +
                "permit (principal, action == Action::\"x\", resource)\nwhen { false && 1 + \"a\" == 2 };"),
            "always-errors")
            .empty());
  // The message says what the error does to each effect.
  const auto forbid =
      run(head + "forbid (principal, action == Action::\"x\", resource) when { ip(\"x\").isIpv4() };");
  REQUIRE(lines_of(forbid, "always-errors").size() == 1);
  for (const auto& d : forbid)
    if (d.code == "always-errors") CHECK(d.message.find("denies every request") != std::string::npos);
}

TEST_CASE("lint: unguarded-optional-attribute comes from the validator") {
  auto s = mandate::schema::parse(
      "entity User { dept?: String };\nentity Doc;\naction read appliesTo { principal: User, resource: Doc "
      "};");
  REQUIRE(s);
  const std::string bad =
      "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"read\", resource)\nwhen { "
      "principal.dept == "
      "\"x\" };";
  const std::string good =
      "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"read\", resource)\nwhen { principal "
      "has dept "
      "&& principal.dept == \"x\" };";
  CHECK(lines_of(run(bad, {.against = &*s}), "unguarded-optional-attribute") ==
        std::vector<std::uint32_t>{3});
  CHECK(lines_of(run(good, {.against = &*s}), "unguarded-optional-attribute").empty());
  CHECK(lines_of(run(bad), "unguarded-optional-attribute").empty());  // no schema: no finding
}

TEST_CASE("lint: suppressions by line, by policy, by file; unknown rules are reported") {
  const std::string policy = "permit (principal, action == Action::\"x\", resource);";
  CHECK(lines_of(run("@id(\"a\")\n" + policy + " // mandate-lint: ignore missing-reason -- legacy"),
                 "missing-reason")
            .empty());
  CHECK(lines_of(run("// mandate-lint: ignore missing-reason, missing-id\n// more words\n@reason(\"r\")\n" +
                     policy),
                 "missing-id")
            .empty());
  // A blank line breaks "directly above".
  CHECK(
      lines_of(run("// mandate-lint: ignore missing-id\n\n@reason(\"r\")\n" + policy), "missing-id").size() ==
      1);
  // Only the named rule.
  CHECK(lines_of(run("// mandate-lint: ignore missing-id\n" + policy), "missing-reason").size() == 1);
  CHECK(lines_of(run(policy + "\n" + policy + "\n// mandate-lint: ignore-file missing-id\n"), "missing-id")
            .empty());
  // Not inside a string.
  CHECK(lines_of(run("@id(\"// mandate-lint: ignore-file missing-reason\")\n" + policy), "missing-reason")
            .size() == 1);
  // Not inside a string that spans lines either (Cedar strings may hold raw newlines).
  CHECK(
      lines_of(
          run("@id(\"a\")\npermit (principal, action == Action::\"x\", resource) when { context.s == \"one\n"
              "// mandate-lint: ignore-file missing-reason, missing-id\" };"),
          "missing-reason")
          .size() == 1);
  const auto unknown = run("@id(\"a\") @reason(\"r\")\n" + policy + " // mandate-lint: ignore no-such-rule");
  REQUIRE(lines_of(unknown, "unknown-rule") == std::vector<std::uint32_t>{2});
}

TEST_CASE("lint: configuration sets levels and turns rules off") {
  auto config = mandate::parse_lint_config(R"({"rules": {"missing-reason": "off", "missing-id": "error"}})");
  REQUIRE(config);
  const auto found = run("permit (principal, action == Action::\"x\", resource);", {.levels = *config});
  CHECK(lines_of(found, "missing-reason").empty());
  REQUIRE(lines_of(found, "missing-id").size() == 1);
  for (const auto& d : found)
    if (d.code == "missing-id") CHECK(d.level == mandate::severity::error);

  auto unknown = mandate::parse_lint_config("{\n  \"rules\": {\"no-such\": \"off\"}}");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().front().where.line == 2);
  CHECK(unknown.error().front().message.find("no-such") != std::string::npos);
  auto level = mandate::parse_lint_config(R"({"rules": {"missing-id": "loud"}})");
  REQUIRE_FALSE(level);
  CHECK(level.error().front().message.find("bad level") != std::string::npos);
  CHECK_FALSE(mandate::parse_lint_config("{not json"));
  CHECK_FALSE(mandate::parse_lint_config(R"({"rules": {"duplicate-id": "off"}})"));
}

TEST_CASE("lint: SARIF has the fields code scanning needs") {
  const auto found = run("permit (principal, action, resource);\nforbid (principal, action, resource);");
  REQUIRE_FALSE(found.empty());
  const auto log = nlohmann::json::parse(mandate::to_sarif(found));
  CHECK(log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json");
  CHECK(log["version"] == "2.1.0");
  REQUIRE(log["runs"].size() == 1);
  const auto& run0 = log["runs"][0];
  const auto& driver = run0["tool"]["driver"];
  CHECK(driver["name"] == "mandate");
  CHECK(driver["version"] == std::string(mandate::version_string));
  const auto& rules = driver["rules"];
  REQUIRE(rules.size() >= mandate::lint_rules().size());
  for (std::size_t i = 0; i < mandate::lint_rules().size(); ++i) {
    CHECK(rules[i]["id"] == std::string(mandate::lint_rules()[i].id));
    CHECK(rules[i]["shortDescription"]["text"].is_string());
    CHECK(rules[i]["defaultConfiguration"]["level"].is_string());
    CHECK(rules[i]["properties"]["category"].is_string());
  }
  REQUIRE(run0["results"].size() == found.size());
  for (std::size_t i = 0; i < found.size(); ++i) {
    const auto& r = run0["results"][i];
    CHECK(r["ruleId"] == found[i].code);
    CHECK(rules[r["ruleIndex"].get<std::size_t>()]["id"] == found[i].code);
    const auto& loc = r["locations"][0]["physicalLocation"];
    CHECK(loc["artifactLocation"]["uri"] == "test.mandate");
    CHECK(loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%");
    CHECK(loc["region"]["startLine"] == found[i].where.line);
    CHECK(loc["region"]["startColumn"] == found[i].where.column);
    CHECK(loc["region"]["endColumn"].get<std::uint32_t>() > found[i].where.column);
    CHECK(r["partialFingerprints"].size() == 1);
  }
  // Compile errors are results with their own rule.
  const auto broken = run("permit (principal, action, resource) when { x };");
  const auto log2 = nlohmann::json::parse(mandate::to_sarif(broken));
  const auto& r0 = log2["runs"][0]["results"][0];
  CHECK(r0["ruleId"] == "parse");
  CHECK(log2["runs"][0]["tool"]["driver"]["rules"][r0["ruleIndex"].get<std::size_t>()]["id"] == "parse");
}

TEST_CASE("lint: the bundled examples have no error findings") {
  const auto root = std::filesystem::path(MANDATE_SOURCE_DIR) / "examples";
  std::vector<mandate::policy_source> sources;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(root / "policies")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) sources.push_back({f.string(), mandate::test_support::read_file(f)});
  auto s = mandate::schema::load(root / "schema.cedarschema");
  REQUIRE(s);
  const auto found = mandate::lint(sources, {.against = &*s});
  CAPTURE(mandate::render(found));
  CHECK_FALSE(mandate::has_errors(found));
}

TEST_CASE("lint: hostile input stays fast and bounded") {
  std::string text;
  for (int i = 0; i < 10000; ++i)
    text += "@id(\"p" + std::to_string(i) + "\") @reason(\"r\")\npermit (principal == User::\"u" +
            std::to_string(i % 100) + "\", action == Action::\"a" + std::to_string(i % 37) +
            "\", resource) when { context.n == " + std::to_string(i) + " };\n";
  for (int i = 0; i < 2000; ++i)
    text += "@id(\"f" + std::to_string(i) +
            "\") @reason(\"r\")\nforbid (principal, action, resource == Doc::\"d" + std::to_string(i) +
            "\");\n";
  // The linter's own work must stay small next to compiling (which dominates in Debug builds
  // and on loaded machines): a quadratic pairwise rule would cost minutes here.
  const auto compile_start = std::chrono::steady_clock::now();
  REQUIRE(mandate::policy_set::compile(text));
  const auto compile_time = std::chrono::steady_clock::now() - compile_start;
  const auto start = std::chrono::steady_clock::now();
  const auto found = run(text);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < 3 * compile_time + std::chrono::seconds(2));
  CHECK_FALSE(mandate::has_errors(found));

  // Deep nesting and a long chain compile within the limits and lint without trouble.
  std::string deep =
      "@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource) when { ";
  for (int i = 0; i < 100; ++i) deep += "(";
  deep += "context.ok";
  for (int i = 0; i < 100; ++i) deep += ")";
  deep += " && ";
  for (int i = 0; i < 900; ++i) deep += "context.a" + std::to_string(i) + " || ";
  deep += "context.z };";
  CHECK_FALSE(mandate::has_errors(run(deep)));
  // Identical policies in bulk are duplicates, found without comparing every pair.
  std::string same;
  for (int i = 0; i < 5000; ++i)
    same += "@id(\"s" + std::to_string(i) +
            "\") @reason(\"r\")\npermit (principal, action == Action::\"x\", resource);\n";
  const auto dup_start = std::chrono::steady_clock::now();
  CHECK(lines_of(run(same), "duplicate-policy").size() == 4999);
  // Thousands of identical permits and forbids: duplicates, and one cancelling pair.
  std::string pairs;
  for (int i = 0; i < 3000; ++i)
    pairs += "@id(\"x" + std::to_string(i) + "\") @reason(\"r\")\n" + (i % 2 ? "forbid" : "permit") +
             " (principal, action == Action::\"x\", resource) when { context.ok };\n";
  const auto paired = run(pairs);
  CHECK(lines_of(paired, "duplicate-policy").size() == 2998);
  CHECK(lines_of(paired, "cancelling-pair") == std::vector<std::uint32_t>{2});
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - dup_start)
            .count() < 5000);
}

TEST_CASE("lint: unknown-annotation is for near misses only") {
  const std::string policy = "\nforbid (principal, action == Action::\"x\", resource);";
  CHECK(lines_of(run("@ID(\"a\") @reason(\"r\")" + policy), "unknown-annotation").size() == 1);
  CHECK(lines_of(run("@id(\"a\") @reasons(\"r\")" + policy), "unknown-annotation").size() == 1);
  CHECK(
      lines_of(run("@id(\"a\") @reason(\"r\") @retryAfter(\"1s\")" + policy), "unknown-annotation").size() ==
      1);
  CHECK(lines_of(run("@id(\"a\") @reason(\"r\") @I" + policy), "unknown-annotation").empty());
  CHECK(lines_of(run("@id(\"a\") @reason(\"r\") @experimental" + policy), "unknown-annotation").empty());
}

TEST_CASE("lint: sensitive-write-without-approval reads the schema's scale and honours guards") {
  auto s = mandate::schema::parse(
      "entity Sensitivity enum [\"public\", \"secret\"];\nentity User;\nentity Doc { sensitivity: "
      "Sensitivity };\n"
      "action delete_doc, read appliesTo { principal: User, resource: Doc };");
  REQUIRE(s);
  const std::string permit =
      "@id(\"a\") @reason(\"r\")\npermit (principal, action in [Action::\"read\", Action::\"delete_doc\"], "
      "resource is "
      "Doc);\n";
  CHECK(lines_of(run(permit, {.against = &*s}), "sensitive-write-without-approval") ==
        std::vector<std::uint32_t>{2});
  CHECK(lines_of(run(permit), "sensitive-write-without-approval").empty());  // no scale, no read: not in play
  const std::string approval =
      "@id(\"g\") @reason(\"r\") @approvers(\"owners\")\nrequire_approval (principal, action == "
      "Action::\"delete_doc\", resource);\n";
  CHECK(lines_of(run(permit + approval, {.against = &*s}), "sensitive-write-without-approval").empty());
  const std::string forbid =
      "@id(\"f\") @reason(\"r\")\nforbid (principal, action, resource is Doc) when { resource.sensitivity == "
      "Sensitivity::\"secret\" };\n";
  CHECK(lines_of(run(permit + forbid, {.against = &*s}), "sensitive-write-without-approval").empty());
  // A read-only permit is not write-like.
  CHECK(lines_of(
            run("@id(\"a\") @reason(\"r\")\npermit (principal, action == Action::\"read\", resource is Doc);",
                {.against = &*s}),
            "sensitive-write-without-approval")
            .empty());
}
