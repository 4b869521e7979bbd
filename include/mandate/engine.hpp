// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// An engine holds the current policy set and entities, and lets one thread replace them
// while others evaluate.
#pragma once

#include <memory>
#include <mutex>

#include "mandate/policy_set.hpp"

namespace mandate {
inline namespace v0 {

/// A policy set and the entities it is evaluated against, taken together.
struct snapshot {
  policy_set policies;
  entity_store entities;
};

/// Holds the current snapshot. evaluate() reads one snapshot for the whole decision, so a
/// concurrent replace_*() never mixes old policies with new entities. All members are safe
/// to call from any thread at any time.
class engine {
 public:
  engine(policy_set policies, entity_store entities);

  /// Evaluates against the snapshot current at the call. Never throws.
  [[nodiscard]] decision evaluate(const request& req, const evaluation_options& options = {}) const noexcept;

  /// Atomically publishes a new policy set; evaluations already running finish on the old.
  void replace_policies(policy_set policies);
  /// Atomically publishes a new entity store.
  void replace_entities(entity_store entities);
  /// Atomically publishes both: no evaluation sees the new policies with the old entities, or
  /// the other way round (a policy change that relies on an attribute the new entities add).
  void replace(policy_set policies, entity_store entities);
  /// The current snapshot; it stays valid as long as the caller holds it.
  [[nodiscard]] std::shared_ptr<const snapshot> current() const noexcept;

 private:
  // Guarded by a mutex held only to copy or swap the pointer. Not std::atomic<std::shared_ptr>:
  // libstdc++ 12's releases its internal lock with a relaxed store after reading, so the read
  // is not ordered before the next writer's store (ThreadSanitizer reports it, and weakly
  // ordered machines may act on it).
  mutable std::mutex lock_;
  std::shared_ptr<const snapshot> current_;
};

}  // namespace v0
}  // namespace mandate
