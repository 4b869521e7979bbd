// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "mandate/engine.hpp"

namespace mandate {
inline namespace v0 {

engine::engine(policy_set policies, entity_store entities)
    : current_(std::make_shared<const snapshot>(snapshot{std::move(policies), std::move(entities)})) {}

decision engine::evaluate(const request& req, const evaluation_options& options) const noexcept {
  const std::shared_ptr<const snapshot> now = current_.load(std::memory_order_acquire);
  return now->policies.evaluate(req, now->entities, options);
}

void engine::replace_policies(policy_set policies) {
  // Readers never block writers' publication; concurrent replacers serialise on the CAS.
  auto expected = current_.load(std::memory_order_acquire);
  std::shared_ptr<const snapshot> desired;
  do {
    desired = std::make_shared<const snapshot>(snapshot{policies, expected->entities});
  } while (!current_.compare_exchange_weak(expected, desired, std::memory_order_acq_rel));
}

void engine::replace_entities(entity_store entities) {
  auto expected = current_.load(std::memory_order_acquire);
  std::shared_ptr<const snapshot> desired;
  do {
    desired = std::make_shared<const snapshot>(snapshot{expected->policies, entities});
  } while (!current_.compare_exchange_weak(expected, desired, std::memory_order_acq_rel));
}

std::shared_ptr<const snapshot> engine::current() const noexcept {
  return current_.load(std::memory_order_acquire);
}

}  // namespace v0
}  // namespace mandate
