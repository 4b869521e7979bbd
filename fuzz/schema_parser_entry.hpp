// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz entry for the schema parsers. The first byte picks the form (even: the `.cedarschema`
// text form, odd: the JSON form), the rest is the schema. A schema that parses is used as the
// validator and the schema-directed loaders use it, so resolution bugs show up there too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "mandate/entities.hpp"
#include "mandate/policy_set.hpp"
#include "mandate/request.hpp"
#include "mandate/schema.hpp"

namespace mandate_fuzz {

inline std::string run_schema_parser(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return {};
  const bool json_form = (data[0] & 1) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto parsed =
      json_form ? mandate::schema::parse_json(text, "<fuzz>") : mandate::schema::parse(text, "<fuzz>");
  if (!parsed) return {};
  (void)parsed->entity_type_names();
  const auto actions = parsed->action_names();

  // A small fixed policy set touching the usual shapes, checked against the fuzzed schema.
  static const auto policies = mandate::policy_set::compile(
      R"(permit (principal, action, resource) when { principal.name == "a" && resource has owner };
         forbid (principal is User in Group::"g", action in Action::"read", resource) unless { context.n > 1 };
         permit (principal, action == Action::"view", resource is Doc) when { resource.tags.contains("x") };)",
      "<fuzz-policies>");
  if (policies) (void)mandate::validate(*policies, *parsed);

  (void)mandate::entity_store::from_json("[]", "<fuzz>", *parsed);
  if (!actions.empty()) {
    // action_names() gives `Type::"id"`, which a JSON request accepts as a string.
    const std::string req = R"({"principal": "User::\"u\"", "action": )" + json_quote(actions.front()) +
                            R"(, "resource": "Doc::\"d\"", "context": {}})";
    (void)mandate::request::from_json(req, *parsed, true);
    (void)mandate::request::from_json(req, *parsed, false);
  }
  return {};
}

}  // namespace mandate_fuzz
