// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "agent/time_text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace mandate::detail {
namespace {

constexpr std::int64_t ms_per_day = 86'400'000;

struct civil_date {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days):
// counts in 400-year eras starting on March 1st, so leap days fall at the end of a year.
civil_date civil_from_days(std::int64_t days) noexcept {
  days += 719'468;
  const std::int64_t era = (days >= 0 ? days : days - 146'096) / 146'097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146'097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;  // 0 is March
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

}  // namespace

std::string format_rfc3339(std::int64_t ms) {
  ms = std::clamp(ms, earliest_rfc3339_ms, latest_rfc3339_ms);
  // Floor division, so instants before 1970 land on the right day.
  std::int64_t days = ms / ms_per_day;
  std::int64_t in_day = ms % ms_per_day;
  if (in_day < 0) {
    in_day += ms_per_day;
    --days;
  }
  const civil_date date = civil_from_days(days);
  const std::int64_t seconds = in_day / 1000;
  const std::int64_t millis = in_day % 1000;
  std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", date.year, date.month, date.day,
                                 seconds / 3600, seconds / 60 % 60, seconds % 60);
  if (millis != 0) text += fmt::format(".{:03}", millis);
  text += 'Z';
  return text;
}

}  // namespace mandate::detail
