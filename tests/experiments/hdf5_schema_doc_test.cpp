// docs/hdf5-schema.md is checked against the writer's schema (analysis/run_file.h): every table the
// sink writes has its own section, and every field of it a row `| \`name\` |` inside that section,
// with the units the writer stores.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "analysis/run_file.h"

namespace liqsim {
namespace {

std::string schema_doc() {
  std::ifstream in(std::string(LIQSIM_SOURCE_DIR) + "/docs/hdf5-schema.md");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text from `heading` to the next heading or table title.
std::string section(const std::string& doc, const std::string& heading) {
  const size_t start = doc.find(heading);
  if (start == std::string::npos) return "";
  size_t end = doc.find("\n**/", start + heading.size());
  end = std::min(end, doc.find("\n#", start + heading.size()));
  return doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

void expect_fields(const std::string& text, std::span<const FieldSpec> fields, const std::string& where) {
  for (const FieldSpec& field : fields) {
    // The row whose first cell names the field (a cell may name several: `mark_min`, `mark_max`).
    const std::string name = std::string("`").append(field.name).append("`");
    std::string line;
    std::istringstream lines(text);
    for (std::string candidate; std::getline(lines, candidate);) {
      if (candidate.rfind("| ", 0) != 0) continue;
      const std::string first_cell = candidate.substr(0, candidate.find('|', 1));
      if (first_cell.find(name) != std::string::npos) {
        line = candidate;
        break;
      }
    }
    ASSERT_FALSE(line.empty()) << where << ": field '" << field.name << "' is not documented";
    EXPECT_NE(line.find(field.units), std::string::npos)
        << where << "." << field.name << ": the doc row does not give the units '" << field.units
        << "': " << line;
  }
}

TEST(Hdf5SchemaDoc, EveryTableAndFieldTheWriterStoresIsDocumented) {
  const std::string doc = schema_doc();
  ASSERT_FALSE(doc.empty());
  EXPECT_NE(doc.find("schema_version " + std::to_string(kRunFileSchemaVersion) + ")"), std::string::npos)
      << "the title names another schema version";
  // Every table the writer stores (it checks it stores exactly this list): root tables have a "### /name"
  // section, the others a "**/group/name**" one.
  for (const TableSpec& table : run_file_schema::tables()) {
    const std::string heading =
        std::string(table.group) == "/"
            ? std::string("### /").append(table.name)
            : std::string("**").append(table.group).append("/").append(table.name).append("**");
    const std::string text = section(doc, heading);
    ASSERT_FALSE(text.empty()) << heading << " has no section";
    expect_fields(text, table.fields, table.name);
  }
  expect_fields(section(doc, "### /timeseries"), run_file_schema::timeseries(), "timeseries");
  expect_fields(section(doc, "### /summary"), run_file_schema::summary(), "summary");
}

}  // namespace
}  // namespace liqsim
