// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Runtime values. A value is 16 bytes: a kind and an 8-byte payload. Strings are interned
// symbols; sets and records point to immutable storage owned by whoever built them (an
// entity store, a compiled policy set, a request, or the evaluation's scratch arena), so
// copying a value never allocates.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/arena.hpp"
#include "base/symbol.hpp"

namespace mandate::detail {

/// An entity's type and id, both interned. `key()` packs them for hashing and ordering.
struct entity_uid {
  symbol type = 0;
  symbol id = 0;
  [[nodiscard]] constexpr std::uint64_t key() const noexcept {
    return (std::uint64_t{type} << 32) | std::uint64_t{id};
  }
  friend constexpr bool operator==(entity_uid a, entity_uid b) noexcept { return a.key() == b.key(); }
};

enum class value_kind : std::uint8_t {
  boolean,
  integer,
  string,
  entity,
  set,
  record,
  decimal,   // fixed point, 4 fractional digits, stored scaled by 10^4
  ip,        // IPv4/IPv6 address or range
  datetime,  // milliseconds since the Unix epoch
  duration,  // milliseconds
};

struct value;

/// Elements of a set: sorted by value_less and free of duplicates, so equal sets have
/// equal element arrays.
struct set_data {
  const value* items = nullptr;
  std::uint32_t size = 0;
};

/// Fields of a record: keys sorted by symbol id (not by text) and unique.
struct record_data {
  const symbol* keys = nullptr;
  const value* values = nullptr;
  std::uint32_t size = 0;
};

struct ip_data {
  std::uint8_t bytes[16];  // IPv4 in the first 4 bytes
  std::uint8_t prefix;     // prefix length in bits
  bool v6;
};

struct value {
  value_kind kind = value_kind::boolean;
  union {
    bool boolean;
    std::int64_t integer;  // also decimal, datetime and duration payloads
    symbol string;
    entity_uid entity;
    const set_data* set;
    const record_data* record;
    const ip_data* ip;
  };

  constexpr value() noexcept : integer(0) {}
  static constexpr value of_bool(bool b) noexcept {
    value v;
    v.kind = value_kind::boolean;
    v.integer = 0;
    v.boolean = b;
    return v;
  }
  static constexpr value of_int(std::int64_t i) noexcept {
    value v;
    v.kind = value_kind::integer;
    v.integer = i;
    return v;
  }
  static constexpr value of_string(symbol s) noexcept {
    value v;
    v.kind = value_kind::string;
    v.integer = 0;
    v.string = s;
    return v;
  }
  static constexpr value of_entity(entity_uid e) noexcept {
    value v;
    v.kind = value_kind::entity;
    v.entity = e;
    return v;
  }
  static constexpr value of_set(const set_data* s) noexcept {
    value v;
    v.kind = value_kind::set;
    v.set = s;
    return v;
  }
  static constexpr value of_record(const record_data* r) noexcept {
    value v;
    v.kind = value_kind::record;
    v.record = r;
    return v;
  }
  static constexpr value of_scalar(value_kind k, std::int64_t payload) noexcept {
    value v;
    v.kind = k;
    v.integer = payload;
    return v;
  }
  static constexpr value of_ip(const ip_data* p) noexcept {
    value v;
    v.kind = value_kind::ip;
    v.ip = p;
    return v;
  }
};

/// Cedar's `==`: structural equality; values of different kinds are unequal (not an error).
[[nodiscard]] bool value_equal(const value& a, const value& b) noexcept;
/// A total order used only to canonicalise sets (not Cedar's `<`).
[[nodiscard]] std::strong_ordering value_order(const value& a, const value& b) noexcept;
inline bool value_less(const value& a, const value& b) noexcept { return value_order(a, b) < 0; }

/// Builds a canonical set in `storage` from `items` (sorted, deduplicated). `items` is reordered.
[[nodiscard]] value make_set(arena& storage, std::span<value> items);
/// Builds a record in `storage`. Later duplicates of a key are rejected: returns false.
[[nodiscard]] bool make_record(arena& storage, std::span<const symbol> keys, std::span<const value> values,
                               value& out);
/// `base`'s fields (none when it is not a record) with `keys` set to `values`, replacing fields of
/// the same name. `keys` must be unique.
[[nodiscard]] bool record_with(arena& storage, const value& base, std::span<const symbol> keys,
                               std::span<const value> values, value& out);
/// An empty record, shared.
[[nodiscard]] value empty_record() noexcept;

/// Looks up a field; null when absent.
[[nodiscard]] const value* record_find(const record_data& r, symbol key) noexcept;
/// Set membership (Cedar's `contains`).
[[nodiscard]] bool set_contains(const set_data& s, const value& v) noexcept;

/// Cedar's type name of a value, for error messages ("Long", "String", "Set", ...).
[[nodiscard]] const char* kind_name(value_kind k) noexcept;
/// Renders a value in Cedar syntax (`User::"alice"`, `{"a": 1}`, `ip("10.0.0.0/8")`).
[[nodiscard]] std::string to_cedar(const value& v);
/// Renders an entity uid as `Type::"id"` with Cedar escapes.
[[nodiscard]] std::string to_cedar(entity_uid e);
/// Appends `to_cedar(e)` to `out`, reusing its capacity.
void append_cedar(std::string& out, entity_uid e);
/// Quotes a string in Cedar syntax.
[[nodiscard]] std::string quote(std::string_view text);

}  // namespace mandate::detail
