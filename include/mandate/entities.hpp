// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Entities: the principals, actions and resources policies talk about, with their attributes
// and their place in the hierarchy.
#pragma once

#include <cstddef>
#include <cstdint>
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

class schema;

/// An entity's type and id, e.g. {"Agent", "support-bot"} for Agent::"support-bot".
struct entity_ref {
  std::string type;
  std::string id;
  friend bool operator==(const entity_ref&, const entity_ref&) = default;
};

/// Bounds on an entity store's hierarchy, checked as it loads. `in` is a lookup in each
/// entity's precomputed ancestors, and their total can grow with the square of the entities
/// (a chain thousands deep, a cycle through every user, a lattice where each layer sits below
/// the whole layer above). Past these bounds loading stops with a diagnostic (code "limit")
/// instead of taking minutes and gigabytes, so loading stays linear in the input.
struct entity_limits {
  /// Longest chain of parents above any entity: an entity without parents in the store is at
  /// depth 0 (a parent the data names but does not define is not counted), its children at 1;
  /// the members of a cycle count as one level.
  std::uint32_t max_hierarchy_depth = 256;
  /// Most ancestor links computing the hierarchy's closure may examine: each entity's parents
  /// and the ancestors it inherits from them (a cycle's members, each its share). 0 means
  /// 1,048,576 plus 64 for every entity and every parent link in the input.
  std::uint64_t max_ancestor_links = 0;
};

/// An immutable set of entities with their ancestors precomputed, so `in` is a lookup.
/// Copies share storage; safe to use from many threads at once.
class entity_store {
 public:
  /// An empty store.
  entity_store();
  /// Parses Cedar's entity JSON: an array of {"uid", "attrs", "parents", "tags"}.
  /// Values use Cedar's explicit forms ({"__entity": ..}, {"__extn": ..}) where needed.
  /// The hierarchy must stay within `limits`.
  [[nodiscard]] static expected<entity_store, std::vector<diagnostic>> from_json(
      std::string_view json, std::string_view source_name = "<entities>", const entity_limits& limits = {});
  /// Reads and parses a file of Cedar entity JSON.
  [[nodiscard]] static expected<entity_store, std::vector<diagnostic>> load(const std::filesystem::path& file,
                                                                            const entity_limits& limits = {});

  /// Parses Cedar's entity JSON as Cedar does when given a schema. Values are read as the schema
  /// types them, so the explicit escapes may be left out: `"10.0.0.1"` where an attribute is an
  /// `ipaddr` (likewise `decimal`, `datetime`, `duration`), `{"type": "User", "id": "alice"}`
  /// where it is a `User`; the escapes still work. Every entity must conform: its type declared
  /// (an enumerated type's id among its ids), required attributes present, no undeclared ones
  /// (unless the type is open), every value of its declared type, parents of allowed types, tags
  /// of the declared tag type (none when none are declared). The schema's actions are added with
  /// their groups, so `action in Action::"group"` needs no action entities in the data; an action
  /// the data does list must match its declaration exactly. Each failure is a diagnostic with
  /// code "entities" (or "json" for a syntax error) pointing into the text. `s` need not outlive
  /// the result.
  [[nodiscard]] static expected<entity_store, std::vector<diagnostic>> from_json(
      std::string_view json, std::string_view source_name, const schema& s, const entity_limits& limits = {});
  /// Reads a file of Cedar entity JSON and parses it with schema `s`, as from_json above.
  [[nodiscard]] static expected<entity_store, std::vector<diagnostic>> load(const std::filesystem::path& file,
                                                                            const schema& s,
                                                                            const entity_limits& limits = {});

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
