// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Template links from JSON, in the shape of the Cedar CLI's `--template-linked` file.
#include <nlohmann/json.hpp>

#include "json/cedar_json.hpp"
#include "mandate/policy_set.hpp"

namespace mandate {
inline namespace v0 {
namespace {

diagnostic links_error(std::string_view source_name, std::string message) {
  diagnostic d;
  d.code = "links";
  d.message = std::move(message);
  d.where.file = std::string(source_name);
  return d;
}

// Reads one slot value, `{"type", "id"}` (or `__entity`) or the text `Type::"id"`.
bool slot_value(const nlohmann::json& in, entity_ref& out, std::string& error) {
  detail::entity_uid uid;
  if (in.is_string()) {
    if (!detail::parse_entity_uid_text(in.get<std::string>(), uid, error)) return false;
  } else {
    detail::json_error problem;
    if (!detail::entity_uid_from_json(in, uid, problem)) {
      error = problem.message;
      return false;
    }
  }
  out = {std::string(detail::symbol_text(uid.type)), std::string(detail::symbol_text(uid.id))};
  return true;
}

}  // namespace

expected<std::vector<template_link>, std::vector<diagnostic>> parse_template_links(
    std::string_view json, std::string_view source_name) {
  nlohmann::json document;
  detail::json_error syntax;
  if (!detail::parse_json(json, document, syntax))
    return unexpected(std::vector{syntax.offset == detail::no_offset
                                      ? links_error(source_name, "invalid JSON: " + syntax.message)
                                      : diagnostic_at(source_name, json, syntax.offset, 1, "links",
                                                      "invalid JSON: " + syntax.message)});
  if (!document.is_array())
    return unexpected(std::vector{links_error(source_name, "a links file is a JSON array of links")});
  std::vector<template_link> links;
  std::vector<diagnostic> problems;
  for (std::size_t i = 0; i < document.size(); ++i) {
    const nlohmann::json& item = document[i];
    const std::string where = "link " + std::to_string(i) + ": ";
    if (!item.is_object() || !item.contains("template_id") || !item["template_id"].is_string() ||
        !item.contains("link_id") || !item["link_id"].is_string()) {
      problems.push_back(
          links_error(source_name, where + "needs string fields \"template_id\" and \"link_id\""));
      continue;
    }
    template_link link;
    link.template_id = item["template_id"].get<std::string>();
    link.link_id = item["link_id"].get<std::string>();
    if (item.contains("args")) {
      const nlohmann::json& args = item["args"];
      if (!args.is_object()) {
        problems.push_back(links_error(source_name, where + "\"args\" must be an object"));
        continue;
      }
      bool ok = true;
      for (const auto& [slot, value] : args.items()) {
        std::string error;
        entity_ref ref;
        if (slot != "?principal" && slot != "?resource") {
          error = "unknown slot \"" + slot + "\" (slots are ?principal and ?resource)";
        } else if (slot_value(value, ref, error)) {
          (slot == "?principal" ? link.principal : link.resource) = ref;
          continue;
        }
        problems.push_back(links_error(source_name, where + slot + ": " + error));
        ok = false;
      }
      if (!ok) continue;
    }
    links.push_back(std::move(link));
  }
  if (!problems.empty()) return unexpected(std::move(problems));
  return links;
}

}  // namespace v0
}  // namespace mandate
