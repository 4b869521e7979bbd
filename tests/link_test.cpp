// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Templates and linking: a template decides nothing until linked; each link is the template
// with its slots filled, under its own id, evaluated like any other policy by both evaluators.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mandate/mandate.hpp"

namespace {

using mandate::entity_ref;
using mandate::evaluator;
using mandate::policy_set;
using mandate::request;
using mandate::template_link;
using mandate::verdict;

constexpr const char* share_templates = R"cedar(
@id("share")
@reason("shared by its owner")
permit (principal == ?principal, action == Action::"view", resource in ?resource);

@id("viewers")
permit (principal in ?principal, action == Action::"view", resource);
)cedar";

const char* folder_entities = R"([
  {"uid": {"type": "Doc", "id": "d1"}, "attrs": {}, "parents": [{"type": "Folder", "id": "f1"}]},
  {"uid": {"type": "Doc", "id": "d2"}, "attrs": {}, "parents": []},
  {"uid": {"type": "User", "id": "carol"}, "attrs": {}, "parents": [{"type": "Team", "id": "t"}]}
])";

policy_set compile_ok(const std::string& text) {
  auto compiled = policy_set::compile(text, "templates.cedar");
  REQUIRE_MESSAGE(compiled.has_value(), mandate::render(compiled.error()));
  return *compiled;
}

mandate::decision view(const policy_set& policies, const char* user, const char* doc, evaluator which) {
  auto entities = mandate::entity_store::from_json(folder_entities);
  REQUIRE(entities.has_value());
  return policies.evaluate(request({"User", user}, {"Action", "view"}, {"Doc", doc}), *entities,
                           {.engine = which});
}

}  // namespace

TEST_CASE("link: an unlinked template decides nothing") {
  const policy_set policies = compile_ok(share_templates);
  CHECK(policies.template_ids() == std::vector<std::string>{"share", "viewers"});
  for (const evaluator which : {evaluator::plan, evaluator::reference}) {
    const auto d = view(policies, "alice", "d1", which);
    CHECK(d.outcome == verdict::deny);
    CHECK(d.reasons.empty());
  }
}

TEST_CASE("link: linked policies apply with their own ids and the template's annotations") {
  const policy_set templates = compile_ok(share_templates);
  const std::vector<template_link> links = {
      {"share", "alice-f1", entity_ref{"User", "alice"}, entity_ref{"Folder", "f1"}},
      {"viewers", "team-t", entity_ref{"Team", "t"}, std::nullopt},
  };
  auto linked = templates.link(links);
  REQUIRE_MESSAGE(linked.has_value(), mandate::render(linked.error()));
  CHECK(linked->policy_ids() == std::vector<std::string>{"share", "viewers", "alice-f1", "team-t"});
  CHECK(linked->fingerprint() != templates.fingerprint());
  for (const evaluator which : {evaluator::plan, evaluator::reference}) {
    CAPTURE(static_cast<int>(which));
    const auto alice_in_folder = view(*linked, "alice", "d1", which);
    CHECK(alice_in_folder.outcome == verdict::allow);
    CHECK(alice_in_folder.reasons == std::vector<std::string>{"alice-f1"});
    REQUIRE(alice_in_folder.annotations.size() == 2);
    CHECK(alice_in_folder.annotations[1].key == "reason");
    CHECK(alice_in_folder.annotations[1].value == "shared by its owner");
    CHECK(view(*linked, "alice", "d2", which).outcome == verdict::deny);  // d2 is not in f1
    CHECK(view(*linked, "bob", "d1", which).outcome == verdict::deny);    // not bob's link
    const auto team = view(*linked, "carol", "d2", which);
    CHECK(team.reasons == std::vector<std::string>{"team-t"});
  }
  // The original set is unchanged; linking again adds to the links already made.
  CHECK(templates.policy_ids().size() == 2);
  auto more =
      linked->link(std::vector<template_link>{{"viewers", "bob-direct", entity_ref{"User", "bob"}, {}}});
  REQUIRE(more.has_value());
  CHECK(more->policy_ids().size() == 5);
  CHECK(view(*more, "bob", "d2", evaluator::plan).reasons == std::vector<std::string>{"bob-direct"});
}

TEST_CASE("link: bad links are diagnostics with code `link`") {
  const policy_set templates =
      compile_ok("@id(\"plain\") permit (principal, action, resource);\n" + std::string(share_templates));
  struct bad_case {
    template_link link;
    const char* needle;
  };
  const std::vector<bad_case> cases = {
      {{"nope", "l", entity_ref{"User", "a"}, {}}, "no policy has that id"},
      {{"plain", "l", {}, {}}, "not a template"},
      {{"share", "l", entity_ref{"User", "a"}, {}}, "?resource but no value"},
      {{"viewers", "l", entity_ref{"Team", "t"}, entity_ref{"Doc", "d1"}}, "no ?resource slot"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.needle);
    auto linked = templates.link(std::vector{c.link});
    REQUIRE_FALSE(linked.has_value());
    REQUIRE(linked.error().size() == 1);
    CHECK(linked.error()[0].code == "link");
    CHECK(linked.error()[0].message.find(c.needle) != std::string::npos);
  }
  // A link id may not reuse an existing id.
  auto clash = templates.link(std::vector<template_link>{{"viewers", "plain", entity_ref{"Team", "t"}, {}}});
  REQUIRE_FALSE(clash.has_value());
  CHECK(clash.error()[0].code == "duplicate-id");
}

TEST_CASE("link: links files in the Cedar CLI's shape") {
  auto links = mandate::parse_template_links(R"([
    {"template_id": "share", "link_id": "l1",
     "args": {"?principal": {"type": "User", "id": "alice"}, "?resource": "Folder::\"f1\""}},
    {"template_id": "viewers", "link_id": "l2", "args": {"?principal": {"__entity": {"type": "Team", "id": "t"}}}}
  ])");
  REQUIRE_MESSAGE(links.has_value(), mandate::render(links.error()));
  REQUIRE(links->size() == 2);
  CHECK((*links)[0].principal == entity_ref{"User", "alice"});
  CHECK((*links)[0].resource == entity_ref{"Folder", "f1"});
  CHECK((*links)[1].principal == entity_ref{"Team", "t"});
  CHECK_FALSE((*links)[1].resource.has_value());

  for (const char* bad :
       {"{}", "[1]", R"([{"template_id": "t"}])", R"([{"template_id": "t", "link_id": "l",
       "args": {"?agent": "User::\"a\""}}])",
        R"([{"template_id": "t", "link_id": "l", "args": {"?principal": 3}}])", "[",
        R"([{"template_id": "t", "link_id": "l", "args": {"?principal": "User::alice"}}])"}) {
    CAPTURE(bad);
    auto parsed = mandate::parse_template_links(bad, "links.json");
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error()[0].code == "links");
    CHECK(parsed.error()[0].where.file == "links.json");
  }
}
