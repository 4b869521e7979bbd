// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "value/value.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "value/extensions.hpp"

using namespace mandate::detail;

namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();

value str(std::string_view text) { return value::of_string(intern(text)); }

value entity(std::string_view type, std::string_view id) {
  return value::of_entity({intern(type), intern(id)});
}

struct call_result {
  bool ok = false;
  value result;
  std::string error;
};

call_result construct(arena& storage, std::string_view function, std::vector<value> args) {
  call_result r;
  r.ok = call_extension_function(function, args, storage, r.result, r.error);
  return r;
}

call_result construct(arena& storage, std::string_view function, std::string_view literal) {
  return construct(storage, function, std::vector<value>{str(literal)});
}

call_result call(arena& storage, std::string_view method, const value& receiver,
                 std::vector<value> args = {}) {
  call_result r;
  r.ok = call_extension_method(method, receiver, args, storage, r.result, r.error);
  return r;
}

// Builds an extension value that must be valid; a failure shows the literal and the reason.
value make(arena& storage, std::string_view function, std::string_view literal) {
  call_result r = construct(storage, function, literal);
  INFO(function, "(\"", literal, "\"): ", r.error);
  REQUIRE(r.ok);
  return r.result;
}

bool bool_method(arena& storage, std::string_view method, const value& receiver,
                 std::vector<value> args = {}) {
  call_result r = call(storage, method, receiver, std::move(args));
  INFO(method, ": ", r.error);
  REQUIRE(r.ok);
  REQUIRE(r.result.kind == value_kind::boolean);
  return r.result.boolean;
}

std::int64_t decimal_of(std::string_view text) {
  std::int64_t out = 0;
  INFO("decimal ", text);
  REQUIRE(parse_decimal(text, out));
  return out;
}

std::int64_t datetime_of(std::string_view text) {
  std::int64_t out = 0;
  INFO("datetime ", text);
  REQUIRE(parse_datetime(text, out));
  return out;
}

std::int64_t duration_of(std::string_view text) {
  std::int64_t out = 0;
  INFO("duration ", text);
  REQUIRE(parse_duration(text, out));
  return out;
}

ip_data ip_of(std::string_view text) {
  ip_data out{};
  INFO("ip ", text);
  REQUIRE(parse_ip(text, out));
  return out;
}

value set_of(arena& storage, std::vector<value> items) { return make_set(storage, items); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Equality, ordering and the shape of sets and records.

TEST_CASE("value_equal compares kind and payload") {
  CHECK(value_equal(value::of_int(5), value::of_int(5)));
  CHECK_FALSE(value_equal(value::of_int(5), value::of_int(6)));
  CHECK(value_equal(value::of_bool(true), value::of_bool(true)));
  CHECK_FALSE(value_equal(value::of_bool(true), value::of_bool(false)));
  CHECK(value_equal(str("abc"), str("abc")));
  CHECK_FALSE(value_equal(str("abc"), str("abd")));
  CHECK(value_equal(entity("User", "alice"), entity("User", "alice")));
  CHECK_FALSE(value_equal(entity("User", "alice"), entity("Group", "alice")));
  CHECK_FALSE(value_equal(entity("User", "alice"), entity("User", "bob")));

  // Same payload, different kind: never equal (and not an error).
  CHECK_FALSE(value_equal(value::of_int(1), value::of_bool(true)));
  CHECK_FALSE(value_equal(value::of_int(10000), value::of_scalar(value_kind::decimal, 10000)));
  CHECK_FALSE(
      value_equal(value::of_scalar(value_kind::datetime, 7), value::of_scalar(value_kind::duration, 7)));
  CHECK_FALSE(value_equal(value::of_int(0), str("")));
}

TEST_CASE("value_order is a total order consistent with value_equal") {
  arena storage;
  std::vector<value> samples = {value::of_bool(false),
                                value::of_bool(true),
                                value::of_int(-3),
                                value::of_int(4),
                                str("x"),
                                str("y"),
                                entity("User", "a"),
                                set_of(storage, {value::of_int(1)}),
                                set_of(storage, {value::of_int(2)}),
                                empty_record(),
                                make(storage, "decimal", "1.5"),
                                make(storage, "ip", "10.0.0.1"),
                                make(storage, "ip", "10.0.0.1/8"),
                                make(storage, "ip", "::1"),
                                make(storage, "datetime", "2024-01-01"),
                                make(storage, "duration", "1h")};
  for (const value& a : samples) {
    for (const value& b : samples) {
      const auto ab = value_order(a, b);
      const auto ba = value_order(b, a);
      CHECK((ab == 0) == value_equal(a, b));
      CHECK((ab < 0) == (ba > 0));
    }
  }
  CHECK(value_order(value::of_int(-3), value::of_int(4)) < 0);
  CHECK(value_less(value::of_bool(true), value::of_int(0)));  // kind first
}

TEST_CASE("make_set sorts and removes duplicates, so equal sets have equal arrays") {
  arena storage;
  value a = set_of(
      storage, {value::of_int(3), value::of_int(1), value::of_int(2), value::of_int(1), value::of_int(3)});
  REQUIRE(a.kind == value_kind::set);
  REQUIRE(a.set->size == 3);
  CHECK(a.set->items[0].integer == 1);
  CHECK(a.set->items[1].integer == 2);
  CHECK(a.set->items[2].integer == 3);

  value b = set_of(storage, {value::of_int(2), value::of_int(3), value::of_int(1)});
  CHECK(value_equal(a, b));
  CHECK(value_order(a, b) == 0);
  CHECK_FALSE(value_equal(a, set_of(storage, {value::of_int(1), value::of_int(2)})));
  CHECK_FALSE(value_equal(a, set_of(storage, {value::of_int(1), value::of_int(2), value::of_int(4)})));

  CHECK(set_contains(*a.set, value::of_int(2)));
  CHECK_FALSE(set_contains(*a.set, value::of_int(4)));
  CHECK_FALSE(set_contains(*a.set, value::of_scalar(value_kind::decimal, 2)));

  // Mixed kinds and nested sets dedupe structurally.
  value nested = set_of(storage, {set_of(storage, {value::of_int(1), value::of_int(2)}), str("s"),
                                  set_of(storage, {value::of_int(2), value::of_int(1)}), str("s")});
  CHECK(nested.set->size == 2);
  CHECK(set_contains(*nested.set, set_of(storage, {value::of_int(2), value::of_int(1), value::of_int(1)})));

  // Extension values dedupe by value, not by where they were allocated.
  value ips = set_of(storage, {make(storage, "ip", "10.0.0.1"), make(storage, "ip", "10.0.0.1/32"),
                               make(storage, "ip", "10.0.0.1/8")});
  CHECK(ips.set->size == 2);

  value empty = set_of(storage, {});
  CHECK(empty.set->size == 0);
  CHECK(value_equal(empty, set_of(storage, {})));
  CHECK_FALSE(set_contains(*empty.set, value::of_int(0)));
  CHECK_FALSE(value_equal(empty, empty_record()));
}

TEST_CASE("make_record sorts keys, rejects duplicates, and compares fieldwise") {
  arena storage;
  const symbol k_b = intern("record_test_b");
  const symbol k_a = intern("record_test_a");
  value r1;
  std::vector<symbol> keys1 = {k_b, k_a};
  std::vector<value> values1 = {str("x"), value::of_int(1)};
  REQUIRE(make_record(storage, keys1, values1, r1));
  REQUIRE(r1.kind == value_kind::record);
  REQUIRE(r1.record->size == 2);
  CHECK(r1.record->keys[0] < r1.record->keys[1]);

  value r2;
  std::vector<symbol> keys2 = {k_a, k_b};
  std::vector<value> values2 = {value::of_int(1), str("x")};
  REQUIRE(make_record(storage, keys2, values2, r2));
  CHECK(value_equal(r1, r2));

  const value* found = record_find(*r1.record, k_a);
  REQUIRE(found != nullptr);
  CHECK(value_equal(*found, value::of_int(1)));
  found = record_find(*r1.record, k_b);
  REQUIRE(found != nullptr);
  CHECK(value_equal(*found, str("x")));
  CHECK(record_find(*r1.record, intern("record_test_missing")) == nullptr);

  value r3;
  std::vector<value> values3 = {value::of_int(2), str("x")};
  REQUIRE(make_record(storage, keys2, values3, r3));
  CHECK_FALSE(value_equal(r1, r3));

  value r4;
  std::vector<symbol> one_key = {k_a};
  std::vector<value> one_value = {value::of_int(1)};
  REQUIRE(make_record(storage, one_key, one_value, r4));
  CHECK_FALSE(value_equal(r1, r4));

  value duplicate;
  std::vector<symbol> dup_keys = {k_a, k_b, k_a};
  std::vector<value> dup_values = {value::of_int(1), value::of_int(2), value::of_int(3)};
  CHECK_FALSE(make_record(storage, dup_keys, dup_values, duplicate));

  value empty = empty_record();
  REQUIRE(empty.kind == value_kind::record);
  CHECK(empty.record->size == 0);
  CHECK(empty.record == empty_record().record);  // shared
  CHECK(record_find(*empty.record, k_a) == nullptr);
  value built_empty;
  REQUIRE(make_record(storage, {}, {}, built_empty));
  CHECK(value_equal(empty, built_empty));
}

// ---------------------------------------------------------------------------------------------
// Rendering.

TEST_CASE("kind_name uses Cedar's type names") {
  CHECK(std::string(kind_name(value_kind::boolean)) == "Bool");
  CHECK(std::string(kind_name(value_kind::integer)) == "Long");
  CHECK(std::string(kind_name(value_kind::string)) == "String");
  CHECK(std::string(kind_name(value_kind::entity)) == "Entity");
  CHECK(std::string(kind_name(value_kind::set)) == "Set");
  CHECK(std::string(kind_name(value_kind::record)) == "Record");
  CHECK(std::string(kind_name(value_kind::decimal)) == "decimal");
  CHECK(std::string(kind_name(value_kind::ip)) == "ipaddr");
  CHECK(std::string(kind_name(value_kind::datetime)) == "datetime");
  CHECK(std::string(kind_name(value_kind::duration)) == "duration");
}

TEST_CASE("quote escapes like Cedar") {
  CHECK(quote("plain") == "\"plain\"");
  CHECK(quote("") == "\"\"");
  CHECK(quote("a\"b") == "\"a\\\"b\"");
  CHECK(quote("back\\slash") == "\"back\\\\slash\"");
  CHECK(quote("it's") == "\"it\\'s\"");
  CHECK(quote("line\nfeed\rret\ttab") == "\"line\\nfeed\\rret\\ttab\"");
  CHECK(quote(std::string_view("nul\0end", 7)) == "\"nul\\0end\"");
  CHECK(quote("\x01\x1b\x7f") == "\"\\u{1}\\u{1b}\\u{7f}\"");
  CHECK(quote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  CHECK(quote("\xc2\x85") == "\"\\u{85}\"");  // C1 control
  CHECK(quote("a\xff"
              "b") == "\"a\\u{fffd}b\"");                // not UTF-8
  CHECK(quote("\xe2\x82") == "\"\\u{fffd}\\u{fffd}\"");  // truncated sequence
}

TEST_CASE("to_cedar renders Cedar syntax") {
  arena storage;
  CHECK(to_cedar(value::of_bool(true)) == "true");
  CHECK(to_cedar(value::of_bool(false)) == "false");
  CHECK(to_cedar(value::of_int(-5)) == "-5");
  CHECK(to_cedar(value::of_int(int64_min)) == "-9223372036854775808");
  CHECK(to_cedar(str("a\"b")) == "\"a\\\"b\"");
  CHECK(to_cedar(entity("User", "alice")) == "User::\"alice\"");
  CHECK(to_cedar(entity("Acme::Doc", "q\"1")) == "Acme::Doc::\"q\\\"1\"");
  CHECK(to_cedar(entity_uid{intern("Team"), intern("x")}) == "Team::\"x\"");
  CHECK(to_cedar(set_of(storage, {value::of_int(2), value::of_int(1)})) == "[1, 2]");
  CHECK(to_cedar(set_of(storage, {})) == "[]");
  CHECK(to_cedar(empty_record()) == "{}");

  // Keys print by text even when their symbol ids run the other way.
  const symbol zeta = intern("to_cedar_zeta_key");
  const symbol alpha = intern("to_cedar_alpha_key");
  REQUIRE(zeta < alpha);
  value record;
  std::vector<symbol> keys = {zeta, alpha};
  std::vector<value> values = {str("x"), value::of_int(1)};
  REQUIRE(make_record(storage, keys, values, record));
  CHECK(to_cedar(record) == "{\"to_cedar_alpha_key\": 1, \"to_cedar_zeta_key\": \"x\"}");

  value nested;
  std::vector<symbol> outer_keys = {intern("s")};
  std::vector<value> outer_values = {set_of(storage, {record, make(storage, "decimal", "1.23")})};
  REQUIRE(make_record(storage, outer_keys, outer_values, nested));
  CHECK(to_cedar(nested) ==
        "{\"s\": [{\"to_cedar_alpha_key\": 1, \"to_cedar_zeta_key\": \"x\"}, decimal(\"1.2300\")]}");

  CHECK(to_cedar(make(storage, "ip", "10.0.0.0/8")) == "ip(\"10.0.0.0/8\")");
  CHECK(to_cedar(make(storage, "datetime", "2024-01-01")) == "datetime(\"2024-01-01T00:00:00.000Z\")");
  CHECK(to_cedar(make(storage, "duration", "90m")) == "duration(\"1h30m\")");
}

// ---------------------------------------------------------------------------------------------
// Constructors in general.

TEST_CASE("extension names") {
  for (const char* name : {"decimal", "ip", "datetime", "duration"}) {
    CHECK(is_extension_function(name));
    CHECK_FALSE(is_extension_method(name));
  }
  for (const char* name :
       {"lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual", "isIpv4", "isIpv6", "isLoopback",
        "isMulticast", "isInRange", "offset", "durationSince", "toDate", "toTime", "toMilliseconds",
        "toSeconds", "toMinutes", "toHours", "toDays"}) {
    CHECK(is_extension_method(name));
    CHECK_FALSE(is_extension_function(name));
  }
  CHECK_FALSE(is_extension_function("ipaddr"));
  CHECK_FALSE(is_extension_function("Decimal"));
  CHECK_FALSE(is_extension_method("contains"));
  CHECK_FALSE(is_extension_method(""));
}

TEST_CASE("constructor argument errors") {
  arena storage;
  call_result r = construct(storage, "ip", std::vector<value>{str("10.0.0.1"), str("10.0.0.2")});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "wrong number of arguments to ip: expected 1, got 2");

  r = construct(storage, "decimal", std::vector<value>{});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "wrong number of arguments to decimal: expected 1, got 0");

  r = construct(storage, "ip", std::vector<value>{value::of_int(1)});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "ip expects a String, got Long");

  r = construct(storage, "duration", std::vector<value>{make(storage, "duration", "1h")});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "duration expects a String, got duration");

  r = construct(storage, "bogus", "1");
  CHECK_FALSE(r.ok);
  CHECK(r.error == "unknown extension function bogus");

  r = construct(storage, "decimal", "1.23456");
  CHECK_FALSE(r.ok);
  CHECK(r.error.rfind("invalid decimal literal \"1.23456\"", 0) == 0);
  CHECK(r.error.find('\n') == std::string::npos);

  // The literal is quoted with escapes so the message stays on one line.
  r = construct(storage, "ip", "1.2.3.4\n");
  CHECK_FALSE(r.ok);
  CHECK(r.error.rfind("invalid ip literal \"1.2.3.4\\n\"", 0) == 0);
}

TEST_CASE("method dispatch errors") {
  arena storage;
  const value d = make(storage, "decimal", "1.0");
  call_result r = call(storage, "lessThan", d, {d, d});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "wrong number of arguments to lessThan: expected 1, got 2");

  r = call(storage, "isIpv4", make(storage, "ip", "1.2.3.4"), {d});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "wrong number of arguments to isIpv4: expected 0, got 1");

  r = call(storage, "lessThan", d, {str("1.0")});
  CHECK_FALSE(r.ok);
  CHECK(
      r.error ==
      "lessThan expects a decimal argument, got String (maybe you forgot to apply the decimal constructor?)");

  r = call(storage, "lessThan", value::of_int(1), {d});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "lessThan expects a decimal receiver, got Long");

  r = call(storage, "isInRange", make(storage, "ip", "1.2.3.4"), {str("1.0.0.0/8")});
  CHECK_FALSE(r.ok);
  CHECK(r.error ==
        "isInRange expects an ipaddr argument, got String (maybe you forgot to apply the ip constructor?)");

  r = call(storage, "toDays", make(storage, "datetime", "2024-01-01"));
  CHECK_FALSE(r.ok);
  CHECK(r.error == "toDays expects a duration receiver, got datetime");

  r = call(storage, "nope", d);
  CHECK_FALSE(r.ok);
  CHECK(r.error == "unknown extension method nope");
}

// ---------------------------------------------------------------------------------------------
// decimal

TEST_CASE("decimal literals") {
  CHECK(decimal_of("1.23") == 12300);
  CHECK(decimal_of("1.0") == 10000);
  CHECK(decimal_of("-1.0") == -10000);
  CHECK(decimal_of("123.456") == 1234560);
  CHECK(decimal_of("0.1234") == 1234);
  CHECK(decimal_of("-0.0123") == -123);
  CHECK(decimal_of("-0.5") == -5000);  // the sign belongs to the whole number
  CHECK(decimal_of("-0.0") == 0);
  CHECK(decimal_of("00.000") == 0);
  CHECK(decimal_of("0123.0") == decimal_of("123.0000"));
  CHECK(decimal_of("922337203685477.5807") == int64_max);
  CHECK(decimal_of("-922337203685477.5808") == int64_min);
  CHECK(decimal_of("0000000000000000000001.5") == 15000);

  std::int64_t ignored = 0;
  for (const char* bad : {"", "1234", "1.0.", "1.", ".1", "1.a", "-.", "-.1", "-", "+1.0", " 1.0", "1.0 ",
                          "1,0", "0x1.0", "1e3.0", "--1.0", "١.٠"}) {
    INFO("decimal ", bad);
    CHECK_FALSE(parse_decimal(bad, ignored));
  }
  // Too many fractional digits is an error even when they are zeros.
  CHECK_FALSE(parse_decimal("0.12345", ignored));
  CHECK_FALSE(parse_decimal("0.00000", ignored));
  // Overflow.
  CHECK_FALSE(parse_decimal("922337203685477.5808", ignored));
  CHECK_FALSE(parse_decimal("-922337203685477.5809", ignored));
  CHECK_FALSE(parse_decimal("-922337203685478.0", ignored));
  CHECK_FALSE(parse_decimal("1000000000000000.0", ignored));
  CHECK_FALSE(parse_decimal("99999999999999999999999.0", ignored));

  arena storage;
  call_result r = construct(storage, "decimal", "922337203685477.5808");
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("overflow") != std::string::npos);
  r = construct(storage, "decimal", "0.12345");
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("4 digits") != std::string::npos);
  r = construct(storage, "decimal", "1.23");
  REQUIRE(r.ok);
  CHECK(r.result.kind == value_kind::decimal);
  CHECK(r.result.integer == 12300);
}

TEST_CASE("decimal comparisons and equality") {
  arena storage;
  const value a = make(storage, "decimal", "1.23");
  const value b = make(storage, "decimal", "1.24");
  const value c = make(storage, "decimal", "123.45");
  const value d = make(storage, "decimal", "-1.23");
  const value e = make(storage, "decimal", "-1.24");

  CHECK(bool_method(storage, "lessThan", a, {b}));
  CHECK_FALSE(bool_method(storage, "lessThan", a, {a}));
  CHECK_FALSE(bool_method(storage, "lessThan", c, {a}));
  CHECK(bool_method(storage, "lessThan", d, {a}));
  CHECK_FALSE(bool_method(storage, "lessThan", d, {e}));

  CHECK(bool_method(storage, "lessThanOrEqual", a, {b}));
  CHECK(bool_method(storage, "lessThanOrEqual", a, {a}));
  CHECK_FALSE(bool_method(storage, "lessThanOrEqual", c, {a}));
  CHECK_FALSE(bool_method(storage, "lessThanOrEqual", d, {e}));

  CHECK_FALSE(bool_method(storage, "greaterThan", a, {b}));
  CHECK_FALSE(bool_method(storage, "greaterThan", a, {a}));
  CHECK(bool_method(storage, "greaterThan", c, {a}));
  CHECK(bool_method(storage, "greaterThan", d, {e}));

  CHECK_FALSE(bool_method(storage, "greaterThanOrEqual", a, {b}));
  CHECK(bool_method(storage, "greaterThanOrEqual", a, {a}));
  CHECK(bool_method(storage, "greaterThanOrEqual", d, {e}));
  CHECK_FALSE(bool_method(storage, "greaterThanOrEqual", d, {a}));

  CHECK(value_equal(make(storage, "decimal", "123.0"), make(storage, "decimal", "0123.0000")));
  CHECK(value_equal(make(storage, "decimal", "0.0"), make(storage, "decimal", "-0.0")));
  CHECK_FALSE(value_equal(a, d));
  CHECK_FALSE(value_equal(make(storage, "decimal", "-0.5"), make(storage, "decimal", "0.5")));
}

TEST_CASE("decimal formatting round-trips") {
  arena storage;
  CHECK(format_extension(make(storage, "decimal", "1.23")) == "decimal(\"1.2300\")");
  CHECK(format_extension(make(storage, "decimal", "1.0023")) == "decimal(\"1.0023\")");
  CHECK(format_extension(make(storage, "decimal", "-0.05")) == "decimal(\"-0.0500\")");
  CHECK(format_extension(make(storage, "decimal", "-12.5")) == "decimal(\"-12.5000\")");
  CHECK(format_extension(make(storage, "decimal", "0.0")) == "decimal(\"0.0000\")");
  CHECK(format_extension(make(storage, "decimal", "-922337203685477.5808")) ==
        "decimal(\"-922337203685477.5808\")");
  CHECK(format_extension(make(storage, "decimal", "922337203685477.5807")) ==
        "decimal(\"922337203685477.5807\")");
  for (std::int64_t scaled : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{-9999},
                              std::int64_t{123456789}, int64_min, int64_max}) {
    const std::string text = format_extension(value::of_scalar(value_kind::decimal, scaled));
    const std::string literal = text.substr(9, text.size() - 11);  // strip decimal(" and ")
    INFO(text);
    CHECK(decimal_of(literal) == scaled);
  }
}

// ---------------------------------------------------------------------------------------------
// ipaddr

TEST_CASE("ip literals") {
  ip_data ip = ip_of("192.168.0.1");
  CHECK_FALSE(ip.v6);
  CHECK(ip.prefix == 32);
  CHECK(ip.bytes[0] == 192);
  CHECK(ip.bytes[1] == 168);
  CHECK(ip.bytes[2] == 0);
  CHECK(ip.bytes[3] == 1);

  ip = ip_of("10.0.0.0/8");
  CHECK(ip.prefix == 8);
  CHECK(ip.bytes[0] == 10);
  CHECK(ip_of("0.0.0.0/0").prefix == 0);

  ip = ip_of("2001:db8::1");
  CHECK(ip.v6);
  CHECK(ip.prefix == 128);
  CHECK(ip.bytes[0] == 0x20);
  CHECK(ip.bytes[1] == 0x01);
  CHECK(ip.bytes[2] == 0x0d);
  CHECK(ip.bytes[3] == 0xb8);
  CHECK(ip.bytes[15] == 1);
  for (int i = 4; i < 15; ++i) CHECK(ip.bytes[i] == 0);

  ip = ip_of("::");
  CHECK(ip.v6);
  for (std::uint8_t byte : ip.bytes) CHECK(byte == 0);
  CHECK(ip_of("::1").bytes[15] == 1);
  CHECK(ip_of("1::").bytes[1] == 1);
  CHECK(ip_of("FFFF:0:0:0:0:0:0:0001/16").prefix == 16);
  CHECK(ip_of("1:2:3:4:5:6:7::").bytes[13] == 7);
  CHECK(ip_of("::2:3:4:5:6:7:8").bytes[15] == 8);
  CHECK(ip_of("ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128").bytes[0] == 0xAB);  // 43 characters
  CHECK(ip_of("::ffff:ff00:1").v6);  // mapped IPv4 written in hex stays IPv6

  ip_data ignored{};
  for (const char* bad : {"",
                          "1.2.3",
                          "1.2.3.4.5",
                          "256.0.0.1",
                          "1.2.3.-4",
                          "01.2.3.4",
                          "1.2.3.04",
                          "010.0.0.1",
                          "1.2.3.4 ",
                          "1.2.3.4/",
                          "1.2.3.4/33",
                          "1.2.3.4/08",
                          "1.2.3.4/100",
                          "1.2.3.4/8/9",
                          "1.2.3.4/x",
                          "1.2.3.4/+8",
                          "::ffff:192.168.0.1",
                          "::127.0.0.1",
                          "1:2:3:4:5:6:7:8:9",
                          "1:2:3:4:5:6:7",
                          "1::2::3",
                          ":::",
                          "1:2:3:4:5:6:7::8",
                          "12345::",
                          "::g",
                          ":1::",
                          "::1:",
                          "::/129",
                          "::/0128",
                          "::1%eth0",
                          "localhost",
                          "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/0128"}) {
    INFO("ip ", bad);
    CHECK_FALSE(parse_ip(bad, ignored));
  }

  arena storage;
  call_result r = construct(storage, "ip", "::ffff:127.0.0.1");
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("IPv4 embedded in IPv6") != std::string::npos);
  r = construct(storage, "ip", "127.0.0.1");
  REQUIRE(r.ok);
  REQUIRE(r.result.kind == value_kind::ip);
  CHECK(r.result.ip->bytes[0] == 127);
}

TEST_CASE("ip equality compares address, prefix and version") {
  arena storage;
  CHECK(value_equal(make(storage, "ip", "10.0.0.1"), make(storage, "ip", "10.0.0.1/32")));
  CHECK(value_equal(make(storage, "ip", "::1"), make(storage, "ip", "0:0:0:0:0:0:0:1")));
  CHECK(value_equal(make(storage, "ip", "::A"), make(storage, "ip", "::a")));
  CHECK_FALSE(value_equal(make(storage, "ip", "10.0.0.1/8"), make(storage, "ip", "10.0.0.0/8")));
  CHECK_FALSE(value_equal(make(storage, "ip", "10.0.0.0/8"), make(storage, "ip", "10.0.0.0/9")));
  CHECK_FALSE(value_equal(make(storage, "ip", "0.0.0.0"), make(storage, "ip", "::")));
  CHECK_FALSE(value_equal(make(storage, "ip", "0.0.0.1/32"), make(storage, "ip", "::1/32")));
}

TEST_CASE("ip predicates") {
  arena storage;
  auto check = [&](const char* method, const char* literal) {
    return bool_method(storage, method, make(storage, "ip", literal));
  };
  CHECK(check("isIpv4", "127.0.0.1"));
  CHECK_FALSE(check("isIpv6", "127.0.0.1"));
  CHECK(check("isIpv6", "::1"));
  CHECK_FALSE(check("isIpv4", "::1"));

  CHECK(check("isLoopback", "127.0.0.1"));
  CHECK(check("isLoopback", "127.255.0.1/16"));
  CHECK(check("isLoopback", "127.0.0.0/8"));
  CHECK_FALSE(check("isLoopback", "127.0.0.0/7"));
  CHECK_FALSE(check("isLoopback", "128.0.0.1"));
  CHECK(check("isLoopback", "::1"));
  CHECK_FALSE(check("isLoopback", "::1/127"));
  CHECK_FALSE(check("isLoopback", "::2"));
  CHECK_FALSE(check("isLoopback", "::ffff:7f00:1"));

  CHECK(check("isMulticast", "224.0.0.1"));
  CHECK(check("isMulticast", "239.255.255.255"));
  CHECK(check("isMulticast", "224.0.0.0/4"));
  CHECK_FALSE(check("isMulticast", "224.0.0.0/3"));
  CHECK_FALSE(check("isMulticast", "240.0.0.1"));
  CHECK_FALSE(check("isMulticast", "223.255.255.255"));
  CHECK(check("isMulticast", "ff02::1"));
  CHECK(check("isMulticast", "ff00::/8"));
  CHECK_FALSE(check("isMulticast", "ff00::/7"));
  CHECK_FALSE(check("isMulticast", "fe80::1"));
}

TEST_CASE("ip isInRange") {
  arena storage;
  auto in_range = [&](const char* inner, const char* outer) {
    return bool_method(storage, "isInRange", make(storage, "ip", inner), {make(storage, "ip", outer)});
  };
  CHECK(in_range("10.1.2.3", "10.0.0.0/8"));
  CHECK(in_range("10.0.0.0/8", "10.0.0.0/8"));
  CHECK(in_range("10.0.0.0/16", "10.0.0.0/8"));
  CHECK(in_range("10.0.0.1/8", "10.0.0.0/8"));  // the range of an address with a prefix
  CHECK_FALSE(in_range("10.0.0.0/7", "10.0.0.0/8"));
  CHECK_FALSE(in_range("11.0.0.1", "10.0.0.0/8"));
  CHECK(in_range("10.0.0.1", "10.0.0.1"));
  CHECK_FALSE(in_range("10.0.0.2", "10.0.0.1"));
  CHECK(in_range("255.255.255.255", "0.0.0.0/0"));
  CHECK(in_range("0.0.0.0/0", "0.0.0.0/0"));
  CHECK(in_range("192.168.1.255", "192.168.1.0/24"));
  CHECK_FALSE(in_range("192.168.2.0", "192.168.1.0/24"));

  CHECK(in_range("2001:db8::1", "2001:db8::/32"));
  CHECK(in_range("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32"));
  CHECK_FALSE(in_range("2001:db9::", "2001:db8::/32"));
  CHECK(in_range("::1", "::/0"));
  CHECK(in_range("ffff::1", "::/0"));
  CHECK(in_range("1:2:3:4:8000::", "1:2:3:4::/64"));
  CHECK_FALSE(in_range("1:2:3:5::", "1:2:3:4::/64"));
  CHECK(in_range("1:2:3:4:5:6:7:8/65", "1:2:3:4::/64"));
  CHECK_FALSE(in_range("1:2:3:4::/63", "1:2:3:4::/64"));

  // IPv4 and IPv6 never contain each other.
  CHECK_FALSE(in_range("0.0.0.1", "::/0"));
  CHECK_FALSE(in_range("::1", "0.0.0.0/0"));
  CHECK_FALSE(in_range("::ffff:a00:1", "10.0.0.0/8"));
}

TEST_CASE("ip formatting") {
  arena storage;
  auto shown = [&](const char* literal) { return format_extension(make(storage, "ip", literal)); };
  CHECK(shown("10.0.0.0/8") == "ip(\"10.0.0.0/8\")");
  CHECK(shown("192.168.0.1") == "ip(\"192.168.0.1\")");
  CHECK(shown("192.168.0.1/32") == "ip(\"192.168.0.1\")");
  CHECK(shown("::") == "ip(\"::\")");
  CHECK(shown("::/0") == "ip(\"::/0\")");
  CHECK(shown("0:0:0:0:0:0:0:1") == "ip(\"::1\")");
  CHECK(shown("2001:DB8:0:0:1:0:0:1") == "ip(\"2001:db8::1:0:0:1\")");
  CHECK(shown("1:0:0:2:0:0:0:3") == "ip(\"1:0:0:2::3\")");
  CHECK(shown("1:0:2:0:3:0:4:0") == "ip(\"1:0:2:0:3:0:4:0\")");
  CHECK(shown("1:2:3:4:5:6:7:0") == "ip(\"1:2:3:4:5:6:7:0\")");
  CHECK(shown("fe80:0000::00ab/10") == "ip(\"fe80::ab/10\")");
  for (const char* literal :
       {"1.2.3.4", "0.0.0.0/0", "::1", "1::", "ff00::/8", "1:2:3:4:5:6:7:8", "0:1::/17"}) {
    const value original = make(storage, "ip", literal);
    const std::string text = format_extension(original);
    const std::string inner = text.substr(4, text.size() - 6);  // strip ip(" and ")
    INFO(literal, " -> ", text);
    CHECK(value_equal(make(storage, "ip", inner), original));
  }
}

// ---------------------------------------------------------------------------------------------
// datetime

TEST_CASE("datetime literals") {
  CHECK(datetime_of("1970-01-01") == 0);
  CHECK(datetime_of("2024-10-28") == 1730073600000);
  CHECK(datetime_of("2024-10-28T01:22:33.456Z") == 1730078553456);
  CHECK(datetime_of("2024-10-28T10:12:13.456-0700") == 1730135533456);
  CHECK(datetime_of("2024-10-15T11:38:02Z") == datetime_of("2024-10-15") + (11 * 3600 + 38 * 60 + 2) * 1000);
  CHECK(datetime_of("2024-10-15T11:38:02.101+1134") == datetime_of("2024-10-15T00:04:02.101Z"));
  CHECK(datetime_of("2024-10-15T11:38:02.101-1134") == datetime_of("2024-10-15T23:12:02.101Z"));
  CHECK(datetime_of("2024-10-15T23:59:00+2359") == datetime_of("2024-10-15"));
  CHECK(datetime_of("2024-10-15T00:00:00-2359") == datetime_of("2024-10-15T23:59:00Z"));
  CHECK(datetime_of("1969-12-31") == -86400000);
  CHECK(datetime_of("1969-12-31T23:59:59.999Z") == -1);
  CHECK(datetime_of("2024-02-29") == datetime_of("2024-03-01") - 86400000);
  CHECK(datetime_of("2000-02-29") == 951782400000);
  CHECK(datetime_of("0000-01-01") == -62167219200000);
  CHECK(datetime_of("9999-12-31T23:59:59.999Z") == 253402300799999);

  std::int64_t ignored = 0;
  for (const char* bad : {"",
                          "a",
                          "-",
                          "-1",
                          "11-12-13",
                          "1111-1x-20",
                          "2024-10-15Z",
                          "2024-10-15T11:38:02ZZ",
                          "0000-0a-01",
                          "10000-01-01",
                          "10000-01-01T00:00:00Z",
                          "2024-00-01",
                          "2024-01-00",
                          "2024-02-30",
                          "2025-02-29",
                          "1900-02-29",
                          "2024-20-01",
                          "2024-01-32",
                          "2024-04-31",
                          "2024-01-01T",
                          "2024-01-01Ta",
                          "2024-01-01T01:",
                          "2024-01-01T01:02",
                          "2024-01-01T01:02:0b",
                          "2024-01-01T01::02:03",
                          "2024-01-01T31:02:03Z",
                          "2024-01-01T24:00:00Z",
                          "2024-01-01T01:60:03Z",
                          "2016-12-31T23:59:60Z",
                          "2024-01-01T00:00:00",
                          "2024-01-01T00:00:00T",
                          "2024-01-01T00:00:00ZZ",
                          "2024-01-01T00:00:00x001Z",
                          "2024-01-01T00:00:00.001ZZ",
                          "2024-01-01T00:00:00.0001Z",
                          "2024-01-01T00:00:00.01Z",
                          "2024-01-01T00:00:00.001+00000",
                          "2024-01-01T00:00:00.001-00000",
                          "2024-01-01T00:00:00+01:00",
                          "2024-01-01T00:00:00+01",
                          "2016-12-31T00:00:00+1160",
                          "2016-12-31T00:00:00+1199",
                          "2016-12-31T00:00:00+2400",
                          "2024-01-01 00:00:00Z",
                          "2024-1-01",
                          " 2024-01-01",
                          "2024-01-01T00:00:00z"}) {
    INFO("datetime ", bad);
    CHECK_FALSE(parse_datetime(bad, ignored));
  }

  arena storage;
  call_result r = construct(storage, "datetime", "22024-30-28T10:12:13.456-0700");
  CHECK_FALSE(r.ok);
  CHECK(r.error.rfind("invalid datetime literal \"22024-30-28T10:12:13.456-0700\"", 0) == 0);
  r = construct(storage, "datetime", "2024-02-30T00:00:00Z");
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("invalid date") != std::string::npos);
  r = construct(storage, "datetime", "2016-12-31T00:00:00+2400");
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("offset") != std::string::npos);
}

TEST_CASE("datetime methods") {
  arena storage;
  auto dt = [&](const char* text) { return make(storage, "datetime", text); };
  auto dur = [&](const char* text) { return make(storage, "duration", text); };
  auto method_value = [&](const char* method, const value& receiver, std::vector<value> args = {}) {
    call_result r = call(storage, method, receiver, std::move(args));
    INFO(method, ": ", r.error);
    REQUIRE(r.ok);
    return r.result;
  };

  // offset undoes a UTC offset in the literal.
  value shifted = method_value("offset", dt("2024-10-28T10:12:13.456-0700"), {dur("-7h")});
  CHECK(shifted.kind == value_kind::datetime);
  CHECK(value_equal(shifted, dt("2024-10-28T10:12:13.456Z")));
  CHECK(value_equal(method_value("offset", dt("2024-10-28T10:12:13.456+0700"), {dur("7h")}),
                    dt("2024-10-28T10:12:13.456Z")));
  CHECK(value_equal(method_value("offset", dt("1970-01-01"), {dur("1d")}), dt("1970-01-02")));
  CHECK(value_equal(method_value("offset", dt("1970-01-01"), {dur("-1d")}), dt("1969-12-31")));

  value since =
      method_value("durationSince", dt("2024-10-28T10:12:13.456+0700"), {dt("2024-10-28T10:12:13.456Z")});
  CHECK(since.kind == value_kind::duration);
  CHECK(value_equal(since, dur("-7h")));
  CHECK(value_equal(method_value("durationSince", dt("2024-10-24"), {dt("1970-01-01")}), dur("20020d")));
  CHECK(value_equal(method_value("durationSince", dt("2024-10-23"), {dt("2024-10-24")}), dur("-1d")));

  value date = method_value("toDate", dt("2024-10-28T10:12:13.456+0700"));
  CHECK(date.kind == value_kind::datetime);
  CHECK(value_equal(date, dt("2024-10-28")));
  CHECK(value_equal(method_value("toDate", dt("2024-10-28T10:12:13.456-0700")), dt("2024-10-28")));
  CHECK(value_equal(method_value("toDate", dt("1969-12-31T23:59:59.999Z")), dt("1969-12-31")));
  CHECK(value_equal(method_value("toDate", dt("1900-01-01")), dt("1900-01-01")));

  value time = method_value("toTime", dt("2024-10-28T10:12:13.456Z"));
  CHECK(time.kind == value_kind::duration);
  CHECK(value_equal(time, dur("10h12m13s456ms")));
  CHECK(value_equal(method_value("toTime", dt("1969-12-31T23:59:59.999Z")), dur("23h59m59s999ms")));
  CHECK(value_equal(method_value("toTime", dt("1900-01-01")), dur("0ms")));
  for (const char* day : {"2024-10-24", "1970-01-01", "1900-01-01"}) {
    value almost_tomorrow = method_value("offset", dt(day), {dur("23h59m59s999ms")});
    CHECK(value_equal(method_value("toDate", almost_tomorrow), dt(day)));
    CHECK(value_equal(method_value("toTime", almost_tomorrow), dur("23h59m59s999ms")));
    value just_before = method_value("offset", dt(day), {dur("-23h59m59s999ms")});
    CHECK(value_equal(method_value("toTime", just_before), dur("1ms")));
    CHECK(value_equal(method_value("toDate", just_before), method_value("offset", dt(day), {dur("-1d")})));
  }

  // Overflow is an error, not a wrap-around.
  const value latest = value::of_scalar(value_kind::datetime, int64_max);
  const value earliest = value::of_scalar(value_kind::datetime, int64_min);
  call_result r = call(storage, "offset", latest, {dur("1ms")});
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("overflow") != std::string::npos);
  CHECK(call(storage, "offset", latest, {dur("-1ms")}).ok);
  CHECK_FALSE(call(storage, "offset", earliest, {dur("-1ms")}).ok);
  CHECK(call(storage, "offset", earliest, {dur("1ms")}).ok);
  r = call(storage, "durationSince", dt("2024-10-24"), {earliest});
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("overflow") != std::string::npos);
  r = call(storage, "toDate", earliest);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("overflow") != std::string::npos);
  CHECK(method_value("toTime", earliest).integer >= 0);

  // Type errors.
  r = call(storage, "offset", dt("2024-10-28"), {str("7h")});
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("maybe you forgot to apply the duration constructor?") != std::string::npos);
  r = call(storage, "durationSince", dt("2024-10-28"), {dur("7h")});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "durationSince expects a datetime argument, got duration");
  r = call(storage, "offset", dur("1h"), {dur("7h")});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "offset expects a datetime receiver, got duration");
}

TEST_CASE("datetime formatting") {
  arena storage;
  auto shown = [&](const char* literal) { return format_extension(make(storage, "datetime", literal)); };
  CHECK(shown("2024-01-01") == "datetime(\"2024-01-01T00:00:00.000Z\")");
  CHECK(shown("2024-10-28T10:12:13.456-0700") == "datetime(\"2024-10-28T17:12:13.456Z\")");
  CHECK(shown("1969-12-31T23:59:59.999Z") == "datetime(\"1969-12-31T23:59:59.999Z\")");
  CHECK(shown("0000-01-01") == "datetime(\"0000-01-01T00:00:00.000Z\")");
  CHECK(shown("0000-01-01T00:00:00+0100") == "datetime(\"1970-01-01\").offset(duration(\"-719528d1h\"))");
  CHECK(shown("9999-12-31T23:59:59.999Z") == "datetime(\"9999-12-31T23:59:59.999Z\")");
  CHECK(format_extension(value::of_scalar(value_kind::datetime, int64_min)) ==
        "datetime(\"1970-01-01\").offset(duration(\"-106751991167d7h12m55s808ms\"))");
  for (const char* literal :
       {"2024-02-29T12:00:00Z", "1900-03-01", "1600-02-29T23:59:59.001Z", "2100-12-31"}) {
    const std::string text = shown(literal);
    const std::string inner = text.substr(10, text.size() - 12);  // strip datetime(" and ")
    INFO(literal, " -> ", text);
    CHECK(datetime_of(inner) == datetime_of(literal));
  }
}

// ---------------------------------------------------------------------------------------------
// duration

TEST_CASE("duration literals") {
  CHECK(duration_of("1h") == 3600000);
  CHECK(duration_of("-10h") == -36000000);
  CHECK(duration_of("5d3ms") == 5LL * 86400000 + 3);
  CHECK(duration_of("-3h5m") == -(3 * 3600000 + 5 * 60000));
  CHECK(duration_of("1d2h3m4s5ms") == 86400000 + 2 * 3600000 + 3 * 60000 + 4000 + 5);
  CHECK(duration_of("5ms") == 5);
  CHECK(duration_of("1m5ms") == 60005);
  CHECK(duration_of("0ms") == 0);
  CHECK(duration_of("-0s") == 0);
  CHECK(duration_of("90m") == 5400000);
  CHECK(duration_of("007s") == 7000);
  CHECK(duration_of("106751991167d7h12m55s807ms") == int64_max);
  CHECK(duration_of("-106751991167d7h12m55s808ms") == int64_min);
  CHECK(duration_of("-9223372036854775808ms") == int64_min);
  CHECK(duration_of("9223372036854775807ms") == int64_max);

  std::int64_t ignored = 0;
  for (const char* bad :
       {"",     "a",       "-",     "-1",    "1",     "➖1ms",  "11dd", "00000mm", "-d",   "-h",   "-1hh",
        "-h2d", "-ms",     "1ms1s", "1ms1m", "1ms1h", "0ms1d", "1s1m", "1s1h",    "0s0d", "0m0h", "0m0d",
        "1h1d", "1ms1m1d", "1d1d",  "1h-1m", "+1h",   "1 h",   "1.5h", "1w",      "1H",   "1d ",  "1msms"}) {
    INFO("duration ", bad);
    CHECK_FALSE(parse_duration(bad, ignored));
  }
  // Overflow.
  for (const char* big :
       {"106751991167d7h12m55s808ms", "-106751991167d7h12m55s809ms", "9223372036854775808ms",
        "-9223372036854775809ms", "106751991168d", "99999999999999999999999ms", "9223372036854775807ms1ms"}) {
    INFO("duration ", big);
    CHECK_FALSE(parse_duration(big, ignored));
  }

  arena storage;
  call_result r = construct(storage, "duration", "106751991168d");
  CHECK_FALSE(r.ok);
  CHECK(r.error.rfind("invalid duration literal \"106751991168d\"", 0) == 0);
  CHECK(r.error.find("overflow") != std::string::npos);
  r = construct(storage, "duration", "1s1m");
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("overflow") == std::string::npos);
}

TEST_CASE("duration conversions truncate toward zero") {
  arena storage;
  auto long_method = [&](const char* method, const char* literal) {
    call_result r = call(storage, method, make(storage, "duration", literal));
    INFO(method, ": ", r.error);
    REQUIRE(r.ok);
    REQUIRE(r.result.kind == value_kind::integer);
    return r.result.integer;
  };
  CHECK(long_method("toDays", "10d23h59m58s999ms") == 10);
  CHECK(long_method("toHours", "10d23h59m58s999ms") == 10 * 24 + 23);
  CHECK(long_method("toMinutes", "10d23h59m58s999ms") == (10 * 24 + 23) * 60 + 59);
  CHECK(long_method("toSeconds", "10d23h59m58s999ms") == ((10 * 24 + 23) * 60 + 59) * 60 + 58);
  CHECK(long_method("toMilliseconds", "10d23h59m58s999ms") ==
        (((10 * 24 + 23) * 60 + 59) * 60 + 58) * 1000 + 999);
  CHECK(long_method("toDays", "-10d23h59m58s999ms") == -10);
  CHECK(long_method("toHours", "-10d23h59m58s999ms") == -(10 * 24 + 23));
  CHECK(long_method("toMinutes", "-10d23h59m58s999ms") == -((10 * 24 + 23) * 60 + 59));
  CHECK(long_method("toSeconds", "-10d23h59m58s999ms") == -(((10 * 24 + 23) * 60 + 59) * 60 + 58));
  CHECK(long_method("toMilliseconds", "-1s1ms") == -1001);
  CHECK(long_method("toDays", "23h") == 0);
  CHECK(long_method("toSeconds", "-999ms") == 0);
}

TEST_CASE("duration formatting") {
  arena storage;
  auto shown = [&](const char* literal) { return format_extension(make(storage, "duration", literal)); };
  CHECK(shown("1h") == "duration(\"1h\")");
  CHECK(shown("90m") == "duration(\"1h30m\")");
  CHECK(shown("1d2h3m4s5ms") == "duration(\"1d2h3m4s5ms\")");
  CHECK(shown("0s") == "duration(\"0ms\")");
  CHECK(shown("-1h") == "duration(\"-1h\")");
  CHECK(shown("1500ms") == "duration(\"1s500ms\")");
  CHECK(shown("-9223372036854775808ms") == "duration(\"-106751991167d7h12m55s808ms\")");
  for (std::int64_t ms : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{86400000},
                          std::int64_t{-123456789012}, int64_min, int64_max}) {
    const std::string text = format_extension(value::of_scalar(value_kind::duration, ms));
    const std::string inner = text.substr(10, text.size() - 12);  // strip duration(" and ")
    INFO(text);
    CHECK(duration_of(inner) == ms);
  }
}
