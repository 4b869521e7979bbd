// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// SARIF 2.1.0 output, in the subset GitHub code scanning reads. Compiler diagnostics (codes that
// are not lint rules, such as `parse` or `type`) are results too, under rules appended after
// the lint rules, because code scanning drops results whose rule it cannot resolve from the
// driver's table by ruleIndex.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

#include "mandate/lint.hpp"
#include "mandate/version.hpp"

namespace mandate {
inline namespace v0 {
namespace {

// SARIF's levels are Mandate's words, except that it calls a rule that is off "none".
std::string_view sarif_level(lint_level l) { return l == lint_level::off ? "none" : to_string(l); }

// FNV-1a: stable across platforms and releases, unlike std::hash.
std::string stable_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

bool is_absolute(const std::string& path) {
  return (!path.empty() && path[0] == '/') ||
         (path.size() > 2 && path[1] == ':' && (path[2] == '/' || path[2] == '\\'));
}

std::string to_uri(std::string path) {
  for (char& c : path)
    if (c == '\\') c = '/';
  std::string out;
  for (unsigned char c : path) {
    if (c <= ' ' || c == '%' || c == '#' || c == '?' || c >= 0x7F) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (is_absolute(path)) return (out.front() == '/' ? "file://" : "file:///") + out;
  return out;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

std::string to_sarif(std::span<const diagnostic> findings) {
  using json = nlohmann::ordered_json;
  json rules = json::array();
  std::map<std::string, std::size_t> rule_index;
  for (const lint_rule_info& r : lint_rules()) {
    rule_index.emplace(std::string(r.id), rules.size());
    rules.push_back({{"id", r.id},
                     {"name", r.id},
                     {"shortDescription", {{"text", r.summary}}},
                     {"fullDescription", {{"text", r.summary}}},
                     {"defaultConfiguration", {{"level", sarif_level(r.default_level)}}},
                     {"properties", {{"category", r.category}}}});
  }
  for (const diagnostic& d : findings) {
    if (rule_index.count(d.code) != 0) continue;
    rule_index.emplace(d.code, rules.size());
    rules.push_back({{"id", d.code},
                     {"name", d.code},
                     {"shortDescription", {{"text", "compiler diagnostic `" + d.code + "`"}}},
                     {"fullDescription",
                      {{"text", "A diagnostic of the Mandate compiler or validator with code `" + d.code +
                                    "` (grammar/REFERENCE.md section 14)."}}},
                     {"defaultConfiguration", {{"level", "error"}}},
                     {"properties", {{"category", "compiler"}}}});
  }

  json results = json::array();
  for (const diagnostic& d : findings) {
    json result = {{"ruleId", d.code},
                   {"ruleIndex", rule_index.at(d.code)},
                   {"level", to_string(d.level)},
                   {"message", {{"text", d.message}}}};
    if (!d.where.file.empty()) {
      json artifact = {{"uri", to_uri(d.where.file)}};
      if (!is_absolute(d.where.file)) artifact["uriBaseId"] = "%SRCROOT%";
      json physical = {{"artifactLocation", artifact}};
      if (d.where.line > 0) {
        // Columns are bytes, as the renderer counts them; the region is clipped to its first line.
        std::uint32_t end_column = d.where.column + std::max<std::uint32_t>(1, d.where.length);
        if (!d.source_line.empty())
          end_column =
              std::min<std::uint32_t>(end_column, static_cast<std::uint32_t>(d.source_line.size()) + 1);
        end_column = std::max(end_column, d.where.column + 1);
        physical["region"] = {{"startLine", d.where.line},
                              {"startColumn", d.where.column},
                              {"endLine", d.where.line},
                              {"endColumn", end_column}};
      }
      result["locations"] = json::array({{{"physicalLocation", physical}}});
    }
    // Line numbers are left out so a finding keeps its identity when lines move above it.
    result["partialFingerprints"] = {
        {"mandateFinding/v1",
         stable_hash(d.code + "\n" + d.where.file + "\n" + d.message + "\n" + trimmed(d.source_line))}};
    results.push_back(std::move(result));
  }

  json run = {{"tool",
               {{"driver",
                 // No informationUri: it is optional, and the project has no public address yet.
                 {{"name", "mandate"},
                  {"version", std::string(version_string)},
                  {"semanticVersion", std::string(version_string)},
                  {"rules", std::move(rules)}}}}},
              {"results", std::move(results)}};
  json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({std::move(run)})}};
  return log.dump(2) + "\n";
}

}  // namespace v0
}  // namespace mandate
