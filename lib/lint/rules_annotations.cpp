// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Rules about annotations: the keys Mandate reads (`@id`, `@reason`, `@approvers`,
// `@response`, `@retry_after`) missing, misspelt, misplaced or malformed.
#include <algorithm>
#include <array>
#include <cctype>

#include "lint/lint_internal.hpp"
#include "value/extensions.hpp"

namespace mandate::detail::lint {
namespace {

constexpr std::array<std::string_view, 5> known_keys{"id", "reason", "approvers", "response", "retry_after"};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The known key `key` may be a misspelling of, or nothing.
std::optional<std::string_view> near_key(std::string_view key) {
  if (key.size() > 40) return std::nullopt;
  const std::string folded = lower(key);
  for (std::string_view known : known_keys) {
    if (key == known) return std::nullopt;
  }
  std::string relaxed = folded;
  std::replace(relaxed.begin(), relaxed.end(), '-', '_');
  for (std::string_view known : known_keys) {
    if (relaxed == known) return known;
    const std::size_t distance = edit_distance(folded, known);
    // `id` is short: accept one added or changed letter (`@ids`, `@ld`), not a dropped one (`@I`).
    if (known.size() <= 3 ? distance == 1 && key.size() >= known.size() : distance <= 2) return known;
  }
  return std::nullopt;
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

}  // namespace

void check_annotations(const context& cx) {
  const auto& ast = cx.ast;
  for (std::uint32_t i = 0; i < ast.policies.size(); ++i) {
    const policy& p = ast.policies[i];
    const source_span head = p.effect_span;

    if (p.find_annotation("id") == nullptr)
      cx.report("missing-id", head,
                "this " + std::string(effect_name(p.kind)) + " has no @id, so its id is the positional `" +
                    cx.ids[i] + "`, which changes when policies are added before it; add @id(\"...\")");
    if (p.find_annotation("reason") == nullptr)
      cx.report("missing-reason", head,
                "policy " + cx.name(i) +
                    " has no @reason, so its decisions cannot be explained to the agent or the user; add "
                    "@reason(\"...\")");

    if (p.kind == effect::require_approval) {
      const annotation* approvers = p.find_annotation("approvers");
      if (approvers == nullptr)
        cx.report(
            "approval-without-approvers", head,
            "require_approval " + cx.name(i) +
                " has no @approvers, so the caller cannot route the approval; add @approvers(\"group\")");
      else if (blank(approvers->value))
        cx.report("approval-without-approvers", approvers->span,
                  "@approvers of " + cx.name(i) +
                      " is empty; name who approves, e.g. @approvers(\"billing-admins\")");
    }

    const annotation* response = p.find_annotation("response");
    const annotation* retry = p.find_annotation("retry_after");
    if (p.kind != effect::forbid) {
      for (const annotation* a : {response, retry})
        if (a != nullptr)
          cx.report(
              "response-not-on-forbid", a->span,
              "@" + a->key + " is read only on a forbid; on a " + std::string(effect_name(p.kind)) +
                  " it changes nothing (remove it, or move it to the forbid that should slow down or stop "
                  "the agent)");
    }
    if (response != nullptr && response->value != "throttle" && response->value != "terminate")
      cx.report("invalid-response", response->span,
                "@response(\"" + response->value +
                    "\") is not a response Mandate knows; use \"throttle\" or \"terminate\"");
    if (retry != nullptr) {
      std::int64_t ms = 0;
      if (!parse_duration(retry->value, ms) || ms <= 0)
        cx.report("invalid-response", retry->span,
                  "@retry_after(\"" + retry->value +
                      "\") is not a positive duration; write one like \"30s\", \"5m\" or \"1h30m\"");
    }
    if (p.kind == effect::forbid && response != nullptr && response->value == "throttle" && retry == nullptr)
      cx.report("throttle-without-retry-after", response->span,
                "@response(\"throttle\") without @retry_after: the agent is told to retry after the longest "
                "temporal window of the policy (or 60s); say how long with @retry_after(\"30s\")");

    for (const annotation& a : p.annotations) {
      if (auto known = near_key(a.key))
        cx.report(
            "unknown-annotation", a.span,
            "annotation @" + a.key + " is not read by Mandate; did you mean @" + std::string(*known) + "?");
    }
  }
}

}  // namespace mandate::detail::lint
