// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// A decision's trace in words (LANGUAGE.md section 3): what decided, and for a deny with no
// permit, the nearest misses with the values they saw.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "mandate/trace.hpp"

namespace mandate {
inline namespace v0 {

namespace {

// How many near misses a verdict lists before it says how many more there were.
constexpr std::size_t max_misses = 5;

std::string at(const source_location& where) {
  if (where.line == 0) return where.file;
  return fmt::format("{}:{}", where.file, where.line);
}

std::string named(const policy_trace& p) { return fmt::format("policy \"{}\" ({})", p.id, at(p.where)); }

const identity_trace* deciding_identity(const decision& d, const decision_trace& trace) {
  if (trace.identities.empty()) return nullptr;
  if (d.deciding_hop >= 0 && static_cast<std::size_t>(d.deciding_hop) < trace.identities.size())
    return &trace.identities[static_cast<std::size_t>(d.deciding_hop)];
  return &trace.identities.front();
}

const clause_trace* stopping_clause(const policy_trace& p) {
  return p.clauses.empty() ? nullptr : &p.clauses.back();
}

// One line per reason a candidate did not apply, and where it points.
struct miss {
  std::string line;
  source_location where;
  std::string source_line;
  std::vector<std::string> values;
};

miss describe_miss(const policy_trace& p) {
  miss m;
  if (p.scope != scope_result::matched) {
    m.line = fmt::format("{} did not apply: {}", named(p), p.scope_detail);
    m.where = p.scope_where;
    m.source_line = p.scope_source_line;
    return m;
  }
  const clause_trace* c = stopping_clause(p);
  if (c == nullptr) {
    m.line = fmt::format("{} did not apply", named(p));
    return m;
  }
  if (c->errored) {
    m.line = fmt::format("{} raised an error: {}", named(p), c->error);
    m.where = c->where;
    m.source_line = c->source_line;
    return m;
  }
  const std::string& part = c->failed_part.empty() ? c->text : c->failed_part;
  m.line = c->is_when ? fmt::format("{} did not apply: {}", named(p), part)
                      : fmt::format("{} did not apply: unless {}", named(p), part);
  m.where = c->failed_where.line != 0 ? c->failed_where : c->where;
  m.source_line = c->source_line;
  m.values = c->values;
  return m;
}

struct verdict_text {
  std::string headline;
  std::vector<miss> lines;  // each cites a policy; `where` set when it has a source position
  std::vector<std::string> notes;
};

verdict_text build(const decision& d, const decision_trace& trace) {
  verdict_text out;
  if (!d.chain_violation.empty()) {
    out.headline =
        fmt::format("deny: the delegation chain was refused ({}): {}", d.chain_violation, d.chain_message);
    return out;
  }
  const identity_trace* identity = deciding_identity(d, trace);
  std::string who;
  if (d.deciding_hop >= 0)
    who = fmt::format(" (decided by hop {}, {})", d.deciding_hop, d.deciding_principal);
  for (const auto& e : d.errors)
    if (e.policy.empty()) out.notes.push_back(e.message);
  auto policy_line = [&](const policy_trace& p, std::string_view prefix) {
    miss m;
    m.line = std::string(prefix) + named(p) + " applied";
    if (!p.reason.empty()) m.line += ": " + p.reason;
    m.where = p.where;
    m.source_line = p.source_line;
    if (p.errored) {
      // It did not hold; it raised an error, and an error in a forbid counts as the forbid.
      m.line += fmt::format(" (its condition raised an error, which counts as applying: {})", p.error);
      if (const clause_trace* c = stopping_clause(p)) {
        m.where = c->where;
        m.source_line = c->source_line;
      }
    }
    return m;
  };
  if (identity == nullptr) {
    out.headline = std::string(to_string(d.outcome));
    for (const auto& e : d.errors)
      if (!e.policy.empty()) out.notes.push_back(fmt::format("policy \"{}\": {}", e.policy, e.message));
    return out;
  }
  if (d.outcome != verdict::deny || !d.reasons.empty()) {
    out.headline = fmt::format("{}{}", to_string(d.outcome), who);
    // A chain allows only when every identity does: each hop's own permits are part of why.
    const bool every_hop = d.outcome != verdict::deny && trace.identities.size() > 1;
    for (const identity_trace& hop : trace.identities) {
      if (!every_hop && &hop != identity) continue;
      const std::string prefix =
          every_hop ? fmt::format("hop {}, {}: ", hop.hop, hop.principal) : std::string();
      for (const policy_trace& p : hop.policies)
        if (p.effect == policy_effect::determining) out.lines.push_back(policy_line(p, prefix));
    }
    if (d.outcome == verdict::require_approval)
      for (const auto& a : d.annotations)
        if (a.key == "approvers") out.notes.push_back(fmt::format("approvers ({}): {}", a.policy, a.value));
    for (const policy_trace& p : identity->policies)
      if (p.effect == policy_effect::skipped)
        out.notes.push_back(fmt::format("{} raised an error and was skipped: {}", named(p), p.error));
    return out;
  }
  // A deny with no determining policy: no permit applied. Say which came nearest: permits
  // whose scope matched but a clause failed, then permits the scope ruled out.
  out.headline = fmt::format("deny{}: no permit applied", who);
  std::vector<const policy_trace*> near;
  std::vector<const policy_trace*> far;
  for (const policy_trace& p : identity->policies) {
    if (p.effect == policy_effect::skipped && p.kind != "permit")
      out.notes.push_back(fmt::format("{} raised an error and was skipped: {}", named(p), p.error));
    if (p.kind != "permit") continue;  // only a permit could have allowed
    if (p.effect == policy_effect::skipped) {
      near.push_back(&p);
    } else if (!p.applied) {
      (p.scope == scope_result::matched && !p.ruled_out_by_index ? near : far).push_back(&p);
    }
  }
  std::size_t listed = 0;
  for (const auto* group : {&near, &far})
    for (const policy_trace* p : *group) {
      if (listed == max_misses) break;
      out.lines.push_back(describe_miss(*p));
      ++listed;
    }
  const std::size_t unlisted = near.size() + far.size() - listed;
  if (unlisted > 0) out.notes.push_back(fmt::format("{} more permits did not apply", unlisted));
  if (near.empty() && far.empty())
    out.notes.push_back("no permit applies to this principal, action and resource");
  if (identity->ruled_out > 0)
    out.notes.push_back(fmt::format("{} of {} policies were ruled out by the index", identity->ruled_out,
                                    trace.policy_count));
  return out;
}

std::string_view scope_name(scope_result s) {
  switch (s) {
    case scope_result::matched:
      return "matched";
    case scope_result::principal:
      return "principal";
    case scope_result::action:
      return "action";
    case scope_result::resource:
      return "resource";
  }
  return "matched";
}

std::string_view effect_name(policy_effect e) {
  switch (e) {
    case policy_effect::none:
      return "none";
    case policy_effect::determining:
      return "determining";
    case policy_effect::overridden:
      return "overridden";
    case policy_effect::skipped:
      return "skipped";
  }
  return "none";
}

nlohmann::ordered_json location_json(const source_location& where) {
  if (where.line == 0) return nullptr;
  return fmt::format("{}:{}:{}", where.file, where.line, where.column);
}

}  // namespace

std::string explain(const decision& d, const decision_trace& trace) {
  const verdict_text v = build(d, trace);
  std::string out = v.headline + "\n";
  for (const miss& m : v.lines) {
    out += "  " + m.line;
    if (!m.values.empty()) {
      out += " (";
      for (std::size_t i = 0; i < m.values.size(); ++i) out += (i == 0 ? "" : "; ") + m.values[i];
      out += ")";
    }
    out += "\n";
  }
  for (const std::string& n : v.notes) out += "  note: " + n + "\n";
  return out;
}

std::string explain_with_sources(const decision& d, const decision_trace& trace) {
  const verdict_text v = build(d, trace);
  std::string out = v.headline + "\n";
  for (const miss& m : v.lines) {
    if (m.where.line == 0) {
      out += "  " + m.line + "\n";
      continue;
    }
    diagnostic excerpt;
    excerpt.code = "explain";
    excerpt.level = severity::note;
    excerpt.message = m.line;
    excerpt.where = m.where;
    excerpt.source_line = m.source_line;
    out += render(excerpt);
    for (const std::string& value : m.values) out += "      = " + value + "\n";
  }
  for (const std::string& n : v.notes) out += "  note: " + n + "\n";
  return out;
}

std::string to_json(const decision& d, const decision_trace& trace) {
  nlohmann::ordered_json j;
  std::string summary = explain(d, trace);
  if (!summary.empty() && summary.back() == '\n') summary.pop_back();
  j["summary"] = summary;
  j["policy_count"] = trace.policy_count;
  nlohmann::ordered_json identities = nlohmann::ordered_json::array();
  for (const identity_trace& identity : trace.identities) {
    nlohmann::ordered_json i;
    if (identity.hop >= 0) i["hop"] = identity.hop;
    i["principal"] = identity.principal;
    i["decision"] = std::string(to_string(identity.outcome));
    i["ruled_out"] = identity.ruled_out;
    nlohmann::ordered_json policies = nlohmann::ordered_json::array();
    for (const policy_trace& p : identity.policies) {
      nlohmann::ordered_json pj;
      pj["id"] = p.id;
      pj["kind"] = p.kind;
      pj["at"] = location_json(p.where);
      if (p.ruled_out_by_index) pj["ruled_out_by_index"] = true;
      pj["scope"] = std::string(scope_name(p.scope));
      if (p.scope != scope_result::matched) pj["scope_detail"] = p.scope_detail;
      nlohmann::ordered_json clauses = nlohmann::ordered_json::array();
      for (const clause_trace& c : p.clauses) {
        nlohmann::ordered_json cj;
        cj["kind"] = c.is_when ? "when" : "unless";
        cj["text"] = c.text;
        cj["at"] = location_json(c.where);
        if (c.errored) {
          cj["error"] = c.error;
        } else {
          cj["value"] = c.value == "true";
        }
        if (!c.failed_part.empty()) {
          cj["failed"] = c.failed_part;
          cj["failed_at"] = location_json(c.failed_where);
        }
        if (!c.values.empty()) cj["values"] = c.values;
        clauses.push_back(std::move(cj));
      }
      pj["clauses"] = std::move(clauses);
      pj["applied"] = p.applied;
      if (p.errored) pj["error"] = p.error;
      pj["effect"] = std::string(effect_name(p.effect));
      if (!p.reason.empty()) pj["reason"] = p.reason;
      policies.push_back(std::move(pj));
    }
    i["policies"] = std::move(policies);
    identities.push_back(std::move(i));
  }
  j["identities"] = std::move(identities);
  // Policy text is the user's: a stray invalid UTF-8 byte is replaced rather than thrown on.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace v0
}  // namespace mandate
