// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "value/value.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <numeric>
#include <utility>

#include "value/extensions.hpp"

namespace mandate::detail {
namespace {

// IPv4 keeps its address in the first four bytes; the rest are not part of the value.
std::size_t ip_address_bytes(const ip_data& ip) noexcept { return ip.v6 ? 16 : 4; }

std::strong_ordering ip_order(const ip_data& a, const ip_data& b) noexcept {
  if (a.v6 != b.v6) return a.v6 <=> b.v6;
  const int bytes = std::memcmp(a.bytes, b.bytes, ip_address_bytes(a));
  if (bytes != 0) return bytes < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
  return a.prefix <=> b.prefix;
}

std::strong_ordering set_order(const set_data& a, const set_data& b) noexcept {
  if (a.size != b.size) return a.size <=> b.size;
  for (std::uint32_t i = 0; i < a.size; ++i)
    if (auto c = value_order(a.items[i], b.items[i]); std::is_neq(c)) return c;
  return std::strong_ordering::equal;
}

std::strong_ordering record_order(const record_data& a, const record_data& b) noexcept {
  if (a.size != b.size) return a.size <=> b.size;
  for (std::uint32_t i = 0; i < a.size; ++i)
    if (a.keys[i] != b.keys[i]) return a.keys[i] <=> b.keys[i];
  for (std::uint32_t i = 0; i < a.size; ++i)
    if (auto c = value_order(a.values[i], b.values[i]); std::is_neq(c)) return c;
  return std::strong_ordering::equal;
}

void append_hex(std::string& out, std::uint32_t code_point) {
  static constexpr char hex[] = "0123456789abcdef";
  out += "\\u{";
  bool started = false;
  for (int shift = 20; shift >= 0; shift -= 4) {
    const std::uint32_t nibble = (code_point >> shift) & 0xF;
    if (nibble != 0 || started || shift == 0) {
      out += hex[nibble];
      started = true;
    }
  }
  out += '}';
}

// The two-character escapes Cedar (like Rust) writes; null for every other character.
const char* simple_escape(char c) noexcept {
  switch (c) {
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\\':
      return "\\\\";
    case '"':
      return "\\\"";
    case '\'':
      return "\\'";
    case '\0':
      return "\\0";
    default:
      return nullptr;
  }
}

// Length of the well-formed UTF-8 sequence at `i`, or 0 when the bytes there are not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  std::uint32_t min_code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    min_code_point = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    min_code_point = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    min_code_point = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  std::uint32_t code_point = lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  if (code_point < min_code_point || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF))
    return 0;
  return length;
}

}  // namespace

bool value_equal(const value& a, const value& b) noexcept {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case value_kind::boolean:
      return a.boolean == b.boolean;
    case value_kind::integer:
    case value_kind::decimal:
    case value_kind::datetime:
    case value_kind::duration:
      return a.integer == b.integer;
    case value_kind::string:
      return a.string == b.string;
    case value_kind::entity:
      return a.entity == b.entity;
    case value_kind::set: {
      if (a.set == b.set) return true;
      if (a.set->size != b.set->size) return false;
      for (std::uint32_t i = 0; i < a.set->size; ++i)
        if (!value_equal(a.set->items[i], b.set->items[i])) return false;
      return true;
    }
    case value_kind::record: {
      if (a.record == b.record) return true;
      if (a.record->size != b.record->size) return false;
      for (std::uint32_t i = 0; i < a.record->size; ++i)
        if (a.record->keys[i] != b.record->keys[i] || !value_equal(a.record->values[i], b.record->values[i]))
          return false;
      return true;
    }
    case value_kind::ip:
      return std::is_eq(ip_order(*a.ip, *b.ip));
  }
  return false;
}

std::strong_ordering value_order(const value& a, const value& b) noexcept {
  if (a.kind != b.kind) return a.kind <=> b.kind;
  switch (a.kind) {
    case value_kind::boolean:
      return a.boolean <=> b.boolean;
    case value_kind::integer:
    case value_kind::decimal:
    case value_kind::datetime:
    case value_kind::duration:
      return a.integer <=> b.integer;
    case value_kind::string:
      return a.string <=> b.string;
    case value_kind::entity:
      return a.entity.key() <=> b.entity.key();
    case value_kind::set:
      return a.set == b.set ? std::strong_ordering::equal : set_order(*a.set, *b.set);
    case value_kind::record:
      return a.record == b.record ? std::strong_ordering::equal : record_order(*a.record, *b.record);
    case value_kind::ip:
      return ip_order(*a.ip, *b.ip);
  }
  return std::strong_ordering::equal;
}

value make_set(arena& storage, std::span<value> items) {
  std::sort(items.begin(), items.end(), value_less);
  const auto unique_end = std::unique(items.begin(), items.end(),
                                      [](const value& x, const value& y) { return value_equal(x, y); });
  const auto count = static_cast<std::size_t>(unique_end - items.begin());
  auto* data = new (storage.allocate(sizeof(set_data), alignof(set_data))) set_data{};
  data->items = storage.copy<value>(std::span<const value>(items.data(), count)).data();
  data->size = static_cast<std::uint32_t>(count);
  return value::of_set(data);
}

bool make_record(arena& storage, std::span<const symbol> keys, std::span<const value> values, value& out) {
  if (keys.size() != values.size()) return false;
  const std::size_t count = keys.size();
  // Sort positions rather than pairs so keys and values stay in the callers' separate arrays. The
  // positions live in the arena, not on the heap, so building a record literal during evaluation
  // allocates nothing once the scratch arena has warmed up.
  auto* order = storage.make_array<std::uint32_t>(count);
  std::iota(order, order + count, 0U);
  std::sort(order, order + count, [&](std::uint32_t x, std::uint32_t y) { return keys[x] < keys[y]; });
  for (std::size_t i = 1; i < count; ++i)
    if (keys[order[i]] == keys[order[i - 1]]) return false;
  auto* sorted_keys = storage.make_array<symbol>(count);
  auto* sorted_values = storage.make_array<value>(count);
  for (std::size_t i = 0; i < count; ++i) {
    sorted_keys[i] = keys[order[i]];
    sorted_values[i] = values[order[i]];
  }
  auto* data = new (storage.allocate(sizeof(record_data), alignof(record_data))) record_data{};
  data->keys = sorted_keys;
  data->values = sorted_values;
  data->size = static_cast<std::uint32_t>(count);
  out = value::of_record(data);
  return true;
}

bool record_with(arena& storage, const value& base, std::span<const symbol> keys,
                 std::span<const value> values, value& out) {
  if (keys.size() != values.size()) return false;
  const std::uint32_t kept = base.kind == value_kind::record ? base.record->size : 0;
  auto* all_keys = storage.make_array<symbol>(kept + keys.size());
  auto* all_values = storage.make_array<value>(kept + keys.size());
  std::size_t count = 0;
  for (std::uint32_t i = 0; i < kept; ++i) {
    const symbol key = base.record->keys[i];
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    all_keys[count] = key;
    all_values[count++] = base.record->values[i];
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    all_keys[count] = keys[i];
    all_values[count++] = values[i];
  }
  return make_record(storage, {all_keys, count}, {all_values, count}, out);
}

value empty_record() noexcept {
  static constexpr record_data empty{};
  return value::of_record(&empty);
}

const value* record_find(const record_data& r, symbol key) noexcept {
  const symbol* end = r.keys + r.size;
  const symbol* it = std::lower_bound(r.keys, end, key);
  if (it == end || *it != key) return nullptr;
  return r.values + (it - r.keys);
}

bool set_contains(const set_data& s, const value& v) noexcept {
  const value* end = s.items + s.size;
  const value* it = std::lower_bound(s.items, end, v, value_less);
  return it != end && value_equal(*it, v);
}

const char* kind_name(value_kind k) noexcept {
  switch (k) {
    case value_kind::boolean:
      return "Bool";
    case value_kind::integer:
      return "Long";
    case value_kind::string:
      return "String";
    case value_kind::entity:
      return "Entity";
    case value_kind::set:
      return "Set";
    case value_kind::record:
      return "Record";
    case value_kind::decimal:
      return "decimal";
    case value_kind::ip:
      return "ipaddr";
    case value_kind::datetime:
      return "datetime";
    case value_kind::duration:
      return "duration";
  }
  return "unknown";
}

namespace {

void append_quoted(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (const char* escape = simple_escape(c); escape != nullptr) {
      out += escape;
      ++i;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      append_hex(out, byte);
      ++i;
      continue;
    }
    if (byte < 0x80) {
      out += c;
      ++i;
      continue;
    }
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      // Not UTF-8: print the replacement character so the output stays valid text.
      append_hex(out, 0xFFFD);
      ++i;
      continue;
    }
    // C1 control characters (U+0080..U+009F) are invisible too.
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (byte == 0xC2 && second < 0xA0) {
      append_hex(out, second);
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  out += '"';
}

}  // namespace

std::string quote(std::string_view text) {
  std::string out;
  append_quoted(out, text);
  return out;
}

void append_cedar(std::string& out, entity_uid e) {
  out += symbol_text(e.type);
  out += "::";
  append_quoted(out, symbol_text(e.id));
}

std::string to_cedar(entity_uid e) {
  std::string out;
  append_cedar(out, e);
  return out;
}

std::string to_cedar(const value& v) {
  switch (v.kind) {
    case value_kind::boolean:
      return v.boolean ? "true" : "false";
    case value_kind::integer:
      return std::to_string(v.integer);
    case value_kind::string:
      return quote(symbol_text(v.string));
    case value_kind::entity:
      return to_cedar(v.entity);
    case value_kind::set: {
      std::string out = "[";
      for (std::uint32_t i = 0; i < v.set->size; ++i) {
        if (i > 0) out += ", ";
        out += to_cedar(v.set->items[i]);
      }
      out += ']';
      return out;
    }
    case value_kind::record: {
      // Keys are stored by symbol id, which depends on load order; print by text so the same
      // record always renders the same way.
      const record_data& r = *v.record;
      std::vector<std::uint32_t> order(r.size);
      std::iota(order.begin(), order.end(), 0U);
      std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
        return symbol_text(r.keys[x]) < symbol_text(r.keys[y]);
      });
      std::string out = "{";
      for (std::size_t i = 0; i < order.size(); ++i) {
        if (i > 0) out += ", ";
        out += quote(symbol_text(r.keys[order[i]]));
        out += ": ";
        out += to_cedar(r.values[order[i]]);
      }
      out += '}';
      return out;
    }
    case value_kind::decimal:
    case value_kind::ip:
    case value_kind::datetime:
    case value_kind::duration:
      return format_extension(v);
  }
  return "";
}

}  // namespace mandate::detail
