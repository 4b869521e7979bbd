// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "value/extensions.hpp"

#include <array>
#include <cstring>
#include <limits>

namespace mandate::detail {
namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::uint64_t int64_min_magnitude = std::uint64_t{1} << 63;

constexpr std::int64_t decimal_scale = 10000;
constexpr int decimal_digits = 4;

constexpr std::int64_t ms_per_second = 1000;
constexpr std::int64_t ms_per_minute = 60 * ms_per_second;
constexpr std::int64_t ms_per_hour = 60 * ms_per_minute;
constexpr std::int64_t ms_per_day = 24 * ms_per_hour;

// ---------------------------------------------------------------------------------------------
// Small arithmetic and text helpers.

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool checked_add(std::int64_t a, std::int64_t b, std::int64_t& out) noexcept {
  if ((b > 0 && a > int64_max - b) || (b < 0 && a < int64_min - b)) return false;
  out = a + b;
  return true;
}

bool checked_sub(std::int64_t a, std::int64_t b, std::int64_t& out) noexcept {
  if ((b < 0 && a > int64_max + b) || (b > 0 && a < int64_min + b)) return false;
  out = a - b;
  return true;
}

// The magnitude of `v` without overflowing on int64_min.
std::uint64_t magnitude_of(std::int64_t v) noexcept {
  return v < 0 ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
}

// Turns a sign and a magnitude already checked against the int64 range back into an int64.
std::int64_t signed_from(bool negative, std::uint64_t magnitude) noexcept {
  if (!negative) return static_cast<std::int64_t>(magnitude);
  if (magnitude == int64_min_magnitude) return int64_min;
  return -static_cast<std::int64_t>(magnitude);
}

// Reads exactly `count` ASCII digits at `pos`; -1 when any is missing.
int fixed_digits(std::string_view text, std::size_t pos, std::size_t count) noexcept {
  if (pos + count > text.size()) return -1;
  int result = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!is_digit(text[i])) return -1;
    result = result * 10 + (text[i] - '0');
  }
  return result;
}

void append_padded(std::string& out, std::uint64_t number, std::size_t width) {
  std::string digits = std::to_string(number);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out += digits;
}

// ---------------------------------------------------------------------------------------------
// decimal. Each parser returns null on success or the reason the literal is rejected.

const char* decimal_error(std::string_view text, std::int64_t& out) noexcept {
  constexpr const char* syntax = "expected digits, a decimal point and 1 to 4 digits";
  std::size_t pos = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) pos = 1;
  const std::size_t integer_begin = pos;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  const std::size_t integer_end = pos;
  if (integer_end == integer_begin || pos == text.size() || text[pos] != '.') return syntax;
  const std::size_t fraction_begin = ++pos;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  if (pos == fraction_begin || pos != text.size()) return syntax;
  const std::size_t fraction_length = text.size() - fraction_begin;
  if (fraction_length > decimal_digits) return "more than 4 digits after the decimal point";

  // The sign comes from the text, not from the integer part, so "-0.5" stays negative.
  const std::uint64_t limit = negative ? int64_min_magnitude : static_cast<std::uint64_t>(int64_max);
  constexpr const char* overflow = "overflows the decimal range";
  std::uint64_t magnitude = 0;
  for (std::size_t i = integer_begin; i < integer_end; ++i) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (magnitude > (limit - digit) / 10) return overflow;
    magnitude = magnitude * 10 + digit;
  }
  if (magnitude > limit / decimal_scale) return overflow;
  magnitude *= decimal_scale;
  std::uint64_t fraction = 0;
  for (std::size_t i = fraction_begin; i < text.size(); ++i) fraction = fraction * 10 + (text[i] - '0');
  for (std::size_t i = fraction_length; i < decimal_digits; ++i) fraction *= 10;
  if (magnitude > limit - fraction) return overflow;
  out = signed_from(negative, magnitude + fraction);
  return nullptr;
}

std::string format_decimal(std::int64_t scaled) {
  std::string out;
  if (scaled < 0) out += '-';
  const std::uint64_t magnitude = magnitude_of(scaled);
  out += std::to_string(magnitude / decimal_scale);
  out += '.';
  append_padded(out, magnitude % decimal_scale, decimal_digits);
  return out;
}

// ---------------------------------------------------------------------------------------------
// ipaddr. Addresses are compared as 128-bit big-endian numbers; IPv4 uses the low 32 bits.

struct uint128 {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
};

bool not_above(const uint128& a, const uint128& b) noexcept {
  return a.high < b.high || (a.high == b.high && a.low <= b.low);
}

uint128 address_number(const ip_data& ip) noexcept {
  uint128 n;
  if (!ip.v6) {
    for (int i = 0; i < 4; ++i) n.low = (n.low << 8) | ip.bytes[i];
    return n;
  }
  for (int i = 0; i < 8; ++i) n.high = (n.high << 8) | ip.bytes[i];
  for (int i = 8; i < 16; ++i) n.low = (n.low << 8) | ip.bytes[i];
  return n;
}

// The mask of the lowest `bits` bits (0..128).
uint128 low_bits_mask(unsigned bits) noexcept {
  uint128 m;
  if (bits >= 128) return {~std::uint64_t{0}, ~std::uint64_t{0}};
  if (bits >= 64) {
    m.low = ~std::uint64_t{0};
    m.high = bits == 64 ? 0 : (~std::uint64_t{0} >> (128 - bits));
    return m;
  }
  m.low = bits == 0 ? 0 : (~std::uint64_t{0} >> (64 - bits));
  return m;
}

struct address_range {
  uint128 first;
  uint128 last;
};

address_range range_of(const ip_data& ip) noexcept {
  const unsigned width = ip.v6 ? 128 : 32;
  const uint128 host = low_bits_mask(width - ip.prefix);
  const uint128 address = address_number(ip);
  return {{address.high & ~host.high, address.low & ~host.low},
          {address.high | host.high, address.low | host.low}};
}

bool ip_in_range(const ip_data& inner, const ip_data& outer) noexcept {
  if (inner.v6 != outer.v6) return false;
  const address_range a = range_of(inner);
  const address_range b = range_of(outer);
  return not_above(b.first, a.first) && not_above(a.last, b.last);
}

bool ip_is_loopback(const ip_data& ip) noexcept {
  if (!ip.v6) return ip.bytes[0] == 127 && ip.prefix >= 8;
  for (int i = 0; i < 15; ++i)
    if (ip.bytes[i] != 0) return false;
  return ip.bytes[15] == 1 && ip.prefix >= 128;
}

bool ip_is_multicast(const ip_data& ip) noexcept {
  if (!ip.v6) return (ip.bytes[0] & 0xF0) == 0xE0 && ip.prefix >= 4;
  return ip.bytes[0] == 0xFF && ip.prefix >= 8;
}

// Four decimal octets without leading zeros, as Rust's std::net parser (and so Cedar) wants.
bool parse_ipv4_address(std::string_view text, std::uint8_t* bytes) noexcept {
  std::size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return false;
      ++pos;
    }
    const std::size_t begin = pos;
    unsigned octet = 0;
    while (pos < text.size() && is_digit(text[pos]) && pos - begin < 3)
      octet = octet * 10 + (text[pos++] - '0');
    const std::size_t length = pos - begin;
    if (length == 0 || octet > 255 || (length > 1 && text[begin] == '0')) return false;
    bytes[part] = static_cast<std::uint8_t>(octet);
  }
  return pos == text.size();
}

// Colon-separated groups of 1 to 4 hex digits; an empty text is zero groups.
bool parse_ipv6_groups(std::string_view text, std::array<std::uint16_t, 8>& groups,
                       std::size_t& count) noexcept {
  count = 0;
  if (text.empty()) return true;
  std::size_t pos = 0;
  while (true) {
    const std::size_t begin = pos;
    unsigned group = 0;
    while (pos < text.size() && pos - begin < 4 && hex_digit_value(text[pos]) >= 0)
      group = group * 16 + static_cast<unsigned>(hex_digit_value(text[pos++]));
    if (pos == begin || count == groups.size()) return false;
    groups[count++] = static_cast<std::uint16_t>(group);
    if (pos == text.size()) return true;
    if (text[pos] != ':') return false;
    ++pos;
  }
}

// Eight groups, or fewer around a single "::" that stands for at least one zero group.
bool parse_ipv6_address(std::string_view text, std::uint8_t* bytes) noexcept {
  std::array<std::uint16_t, 8> head{};
  std::array<std::uint16_t, 8> tail{};
  std::size_t head_count = 0;
  std::size_t tail_count = 0;
  const std::size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    if (!parse_ipv6_groups(text, head, head_count) || head_count != 8) return false;
  } else {
    if (!parse_ipv6_groups(text.substr(0, gap), head, head_count)) return false;
    if (!parse_ipv6_groups(text.substr(gap + 2), tail, tail_count)) return false;
    if (head_count + tail_count > 7) return false;
  }
  std::array<std::uint16_t, 8> groups{};
  for (std::size_t i = 0; i < head_count; ++i) groups[i] = head[i];
  for (std::size_t i = 0; i < tail_count; ++i) groups[8 - tail_count + i] = tail[i];
  for (std::size_t i = 0; i < 8; ++i) {
    bytes[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    bytes[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xFF);
  }
  return true;
}

const char* ip_error(std::string_view text, ip_data& out) noexcept {
  // 43 is the longest form Cedar accepts: eight full groups and "/128".
  if (text.size() > 43) return "longer than any IP address or range";
  std::size_t colons = 0;
  std::size_t dots = 0;
  for (char c : text) {
    colons += c == ':';
    dots += c == '.';
  }
  // Cedar refuses mixed notation such as "::ffff:192.168.0.1" so that an IPv4 address never
  // silently becomes an IPv6 one; the same address can be written in hex.
  if (colons >= 2 && dots >= 2) return "IPv4 embedded in IPv6 is not accepted; write it in hex";

  ip_data parsed{};
  const std::size_t slash = text.find('/');
  const std::string_view address = text.substr(0, slash);
  if (parse_ipv4_address(address, parsed.bytes)) {
    parsed.v6 = false;
  } else if (parse_ipv6_address(address, parsed.bytes)) {
    parsed.v6 = true;
  } else {
    return "not an IPv4 or IPv6 address";
  }
  const unsigned max_prefix = parsed.v6 ? 128 : 32;
  parsed.prefix = static_cast<std::uint8_t>(max_prefix);
  if (slash != std::string_view::npos) {
    const std::string_view prefix = text.substr(slash + 1);
    if (prefix.empty() || prefix.size() > (parsed.v6 ? 3U : 2U)) return "invalid prefix length";
    unsigned length = 0;
    for (char c : prefix) {
      if (!is_digit(c)) return "invalid prefix length";
      length = length * 10 + static_cast<unsigned>(c - '0');
    }
    if (prefix.size() > 1 && prefix[0] == '0') return "prefix length has a leading zero";
    if (length > max_prefix) return "prefix length too large";
    parsed.prefix = static_cast<std::uint8_t>(length);
  }
  out = parsed;
  return nullptr;
}

// RFC 5952: lowercase hex, the longest run of two or more zero groups (the first on a tie) as "::".
std::string format_ip(const ip_data& ip) {
  std::string out;
  if (!ip.v6) {
    for (int i = 0; i < 4; ++i) {
      if (i > 0) out += '.';
      out += std::to_string(ip.bytes[i]);
    }
    if (ip.prefix != 32) out += "/" + std::to_string(ip.prefix);
    return out;
  }
  std::array<unsigned, 8> groups{};
  for (std::size_t i = 0; i < 8; ++i) groups[i] = (unsigned{ip.bytes[2 * i]} << 8) | ip.bytes[2 * i + 1];
  int best_start = -1;
  int best_length = 1;
  for (int i = 0; i < 8;) {
    if (groups[static_cast<std::size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[static_cast<std::size_t>(j)] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    const unsigned group = groups[static_cast<std::size_t>(i)];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (group >> shift) & 0xF;
      if (nibble != 0 || started || shift == 0) {
        out += hex[nibble];
        started = true;
      }
    }
  }
  if (ip.prefix != 128) out += "/" + std::to_string(ip.prefix);
  return out;
}

// ---------------------------------------------------------------------------------------------
// datetime and duration, as in Cedar RFC 80: int64 milliseconds, proleptic Gregorian calendar.

// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) noexcept {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

struct civil_date {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

civil_date civil_from_days(std::int64_t days) noexcept {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  return {static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

unsigned days_in_month(int year, int month) noexcept {
  static constexpr unsigned lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  return month == 2 && leap ? 29 : lengths[month - 1];
}

// The checks run in Cedar's order (date shape, time shape, suffix shape, then values), so the
// reason matches what Cedar would say first.
const char* datetime_error(std::string_view text, std::int64_t& out_ms) noexcept {
  const int year = fixed_digits(text, 0, 4);
  const int month = fixed_digits(text, 5, 2);
  const int day = fixed_digits(text, 8, 2);
  if (year < 0 || month < 0 || day < 0 || text[4] != '-' || text[7] != '-') return "expected YYYY-MM-DD";
  const bool date_valid =
      month >= 1 && month <= 12 && day >= 1 && static_cast<unsigned>(day) <= days_in_month(year, month);
  const std::int64_t days =
      date_valid ? days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) : 0;
  if (text.size() == 10) {
    if (!date_valid) return "invalid date";
    out_ms = days * ms_per_day;
    return nullptr;
  }

  const int hour = fixed_digits(text, 11, 2);
  const int minute = fixed_digits(text, 14, 2);
  const int second = fixed_digits(text, 17, 2);
  if (text.size() < 19 || text[10] != 'T' || hour < 0 || text[13] != ':' || minute < 0 || text[16] != ':' ||
      second < 0)
    return "expected Thh:mm:ss after the date";

  constexpr const char* bad_suffix = "expected Z, .SSSZ, (+|-)hhmm or .SSS(+|-)hhmm after the time";
  std::size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    millis = fixed_digits(text, pos + 1, 3);
    if (millis < 0) return bad_suffix;
    pos += 4;
  }
  int offset_minutes = 0;
  bool offset_valid = true;
  if (pos < text.size() && text[pos] == 'Z') {
    if (pos + 1 != text.size()) return bad_suffix;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int offset_hours = fixed_digits(text, pos + 1, 2);
    const int offset_mins = fixed_digits(text, pos + 3, 2);
    if (offset_hours < 0 || offset_mins < 0 || pos + 5 != text.size()) return bad_suffix;
    offset_valid = offset_hours < 24 && offset_mins < 60;
    offset_minutes = (offset_hours * 60 + offset_mins) * (text[pos] == '-' ? -1 : 1);
  } else {
    return bad_suffix;
  }

  if (!date_valid) return "invalid date";
  // Second 60 is refused: Cedar cannot tell a real leap second from a typo.
  if (hour > 23 || minute > 59 || second > 59) return "invalid time of day";
  if (!offset_valid) return "invalid UTC offset: hours must be below 24 and minutes below 60";
  out_ms = days * ms_per_day + hour * ms_per_hour + minute * ms_per_minute + second * ms_per_second + millis -
           std::int64_t{offset_minutes} * ms_per_minute;
  return nullptr;
}

const char* duration_error(std::string_view text, std::int64_t& out_ms) noexcept {
  constexpr const char* syntax =
      "expected quantity-unit pairs in the order d, h, m, s, ms, optionally after '-'";
  constexpr const char* overflow = "overflows a 64-bit count of milliseconds";
  struct unit {
    std::string_view suffix;
    std::int64_t ms;
  };
  static constexpr unit units[] = {
      {"d", ms_per_day}, {"h", ms_per_hour}, {"m", ms_per_minute}, {"s", ms_per_second}, {"ms", 1}};
  std::size_t pos = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) pos = 1;
  if (pos == text.size()) return syntax;

  // All quantities share the sign, so summing magnitudes against the signed limit finds every
  // overflow, including "-9223372036854775808ms" which fits only as a negative number.
  const std::uint64_t limit = negative ? int64_min_magnitude : static_cast<std::uint64_t>(int64_max);
  std::uint64_t total = 0;
  std::size_t next_unit = 0;
  bool overflowed = false;
  while (pos < text.size()) {
    const std::size_t begin = pos;
    std::uint64_t quantity = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      const auto digit = static_cast<std::uint64_t>(text[pos] - '0');
      if (quantity > (limit - digit) / 10) overflowed = true;
      quantity = quantity * 10 + digit;
      ++pos;
    }
    if (pos == begin || pos == text.size()) return syntax;
    // An "m" right before "s" is always milliseconds: minutes followed by a bare "s" has no quantity.
    const std::string_view suffix = text[pos] == 'm' && pos + 1 < text.size() && text[pos + 1] == 's'
                                        ? text.substr(pos, 2)
                                        : text.substr(pos, 1);
    std::size_t found = next_unit;
    while (found < std::size(units) && units[found].suffix != suffix) ++found;
    if (found == std::size(units)) return syntax;
    next_unit = found + 1;
    pos += suffix.size();
    // Keep checking the shape after an overflow: a malformed literal is reported as malformed.
    if (overflowed) continue;
    const auto unit_ms = static_cast<std::uint64_t>(units[found].ms);
    if (quantity > (limit - total) / unit_ms) {
      overflowed = true;
      continue;
    }
    total += quantity * unit_ms;
  }
  if (overflowed) return overflow;
  out_ms = signed_from(negative, total);
  return nullptr;
}

// Euclidean split of a timestamp into whole days and the milliseconds into the day, without
// the overflow a floor-times-day product would hit near int64_min.
void split_days(std::int64_t ms, std::int64_t& days, std::int64_t& millis_of_day) noexcept {
  days = ms / ms_per_day;
  millis_of_day = ms % ms_per_day;
  if (millis_of_day < 0) {
    millis_of_day += ms_per_day;
    days -= 1;
  }
}

std::string format_datetime(std::int64_t ms) {
  std::int64_t days = 0;
  std::int64_t time = 0;
  split_days(ms, days, time);
  const civil_date date = civil_from_days(days);
  if (date.year < 0 || date.year > 9999) {
    // Outside the four-digit years a literal can spell, so build it from the epoch instead.
    return R"x(datetime("1970-01-01").offset(duration(")x" + format_duration(ms) + R"x(")))x";
  }
  std::string out = "datetime(\"";
  append_padded(out, static_cast<std::uint64_t>(date.year), 4);
  out += '-';
  append_padded(out, date.month, 2);
  out += '-';
  append_padded(out, date.day, 2);
  out += 'T';
  const auto t = static_cast<std::uint64_t>(time);
  append_padded(out, t / ms_per_hour, 2);
  out += ':';
  append_padded(out, t % ms_per_hour / ms_per_minute, 2);
  out += ':';
  append_padded(out, t % ms_per_minute / ms_per_second, 2);
  out += '.';
  append_padded(out, t % ms_per_second, 3);
  out += "Z\")";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Dispatch tables.

struct constructor_info {
  std::string_view name;
  value_kind result;
};

constexpr constructor_info constructors[] = {
    {"decimal", value_kind::decimal},
    {"ip", value_kind::ip},
    {"datetime", value_kind::datetime},
    {"duration", value_kind::duration},
};

enum class method_id {
  less_than,
  less_than_or_equal,
  greater_than,
  greater_than_or_equal,
  is_ipv4,
  is_ipv6,
  is_loopback,
  is_multicast,
  is_in_range,
  offset,
  duration_since,
  to_date,
  to_time,
  to_milliseconds,
  to_seconds,
  to_minutes,
  to_hours,
  to_days,
};

struct method_info {
  std::string_view name;
  method_id id;
  value_kind receiver;
  std::size_t arity;    // 0 or 1, not counting the receiver
  value_kind argument;  // meaningful when arity is 1
};

constexpr method_info methods[] = {
    {"lessThan", method_id::less_than, value_kind::decimal, 1, value_kind::decimal},
    {"lessThanOrEqual", method_id::less_than_or_equal, value_kind::decimal, 1, value_kind::decimal},
    {"greaterThan", method_id::greater_than, value_kind::decimal, 1, value_kind::decimal},
    {"greaterThanOrEqual", method_id::greater_than_or_equal, value_kind::decimal, 1, value_kind::decimal},
    {"isIpv4", method_id::is_ipv4, value_kind::ip, 0, value_kind::ip},
    {"isIpv6", method_id::is_ipv6, value_kind::ip, 0, value_kind::ip},
    {"isLoopback", method_id::is_loopback, value_kind::ip, 0, value_kind::ip},
    {"isMulticast", method_id::is_multicast, value_kind::ip, 0, value_kind::ip},
    {"isInRange", method_id::is_in_range, value_kind::ip, 1, value_kind::ip},
    {"offset", method_id::offset, value_kind::datetime, 1, value_kind::duration},
    {"durationSince", method_id::duration_since, value_kind::datetime, 1, value_kind::datetime},
    {"toDate", method_id::to_date, value_kind::datetime, 0, value_kind::datetime},
    {"toTime", method_id::to_time, value_kind::datetime, 0, value_kind::datetime},
    {"toMilliseconds", method_id::to_milliseconds, value_kind::duration, 0, value_kind::duration},
    {"toSeconds", method_id::to_seconds, value_kind::duration, 0, value_kind::duration},
    {"toMinutes", method_id::to_minutes, value_kind::duration, 0, value_kind::duration},
    {"toHours", method_id::to_hours, value_kind::duration, 0, value_kind::duration},
    {"toDays", method_id::to_days, value_kind::duration, 0, value_kind::duration},
};

const constructor_info* find_constructor(std::string_view name) noexcept {
  for (const auto& c : constructors)
    if (c.name == name) return &c;
  return nullptr;
}

const method_info* find_method(std::string_view name) noexcept {
  for (const auto& m : methods)
    if (m.name == name) return &m;
  return nullptr;
}

// "a Long", "an ipaddr".
std::string with_article(value_kind kind) {
  const std::string_view name = kind_name(kind);
  const bool vowel = !name.empty() && std::strchr("aeiouAEIOU", name[0]) != nullptr;
  return std::string(vowel ? "an " : "a ") + std::string(name);
}

std::string_view constructor_of(value_kind kind) noexcept {
  switch (kind) {
    case value_kind::decimal:
      return "decimal";
    case value_kind::ip:
      return "ip";
    case value_kind::datetime:
      return "datetime";
    case value_kind::duration:
      return "duration";
    default:
      return "";
  }
}

std::string type_mismatch(std::string_view method, std::string_view role, value_kind expected,
                          const value& got) {
  std::string message = std::string(method) + " expects " + with_article(expected) + " " + std::string(role) +
                        ", got " + kind_name(got.kind);
  // The usual slip is passing the string literal instead of the constructed value.
  if (got.kind == value_kind::string) {
    message += " (maybe you forgot to apply the ";
    message += constructor_of(expected);
    message += " constructor?)";
  }
  return message;
}

std::string wrong_arity(std::string_view name, std::size_t expected, std::size_t got) {
  return "wrong number of arguments to " + std::string(name) + ": expected " + std::to_string(expected) +
         ", got " + std::to_string(got);
}

}  // namespace

// Cedar's duration text for `ms`, largest unit first: "1d2h", "30s", "250ms", "0ms".
std::string format_duration(std::int64_t ms) {
  std::string out;
  if (ms < 0) out += '-';
  std::uint64_t rest = magnitude_of(ms);
  const std::uint64_t days = rest / ms_per_day;
  rest %= ms_per_day;
  const std::uint64_t hours = rest / ms_per_hour;
  rest %= ms_per_hour;
  const std::uint64_t minutes = rest / ms_per_minute;
  rest %= ms_per_minute;
  const std::uint64_t seconds = rest / ms_per_second;
  const std::uint64_t millis = rest % ms_per_second;
  if (days != 0) out += std::to_string(days) + "d";
  if (hours != 0) out += std::to_string(hours) + "h";
  if (minutes != 0) out += std::to_string(minutes) + "m";
  if (seconds != 0) out += std::to_string(seconds) + "s";
  if (millis != 0 || ms == 0) out += std::to_string(millis) + "ms";
  return out;
}

// ---------------------------------------------------------------------------------------------

bool is_extension_function(std::string_view name) noexcept { return find_constructor(name) != nullptr; }

bool is_extension_method(std::string_view name) noexcept { return find_method(name) != nullptr; }

bool parse_decimal(std::string_view text, std::int64_t& out) noexcept {
  return decimal_error(text, out) == nullptr;
}

bool parse_ip(std::string_view text, ip_data& out) noexcept { return ip_error(text, out) == nullptr; }

bool parse_datetime(std::string_view text, std::int64_t& out_ms) noexcept {
  return datetime_error(text, out_ms) == nullptr;
}

bool parse_duration(std::string_view text, std::int64_t& out_ms) noexcept {
  return duration_error(text, out_ms) == nullptr;
}

bool call_extension_function(std::string_view name, std::span<const value> args, arena& storage, value& out,
                             std::string& error) {
  const constructor_info* constructor = find_constructor(name);
  if (constructor == nullptr) {
    error = "unknown extension function " + std::string(name);
    return false;
  }
  if (args.size() != 1) {
    error = wrong_arity(name, 1, args.size());
    return false;
  }
  if (args[0].kind != value_kind::string) {
    error = std::string(name) + " expects a String, got " + kind_name(args[0].kind);
    return false;
  }
  const std::string_view text = symbol_text(args[0].string);
  const char* reason = nullptr;
  switch (constructor->result) {
    case value_kind::decimal: {
      std::int64_t scaled = 0;
      reason = decimal_error(text, scaled);
      if (reason == nullptr) out = value::of_scalar(value_kind::decimal, scaled);
      break;
    }
    case value_kind::ip: {
      ip_data parsed{};
      reason = ip_error(text, parsed);
      if (reason == nullptr) {
        auto* stored = storage.make_array<ip_data>(1);
        *stored = parsed;
        out = value::of_ip(stored);
      }
      break;
    }
    case value_kind::datetime: {
      std::int64_t ms = 0;
      reason = datetime_error(text, ms);
      if (reason == nullptr) out = value::of_scalar(value_kind::datetime, ms);
      break;
    }
    default: {
      std::int64_t ms = 0;
      reason = duration_error(text, ms);
      if (reason == nullptr) out = value::of_scalar(value_kind::duration, ms);
      break;
    }
  }
  if (reason != nullptr) {
    error = "invalid " + std::string(name) + " literal " + quote(text) + ": " + reason;
    return false;
  }
  return true;
}

bool call_extension_method(std::string_view name, const value& receiver, std::span<const value> args,
                           arena& storage, value& out, std::string& error) {
  (void)storage;  // no method allocates today; kept so one may without an API change
  const method_info* method = find_method(name);
  if (method == nullptr) {
    error = "unknown extension method " + std::string(name);
    return false;
  }
  if (args.size() != method->arity) {
    error = wrong_arity(name, method->arity, args.size());
    return false;
  }
  if (receiver.kind != method->receiver) {
    error = type_mismatch(name, "receiver", method->receiver, receiver);
    return false;
  }
  if (method->arity == 1 && args[0].kind != method->argument) {
    error = type_mismatch(name, "argument", method->argument, args[0]);
    return false;
  }
  const std::int64_t self = receiver.integer;
  const std::int64_t other = method->arity == 1 ? args[0].integer : 0;
  switch (method->id) {
    case method_id::less_than:
      out = value::of_bool(self < other);
      return true;
    case method_id::less_than_or_equal:
      out = value::of_bool(self <= other);
      return true;
    case method_id::greater_than:
      out = value::of_bool(self > other);
      return true;
    case method_id::greater_than_or_equal:
      out = value::of_bool(self >= other);
      return true;
    case method_id::is_ipv4:
      out = value::of_bool(!receiver.ip->v6);
      return true;
    case method_id::is_ipv6:
      out = value::of_bool(receiver.ip->v6);
      return true;
    case method_id::is_loopback:
      out = value::of_bool(ip_is_loopback(*receiver.ip));
      return true;
    case method_id::is_multicast:
      out = value::of_bool(ip_is_multicast(*receiver.ip));
      return true;
    case method_id::is_in_range:
      out = value::of_bool(ip_in_range(*receiver.ip, *args[0].ip));
      return true;
    case method_id::offset: {
      std::int64_t result = 0;
      if (!checked_add(self, other, result)) {
        error = "overflow in offset: " + format_extension(receiver) + ".offset(" + format_extension(args[0]) +
                ")";
        return false;
      }
      out = value::of_scalar(value_kind::datetime, result);
      return true;
    }
    case method_id::duration_since: {
      std::int64_t result = 0;
      if (!checked_sub(self, other, result)) {
        error = "overflow in durationSince: " + format_extension(receiver) + ".durationSince(" +
                format_extension(args[0]) + ")";
        return false;
      }
      out = value::of_scalar(value_kind::duration, result);
      return true;
    }
    case method_id::to_date: {
      std::int64_t days = 0;
      std::int64_t time = 0;
      split_days(self, days, time);
      std::int64_t result = 0;
      if (!checked_sub(self, time, result)) {
        error = "overflow in toDate: " + format_extension(receiver) + ".toDate()";
        return false;
      }
      out = value::of_scalar(value_kind::datetime, result);
      return true;
    }
    case method_id::to_time: {
      std::int64_t days = 0;
      std::int64_t time = 0;
      split_days(self, days, time);
      out = value::of_scalar(value_kind::duration, time);
      return true;
    }
    // Truncation toward zero, as Cedar's integer division.
    case method_id::to_milliseconds:
      out = value::of_int(self);
      return true;
    case method_id::to_seconds:
      out = value::of_int(self / ms_per_second);
      return true;
    case method_id::to_minutes:
      out = value::of_int(self / ms_per_minute);
      return true;
    case method_id::to_hours:
      out = value::of_int(self / ms_per_hour);
      return true;
    case method_id::to_days:
      out = value::of_int(self / ms_per_day);
      return true;
  }
  error = "unknown extension method " + std::string(name);
  return false;
}

std::string format_extension(const value& v) {
  switch (v.kind) {
    case value_kind::decimal:
      return "decimal(\"" + format_decimal(v.integer) + "\")";
    case value_kind::ip:
      return "ip(\"" + format_ip(*v.ip) + "\")";
    case value_kind::datetime:
      return format_datetime(v.integer);
    case value_kind::duration:
      return "duration(\"" + format_duration(v.integer) + "\")";
    default:
      return to_cedar(v);
  }
}

}  // namespace mandate::detail
