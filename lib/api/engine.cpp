// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "mandate/engine.hpp"

#include <utility>

namespace mandate {
inline namespace v0 {

engine::engine(policy_set policies, entity_store entities)
    : current_(std::make_shared<const snapshot>(snapshot{std::move(policies), std::move(entities)})) {}

decision engine::evaluate(const request& req, const evaluation_options& options) const noexcept {
  const std::shared_ptr<const snapshot> now = current();
  return now->policies.evaluate(req, now->entities, options);
}

void engine::replace_policies(policy_set policies) {
  // Under the lock, so that a concurrent replace_entities() cannot be lost between reading the
  // current snapshot and publishing the next.
  std::shared_ptr<const snapshot> old;
  const std::lock_guard guard(lock_);
  old = std::exchange(current_,
                      std::make_shared<const snapshot>(snapshot{std::move(policies), current_->entities}));
}

void engine::replace_entities(entity_store entities) {
  std::shared_ptr<const snapshot> old;
  const std::lock_guard guard(lock_);
  old = std::exchange(current_,
                      std::make_shared<const snapshot>(snapshot{current_->policies, std::move(entities)}));
}

void engine::replace(policy_set policies, entity_store entities) {
  auto next = std::make_shared<const snapshot>(snapshot{std::move(policies), std::move(entities)});
  const std::lock_guard guard(lock_);
  current_.swap(next);
}

std::shared_ptr<const snapshot> engine::current() const noexcept {
  const std::lock_guard guard(lock_);
  return current_;
}

}  // namespace v0
}  // namespace mandate
