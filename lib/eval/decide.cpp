// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The decision lattice (LANGUAGE.md 2.1) and the two error modes (2.2), shared by both
// evaluators so they can only differ in which policies they find satisfied.
#include "eval/evaluate.hpp"

namespace mandate::detail {

eval_scratch& eval_scratch::for_this_thread() {
  thread_local eval_scratch scratch;
  return scratch;
}

namespace {

// Assigning into existing elements keeps their string capacity from earlier decisions. The
// elements a decision did not need are parked in a per-thread spare list rather than destroyed,
// so a caller reusing one `decision` across requests with and without errors (or with more and
// fewer reasons) stops allocating once every list has reached its largest size.
template <typename T>
std::vector<T>& spares() {
  thread_local std::vector<T> parked;
  return parked;
}

template <typename T>
T& next_slot(std::vector<T>& items, std::size_t& used) {
  if (used == items.size()) {
    std::vector<T>& parked = spares<T>();
    if (parked.empty()) {
      items.emplace_back();
    } else {
      items.push_back(std::move(parked.back()));
      parked.pop_back();
    }
  }
  return items[used++];
}

template <typename T>
void keep_first(std::vector<T>& items, std::size_t used) {
  std::vector<T>& parked = spares<T>();
  // A bounded pool: a burst of a thousand errors should not pin that memory forever.
  constexpr std::size_t max_parked = 64;
  while (items.size() > used) {
    if (parked.size() < max_parked) parked.push_back(std::move(items.back()));
    items.pop_back();
  }
}

}  // namespace

void assemble_decision(const compiled_policy_set& set, const eval_scratch& scratch, eval_mode mode,
                       decision& out) {
  bool any_forbid = false;
  bool any_true_forbid = false;
  bool any_permit = false;
  bool any_approval = false;
  bool any_true_approval = false;
  std::size_t error_count = 0;
  const auto results = std::span(scratch.results.data(), scratch.result_count);

  auto counts = [&](const policy_result& r) {
    return r.outcome == policy_outcome::satisfied ||
           (mode == eval_mode::mandate && set.ast.policies[r.policy].kind != effect::permit);
  };
  for (const policy_result& r : results) {
    if (r.outcome == policy_outcome::errored) {
      evaluation_error& e = next_slot(out.errors, error_count);
      e.policy = set.ids[r.policy];
      e.message = r.error;
    }
    if (!counts(r)) continue;
    const bool genuine = r.outcome == policy_outcome::satisfied;
    switch (set.ast.policies[r.policy].kind) {
      case effect::forbid:
        any_forbid = true;
        any_true_forbid |= genuine;
        break;
      case effect::permit:
        any_permit = true;
        break;
      case effect::require_approval:
        any_approval = true;
        any_true_approval |= genuine;
        break;
    }
  }
  keep_first(out.errors, error_count);
  out.mode = mode;

  // Which effects determine the outcome.
  bool take_forbid = false;
  bool take_permit = false;
  bool take_approval = false;
  if (any_forbid) {
    out.outcome = verdict::deny;
    take_forbid = true;
  } else if (!any_permit) {
    out.outcome = verdict::deny;
  } else if (any_approval) {
    out.outcome = verdict::require_approval;
    take_approval = true;
    take_permit = true;
  } else {
    out.outcome = verdict::allow;
    take_permit = true;
  }
  // Failed closed: the outcome is stricter than it would be with the erroring policies
  // skipped, as Cedar skips them. Permits never count when they err, so only erroring
  // forbids and require_approvals can make the difference.
  const verdict skipping_errors = any_true_forbid     ? verdict::deny
                                  : !any_permit       ? verdict::deny
                                  : any_true_approval ? verdict::require_approval
                                                      : verdict::allow;
  out.failed_closed = out.outcome != skipping_errors;

  std::size_t reason_count = 0;
  std::size_t annotation_count = 0;
  for (const policy_result& r : results) {
    if (!counts(r)) continue;
    const policy& p = set.ast.policies[r.policy];
    const bool determining = (p.kind == effect::forbid && take_forbid) ||
                             (p.kind == effect::permit && take_permit) ||
                             (p.kind == effect::require_approval && take_approval);
    if (!determining) continue;
    next_slot(out.reasons, reason_count) = set.ids[r.policy];
    for (const annotation& a : p.annotations) {
      decision_annotation& d = next_slot(out.annotations, annotation_count);
      d.policy = set.ids[r.policy];
      d.key = a.key;
      d.value = a.value;
    }
  }
  keep_first(out.reasons, reason_count);
  keep_first(out.annotations, annotation_count);
}

}  // namespace mandate::detail
