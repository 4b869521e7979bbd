// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Ordered levels (LANGUAGE.md 2.6): `ordered enum T [...]` declared beside the policies ranks
// the entities T::"level"; comparisons go by rank; a misspelled level is a compile error.
#include <doctest/doctest.h>

#include <string>

#include "mandate/mandate.hpp"

namespace {

using mandate::evaluator;
using mandate::verdict;

constexpr const char* levels =
    R"(ordered enum Sensitivity ["public", "internal", "confidential", "restricted"];
)";

const char* documents = R"([
  {"uid": {"type": "Doc", "id": "pub"}, "attrs": {"sensitivity": {"__entity": {"type": "Sensitivity", "id": "public"}}}},
  {"uid": {"type": "Doc", "id": "conf"}, "attrs": {"sensitivity": {"__entity": {"type": "Sensitivity", "id": "confidential"}}}},
  {"uid": {"type": "Doc", "id": "odd"}, "attrs": {"sensitivity": {"__entity": {"type": "Sensitivity", "id": "secret"}}}},
  {"uid": {"type": "Doc", "id": "str"}, "attrs": {"sensitivity": "public"}}
])";

mandate::decision read(const std::string& policies, const char* doc, evaluator which = evaluator::plan) {
  auto compiled = mandate::policy_set::compile(policies, "levels.mandate");
  REQUIRE_MESSAGE(compiled.has_value(), mandate::render(compiled.error()));
  auto entities = mandate::entity_store::from_json(documents);
  REQUIRE(entities.has_value());
  return compiled->evaluate(mandate::request({"User", "u"}, {"Action", "read"}, {"Doc", doc}), *entities,
                            {.engine = which});
}

}  // namespace

TEST_CASE("levels: comparisons go by declared rank, in both evaluators") {
  const std::string at_most_internal =
      std::string(levels) +
      "permit (principal, action, resource) when { resource.sensitivity <= Sensitivity::\"internal\" };";
  const std::string above_public =
      std::string(levels) +
      "permit (principal, action, resource) when { resource.sensitivity > Sensitivity::\"public\" };";
  for (const evaluator which : {evaluator::plan, evaluator::reference}) {
    CHECK(read(at_most_internal, "pub", which).outcome == verdict::allow);
    CHECK(read(at_most_internal, "conf", which).outcome == verdict::deny);
    CHECK(read(above_public, "pub", which).outcome == verdict::deny);
    CHECK(read(above_public, "conf", which).outcome == verdict::allow);
    // Equality is plain entity equality.
    CHECK(read(std::string(levels) + "permit (principal, action, resource) when { resource.sensitivity == "
                                     "Sensitivity::\"confidential\" };",
               "conf", which)
              .outcome == verdict::allow);
  }
}

TEST_CASE("levels: a level the declaration lacks, in data, is an evaluation error") {
  const std::string policies =
      std::string(levels) +
      "permit (principal, action, resource) when { resource.sensitivity <= Sensitivity::\"internal\" };";
  for (const evaluator which : {evaluator::plan, evaluator::reference}) {
    const auto d = read(policies, "odd", which);
    CHECK(d.outcome == verdict::deny);
    REQUIRE(d.errors.size() == 1);
    CHECK(d.errors[0].message.find("not a declared level of `Sensitivity`") != std::string::npos);
    // A string is not a level: comparing it is a type error, not a quiet false.
    const auto s = read(policies, "str", which);
    REQUIRE(s.errors.size() == 1);
    CHECK(s.errors[0].message.find("type error") != std::string::npos);
  }
}

TEST_CASE("levels: a misspelled level is a compile error naming the levels") {
  auto compiled = mandate::policy_set::compile(
      std::string(levels) +
          "permit (principal, action, resource) when { resource.sensitivity <= Sensitivity::\"interal\" };",
      "p.mandate");
  REQUIRE_FALSE(compiled.has_value());
  REQUIRE(compiled.error().size() == 1);
  const auto& d = compiled.error()[0];
  CHECK(d.code == "levels");
  CHECK(d.where.line == 2);
  CHECK(d.message ==
        "`interal` is not a level of `Sensitivity` (levels, lowest first: public, internal, "
        "confidential, restricted)");
}

TEST_CASE("levels: declarations are checked") {
  for (const char* bad :
       {R"(ordered enum S ["a", "b", "a"];)", R"(ordered enum S ["a"]; ordered enum S ["b"];)",
        R"(ordered enum S [];)", R"(ordered enum ["a"];)", R"(ordered enum S ["a"])"}) {
    CAPTURE(bad);
    auto compiled = mandate::policy_set::compile(bad);
    REQUIRE_FALSE(compiled.has_value());
    CHECK_FALSE(compiled.error()[0].message.empty());
  }
  // A declaration is not a policy: positional ids are unaffected.
  auto compiled = mandate::policy_set::compile(std::string(levels) + "permit (principal, action, resource);");
  REQUIRE(compiled.has_value());
  CHECK(compiled->policy_ids() == std::vector<std::string>{"policy0"});
}

TEST_CASE("levels: the validator accepts comparisons of an ordered type and still rejects others") {
  auto schema = mandate::schema::parse(R"(
    entity Sensitivity enum ["public", "internal", "confidential", "restricted"];
    entity Color enum ["red", "blue"];
    entity User;
    entity Doc { sensitivity: Sensitivity, color: Color };
    action read appliesTo { principal: User, resource: Doc };
  )");
  REQUIRE_MESSAGE(schema.has_value(), mandate::render(schema.error()));
  auto ok =
      mandate::policy_set::compile(std::string(levels) +
                                   "permit (principal, action, resource) when { resource.sensitivity <= "
                                   "Sensitivity::\"internal\" };");
  REQUIRE(ok.has_value());
  CHECK(mandate::validate(*ok, *schema).empty());
  auto unordered =
      mandate::policy_set::compile(std::string(levels) +
                                   "permit (principal, action, resource) when { resource.color < "
                                   "Color::\"blue\" };");
  REQUIRE(unordered.has_value());
  CHECK(mandate::has_errors(mandate::validate(*unordered, *schema)));
}
