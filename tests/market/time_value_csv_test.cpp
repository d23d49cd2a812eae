#include "market/time_value_csv.h"

#include <gtest/gtest.h>

#include <sstream>

namespace liqsim {
namespace {

TimeValueCsvSpec spec_of(CsvValueRule rule) {
  return TimeValueCsvSpec{.time_column = "t",
                          .value_column = "v",
                          .time_unit_seconds = 1.0,
                          .value_rule = rule,
                          .value_name = "level",
                          .check = {}};
}

std::variant<TimeValueRows, std::string> read(const std::string& text, const TimeValueCsvSpec& spec) {
  std::istringstream in(text);
  return read_time_value_csv(in, "data.csv", spec);
}

std::string error(const std::variant<TimeValueRows, std::string>& result) {
  return std::holds_alternative<std::string>(result) ? std::get<std::string>(result) : "(no error)";
}

TEST(TimeValueCsv, ReadsNamedColumnsRebasesTimeAndKeepsLines) {
  TimeValueCsvSpec spec = spec_of(CsvValueRule::Positive);
  spec.time_unit_seconds = 0.001;  // epoch milliseconds
  const auto result = read("x, v ,t\r\n9,2.5,1583971200000\r\n\n9,\"3\",1583971260500\n", spec);
  ASSERT_TRUE(std::holds_alternative<TimeValueRows>(result)) << error(result);
  const TimeValueRows& rows = std::get<TimeValueRows>(result);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].time, Time(0));
  EXPECT_EQ(rows[0].value, 2.5);
  EXPECT_EQ(rows[0].line, 2u);
  EXPECT_EQ(rows[1].time, seconds(60) + millis(500));
  EXPECT_EQ(rows[1].value, 3.0);
  EXPECT_EQ(rows[1].line, 4u);  // the blank line 3 is skipped but counted
}

TEST(TimeValueCsv, PositiveRuleRefusesZeroAndNegative) {
  const TimeValueCsvSpec spec = spec_of(CsvValueRule::Positive);
  EXPECT_EQ(error(read("t,v\n0,1\n1,0\n", spec)), "data.csv:3: column 'v': level must be positive: '0'");
  EXPECT_EQ(error(read("t,v\n0,-1\n", spec)), "data.csv:2: column 'v': level must be positive: '-1'");
  EXPECT_TRUE(std::holds_alternative<TimeValueRows>(read("t,v\n0,0.001\n", spec)));
}

TEST(TimeValueCsv, NonNegativeRuleAcceptsZeroAndRefusesNegative) {
  const TimeValueCsvSpec spec = spec_of(CsvValueRule::NonNegative);
  const auto zero = read("t,v\n0,0\n1,2\n", spec);
  ASSERT_TRUE(std::holds_alternative<TimeValueRows>(zero)) << error(zero);
  EXPECT_EQ(std::get<TimeValueRows>(zero)[0].value, 0.0);
  EXPECT_EQ(error(read("t,v\n0,0\n1,-0.5\n", spec)), "data.csv:3: column 'v': level must be >= 0: '-0.5'");
}

TEST(TimeValueCsv, CallersCheckRunsAfterTheRuleAndNamesTheValue) {
  TimeValueCsvSpec spec = spec_of(CsvValueRule::NonNegative);
  std::vector<double> seen;
  spec.check = [&seen](double value) -> std::optional<std::string> {
    seen.push_back(value);
    if (value > 10.0) return std::string("level above 10");
    return std::nullopt;
  };
  EXPECT_EQ(error(read("t,v\n0,1\n1,-1\n", spec)), "data.csv:3: column 'v': level must be >= 0: '-1'");
  EXPECT_EQ(seen, std::vector<double>{1.0});  // the rule refused -1 before the check saw it
  EXPECT_EQ(error(read("t,v\n0,1\n1,11\n", spec)), "data.csv:3: column 'v': level above 10: '11'");
  EXPECT_TRUE(std::holds_alternative<TimeValueRows>(read("t,v\n0,10\n", spec)));
}

TEST(TimeValueCsv, EveryErrorNamesTheSourceLineColumnAndValue) {
  const TimeValueCsvSpec spec = spec_of(CsvValueRule::Positive);
  EXPECT_EQ(error(read("", spec)), "data.csv: empty file, expected a header row");
  EXPECT_EQ(error(read("t,v\n", spec)), "data.csv: no data rows after the header");
  EXPECT_EQ(error(read("t,v\n\n  \n", spec)), "data.csv: no data rows after the header");
  EXPECT_EQ(error(read("time,v\n0,1\n", spec)), "data.csv:1: column 't': not found in the header row");
  EXPECT_EQ(error(read("t,value\n0,1\n", spec)), "data.csv:1: column 'v': not found in the header row");
  EXPECT_EQ(error(read("t,v\n0,1\n1\n", spec)),
            "data.csv:3: column 'v': missing (row has 1 fields, header has 2)");
  EXPECT_EQ(error(read("x,v,t\n0,1\n", spec)),
            "data.csv:2: column 't': missing (row has 2 fields, header has 3)");
  EXPECT_EQ(error(read("t,v\n0,1\n1x,2\n", spec)), "data.csv:3: column 't': not a number: '1x'");
  EXPECT_EQ(error(read("t,v\n0,abc\n", spec)), "data.csv:2: column 'v': not a number: 'abc'");
  EXPECT_EQ(error(read("t,v\n0,inf\n", spec)), "data.csv:2: column 'v': not a number: 'inf'");
  EXPECT_EQ(error(read("t,v\n0,1\n1e300,2\n", spec)), "data.csv:3: column 't': time out of range: '1e300'");
  EXPECT_EQ(error(read("t,v\n0,1\n5,2\n5,3\n", spec)),
            "data.csv:4: column 't': time '5' is not after the previous row's time (times must increase)");
  EXPECT_EQ(error(read("t,v\n0,1\n5,2\n4,3\n", spec)),
            "data.csv:4: column 't': time '4' is not after the previous row's time (times must increase)");
}

TEST(TimeValueCsv, RefusesABadTimeUnitAndAMissingFile) {
  TimeValueCsvSpec spec = spec_of(CsvValueRule::Positive);
  spec.time_unit_seconds = 0.0;
  EXPECT_EQ(error(read("t,v\n0,1\n", spec)), "data.csv: time unit must be a positive number of seconds");
  const std::string missing = ::testing::TempDir() + "liqsim_time_value_csv_test_does_not_exist.csv";
  EXPECT_EQ(error(read_time_value_csv(missing, spec)),
            missing + ": time unit must be a positive number of seconds");
  spec.time_unit_seconds = 1.0;
  EXPECT_EQ(error(read_time_value_csv(missing, spec)), missing + ": cannot open file");
}

TEST(TimeValueCsv, RowErrorHasTheCommonForm) {
  EXPECT_EQ(csv_row_error("f.csv", 7, "close", "price out of range"),
            "f.csv:7: column 'close': price out of range");
}

}  // namespace
}  // namespace liqsim
