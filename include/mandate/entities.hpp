// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Entities: the principals, actions and resources policies talk about, with their attributes
// and their place in the hierarchy.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mandate/diagnostic.hpp"
#include "mandate/expected.hpp"

namespace mandate {
namespace detail {
struct entity_data;
}  // namespace detail

inline namespace v0 {

/// An entity's type and id, e.g. {"Agent", "support-bot"} for Agent::"support-bot".
struct entity_ref {
  std::string type;
  std::string id;
  friend bool operator==(const entity_ref&, const entity_ref&) = default;
};

/// An immutable set of entities with their ancestors precomputed, so `in` is a lookup.
/// Copies share storage; safe to use from many threads at once.
class entity_store {
 public:
  /// An empty store.
  entity_store();
  /// Parses Cedar's entity JSON: an array of {"uid", "attrs", "parents", "tags"}.
  /// Values use Cedar's explicit forms ({"__entity": ..}, {"__extn": ..}) where needed.
  [[nodiscard]] static expected<entity_store, std::vector<diagnostic>> from_json(
      std::string_view json, std::string_view source_name = "<entities>");
  /// Reads and parses a file of Cedar entity JSON.
  [[nodiscard]] static expected<entity_store, std::vector<diagnostic>> load(
      const std::filesystem::path& file);

  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] bool contains(const entity_ref& uid) const noexcept;

  /// Internal: the loaded form, for Mandate's own tools.
  [[nodiscard]] const detail::entity_data& internals() const noexcept { return *impl_; }

 private:
  explicit entity_store(std::shared_ptr<const detail::entity_data> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const detail::entity_data> impl_;
  friend struct ::mandate::detail::entity_data;
};

}  // namespace v0
}  // namespace mandate
