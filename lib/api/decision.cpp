// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The names of verdicts and modes, and the one-line JSON form of a decision that the CLI
// prints and the golden files compare.
#include "mandate/decision.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace mandate {
inline namespace v0 {

std::string_view to_string(verdict v) noexcept {
  switch (v) {
    case verdict::deny:
      return "deny";
    case verdict::allow:
      return "allow";
    case verdict::require_approval:
      return "require_approval";
  }
  return "deny";
}

std::string_view to_string(eval_mode m) noexcept {
  switch (m) {
    case eval_mode::mandate:
      return "mandate";
    case eval_mode::cedar:
      return "cedar";
  }
  return "mandate";
}

std::string to_json(const decision& d) {
  // ordered_json keeps keys in insertion order: readers and golden files see the verdict first.
  using json = nlohmann::ordered_json;
  json out;
  out["decision"] = to_string(d.outcome);

  json reasons = json::array();
  for (const std::string& id : d.reasons) reasons.push_back(id);
  out["reasons"] = std::move(reasons);

  json errors = json::array();
  for (const evaluation_error& e : d.errors) {
    json entry;
    entry["policy"] = e.policy;
    entry["message"] = e.message;
    errors.push_back(std::move(entry));
  }
  out["errors"] = std::move(errors);

  // Every determining policy gets an entry, even without annotations, so a caller can index
  // annotations[reason] for each reason without checking first.
  json annotations = json::object();
  for (const std::string& id : d.reasons) annotations[id] = json::object();
  for (const decision_annotation& a : d.annotations) annotations[a.policy][a.key] = a.value;
  out["annotations"] = std::move(annotations);

  out["mode"] = to_string(d.mode);
  if (d.failed_closed) out["failed_closed"] = true;
  // Only requests with a delegation chain say which identity decided, or why the chain failed.
  if (d.deciding_hop >= 0) {
    out["decided_by"] = json{{"hop", d.deciding_hop}, {"principal", d.deciding_principal}};
  }
  if (!d.chain_violation.empty()) {
    out["chain"] = json{{"violation", d.chain_violation}, {"message", d.chain_message}};
  }
  if (d.response != session_response::none) {
    out["response"] = d.response == session_response::throttle ? "throttle" : "terminate";
    if (d.response == session_response::throttle) out["retry_after_ms"] = d.retry_after_ms;
  }
  // Policy text may hold invalid UTF-8 in a string literal; replace it rather than throw,
  // since a decision must always be printable.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace v0
}  // namespace mandate
